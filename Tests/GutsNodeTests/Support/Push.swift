import Foundation

/// The bytes of a `git-receive-pack` request, and the report-status lines of its reply.
enum Push {
    static let zero = String(repeating: "0", count: 40)

    /// Command pkt-lines (capabilities after a NUL on the first), a flush, then `pack` if any.
    static func commands(_ commands: [(old: String, new: String, name: [UInt8])], capabilities: String = "report-status", pack: Data? = nil) -> Data {
        var body = Data()
        for (index, command) in commands.enumerated() {
            var payload = Array("\(command.old) \(command.new) ".utf8) + command.name
            if index == 0 { payload += [0] + Array(capabilities.utf8) }
            body += PktLines.packet(payload + [0x0a])
        }
        return body + PktLines.flush + (pack ?? Data())
    }

    static func lines(_ reply: HTTPClient.Reply) -> [String] {
        PktLines.lines(reply.body)
    }
}
