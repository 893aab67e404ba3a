import GutsGit

/// One ref update a pushing client asked for: `<old> <new> <ref>`.
struct RefCommand: Sendable, Equatable {
    var old: ObjectID
    var new: ObjectID
    var name: String

    var isCreate: Bool { old.isZero }
    var isDelete: Bool { new.isZero }
}

/// The command section of a push: ref updates, and capabilities after a NUL on the first line.
struct ReceivePackRequest: Sendable, Equatable {
    var commands: [RefCommand] = []
    var capabilities: Set<String> = []

    var needsPack: Bool { commands.contains { !$0.isDelete } }

    /// Parses the command pkt-lines (everything before the flush that precedes the pack).
    static func parse(_ packets: [[UInt8]]) throws -> ReceivePackRequest {
        var request = ReceivePackRequest()
        for var payload in packets {
            if payload.last == UInt8(ascii: "\n") { payload.removeLast() }
            if request.commands.isEmpty, let nul = payload.firstIndex(of: 0) {
                let capabilityText = String(decoding: payload[(nul + 1)...], as: UTF8.self)
                request.capabilities = Set(capabilityText.split(separator: " ").map(String.init))
                payload = Array(payload[..<nul])
            }
            let line = String(decoding: payload, as: UTF8.self)
            if line.hasPrefix("shallow ") {
                throw GitProtocolError.unsupported("pushing from a shallow clone is not supported")
            }
            if line.hasPrefix("push-cert") {
                throw GitProtocolError.unsupported("signed pushes are not supported")
            }
            let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, let old = ObjectID(hex: parts[0]), let new = ObjectID(hex: parts[1]), !parts[2].isEmpty else {
                throw GitProtocolError.badRequest("invalid ref update '\(line)'")
            }
            request.commands.append(RefCommand(old: old, new: new, name: String(parts[2])))
        }
        guard !request.commands.isEmpty else { throw GitProtocolError.badRequest("push without ref updates") }
        return request
    }
}
