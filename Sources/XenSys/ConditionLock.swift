// SPDX-License-Identifier: Apache-2.0
import Glibc

/// A pthread mutex with a condition variable, for Swift targets that may not call C themselves.
public final class ConditionLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    public init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Runs `body` holding the lock.
    public func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Seconds on the monotonic clock, the clock ``wait(until:)`` takes.
    public static var now: Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Releases the lock until ``broadcast()`` or the monotonic `deadline`; call only inside ``withLock(_:)``.
    public func wait(until deadline: Double) {
        // An infinite, NaN or absurdly far deadline waits about 30 years rather than trapping in Int().
        let bounded = deadline.isNaN ? 0 : min(max(deadline, 0), 1e9)
        let seconds = bounded.rounded(.down)
        var ts = timespec(tv_sec: Int(seconds), tv_nsec: Int((bounded - seconds) * 1e9))
        pthread_cond_timedwait(condition, mutex, &ts)
    }

    /// Wakes every thread in ``wait(until:)``.
    public func broadcast() {
        pthread_cond_broadcast(condition)
    }
}
