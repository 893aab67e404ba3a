import Foundation
import GutsMaintenance
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive, non-blocking `flock` on `<directory>/<job>.lock`, so a second run of
/// the same job fails at once. The kernel drops the lock when the process dies, so a
/// crashed run never leaves a stale lock behind; the file itself stays and holds the
/// pid of the last holder for diagnosis.
public final class JobLock: Sendable {
    public let job: String
    public let path: String
    private let descriptor: Int32

    /// Takes the lock or throws `AdminError.jobBusy` when another process (or another
    /// `JobLock` in this process) holds it.
    public init(job: String, directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.job = job
        path = directory + "/" + job + ".lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw AdminError.failed("cannot open lock \(path): \(String(cString: strerror(errno)))") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(descriptor)
            if code == EWOULDBLOCK { throw AdminError.jobBusy(job: job, lockPath: path) }
            throw AdminError.failed("cannot lock \(path): \(String(cString: strerror(code)))")
        }
        self.descriptor = descriptor
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }

    /// The lock directory of a data dir: `<data-dir>/locks`.
    public static func directory(dataDirectory: String) -> String { dataDirectory + "/locks" }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
