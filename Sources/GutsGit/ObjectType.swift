/// The four kinds of git object, numbered as in pack entry headers.
public enum ObjectType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case commit = 1
    case tree = 2
    case blob = 3
    case tag = 4

    /// The name git writes in object headers (`"blob 12\0"`).
    public var name: String {
        switch self {
        case .commit: "commit"
        case .tree: "tree"
        case .blob: "blob"
        case .tag: "tag"
        }
    }

    public init?(name: some StringProtocol) {
        switch name {
        case "commit": self = .commit
        case "tree": self = .tree
        case "blob": self = .blob
        case "tag": self = .tag
        default: return nil
        }
    }

    public var description: String { name }
}
