import CZlib

/// One-shot zlib compression and decompression of whole buffers.
///
/// Streaming inflation of pack entries lives in `Inflater`.
public enum Zlib {
    /// Compresses `bytes` as one stream; `level` follows zlib (0...9, -1 default).
    public static func compress<Bytes: Collection>(_ bytes: Bytes, level: Int32 = Z_DEFAULT_COMPRESSION, format: ZlibFormat = .zlib) throws -> [UInt8]
    where Bytes.Element == UInt8 {
        let input = Array(bytes)
        var stream = z_stream()
        let initStatus = guts_deflateInit2(&stream, level, format.windowBits, 8, Z_DEFAULT_STRATEGY)
        guard initStatus == Z_OK else { throw ZlibError(operation: "deflateInit", code: initStatus, message: "cannot start compression") }
        defer { deflateEnd(&stream) }
        // deflateBound does not count the gzip header and trailer.
        let bound = Int(deflateBound(&stream, uLong(input.count))) + 32  // safe: uLong is 64-bit here
        var output = [UInt8](repeating: 0, count: bound)
        // zlib counts in 32-bit `uInt`s, so buffers over 4 GiB go in in slices.
        let status: Int32 = input.withUnsafeBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                var consumed = 0
                var produced = 0
                while true {
                    let inputSlice = min(inputBuffer.count - consumed, Self.maxSlice)
                    let outputSlice = min(outputBuffer.count - produced, Self.maxSlice)
                    guard outputSlice > 0 else { return Z_BUF_ERROR }
                    stream.next_in = UnsafeMutablePointer(mutating: inputBuffer.baseAddress.map { $0 + consumed })
                    stream.avail_in = uInt(inputSlice)  // safe: slices are at most maxSlice (1 GiB)
                    stream.next_out = outputBuffer.baseAddress.map { $0 + produced }
                    stream.avail_out = uInt(outputSlice)  // safe: slices are at most maxSlice (1 GiB)
                    let status = deflate(&stream, consumed + inputSlice == inputBuffer.count ? Z_FINISH : Z_NO_FLUSH)
                    consumed += inputSlice - Int(stream.avail_in)
                    produced += outputSlice - Int(stream.avail_out)
                    guard status == Z_OK || status == Z_BUF_ERROR else { return status }
                }
            }
        }
        output.removeLast(bound - Int(stream.total_out))
        return output
    }

    /// Decompresses one zlib stream that must inflate to exactly `expectedSize` bytes.
    ///
    /// Refuses streams that would expand past `expectedSize` (a "zip bomb" cannot
    /// make this allocate more than the caller declared) and streams that end early.
    public static func decompress<Bytes: Collection>(_ bytes: Bytes, expectedSize: Int) throws -> [UInt8]
    where Bytes.Element == UInt8 {
        let output = try decompress(bytes, format: .zlib, limit: expectedSize)
        guard output.count == expectedSize else {
            throw ZlibError(operation: "inflate", code: Z_DATA_ERROR, message: "inflated to \(output.count) bytes, expected \(expectedSize)")
        }
        return output
    }

    /// Decompresses one whole stream of `format`, refusing to produce more than `limit` bytes.
    public static func decompress<Bytes: Collection>(_ bytes: Bytes, format: ZlibFormat, limit: Int) throws -> [UInt8]
    where Bytes.Element == UInt8 {
        let input = Array(bytes)
        var inflater = try Inflater(format: format)
        var output = [UInt8]()
        let result = try input.withUnsafeBytes { buffer throws in
            try inflater.inflate(buffer, into: &output, limit: limit)
        }
        guard result.finished else {
            throw ZlibError(operation: "inflate", code: Z_BUF_ERROR, message: "stream ended before its end marker")
        }
        return output
    }

    /// CRC-32 as gzip and zip use it.
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            var crc: uLong = 0
            var offset = 0
            repeat {
                let slice = min(buffer.count - offset, maxSlice)
                crc = CZlib.crc32(crc, buffer.baseAddress.map { $0 + offset }, uInt(slice))  // safe: slices are at most maxSlice (1 GiB)
                offset += slice
            } while offset < buffer.count
            return UInt32(truncatingIfNeeded: crc)
        }
    }

    /// The most bytes handed to one zlib call: its counters are 32-bit.
    static let maxSlice = 1 << 30

    static func message(of stream: z_stream) -> String {
        stream.msg.map { String(cString: $0) } ?? "no message"
    }
}
