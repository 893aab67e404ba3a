import Foundation
import Synchronization

/// One pack being generated into a spool file that any number of responses read while it
/// grows, each at its own pace; the file goes away when the last reader is done.
final class SharedPackGeneration: Sendable {
    private struct State {
        /// Bumped on every change, so a reader can wait for "anything after what I saw".
        var version = 0
        var written = 0
        var objectCount: Int?
        var finished = false
        var failure: String?
        var readers = 0
        var generatorDone = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    let path: String
    private let pool: BlockingPool
    private let state = Mutex(State())

    init(path: String, pool: BlockingPool) {
        self.path = path
        self.pool = pool
    }

    // MARK: Generator side

    func begin(objectCount: Int) {
        resumeWaiters { $0.objectCount = objectCount }
    }

    func appended(_ count: Int) {
        resumeWaiters { $0.written += count }
    }

    func finish(failure: String? = nil) {
        resumeWaiters {
            $0.finished = true
            $0.failure = failure
            $0.generatorDone = true
        }
        removeFileIfUnused()
    }

    private func resumeWaiters(_ change: (inout State) -> Void) {
        let waiters = state.withLock { state in
            change(&state)
            state.version += 1
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        waiters.forEach { $0.resume() }
    }

    // MARK: Reader side

    /// Registers a reader; pair with `release()`.
    func retain() {
        state.withLock { $0.readers += 1 }
    }

    func release() {
        state.withLock { $0.readers -= 1 }
        removeFileIfUnused()
    }

    /// The number of objects in the pack, once planning is done; nil if planning failed.
    func objectCount() async -> Int? {
        while true {
            let (ready, version): (Int??, Int) = state.withLock { state in
                if let count = state.objectCount { return (.some(count), state.version) }
                return (state.finished ? .some(nil) : nil, state.version)
            }
            if let ready { return ready }
            await waitForChange(after: version)
        }
    }

    /// Bytes of the pack from `offset`, waiting for the generator when it has not got there
    /// yet; nil at the end of a finished pack. Throws the generator's error.
    func read(from offset: Int, handle: FileHandle, maxBytes: Int = 1 << 20) async throws -> [UInt8]? {
        while true {
            let (written, finished, failure, version) = state.withLock { ($0.written, $0.finished, $0.failure, $0.version) }
            if let failure { throw PackGenerationError(message: failure) }
            if offset < written {
                let count = min(maxBytes, written - offset)
                return try await pool.runAdmitted {
                    try handle.seek(toOffset: UInt64(offset))
                    return [UInt8](try handle.read(upToCount: count) ?? Data())
                }
            }
            if finished { return nil }
            await waitForChange(after: version)
        }
    }

    private func waitForChange(after version: Int) async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state in
                if state.version != version { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    private func removeFileIfUnused() {
        let unused = state.withLock { $0.generatorDone && $0.readers == 0 }
        if unused { try? FileManager.default.removeItem(atPath: path) }
    }
}

struct PackGenerationError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
