import Foundation
import GutsCompression
import GutsGit
import Hummingbird

/// Reads request bodies with a size limit, undoing `Content-Encoding: gzip`. The limit
/// counts decoded bytes, so a small gzip body that inflates past it is refused (413)
/// as soon as it does, having cost at most one chunk of memory over the limit.
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

    /// The command section of a push is read into memory up to this many bytes (100,000
    /// commands of ordinary ref names fit); the pack after it goes to disk.
    static let maxPushCommandBytes = 32 << 20

    /// A push whose pack could not be written to disk (the disk is full): its commands, so
    /// the push can be refused in a report git prints, and why. The rest of the body was
    /// read and dropped, so the reply reaches a client still sending.
    struct SpoolFailure: Error {
        var commands: [[UInt8]]
        var reason: String
    }

    /// Reads a push: the command pkt-lines into memory, everything after them (the pack)
    /// into a file under `directory`, so a large push never sits in memory. The file is
    /// removed again when the push has no pack. Throws `SpoolFailure` when the pack cannot
    /// be written.
    func spoolPush(_ request: Request, directory: String, pool: BlockingPool) async throws -> (commands: [[UInt8]], packPath: String?) {
        var decoder = try BodyDecoder(request: request, limit: limit)
        var head = [UInt8]()
        var parsed = 0
        var commands = [[UInt8]]()
        var spool: FileSpool?
        var failure: (any Error)?
        func store(_ bytes: [UInt8], in spool: FileSpool) async {
            guard failure == nil else { return }
            do {
                try await spool.append(bytes)
            } catch {
                failure = error
                spool.remove()
            }
        }
        do {
            for try await buffer in request.body {
                let bytes = try decoder.decode(buffer)
                if let spool {
                    await store(bytes, in: spool)
                    continue
                }
                head += bytes
                while spool == nil, let length = try Self.packetLength(head[parsed...]) {
                    switch try Self.packet(head[parsed..<(parsed + length)]) {
                    case .data(let payload):
                        guard commands.count < ReceivePackRequest.maxCommands else {
                            throw GitProtocolError.badRequest("too many push command lines (limit \(ReceivePackRequest.maxCommands))")
                        }
                        commands.append(payload)
                    case .flush:
                        let created = try FileSpool(directory: directory, pool: pool)
                        spool = created
                        await store(Array(head[(parsed + length)...]), in: created)
                    default:
                        throw NodeError(.badRequest, "unexpected special packet in push commands")
                    }
                    parsed += length
                }
                if spool == nil, head.count > Self.maxPushCommandBytes {
                    throw NodeError(.contentTooLarge, "push commands exceed \(Self.maxPushCommandBytes) bytes")
                }
            }
            try decoder.finish()
            if let failure { throw SpoolFailure(commands: commands, reason: ReceivePack.unpackReason(failure)) }
            guard let spool else {
                if parsed < head.count { throw NodeError(.badRequest, "invalid pkt-line: packet truncated at byte \(parsed)") }
                throw NodeError(.badRequest, "push request ended before its command list")
            }
            try await spool.close()
            guard spool.size > 0 else {
                spool.remove()
                return (commands, nil)
            }
            return (commands, spool.path)
        } catch {
            spool?.remove()
            throw error
        }
    }

    private static func packetLength(_ bytes: ArraySlice<UInt8>) throws -> Int? {
        do {
            return try PktLineReader.packetLength(bytes)
        } catch {
            throw NodeError(.badRequest, "\(error)")
        }
    }

    private static func packet(_ bytes: ArraySlice<UInt8>) throws -> Packet? {
        var reader = PktLineReader(Array(bytes))
        do {
            return try reader.next()
        } catch {
            throw NodeError(.badRequest, "\(error)")
        }
    }
}

/// Decodes one request body incrementally and enforces the size limit on the decoded bytes.
private struct BodyDecoder: ~Copyable {
    private var inflater: Inflater?
    private let limit: Int
    private var total = 0
    private var received = 0
    private var finished = false

    init(request: Request, limit: Int) throws {
        self.limit = limit
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw NodeError(.contentTooLarge, "request body of \(length) bytes exceeds the limit of \(limit) bytes")
        }
        switch request.headers[.contentEncoding]?.lowercased() {
        case nil, "identity": inflater = nil
        case "gzip", "x-gzip": inflater = try Inflater(format: .gzip)
        case let other?: throw NodeError(.unsupportedMediaType, "unsupported Content-Encoding \(GitProtocolError.quote(other))")
        }
    }

    mutating func decode(_ buffer: ByteBuffer) throws -> [UInt8] {
        let input = Array(buffer.readableBytesView)
        received += input.count
        var output = [UInt8]()
        if inflater != nil {
            var offset = 0
            while offset < input.count && !finished {
                let step: Inflater.Step
                do {
                    step = try input.withUnsafeBytes { raw in
                        // safe: `inflater` is non-nil in this branch and nothing in the loop clears it.
                        try inflater!.inflate(UnsafeRawBufferPointer(rebasing: raw[offset...]), into: &output, limit: limit - total)
                    }
                } catch {
                    if (error as? ZlibError)?.exceededLimit == true {
                        throw NodeError(.contentTooLarge, "request body inflates past the limit of \(limit) bytes")
                    }
                    throw NodeError(.badRequest, "gzip request body is corrupt")
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
        if inflater != nil && !finished && received > 0 {
            throw NodeError(.badRequest, "gzip request body is truncated")
        }
    }
}
