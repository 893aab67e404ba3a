/// The column families of a Guts data directory.
///
/// Each family has its own RocksDB options (compression, bloom filter) because
/// their contents differ: object bodies are already zlib-compressed, refs and
/// metadata are small and compress well.
public enum ColumnFamily: String, CaseIterable, Sendable, Codable {
    /// Git objects, keyed `<repository id BE 8><20-byte object id>`.
    case objects
    /// Refs and HEAD, keyed `<repository id BE 8><ref name>`.
    case refs
    /// Repository records, counters and the schema version.
    case metadata
}
