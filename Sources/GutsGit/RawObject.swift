/// A git object as stored: its type and its uncompressed body (no `"<type> <size>\0"` header).
///
/// `id` is computed once, when the object is created, and recomputed if `type` or
/// `body` change, so it always names exactly these bytes.
public struct RawObject: Sendable, Hashable {
    public var type: ObjectType {
        didSet { id = SHA1.objectID(type: type, body: body) }
    }
    public var body: [UInt8] {
        didSet { id = SHA1.objectID(type: type, body: body) }
    }
    /// The SHA-1 of the object's header and body.
    public private(set) var id: ObjectID

    public init(type: ObjectType, body: [UInt8]) {
        self.type = type
        self.body = body
        self.id = SHA1.objectID(type: type, body: body)
    }

    /// Trusts `id` to be the hash of `type` and `body`: for readers that already hashed the
    /// bytes, and for loads from a store that verified every id on the way in.
    public init(type: ObjectType, body: [UInt8], knownID id: ObjectID) {
        self.type = type
        self.body = body
        self.id = id
    }

    public static func == (lhs: RawObject, rhs: RawObject) -> Bool {
        lhs.id == rhs.id && lhs.type == rhs.type && lhs.body.count == rhs.body.count
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
    }
}
