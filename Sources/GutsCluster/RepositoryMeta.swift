import Foundation
import GutsStorage

/// A repository's settings as the cluster records them (`/guts/repos/<owner>/<name>/meta`),
/// so every node serves it with the same visibility and branch rules.
public struct RepositoryMeta: Codable, Sendable, Equatable {
    public var isPrivate: Bool
    public var description: String
    public var defaultBranch: String
    public var allowForcePush: Bool

    /// The settings of a repository a push creates on a standalone node.
    public init(isPrivate: Bool = false, description: String = "", defaultBranch: String = "main", allowForcePush: Bool = true) {
        self.isPrivate = isPrivate
        self.description = description
        self.defaultBranch = defaultBranch
        self.allowForcePush = allowForcePush
    }

    public init(_ repository: Repository) {
        self.init(isPrivate: repository.isPrivate, description: repository.description, defaultBranch: repository.defaultBranch,
                  allowForcePush: repository.allowForcePush)
    }

    /// Keys a document leaves out keep the defaults above.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            isPrivate: try container.decodeIfPresent(Bool.self, forKey: .isPrivate) ?? false,
            description: try container.decodeIfPresent(String.self, forKey: .description) ?? "",
            defaultBranch: try container.decodeIfPresent(String.self, forKey: .defaultBranch) ?? "main",
            allowForcePush: try container.decodeIfPresent(Bool.self, forKey: .allowForcePush) ?? true)
    }

    public func matches(_ repository: Repository) -> Bool { self == RepositoryMeta(repository) }

    public func apply(to repository: inout Repository) {
        repository.isPrivate = isPrivate
        repository.description = description
        repository.defaultBranch = defaultBranch
        repository.allowForcePush = allowForcePush
    }

    func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(self)).map(Array.init) ?? Array("{}".utf8)
    }

    /// A `meta` value; one that does not decode (written by something else) is taken as
    /// private, so a node never serves publicly what it cannot read the settings of.
    static func decoded(_ bytes: [UInt8]) -> RepositoryMeta {
        (try? JSONDecoder().decode(RepositoryMeta.self, from: Data(bytes))) ?? RepositoryMeta(isPrivate: true)
    }
}
