import CCrypto

/// Incremental SHA-256 over byte chunks: the object ids of Git LFS (and of git's
/// sha256 object format).
public struct SHA256: ByteDigest, ~Copyable {
    public static let byteCount = 32
    private var context = SHA256_CTX()

    public init() {
        SHA256_Init(&context)
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        SHA256_Update(&context, base, bytes.count)
    }

    /// The 32-byte digest.
    public consuming func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Self.byteCount)
        _ = digest.withUnsafeMutableBufferPointer { SHA256_Final($0.baseAddress, &context) }
        return digest
    }

    /// The digest as 64 lowercase hex digits.
    public consuming func finalizeHex() -> String {
        Self.hex(finalize())
    }

    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
