import CZlib

/// Gzip compression a chunk at a time, so a tar.gz is written as the tar is produced
/// (the same stream `Zlib.compress(_, level:, format: .gzip)` makes in one go: header
/// with no name and mtime 0).
public final class GzipStream {
    private let stream: UnsafeMutablePointer<z_stream>
    private var finished = false

    public init(level: Int32 = 6) throws {
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = guts_deflateInit2(stream, level, ZlibFormat.gzip.windowBits, 8, Z_DEFAULT_STRATEGY)
        guard status == Z_OK else {
            stream.deallocate()
            throw ZlibError(operation: "deflateInit", code: status, message: "cannot start gzip compression")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    /// Compresses `input`, returning what zlib produced so far.
    public func compress(_ input: [UInt8]) throws -> [UInt8] {
        try run(input, flush: Z_NO_FLUSH)
    }

    /// Ends the stream and returns its last bytes.
    public func finish() throws -> [UInt8] {
        guard !finished else { return [] }
        finished = true
        return try run([], flush: Z_FINISH)
    }

    private func run(_ input: [UInt8], flush: Int32) throws -> [UInt8] {
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        try input.withUnsafeBufferPointer { inputBuffer in
            var offset = 0
            repeat {
                let slice = min(inputBuffer.count - offset, 1 << 30)
                stream.pointee.next_in = UnsafeMutablePointer(mutating: inputBuffer.baseAddress.map { $0 + offset })
                stream.pointee.avail_in = uInt(slice)  // safe: at most 1 GiB
                offset += slice
                let last = offset == inputBuffer.count
                repeat {
                    let status = chunk.withUnsafeMutableBufferPointer { out -> Int32 in
                        stream.pointee.next_out = out.baseAddress
                        stream.pointee.avail_out = uInt(out.count)  // safe: 64 KiB
                        return deflate(stream, last ? flush : Z_NO_FLUSH)
                    }
                    guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                        throw ZlibError(operation: "deflate", code: status, message: Zlib.message(of: stream.pointee))
                    }
                    output += chunk[..<(chunk.count - Int(stream.pointee.avail_out))]
                    if status == Z_STREAM_END { return }
                } while stream.pointee.avail_out == 0 || (last && flush == Z_FINISH)
            } while offset < inputBuffer.count
        }
        return output
    }
}
