// SPDX-License-Identifier: Apache-2.0
import XenControl
import XenTypes

/// A transport that keeps every request and answers with a chosen errno, or what `answer` makes of the request
/// (by default: result 0, envelope and buffer unchanged).
final class RecordingTransport: HypercallTransport {
    var requests: [HypercallRequest] = []
    var failure: Errno?
    var answer: (HypercallRequest) -> HypercallReply = { HypercallReply(result: 0, envelope: $0.envelope, buffer: $0.buffer) }

    func submit(_ request: HypercallRequest) throws(Errno) -> HypercallReply {
        requests.append(request)
        if let failure { throw failure }
        return answer(request)
    }
}

/// A control that reports a fixed release and domain list, and counts version queries.
final class FixedControl: HypervisorControl {
    let release: XenVersion
    var domainInfos: [DomainInfo] = []
    var versionQueries = 0

    init(_ release: XenVersion) {
        self.release = release
    }

    func runningVersion() throws(HypervisorError) -> XenVersion {
        versionQueries += 1
        return release
    }

    func domainList() throws(HypervisorError) -> [DomainInfo] {
        domainInfos
    }
}
