// SPDX-License-Identifier: Apache-2.0
import XenControl
import XenTypes

/// One CPU pool of the simulated Xen: its id, scheduler and CPUs (`struct cpupool`).
public struct SimulatedCPUPool: Hashable, Sendable, Codable {
    public var id: UInt32
    public var scheduler: Scheduler
    public var cpus: CPUSet

    public init(id: UInt32, scheduler: Scheduler, cpus: CPUSet) {
        self.id = id
        self.scheduler = scheduler
        self.cpus = cpus
    }
}

/// A vCPU of a simulated domain as the scheduler keeps it: online or not, and its affinities.
public struct SimulatedVCPU: Hashable, Sendable, Codable {
    public var online: Bool
    public var affinity: VCPUAffinity

    public init(online: Bool, affinity: VCPUAffinity) {
        self.online = online
        self.affinity = affinity
    }
}
