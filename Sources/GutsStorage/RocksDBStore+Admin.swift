import CRocksDB
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Administration hooks: ranged compaction, live SST files and checkpoints.
extension RocksDBStore {
    /// One live SST file as RocksDB reports it.
    public struct LiveFile: Sendable, Codable, Equatable {
        public var family: String
        public var name: String
        public var level: Int
        public var bytes: Int
    }

    /// Compacts the keys in `[start, end)` of `family`; nil bounds are open.
    public func compact(_ family: ColumnFamily, from start: [UInt8]?, to end: [UInt8]?) throws {
        try withHandles { handles in
            func pointer(_ bytes: [UInt8]?, _ body: (UnsafePointer<CChar>?, Int) -> Void) {
                guard let bytes else { return body(nil, 0) }
                bytes.withUnsafeBytes { body($0.baseAddress?.assumingMemoryBound(to: CChar.self), $0.count) }
            }
            pointer(start) { startPointer, startCount in
                pointer(end) { endPointer, endCount in
                    rocksdb_compact_range_cf(handles.db, handles.families[family], startPointer, startCount, endPointer, endCount)
                }
            }
        }
    }

    /// The live SST files of every column family.
    public func liveFiles() throws -> [LiveFile] {
        try withHandles { handles in
            guard let files = rocksdb_livefiles(handles.db) else { return [] }
            defer { rocksdb_livefiles_destroy(files) }
            return (0..<rocksdb_livefiles_count(files)).map { index in
                LiveFile(
                    family: rocksdb_livefiles_column_family_name(files, index).map { String(cString: $0) } ?? "default",
                    name: rocksdb_livefiles_name(files, index).map { String(cString: $0) } ?? "",
                    level: Int(rocksdb_livefiles_level(files, index)),
                    bytes: Int(rocksdb_livefiles_size(files, index)))
            }
        }
    }

    /// Writes a consistent checkpoint (hard links where possible) into `directory`,
    /// which must not exist yet.
    public func checkpoint(to directory: String) throws {
        try withHandles { handles in
            let checkpoint = try Self.call("checkpoint") { error in rocksdb_checkpoint_object_create(handles.db, error) }
            guard let checkpoint else { throw StorageError.rocksDB(operation: "checkpoint", message: "no checkpoint object") }
            defer { rocksdb_checkpoint_object_destroy(checkpoint) }
            try Self.call("checkpoint \(directory)") { error in
                rocksdb_checkpoint_create(checkpoint, directory, 0, error)
            }
        }
    }
}
