/// The mode of a tree entry, as the octal number git writes before its name.
public struct FileMode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let regular = FileMode(rawValue: 0o100644)
    public static let executable = FileMode(rawValue: 0o100755)
    public static let symlink = FileMode(rawValue: 0o120000)
    /// A submodule commit; its object lives in another repository.
    public static let gitlink = FileMode(rawValue: 0o160000)
    public static let directory = FileMode(rawValue: 0o40000)

    /// The five modes git itself writes.
    public static let canonical: Set<FileMode> = [.regular, .executable, .symlink, .gitlink, .directory]

    /// Whether this is one of `canonical`, without hashing (checked for every tree entry pushed).
    public var isCanonical: Bool {
        switch rawValue {
        case 0o100644, 0o100755, 0o120000, 0o160000, 0o40000: true
        default: false
        }
    }

    public var isDirectory: Bool { self == .directory }
    public var isGitlink: Bool { self == .gitlink }

    /// The object type the entry's id refers to (gitlinks name commits of another repository).
    public var objectType: ObjectType {
        switch self {
        case .directory: .tree
        case .gitlink: .commit
        default: .blob
        }
    }

    /// Octal digits without leading zeros, as git writes them ("40000", "100644").
    public var octal: [UInt8] { Array(String(rawValue, radix: 8).utf8) }

    public var description: String { String(rawValue, radix: 8) }
}
