import XenControl
import XenTypes

/// A transport that keeps every request and answers with a chosen errno, or success.
final class RecordingTransport: HypercallTransport {
    var requests: [HypercallRequest] = []
    var failure: Errno?

    func submit(_ request: HypercallRequest) throws(Errno) {
        requests.append(request)
        if let failure { throw failure }
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
