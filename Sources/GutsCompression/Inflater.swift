import CZlib

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
            if let step = try step(after: status, consumed: consumed) { return step }
        }
    }

    /// What `status`, returned by one `inflate` call, means for the caller's loop: the
    /// stream ended, no progress is possible (input exhausted, so the caller supplies
    /// more, or output full), or nil to go on.
    private func step(after status: Int32, consumed: Int) throws -> Step? {
        switch status {
        case Z_STREAM_END: Step(consumed: consumed, finished: true)
        case Z_OK: nil
        case Z_BUF_ERROR: Step(consumed: consumed, finished: false)
        default: throw ZlibError(operation: "inflate", code: status, message: Zlib.message(of: stream.pointee))
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
            if let step = try step(after: status, consumed: consumed) { return step }
        }
    }
}
