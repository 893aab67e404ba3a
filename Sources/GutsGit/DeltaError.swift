/// Why a git delta could not be applied.
public enum DeltaError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The size header at the start of the delta is cut short or overflows.
    case truncatedHeader
    /// The delta was made against a base of another size.
    case baseSizeMismatch(expected: Int, actual: Int)
    /// A copy instruction reads bytes `offset..<offset+size` of a base that has only `baseSize`.
    case copyPastBase(offset: Int, size: Int, baseSize: Int)
    /// An insert instruction at `position` wants more bytes than the delta has left.
    case insertPastDelta(position: Int)
    /// A copy instruction at `position` is cut short.
    case truncatedCopy(position: Int)
    /// Opcode 0 is reserved.
    case reservedOpcode(position: Int)
    /// The instructions produced a result of another size than the header declares.
    case resultSizeMismatch(expected: Int, actual: Int)

    public var description: String {
        switch self {
        case .truncatedHeader:
            "delta size header is truncated"
        case let .baseSizeMismatch(expected, actual):
            "delta expects a base of \(expected) bytes but the base has \(actual)"
        case let .copyPastBase(offset, size, baseSize):
            "delta copies \(size) bytes at \(offset), past the end of its \(baseSize)-byte base"
        case let .insertPastDelta(position):
            "delta insert at byte \(position) runs past the end of the delta"
        case let .truncatedCopy(position):
            "delta copy instruction at byte \(position) is truncated"
        case let .reservedOpcode(position):
            "delta has reserved opcode 0 at byte \(position)"
        case let .resultSizeMismatch(expected, actual):
            "delta result is \(actual) bytes, header declares \(expected)"
        }
    }
}
