// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Why the real xenstored could not be started.
public struct XenstoredError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The real C xenstored 4.17 running as a child process under the fakexen LD_PRELOAD shim, in its own temp dir;
/// it ends with the test process even when that is killed (`FAKEXEN_PARENT`).
public final class Xenstored {
    /// The Debian xen-utils-4.17 daemon binary.
    public static let binary = "/usr/lib/xen-4.17/bin/xenstored"

    /// Whether the daemon can run here: the binary and a C compiler for the shim exist.
    public static var isAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: binary) && compiler != nil
    }

    /// Why ``isAvailable`` is false, for `XCTSkip`.
    public static let unavailableReason =
        "real xenstored needs \(binary) (apt-get install xen-utils-4.17 libxen-dev) and a C compiler (cc)"

    private static var compiler: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/cc" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The shim, compiled once per test process.
    private static let shim: Result<String, XenstoredError> = buildShim()

    /// The path of the compiled shim, for other programs run under it (the real `xl`).
    public static func shimLibrary() throws -> String { try shim.get() }

    private static func buildShim() -> Result<String, XenstoredError> {
        compile("fakexen", into: "libfakexen.so", ["-shared", "-fPIC", "-O2"], libraries: ["-ldl", "-lpthread"])
    }

    /// The program that owns a played guest's ring, as its kernel would, compiled once per test process.
    private static let bridge: Result<String, XenstoredError> = compile("fakexen-bridge", into: "fakexen-bridge", ["-O2"], libraries: [])

    /// Compiles the bundled C file `name.c` into `product` in a directory of this test process; its path.
    static func compile(_ name: String, into product: String, _ flags: [String], libraries: [String]) -> Result<String, XenstoredError> {
        guard let source = Bundle.module.url(forResource: name, withExtension: "c") else {
            return .failure(XenstoredError("\(name).c is missing from the TestSupport bundle"))
        }
        guard let cc = compiler else { return .failure(XenstoredError(unavailableReason)) }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("xl-swift-fakexen-\(ProcessInfo.processInfo.processIdentifier)")
        let output = directory.appendingPathComponent(product).path
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let result = try run(cc, flags + ["-o", output, source.path] + libraries)
            guard result.status == 0 else { return .failure(XenstoredError("cc failed building \(product): \(result.text)")) }
            return .success(output)
        } catch {
            return .failure(XenstoredError("cannot build \(product): \(error)"))
        }
    }

    private static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, text: String) {
        let process = Process()
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// The daemon's run directory (`XENSTORED_RUNDIR`), removed by ``stop()``.
    public let directory: URL
    /// The unix socket clients connect to (`XENSTORED_PATH`).
    public let socketPath: String
    /// Where the shim keeps guest ring pages (`ring-<domid>`), when started with `guestRings`.
    public let ringDirectory: URL?
    /// The FIFO that kicks the daemon's event channel (write a 4-byte port), when started with `guestRings`.
    public let eventChannelPath: String?
    /// Where the daemon's notifications of guest ports arrive as FIFOs `port-<port>`, with `guestRings`.
    public let notifyDirectory: URL?
    private let process = Process()
    private let logPath: String
    /// The running fakexen-bridge of each played guest, started by ``guestEnvironment(_:)``.
    private var bridges: [UInt16: Process] = [:]

    /// Starts xenstored and waits up to `timeout` seconds for its socket to accept connections.
    ///
    /// `guestRings` lets a test play a guest: introduced domains get their ring page as a shared file and
    /// the event channel becomes a FIFO. `ringMapping: false` makes mapping a guest ring fail, so
    /// `XS_INTRODUCE` fails as on a host whose guest has no ring.
    public init(guestRings: Bool = false, ringMapping: Bool = true, timeout: Double = 5) throws {
        let library = try Self.shim.get()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("xenstored-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        socketPath = directory.appendingPathComponent("socket").path
        logPath = directory.appendingPathComponent("xenstored.log").path
        var environment = ProcessInfo.processInfo.environment
        environment["LD_PRELOAD"] = library
        environment["XENSTORED_RUNDIR"] = directory.path
        environment["XENSTORED_PATH"] = socketPath
        environment["FAKEXEN_PARENT"] = String(getpid())
        if guestRings {
            let rings = directory.appendingPathComponent("rings")
            try FileManager.default.createDirectory(at: rings, withIntermediateDirectories: true)
            let fifo = directory.appendingPathComponent("evtchn").path
            guard mkfifo(fifo, 0o600) == 0 else { throw XenstoredError("mkfifo \(fifo): errno \(errno)") }
            let notify = directory.appendingPathComponent("notify")
            try FileManager.default.createDirectory(at: notify, withIntermediateDirectories: true)
            environment["FAKEXEN_RING_DIR"] = rings.path
            environment["FAKEXEN_EVTCHN_FIFO"] = fifo
            environment["FAKEXEN_NOTIFY_DIR"] = notify.path
            ringDirectory = rings
            eventChannelPath = fifo
            notifyDirectory = notify
        } else {
            ringDirectory = nil
            eventChannelPath = nil
            notifyDirectory = nil
        }
        if !ringMapping { environment["FAKEXEN_NO_MAP"] = "1" }
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["-N"]
        process.environment = environment
        process.standardOutput = FileHandle(forWritingAtPath: logPath)
        process.standardError = FileHandle(forWritingAtPath: logPath)
        try process.run()
        try waitForSocket(timeout: timeout)
    }

    deinit { stop() }

    /// The environment for a child process that plays guest `domain` (introduced already, with
    /// `guestRings`): the shim preloaded, and `XENSTORED_PATH` naming a device file the shim
    /// connects to the guest's fakexen-bridge, so libxenstore's `xs_open(0)` talks to the daemon as
    /// `domain`. The bridge, one per guest started at the first call, owns the guest's ring as its
    /// kernel would: any number of processes can play the guest at once, and one that exits or is
    /// killed leaves no watch or transaction behind.
    public func guestEnvironment(_ domain: UInt16) throws -> [String: String] {
        guard let ringDirectory, let eventChannelPath, let notifyDirectory else {
            throw XenstoredError("start xenstored with guestRings to play a guest")
        }
        let device = directory.appendingPathComponent("xenbus-\(domain)").path
        let socket = directory.appendingPathComponent("bridge-\(domain)").path
        if bridges[domain] == nil {
            guard FileManager.default.createFile(atPath: device, contents: nil) else { throw XenstoredError("cannot create \(device)") }
            let bridge = Process()
            bridge.executableURL = URL(fileURLWithPath: try Self.bridge.get())
            bridge.arguments = [String(domain), ringDirectory.appendingPathComponent("ring-\(domain)").path, eventChannelPath,
                                notifyDirectory.appendingPathComponent("port-\(100 + Int(domain))").path, socket]
            let bridgeLog = directory.appendingPathComponent("bridge-\(domain).log").path
            _ = FileManager.default.createFile(atPath: bridgeLog, contents: nil)
            bridge.standardOutput = FileHandle(forWritingAtPath: bridgeLog)
            bridge.standardError = FileHandle(forWritingAtPath: bridgeLog)
            try bridge.run()
            bridges[domain] = bridge
            let deadline = Date().addingTimeInterval(5)
            while !Self.canConnect(socket) {
                guard bridge.isRunning, Date() < deadline else {
                    throw XenstoredError("fakexen-bridge for domain \(domain) did not listen on \(socket): \((try? String(contentsOfFile: bridgeLog, encoding: .utf8)) ?? "")")
                }
                usleep(2_000)
            }
        }
        var environment = ProcessInfo.processInfo.environment
        environment["LD_PRELOAD"] = try Self.shim.get()
        environment["XENSTORED_PATH"] = device
        environment["FAKEXEN_XENBUS"] = device
        environment["FAKEXEN_XENBUS_SOCKET"] = socket
        return environment
    }

    /// What the daemon printed so far.
    public var log: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    private func waitForSocket(timeout: Double) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            guard process.isRunning else {
                throw XenstoredError("xenstored exited with status \(process.terminationStatus): \(log)")
            }
            if Self.canConnect(socketPath) { return }
            usleep(5_000)
        }
        stop()
        throw XenstoredError("xenstored did not open \(socketPath) within \(timeout) s: \(log)")
    }

    private static func canConnect(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: bytes)
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
    }

    /// Terminates the daemon, waits for it and removes its directory. Safe to call more than once.
    public func stop() {
        for bridge in bridges.values where bridge.isRunning {
            bridge.terminate()
            bridge.waitUntilExit()
        }
        bridges = [:]
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }
}
