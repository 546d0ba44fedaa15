// SPDX-License-Identifier: Apache-2.0
import XenStoreClient

/// Waits for a back end's `state` node to reach a state, with xenstore watches and a deadline, reading every
/// value as untrusted (``XenbusState/init(node:)``): a node that vanishes, a back end that closes while it is
/// waited on to connect, and a value no driver writes end the wait at once.
struct DeviceStateWait {
    let xenstore: any XenStore
    let nodes: PVDeviceNodes

    /// Why a wait ended without the state.
    enum Failure: Error, Equatable {
        case timedOut(last: String)
        case gone(String)
        case closed(String)
        case nonsense(path: String, value: String)
        case xenstore(String)
    }

    /// Waits up to `timeout` seconds for the back end to reach `wanted`. With `frontend`, the front end's
    /// `state` is read too and must stay a valid state.
    func wait(for wanted: XenbusState, timeout: Double, checkingFrontend frontend: Bool = false) -> Failure? {
        let path = nodes.backendPath + "/state"
        let token = "xl-device-\(nodes.kind.rawValue)-\(nodes.domain)-\(nodes.devid)"
        do { try xenstore.watch(path, token: token) } catch { return .xenstore("cannot watch \(path): \(error.errno)") }
        if frontend {
            do { try xenstore.watch(nodes.frontendPath + "/state", token: token) } catch {
                _ = try? xenstore.unwatch(path, token: token)
                return .xenstore("cannot watch \(nodes.frontendPath)/state: \(error.errno)")
            }
        }
        defer {
            _ = try? xenstore.unwatch(path, token: token)
            if frontend { _ = try? xenstore.unwatch(nodes.frontendPath + "/state", token: token) }
        }
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        var last = "none"
        while true {
            let value: [UInt8]
            do { value = try xenstore.read(path, in: nil) } catch where error.errno == .ENOENT {
                return .gone(path)
            } catch {
                return .xenstore("cannot read \(path): \(error.errno)")
            }
            guard let state = XenbusState(node: value) else { return .nonsense(path: path, value: GuestWrittenValue.shown(value)) }
            last = state.node
            if state == wanted { return nil }
            if wanted.rawValue < XenbusState.closing.rawValue, state == .closing || state == .closed { return .closed(path) }
            if frontend, let failure = checkFrontend() { return failure }
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return .timedOut(last: last) }
            let seconds = Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18
            do { _ = try xenstore.readWatch(timeout: min(seconds, 1)) } catch {
                return .xenstore("cannot wait for \(path): \(error.errno)")
            }
        }
    }

    /// The guest's `state` node: absent is fine (the guest may not have started), anything but a state is not.
    private func checkFrontend() -> Failure? {
        let path = nodes.frontendPath + "/state"
        guard let value = try? xenstore.read(path, in: nil) else { return nil }
        return XenbusState(node: value) == nil ? .nonsense(path: path, value: GuestWrittenValue.shown(value)) : nil
    }
}

extension DeviceStateWait.Failure {
    /// The end of an error line: what was waited for and what happened.
    func explained(waitingFor wanted: XenbusState, timeout: Double) -> String {
        switch self {
        case .timedOut(let last): "the back end did not reach state \(wanted.rawValue) within \(Self.seconds(timeout)) s (it stayed at \(last))"
        case .gone(let path): "\(path) disappeared: the back end went away"
        case .closed(let path): "\(path) went to Closing/Closed: the back end gave up on the device"
        case .nonsense(let path, let value): "\(path) holds \"\(value)\", which is not a XenbusState"
        case .xenstore(let message): message
        }
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
