import Foundation
import GutsGit
import Hummingbird

/// Reads request bodies with a size limit, undoing `Content-Encoding: gzip`.
struct RequestBodyReader {
    let limit: Int

    /// The whole (decoded) body; 413 past the limit.
    func collect(_ request: Request) async throws -> [UInt8] {
        var decoder = try BodyDecoder(request: request, limit: limit)
        var out = [UInt8]()
        for try await buffer in request.body {
            out += try decoder.decode(buffer)
        }
        try decoder.finish()
        return out
    }

    /// Reads a push: the command pkt-lines into memory, everything after them (the pack)
    /// into a file under `directory`, so a large push never sits in memory.
    func spoolPush(_ request: Request, directory: String) async throws -> (commands: [[UInt8]], packPath: String?) {
        var decoder = try BodyDecoder(request: request, limit: limit)
        var head = [UInt8]()
        var commands: [[UInt8]]?
        var spool: FileSpool?
        do {
            for try await buffer in request.body {
                let bytes = try decoder.decode(buffer)
                if let spool {
                    try await spool.append(bytes)
                    continue
                }
                head += bytes
                var reader = PktLineReader(head)
                var lines = [[UInt8]]()
                parse: while true {
                    let packet: Packet?
                    do { packet = try reader.next() } catch is PktLineError where head.count < 1 << 20 {
                        break parse
                    }
                    switch packet {
                    case .data(let payload): lines.append(payload)
                    case .flush:
                        commands = lines
                        let created = try FileSpool(directory: directory)
                        spool = created
                        try await created.append(Array(reader.remainder))
                        break parse
                    case nil: break parse
                    default: throw NodeError(.badRequest, "unexpected special packet in push commands")
                    }
                }
            }
            try decoder.finish()
            guard let commands else { throw NodeError(.badRequest, "push request ended before its command list") }
            try await spool?.close()
            return (commands, spool.flatMap { $0.size > 0 ? $0.path : nil })
        } catch {
            spool?.remove()
            throw error
        }
    }
}

/// Decodes one request body incrementally and enforces the size limit on the decoded bytes.
private struct BodyDecoder: ~Copyable {
    private var inflater: Inflater?
    private let limit: Int
    private var total = 0
    private var finished = false

    init(request: Request, limit: Int) throws {
        self.limit = limit
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw NodeError(.contentTooLarge, "request body of \(length) bytes exceeds the limit of \(limit) bytes")
        }
        switch request.headers[.contentEncoding]?.lowercased() {
        case nil, "identity": inflater = nil
        case "gzip", "x-gzip": inflater = try Inflater(format: .gzip)
        case let other?: throw NodeError(.unsupportedMediaType, "unsupported Content-Encoding '\(other)'")
        }
    }

    mutating func decode(_ buffer: ByteBuffer) throws -> [UInt8] {
        let input = Array(buffer.readableBytesView)
        var output = [UInt8]()
        if inflater != nil {
            var offset = 0
            while offset < input.count && !finished {
                let step = try input.withUnsafeBytes { raw in
                    try inflater!.inflate(UnsafeRawBufferPointer(rebasing: raw[offset...]), into: &output, limit: limit - total)
                }
                offset += step.consumed
                finished = step.finished
                if step.consumed == 0 && !step.finished { break }
            }
        } else {
            output = input
        }
        total += output.count
        if total > limit {
            throw NodeError(.contentTooLarge, "request body exceeds the limit of \(limit) bytes")
        }
        return output
    }

    func finish() throws {
        if inflater != nil && !finished && total > 0 {
            throw NodeError(.badRequest, "gzip request body is truncated")
        }
    }
}
