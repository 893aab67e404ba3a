/// An entry read from a pack, described by what a store needs to keep the pack's
/// representation (and its delta) instead of recompressing the object.
///
/// The body is not part of it: a store that keeps the pack's bytes never needs it, and
/// reading it would inflate the entry (and re-apply its delta chain) once more.
public struct PackedObject: Sendable {
    /// How the entry was encoded in the pack.
    public enum Encoding: Sendable, Equatable {
        /// A whole object; `compressed` is the zlib stream of its body.
        case whole(compressed: [UInt8])
        /// A delta against `base`; `compressed` is the zlib stream of `instructionsSize`
        /// bytes of delta instructions (see `Delta`).
        case delta(base: ObjectID, instructionsSize: Int, compressed: [UInt8])
    }

    /// The object's id, verified by hashing its body.
    public let id: ObjectID
    public let type: ObjectType
    /// The inflated size of the object's body.
    public let size: Int
    public let encoding: Encoding

    public init(id: ObjectID, type: ObjectType, size: Int, encoding: Encoding) {
        self.id = id
        self.type = type
        self.size = size
        self.encoding = encoding
    }
}
