/// An incremental hash over byte chunks (`SHA1`, `SHA256`): each supplies the raw-buffer
/// `update`, this gives every byte sequence the same entry point.
public protocol ByteDigest: ~Copyable {
    mutating func update(_ bytes: UnsafeRawBufferPointer)
}

extension ByteDigest where Self: ~Copyable {
    /// Hashes `bytes` in place when they are contiguous, from a copy otherwise.
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            update(UnsafeRawBufferPointer(buffer))
        }
        if handled == nil {
            let copy = Array(bytes)
            copy.withUnsafeBytes { update($0) }
        }
    }
}
