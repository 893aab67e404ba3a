import GutsCompression
/// Why a pack was rejected. Every case renders as one line naming the offset or id involved.
public enum PackError: Error, CustomStringConvertible, Sendable, Equatable {
    case cannotRead(path: String, reason: String)
    case tooShort(size: Int)
    case badSignature
    case unsupportedVersion(UInt32)
    case tooManyObjects(count: Int, limit: Int)
    case truncated(offset: Int)
    case badEntryHeader(offset: Int)
    case unknownObjectType(UInt8, offset: Int)
    case objectTooLarge(offset: Int, size: Int, limit: Int)
    case corruptZlib(offset: Int, reason: String)
    case inflatedSizeMismatch(offset: Int, declared: Int, actual: Int)
    case expandsPastDeclaredSize(offset: Int, declared: Int)
    case badOffsetDelta(offset: Int, baseOffset: Int)
    case badDeltaHeader(offset: Int)
    case deltaBaseNotFound(ObjectID, offset: Int)
    case externalBaseMismatch(requested: ObjectID, returned: ObjectID)
    case deltaCopiesPastBase(offset: Int)
    case invalidDelta(offset: Int, reason: String)
    case deltaChainTooDeep(offset: Int, limit: Int)
    case trailingGarbage(offset: Int, count: Int)
    case trailerMismatch(expected: ObjectID, actual: ObjectID)

    public var description: String {
        switch self {
        case let .cannotRead(path, reason): "cannot read pack \(path): \(reason)"
        case let .tooShort(size): "pack truncated: \(size) bytes cannot hold a header and trailer"
        case .badSignature: "not a pack: missing PACK signature"
        case let .unsupportedVersion(version): "unsupported pack version \(version)"
        case let .tooManyObjects(count, limit): "pack declares \(count) objects, more than the limit of \(limit)"
        case let .truncated(offset): "pack truncated at offset \(offset)"
        case let .badEntryHeader(offset): "malformed entry header at offset \(offset)"
        case let .unknownObjectType(type, offset): "unknown object type \(type) at offset \(offset)"
        case let .objectTooLarge(offset, size, limit): "object at offset \(offset) is \(size) bytes, more than the limit of \(limit)"
        case let .corruptZlib(offset, reason): "corrupt zlib stream in entry at offset \(offset): \(reason)"
        case let .inflatedSizeMismatch(offset, declared, actual):
            "entry at offset \(offset) inflates to \(actual) bytes but its header declares \(declared)"
        case let .expandsPastDeclaredSize(offset, declared):
            "entry at offset \(offset) inflates past its declared size of \(declared) bytes"
        case let .badOffsetDelta(offset, baseOffset):
            "delta at offset \(offset) names base offset \(baseOffset), which is not an earlier entry"
        case let .badDeltaHeader(offset): "delta at offset \(offset) has a malformed size header"
        case let .deltaBaseNotFound(id, offset): "delta base \(id) not found (delta at offset \(offset))"
        case let .externalBaseMismatch(requested, returned): "external base lookup for \(requested) returned object \(returned)"
        case let .deltaCopiesPastBase(offset): "delta at offset \(offset) copies past the end of its base"
        case let .invalidDelta(offset, reason): "invalid delta at offset \(offset): \(reason)"
        case let .deltaChainTooDeep(offset, limit): "delta chain at offset \(offset) is deeper than the limit of \(limit)"
        case let .trailingGarbage(offset, count): "pack has \(count) bytes of trailing garbage at offset \(offset)"
        case let .trailerMismatch(expected, actual): "pack trailer checksum mismatch: trailer says \(expected), content hashes to \(actual)"
        }
    }
}
