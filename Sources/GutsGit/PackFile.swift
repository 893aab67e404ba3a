#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Random access to a pack's bytes, either an open file (read with `pread`) or memory.
final class PackFile {
    private enum Storage {
        case file(descriptor: Int32)
        case memory([UInt8])
    }

    private let storage: Storage
    let path: String
    let size: Int

    init(path: String) throws {
        self.path = path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw PackError.cannotRead(path: path, reason: String(cString: strerror(errno))) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw PackError.cannotRead(path: path, reason: reason)
        }
        storage = .file(descriptor: descriptor)
        size = Int(info.st_size)
    }

    init(bytes: [UInt8]) {
        path = "<memory>"
        storage = .memory(bytes)
        size = bytes.count
    }

    deinit {
        if case let .file(descriptor) = storage { close(descriptor) }
    }

    /// Exactly `count` bytes at `offset`; throws `truncated` if the file ends first.
    func read(at offset: Int, count: Int) throws -> [UInt8] {
        guard offset >= 0, count >= 0, offset + count <= size else { throw PackError.truncated(offset: min(max(offset, 0), size)) }
        switch storage {
        case let .memory(bytes):
            return Array(bytes[offset..<(offset + count)])
        case let .file(descriptor):
            var result = [UInt8](repeating: 0, count: count)
            var done = 0
            try result.withUnsafeMutableBytes { buffer in
                while done < count {
                    let got = pread(descriptor, buffer.baseAddress! + done, count - done, off_t(offset + done))  // safe: count > 0 inside the loop, so the buffer has a base address
                    if got < 0 {
                        if errno == EINTR { continue }
                        throw PackError.cannotRead(path: path, reason: String(cString: strerror(errno)))
                    }
                    if got == 0 { throw PackError.truncated(offset: offset + done) }
                    done += got
                }
            }
            return result
        }
    }
}
