import GutsGit

/// One ref update a pushing client asked for: `<old> <new> <ref>`.
struct RefCommand: Sendable, Equatable {
    var old: ObjectID
    var new: ObjectID
    /// The ref name exactly as the client sent it; reports echo these bytes.
    var nameBytes: [UInt8]

    init(old: ObjectID, new: ObjectID, nameBytes: [UInt8]) {
        self.old = old
        self.new = new
        self.nameBytes = nameBytes
    }

    init(old: ObjectID, new: ObjectID, name: String) {
        self.init(old: old, new: new, nameBytes: Array(name.utf8))
    }

    /// The name as text, nil when the bytes are not valid UTF-8 (such a name is refused,
    /// never rewritten).
    var name: String? { String(validating: nameBytes, as: UTF8.self) }

    var isCreate: Bool { old.isZero }
    var isDelete: Bool { new.isZero }
}

/// The command section of a push: ref updates, and capabilities after a NUL on the first line.
struct ReceivePackRequest: Sendable, Equatable {
    var commands: [RefCommand] = []
    var capabilities: Set<String> = []

    /// The most ref updates one push may carry (a mirror push of every ref).
    static let maxCommands = 100_000

    var needsPack: Bool { commands.contains { !$0.isDelete } }

    /// Parses the command pkt-lines (everything before the flush that precedes the pack).
    static func parse(_ packets: [[UInt8]]) throws -> ReceivePackRequest {
        var request = ReceivePackRequest()
        guard packets.count <= maxCommands else {
            throw GitProtocolError.badRequest("too many push command lines (limit \(maxCommands))")
        }
        for var payload in packets {
            if payload.last == UInt8(ascii: "\n") { payload.removeLast() }
            if request.commands.isEmpty, let nul = payload.firstIndex(of: 0) {
                let capabilityText = String(decoding: payload[(nul + 1)...], as: UTF8.self)
                request.capabilities = Set(capabilityText.split(separator: " ").map(String.init))
                payload = Array(payload[..<nul])
            }
            if payload.starts(with: Array("shallow ".utf8)) {
                throw GitProtocolError.unsupported("pushing from a shallow clone is not supported")
            }
            if payload.starts(with: Array("push-cert".utf8)) {
                throw GitProtocolError.unsupported("signed pushes are not supported")
            }
            // `<40 hex> <40 hex> <name>`: the name is everything after the second space.
            let idLength = ObjectID.hexLength
            guard payload.count > 2 * idLength + 2, payload[idLength] == UInt8(ascii: " "), payload[2 * idLength + 1] == UInt8(ascii: " "),
                  let old = ObjectID(hex: String(decoding: payload[..<idLength], as: UTF8.self)),
                  let new = ObjectID(hex: String(decoding: payload[(idLength + 1)..<(2 * idLength + 1)], as: UTF8.self)) else {
                throw GitProtocolError.badRequest("invalid ref update \(GitProtocolError.quote(String(decoding: payload, as: UTF8.self)))")
            }
            request.commands.append(RefCommand(old: old, new: new, nameBytes: Array(payload[(2 * idLength + 2)...])))
        }
        guard !request.commands.isEmpty else { throw GitProtocolError.badRequest("push without ref updates") }
        return request
    }
}
