import Foundation
import HTTPTypes

/// Decides who a request is from, by the token it carries.
///
/// git sends tokens as HTTP Basic credentials (either half may hold the token); API
/// clients may use `Authorization: Bearer <token>`. Comparison takes constant time.
struct AccessControl: Sendable {
    enum Level: Int, Comparable, Sendable {
        case anonymous, write, admin
        static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    let tokens: [NodeConfiguration.Token]

    /// Who sent a request: its access level and, unless anonymous, the name of its token.
    struct Caller: Sendable, Equatable {
        var level: Level
        var name: String?
    }

    func level(for fields: HTTPFields) -> Level {
        caller(for: fields).level
    }

    func caller(for fields: HTTPFields) -> Caller {
        guard let header = fields[.authorization] else { return Caller(level: .anonymous) }
        var best = Caller(level: .anonymous)
        for candidate in Self.candidates(fromAuthorization: header) {
            for token in tokens where Self.constantTimeEquals(token.token, candidate) {
                let level: Level = token.admin ? .admin : .write
                if level > best.level || best.name == nil { best = Caller(level: max(level, best.level), name: token.name) }
            }
        }
        return best
    }

    /// Lets only admin-token requests through: 401 with a Bearer challenge when the
    /// request carries no token the node knows, 403 when its token is not an admin's.
    func requireAdmin(_ fields: HTTPFields) throws {
        switch level(for: fields) {
        case .admin: return
        case .write: throw NodeError(.forbidden, "admin token required")
        case .anonymous: throw NodeError(.unauthorized, "admin token required", headers: [.wwwAuthenticate: "Bearer realm=\"guts admin\""])
        }
    }

    /// The strings an Authorization header could carry a token in.
    static func candidates(fromAuthorization header: String) -> [String] {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { return [] }
        switch parts[0].lowercased() {
        case "bearer", "token":
            return [String(parts[1])]
        case "basic":
            guard let data = Data(base64Encoded: String(parts[1])), let text = String(data: data, encoding: .utf8) else { return [] }
            let halves = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            return halves.filter { !$0.isEmpty }
        default:
            return []
        }
    }

    /// Equal only when both strings have the same bytes and the same length; the time
    /// taken depends on the lengths, never on where the bytes differ.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8)
        let right = Array(b.utf8)
        var difference = left.count ^ right.count
        for index in 0..<max(left.count, right.count) {
            let x = index < left.count ? left[index] : 0
            let y = index < right.count ? right[index] : 0
            difference |= Int(x ^ y)
        }
        return difference == 0
    }
}
