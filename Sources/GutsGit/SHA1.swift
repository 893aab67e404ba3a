import CCrypto

/// Incremental SHA-1 over byte chunks, as git uses it for object ids and pack trailers.
/// A value: a copy hashes on independently (`PackWriter` keeps one as it writes).
///
/// OpenSSL's, not swift-crypto's `Insecure.SHA1`: on object-sized inputs (under 8 KiB)
/// swift-crypto measured 5–10% slower (`scripts/sha1-compare.sh`, docs/PERFORMANCE.md).
public struct SHA1: ByteDigest, Sendable {
    private var context = SHA_CTX()

    public init() {
        SHA1_Init(&context)
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        SHA1_Update(&context, base, bytes.count)
    }

    /// The digest of everything hashed so far; `self` may go on hashing.
    public func finalize() -> ObjectID {
        var copy = context
        var digest = [UInt8](repeating: 0, count: ObjectID.byteCount)
        _ = digest.withUnsafeMutableBufferPointer { SHA1_Final($0.baseAddress, &copy) }
        return ObjectID(bytes: digest)
    }

    /// The object id git gives `body` stored as an object of `type`.
    public static func objectID<Bytes: Collection>(type: ObjectType, body: Bytes) -> ObjectID where Bytes.Element == UInt8 {
        var hasher = SHA1()
        hasher.update(objectHeader(type: type, size: body.count))
        hasher.update(body)
        return hasher.finalize()
    }

    /// `"<type> <size>\0"`, the prefix hashed (and stored loose) before an object's body.
    public static func objectHeader(type: ObjectType, size: Int) -> [UInt8] {
        Array("\(type.name) \(size)".utf8) + [0]
    }
}
