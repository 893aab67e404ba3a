import CZlib

/// An error from zlib, with the operation and zlib's own message.
public struct ZlibError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let code: Int32
    public let message: String
    /// The stream would have inflated past the caller's limit (a bomb, or a lie about its size).
    public var exceededLimit = false

    public var description: String { "zlib \(operation) failed (\(code)): \(message)" }
}

/// The framing around deflate data.
public enum ZlibFormat: Sendable {
    /// RFC 1950, as in git objects and packs.
    case zlib
    /// RFC 1952, as in `Content-Encoding: gzip`, `.tar.gz` and pprof files. Written with
    /// no file name and modification time 0, so equal input gives equal bytes.
    case gzip
    /// Bare RFC 1951 deflate, as in zip entries.
    case raw

    var windowBits: Int32 {
        switch self {
        case .zlib: 15
        case .gzip: 15 + 16
        case .raw: -15
        }
    }
}

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

/// Incremental zlib inflation that reports where its stream ended in the input.
///
/// Pack entries are zlib streams laid end to end with no length prefix, so the
/// reader must learn from zlib how many input bytes a stream used.
public struct Inflater: ~Copyable {
    private var stream: UnsafeMutablePointer<z_stream>

    public struct Step: Sendable {
        /// Input bytes consumed by this call.
        public var consumed: Int
        /// Whether the stream's end marker was reached.
        public var finished: Bool
    }

    public init(format: ZlibFormat = .zlib) throws {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = guts_inflateInit2(stream, format.windowBits)
        guard status == Z_OK else {
            stream.deallocate()
            throw ZlibError(operation: "inflateInit", code: status, message: "cannot start decompression")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// Starts a new stream, keeping zlib's allocated window.
    public mutating func reset() {
        inflateReset(stream)
    }

    /// Inflates from `input`, appending to `output`; never lets `output` grow by more
    /// than `limit` bytes in total for this stream, failing instead.
    public mutating func inflate(_ input: UnsafeRawBufferPointer, into output: inout [UInt8], limit: Int) throws -> Step {
        let startCount = output.count
        var consumed = 0
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let remainingInput = input.count - consumed
            let status: Int32 = chunk.withUnsafeMutableBufferPointer { chunkBuffer in
                stream.pointee.next_in = remainingInput > 0
                    ? UnsafeMutablePointer(mutating: input.baseAddress!.advanced(by: consumed).assumingMemoryBound(to: Bytef.self))  // safe: remainingInput > 0, so the buffer has a base address
                    : nil
                stream.pointee.avail_in = uInt(min(remainingInput, Zlib.maxSlice))  // safe: at most maxSlice (1 GiB)
                stream.pointee.next_out = chunkBuffer.baseAddress
                stream.pointee.avail_out = uInt(chunkBuffer.count)  // safe: the chunk is 64 KiB
                return CZlib.inflate(stream, Z_NO_FLUSH)
            }
            let used = remainingInput - Int(stream.pointee.avail_in)
            consumed += used
            let produced = chunk.count - Int(stream.pointee.avail_out)
            if output.count - startCount + produced > limit {
                throw ZlibError(operation: "inflate", code: Z_DATA_ERROR, message: "stream expands past its declared size of \(limit) bytes", exceededLimit: true)
            }
            output.append(contentsOf: chunk[0..<produced])
            switch status {
            case Z_STREAM_END:
                return Step(consumed: consumed, finished: true)
            case Z_OK:
                continue
            case Z_BUF_ERROR:
                // No progress possible: input exhausted (caller supplies more) or output full.
                return Step(consumed: consumed, finished: false)
            default:
                throw ZlibError(operation: "inflate", code: status, message: Zlib.message(of: stream.pointee))
            }
        }
    }

    /// Inflates from `input`, handing each produced chunk to `sink` instead of keeping it.
    ///
    /// `produced` counts this stream's output across calls; the call fails as soon as it
    /// would exceed `limit`, so a stream that expands without bound costs at most one
    /// chunk of memory.
    public mutating func inflate(
        _ input: UnsafeRawBufferPointer, produced: inout Int, limit: Int,
        sink: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Step {
        var consumed = 0
        let chunkSize = max(1, min(64 * 1024, limit - produced + 1))
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 1)
        defer { chunk.deallocate() }
        while true {
            let remainingInput = input.count - consumed
            stream.pointee.next_in = remainingInput > 0
                ? UnsafeMutablePointer(mutating: input.baseAddress!.advanced(by: consumed).assumingMemoryBound(to: Bytef.self))  // safe: remainingInput > 0, so the buffer has a base address
                : nil
            stream.pointee.avail_in = uInt(min(remainingInput, Zlib.maxSlice))  // safe: at most maxSlice (1 GiB)
            stream.pointee.next_out = chunk.baseAddress!.assumingMemoryBound(to: Bytef.self)  // safe: a freshly allocated buffer of at least one byte
            stream.pointee.avail_out = uInt(chunkSize)  // safe: at most 64 KiB
            let status = CZlib.inflate(stream, Z_NO_FLUSH)
            consumed += remainingInput - Int(stream.pointee.avail_in)
            let count = chunkSize - Int(stream.pointee.avail_out)
            if produced + count > limit {
                throw ZlibError(operation: "inflate", code: Z_DATA_ERROR, message: "stream expands past its declared size of \(limit) bytes", exceededLimit: true)
            }
            produced += count
            if count > 0 { try sink(UnsafeRawBufferPointer(rebasing: chunk[0..<count])) }
            switch status {
            case Z_STREAM_END:
                return Step(consumed: consumed, finished: true)
            case Z_OK:
                continue
            case Z_BUF_ERROR:
                return Step(consumed: consumed, finished: false)
            default:
                throw ZlibError(operation: "inflate", code: status, message: Zlib.message(of: stream.pointee))
            }
        }
    }
}
