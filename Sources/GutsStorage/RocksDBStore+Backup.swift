import CRocksDB
import Foundation

/// RocksDB's own integrity and backup machinery: a full read that verifies every block
/// checksum, and the BackupEngine (incremental, consistent backups taken while writes go on).
extension RocksDBStore {
    /// One backup in a BackupEngine directory.
    public struct BackupInfo: Sendable, Codable, Equatable {
        public var id: UInt32
        /// Seconds since the epoch when it was taken.
        public var timestamp: Int64
        /// Bytes of the files it references (shared files counted in each backup).
        public var bytes: UInt64
        public var files: UInt32
    }

    /// Reads every key and value of `family` with checksum verification and without
    /// filling the block cache; `pace` is called after every `batch` keys with the keys
    /// read so far (an online check sleeps there). Returns keys and bytes read, or throws
    /// RocksDB's corruption message.
    @discardableResult
    public func verifyChecksums(_ family: ColumnFamily, batch: Int = 1024, pace: (Int) -> Void = { _ in }) throws -> (keys: Int, bytes: Int) {
        try withHandles { handles in
            let options = rocksdb_readoptions_create()!  // safe: RocksDB constructors never return NULL (they abort on allocation failure)
            defer { rocksdb_readoptions_destroy(options) }
            rocksdb_readoptions_set_verify_checksums(options, 1)
            rocksdb_readoptions_set_fill_cache(options, 0)
            let iterator = rocksdb_create_iterator_cf(handles.db, options, handles.families[family])!  // safe: RocksDB constructors never return NULL (they abort on allocation failure)
            defer { rocksdb_iter_destroy(iterator) }
            rocksdb_iter_seek_to_first(iterator)
            var keys = 0
            var bytes = 0
            while rocksdb_iter_valid(iterator) != 0 {
                var keyLength = 0
                var valueLength = 0
                _ = rocksdb_iter_key(iterator, &keyLength)
                _ = rocksdb_iter_value(iterator, &valueLength)
                keys += 1
                bytes += keyLength + valueLength
                if keys % max(batch, 1) == 0 { pace(keys) }
                rocksdb_iter_next(iterator)
            }
            try Self.call("verify checksums of \(family.rawValue)") { error in rocksdb_iter_get_error(iterator, error) }
            return (keys, bytes)
        }
    }

    /// How many keys of `family` start with `prefix`, reading no value out.
    public func countKeys(prefix: [UInt8], in family: ColumnFamily) throws -> Int {
        try withHandles { handles in
            let options = rocksdb_readoptions_create()!  // safe: RocksDB constructors never return NULL (they abort on allocation failure)
            defer { rocksdb_readoptions_destroy(options) }
            rocksdb_readoptions_set_fill_cache(options, 0)
            let iterator = rocksdb_create_iterator_cf(handles.db, options, handles.families[family])!  // safe: RocksDB constructors never return NULL (they abort on allocation failure)
            defer { rocksdb_iter_destroy(iterator) }
            prefix.withUnsafeBytes { rocksdb_iter_seek(iterator, $0.baseAddress?.assumingMemoryBound(to: CChar.self), $0.count) }
            var count = 0
            while rocksdb_iter_valid(iterator) != 0 {
                var length = 0
                guard let key = rocksdb_iter_key(iterator, &length),
                      UnsafeRawBufferPointer(start: key, count: length).starts(with: prefix) else { break }
                count += 1
                rocksdb_iter_next(iterator)
            }
            try Self.call("count keys") { error in rocksdb_iter_get_error(iterator, error) }
            return count
        }
    }

    /// The value of `key` read without adding its blocks to the block cache (a one-off
    /// read of a large value, such as an archive's blobs, should not evict hot blocks).
    public func getWithoutCaching(_ key: [UInt8], in family: ColumnFamily) throws -> [UInt8]? {
        try withHandles { handles in
            let options = rocksdb_readoptions_create()!  // safe: RocksDB constructors never return NULL (they abort on allocation failure)
            defer { rocksdb_readoptions_destroy(options) }
            rocksdb_readoptions_set_fill_cache(options, 0)
            return try key.withUnsafeBytes { keyBytes in
                let slice = try Self.call("get") { error in
                    rocksdb_get_pinned_cf(handles.db, options, handles.families[family], keyBytes.baseAddress?.assumingMemoryBound(to: CChar.self), keyBytes.count, error)
                }
                guard let slice else { return nil }
                defer { rocksdb_pinnableslice_destroy(slice) }
                var length = 0
                guard let value = rocksdb_pinnableslice_value(slice, &length) else { return [] }
                return [UInt8](UnsafeRawBufferPointer(start: value, count: length))
            }
        }
    }

