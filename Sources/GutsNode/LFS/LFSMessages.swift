import Foundation

/// The JSON bodies of the Git LFS batch, verify and locking APIs (snake_case on the wire).
enum LFSMessages {
    static let contentType = "application/vnd.git-lfs+json"

    struct RefSpec: Codable, Sendable {
        var name: String
    }

    struct ObjectSpec: Codable, Sendable {
        var oid: String
        var size: Int
    }

    struct BatchRequest: Decodable, Sendable {
        var operation: String
        var transfers: [String]?
        var ref: RefSpec?
        var objects: [ObjectSpec]
        var hashAlgo: String?
    }

    struct Action: Encodable, Sendable {
        var href: String
        var header: [String: String]?
        var expiresIn: Int
    }

    struct ObjectError: Encodable, Sendable {
        var code: Int
        var message: String
    }

    struct ObjectResult: Encodable, Sendable {
        var oid: String
        var size: Int
        var authenticated: Bool?
        var actions: [String: Action]?
        var error: ObjectError?
    }

    struct BatchResponse: Encodable, Sendable {
        var transfer = "basic"
        var objects: [ObjectResult]
        var hashAlgo = "sha256"
    }

    struct LockOwner: Encodable, Sendable {
        var name: String
    }

    struct LockView: Encodable, Sendable {
        var id: String
        var path: String
        var lockedAt: Date
        var owner: LockOwner
    }

    struct CreateLockRequest: Decodable, Sendable {
        var path: String
        var ref: RefSpec?
    }

    struct LockResponse: Encodable, Sendable {
        var lock: LockView
        var message: String?
    }

    struct LockList: Encodable, Sendable {
        var locks: [LockView]
        var nextCursor: String?
    }

    struct VerifyLocksRequest: Decodable, Sendable {
        var cursor: String?
        var limit: Int?
        var ref: RefSpec?
    }

    struct VerifyLocksResponse: Encodable, Sendable {
        var ours: [LockView]
        var theirs: [LockView]
        var nextCursor: String?
    }

    struct UnlockRequest: Decodable, Sendable {
        var force: Bool?
        var ref: RefSpec?
    }

    struct ErrorBody: Encodable, Sendable {
        var message: String
    }
}
