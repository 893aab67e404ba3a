import CZlib
import GutsGit

/// Deterministic gzip and raw deflate: no file name, modification time 0 and zlib's
/// fixed OS byte, so the same input always gives the same bytes.
public enum Gzip {
    /// `bytes` as one gzip member.
    public static func compress(_ bytes: [UInt8], level: Int32 = 6) throws -> [UInt8] {
        try deflate(bytes, level: level, windowBits: 31)
    }

    /// `bytes` as a raw deflate stream (for zip entries).
    public static func rawDeflate(_ bytes: [UInt8], level: Int32 = 6) throws -> [UInt8] {
        try deflate(bytes, level: level, windowBits: -15)
    }

    /// CRC-32 as gzip and zip use it.
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            UInt32(CZlib.crc32(0, buffer.baseAddress, uInt(buffer.count)))
        }
    }

    private static func deflate(_ input: [UInt8], level: Int32, windowBits: Int32) throws -> [UInt8] {
        var stream = z_stream()
        let status = guts_deflateInit2(&stream, level, windowBits, 8, Z_DEFAULT_STRATEGY)
        guard status == Z_OK else { throw AdminError.compression("deflateInit2 returned \(status)") }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.count))) + 32
        var output = [UInt8](repeating: 0, count: bound)
        let result: Int32 = input.withUnsafeBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                stream.next_in = UnsafeMutablePointer(mutating: inputBuffer.baseAddress)
                stream.avail_in = uInt(inputBuffer.count)
                stream.next_out = outputBuffer.baseAddress
                stream.avail_out = uInt(outputBuffer.count)
                return CZlib.deflate(&stream, Z_FINISH)
            }
        }
        guard result == Z_STREAM_END else { throw AdminError.compression("deflate returned \(result)") }
        output.removeLast(bound - Int(stream.total_out))
        return output
    }
}
