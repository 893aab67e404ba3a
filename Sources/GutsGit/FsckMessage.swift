/// The checks git's fsck makes of tree entries and identity lines that old histories
/// fail in practice, by fsck's message id, with fsck's default severity.
///
/// A warning (`badFilemode`, `zeroPaddedFilemode`, `hasDot`, `badDate`...) describes an
/// object git itself accepts and stores: it is accepted byte for byte unless the operator
/// asks for strict checking. An error (`duplicateEntries`, `treeNotSorted`) is refused.
public enum FsckMessage: String, Sendable, CaseIterable {
    case badFilemode
    case zeroPaddedFilemode
    case emptyName
    case fullPathname
    case hasDot
    case hasDotdot
    case hasDotgit
    case duplicateEntries
    case treeNotSorted
    /// An author, committer or tagger line git cannot read fully (no `<email>`, no date or
    /// time zone, a date that overflows): git's `missingEmail`, `badDate`, `badTimezone`...
    case badIdentity

    /// Whether git refuses an object with this problem by default.
    public var isError: Bool {
        switch self {
        case .duplicateEntries, .treeNotSorted: true
        default: false
        }
    }
}
