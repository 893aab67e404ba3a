/// An object read from a pack together with the bytes it had there, so a store can keep
/// the pack's representation (and its delta) instead of recompressing the object.
public struct PackedObject: Sendable {
    /// How the entry was encoded in the pack.
    public enum Encoding: Sendable, Equatable {
        /// A whole object; `compressed` is the zlib stream of its body.
        case whole(compressed: [UInt8])
        /// A delta against `base`; `compressed` is the zlib stream of `instructionsSize`
        /// bytes of delta instructions (see `Delta`).
        case delta(base: ObjectID, instructionsSize: Int, compressed: [UInt8])
    }

    /// The resolved object (its id verified by hashing).
    public let object: RawObject
    public let encoding: Encoding

    public init(object: RawObject, encoding: Encoding) {
        self.object = object
        self.encoding = encoding
    }

    public var id: ObjectID { object.id }
}