    /// Takes a new backup into the BackupEngine directory `directory` (created when
    /// missing), flushing memtables first so it holds every write acknowledged before
    /// the call; files unchanged since an earlier backup are shared, not copied again.
    /// Writes go on meanwhile. With `keep`, older backups beyond the newest `keep` are
    /// deleted afterwards. Returns the new backup.
    public func createBackup(in directory: String, keep: Int? = nil) throws -> BackupInfo {
        try withHandles { handles in
            try Self.withBackupEngine(directory, options: handles.dbOptions) { engine in
                try Self.call("create backup in \(directory)") { error in
                    rocksdb_backup_engine_create_new_backup_flush(engine, handles.db, 1, error)
                }
                if let keep {
                    try Self.call("purge old backups") { error in
                        rocksdb_backup_engine_purge_old_backups(engine, UInt32(clamping: max(keep, 1)), error)
                    }
                }
                guard let newest = Self.backups(engine).max(by: { $0.id < $1.id }) else {
                    throw StorageError.rocksDB(operation: "create backup", message: "no backup listed afterwards")
                }
                return newest
            }
        }
    }

    /// The backups in `directory`, oldest first.
    public static func listBackups(in directory: String) throws -> [BackupInfo] {
        try withBackupEngine(directory) { backups($0) }
    }

    /// Deletes all but the newest `keep` backups.
    public static func purgeBackups(in directory: String, keep: Int) throws {
        try withBackupEngine(directory) { engine in
            try call("purge old backups") { error in rocksdb_backup_engine_purge_old_backups(engine, UInt32(clamping: max(keep, 1)), error) }
        }
    }

    /// Checks that every file of backup `id` is present with its recorded size.
    public static func verifyBackupFiles(in directory: String, id: UInt32) throws {
        try withBackupEngine(directory) { engine in
            try call("verify backup \(id)") { error in rocksdb_backup_engine_verify_backup(engine, id, error) }
        }
    }

    /// Restores backup `id` (the newest when nil) into `databaseDirectory`. RocksDB
    /// checks each file's checksum as it copies it, so a damaged file fails the restore.
    public static func restoreBackup(in directory: String, id: UInt32?, to databaseDirectory: String) throws {
        try withBackupEngine(directory) { engine in
            let restoreOptions = rocksdb_restore_options_create()!  // safe: RocksDB constructors never return NULL (they abort on allocation failure)
            defer { rocksdb_restore_options_destroy(restoreOptions) }
            try call("restore backup \(id.map(String.init) ?? "latest") from \(directory)") { error in
                if let id {
                    rocksdb_backup_engine_restore_db_from_backup(engine, databaseDirectory, databaseDirectory, restoreOptions, id, error)
                } else {
                    rocksdb_backup_engine_restore_db_from_latest_backup(engine, databaseDirectory, databaseDirectory, restoreOptions, error)
                }
            }
        }
    }

    private static func backups(_ engine: OpaquePointer) -> [BackupInfo] {
        guard let info = rocksdb_backup_engine_get_backup_info(engine) else { return [] }
        defer { rocksdb_backup_engine_info_destroy(info) }
        return (0..<rocksdb_backup_engine_info_count(info)).map { index in
            BackupInfo(
                id: rocksdb_backup_engine_info_backup_id(info, index),
                timestamp: rocksdb_backup_engine_info_timestamp(info, index),
                bytes: rocksdb_backup_engine_info_size(info, index),
                files: rocksdb_backup_engine_info_number_files(info, index))
        }.sorted { $0.id < $1.id }
    }

    private static func withBackupEngine<T>(_ directory: String, options: OpaquePointer? = nil, _ body: (OpaquePointer) throws -> T) throws -> T {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let ownOptions = options == nil ? rocksdb_options_create() : nil
        defer { if let ownOptions { rocksdb_options_destroy(ownOptions) } }
        guard let engineOptions = options ?? ownOptions else { throw StorageError.rocksDB(operation: "backup", message: "no options") }
        let engine = try call("open backup directory \(directory)") { error in rocksdb_backup_engine_open(engineOptions, directory, error) }
        guard let engine else { throw StorageError.rocksDB(operation: "open backup directory \(directory)", message: "no engine") }
        defer { rocksdb_backup_engine_close(engine) }
        return try body(engine)
    }
}
