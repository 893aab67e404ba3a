import Foundation

/// A hosted repository's record, stored as JSON under `repo/id/<id>` in `metadata`.
///
/// Objects and refs are keyed by the numeric `id`, never by name, so a rename
/// touches only this record and the name index.
public struct Repository: Sendable, Codable, Equatable, Hashable {
    /// Issued from a counter in `metadata`; never reused.
    public var id: UInt64
    public var owner: String
    public var name: String
    public var isPrivate: Bool
    public var description: String
    /// Branch HEAD points at (`refs/heads/<defaultBranch>`) when the repository is created.
    public var defaultBranch: String
    /// Whether forced (non-fast-forward) pushes are accepted.
    public var allowForcePush: Bool
    public var createdAt: Date

    /// `owner/name`.
    public var fullName: String { "\(owner)/\(name)" }

    public init(
        id: UInt64, owner: String, name: String, isPrivate: Bool = false, description: String = "",
        defaultBranch: String = "main", allowForcePush: Bool = true, createdAt: Date = Date()
    ) {
        self.id = id
        self.owner = owner
        self.name = name
        self.isPrivate = isPrivate
        self.description = description
        self.defaultBranch = defaultBranch
        self.allowForcePush = allowForcePush
        self.createdAt = createdAt
    }

    private enum CodingKeys: String, CodingKey {
        case id, owner, name, fullName, isPrivate, description, defaultBranch, allowForcePush, createdAt
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(UInt64.self, forKey: .id)
        owner = try container.decode(String.self, forKey: .owner)
        name = try container.decode(String.self, forKey: .name)
        isPrivate = try container.decodeIfPresent(Bool.self, forKey: .isPrivate) ?? false
        description = try container.decodeIfPresent(String.self, forKey: .description) ?? ""
        defaultBranch = try container.decodeIfPresent(String.self, forKey: .defaultBranch) ?? "main"
        allowForcePush = try container.decodeIfPresent(Bool.self, forKey: .allowForcePush) ?? true
        createdAt = try container.decodeIfPresent(Date.self, forKey: .createdAt) ?? Date(timeIntervalSince1970: 0)
    }

    /// Encodes every field plus the derived `fullName`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(owner, forKey: .owner)
        try container.encode(name, forKey: .name)
        try container.encode(fullName, forKey: .fullName)
        try container.encode(isPrivate, forKey: .isPrivate)
        try container.encode(description, forKey: .description)
        try container.encode(defaultBranch, forKey: .defaultBranch)
        try container.encode(allowForcePush, forKey: .allowForcePush)
        try container.encode(createdAt, forKey: .createdAt)
    }
}
