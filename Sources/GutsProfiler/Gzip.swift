import CZlib

/// gzip (RFC 1952) compression of whole buffers, for pprof files.
public enum Gzip {
    public static func compress(_ input: [UInt8], level: Int32 = Z_DEFAULT_COMPRESSION) throws(ProfilerError) -> [UInt8] {
        var stream = z_stream()
        // windowBits 15 + 16 selects the gzip wrapper.
        let initStatus = guts_deflateInit2(&stream, level, 31, 8, Z_DEFAULT_STRATEGY)
        guard initStatus == Z_OK else { throw .compression("deflateInit2 returned \(initStatus)") }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.count))) + 32
        var output = [UInt8](repeating: 0, count: bound)
        let status: Int32 = input.withUnsafeBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                stream.next_in = UnsafeMutablePointer(mutating: inputBuffer.baseAddress)
                stream.avail_in = uInt(inputBuffer.count)
                stream.next_out = outputBuffer.baseAddress
                stream.avail_out = uInt(outputBuffer.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw .compression("deflate returned \(status)") }
        output.removeLast(bound - Int(stream.total_out))
        return output
    }

    /// Inflates a gzip buffer (for tests and tooling), refusing more than `limit` bytes.
    public static func decompress(_ input: [UInt8], limit: Int = 1 << 30) throws(ProfilerError) -> [UInt8] {
        var stream = z_stream()
        let initStatus = guts_inflateInit2(&stream, 31)
        guard initStatus == Z_OK else { throw .compression("inflateInit2 returned \(initStatus)") }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var consumed = 0
        while true {
            let remaining = input.count - consumed
            let status: Int32 = input.withUnsafeBufferPointer { inputBuffer in
                chunk.withUnsafeMutableBufferPointer { chunkBuffer in
                    stream.next_in = UnsafeMutablePointer(mutating: inputBuffer.baseAddress.map { $0 + consumed })
                    stream.avail_in = uInt(remaining)
                    stream.next_out = chunkBuffer.baseAddress
                    stream.avail_out = uInt(chunkBuffer.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
            }
            consumed += remaining - Int(stream.avail_in)
            output.append(contentsOf: chunk[0..<(chunk.count - Int(stream.avail_out))])
            guard output.count <= limit else { throw .compression("output exceeds \(limit) bytes") }
            if status == Z_STREAM_END { return output }
            guard status == Z_OK else { throw .compression("inflate returned \(status)") }
        }
    }
}
