import CCrypto

/// A copyable incremental SHA-1, for value types (like `PackWriter`) that hash as they go.
/// `SHA1` itself is non-copyable so that a hash cannot be finished twice by accident.
struct RunningSHA1: Sendable {
    private var context = SHA_CTX()

    init() { SHA1_Init(&context) }

    mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress, buffer.count > 0 else { return }
            SHA1_Update(&context, base, buffer.count)
        }
    }

    /// The digest so far; `self` is left unchanged (a copy of the state is finished).
    func digest() -> ObjectID {
        var copy = context
        var digest = [UInt8](repeating: 0, count: ObjectID.byteCount)
        _ = digest.withUnsafeMutableBufferPointer { SHA1_Final($0.baseAddress, &copy) }
        return ObjectID(bytes: digest)
    }
}
