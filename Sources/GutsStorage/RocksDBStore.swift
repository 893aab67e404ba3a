import CRocksDB
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `KeyValueStore` on one RocksDB database with the column families
/// `objects`, `refs` and `metadata`.
///
/// Every family gets a 10-bit bloom filter and shares one LRU block cache;
/// compression is chosen per family (object values are already zlib, so `objects`
/// defaults to none). The WAL is on and statistics are collected.
///
/// RocksDB allows one open handle per data directory: RocksDB takes an `fcntl`
/// lock on `<dir>/LOCK`, and also refuses a second open inside the same process.
/// Both cases surface as `StorageError.dataDirectoryInUse`.
///
/// Thread safety: RocksDB's `DB` is safe for concurrent use; a reader-writer lock
/// lets calls run in parallel while `close()` waits for them to finish.
public final class RocksDBStore: KeyValueStore {
    /// Compression algorithms RocksDB knows; what is linked depends on the build.
    public enum Compression: String, Sendable, CaseIterable, Codable {
        case none, snappy, zlib, bzip2, lz4, lz4hc, zstd

        var rocksDBValue: Int32 {
            switch self {
            case .none: Int32(rocksdb_no_compression)  // safe: small enum constants
            case .snappy: Int32(rocksdb_snappy_compression)  // safe: small enum constants
            case .zlib: Int32(rocksdb_zlib_compression)  // safe: small enum constants
            case .bzip2: Int32(rocksdb_bz2_compression)  // safe: small enum constants
            case .lz4: Int32(rocksdb_lz4_compression)  // safe: small enum constants
            case .lz4hc: Int32(rocksdb_lz4hc_compression)  // safe: small enum constants
            case .zstd: Int32(rocksdb_zstd_compression)  // safe: small enum constants
            }
        }
    }

    /// How to open the database.
    public struct Options: Sendable {
        /// Create the directory and database when missing.
        public var createIfMissing = true
        /// Capacity of the LRU block cache shared by all column families.
        public var blockCacheBytes = 64 << 20
        /// Memtable size per column family before it is flushed.
        public var writeBufferBytes = 32 << 20
        /// WAL bytes kept before the families holding the oldest log are flushed. Without a
        /// bound, RocksDB keeps every log that a small family's memtable (`refs`, `metadata`)
        /// still needs, which after a 500 MB push is the whole push, replayed through memory
        /// at every start. 0: RocksDB's default (4 times all write buffers).
        public var maxTotalWALBytes: UInt64 = 128 << 20
        public var bloomBitsPerKey = 10.0
        public var enableStatistics = true
        /// fsync the WAL on every write (off: the WAL is written but not synced).
        public var syncWrites = false
        public var maxOpenFiles: Int32 = 1024
        /// Background flush and compaction threads.
        public var backgroundThreads: Int32 = 2
        /// Wanted compression per family; an algorithm the library lacks falls back along
        /// lz4 → snappy → none, and `RocksDBStore.compression` tells what was used.
        public var compression: [ColumnFamily: Compression] = [.objects: .none, .refs: .lz4, .metadata: .lz4]

        public init() {}
    }

    /// Open handles; only touched under `lock`.
    struct Handles: @unchecked Sendable {
        var db: OpaquePointer
        var families: [ColumnFamily: OpaquePointer]
        var defaultFamily: OpaquePointer
        var dbOptions: OpaquePointer
        var familyOptions: [OpaquePointer]
        var cache: OpaquePointer
        var readOptions: OpaquePointer
        var writeOptions: OpaquePointer
        /// Like `writeOptions`, but fsyncs the WAL before the write returns.
        var durableWriteOptions: OpaquePointer
        /// Like `writeOptions`, but without the WAL.
        var unloggedWriteOptions: OpaquePointer
    }

    /// The data directory.
    public let path: String
    /// The compression each family actually uses.
    public let compression: [ColumnFamily: Compression]
    private let lock = ReadWriteLock()
    private let state: Mutex<Handles?>

    /// Opens (or creates) the database in `path`.
    ///
    /// Throws `StorageError.dataDirectoryInUse` when another process or handle holds it.
    public init(path: String, options: Options = Options()) throws {
        self.path = path
        var wanted = options.compression
        while true {
            do {
                let handles = try Self.open(path: path, options: options, compression: wanted)
                self.state = Mutex(handles)
                self.compression = wanted
                return
            } catch StorageError.rocksDB(let operation, let message) where Self.isUnsupportedCompression(message) {
                guard let downgraded = Self.downgrade(wanted) else {
                    throw StorageError.rocksDB(operation: operation, message: message)
                }
                wanted = downgraded
            }
        }
    }

    deinit {
        close()
    }

    static func isUnsupportedCompression(_ message: String) -> Bool {
        message.contains("not linked") || message.contains("ompression type")
    }

    /// One step down the fallback chain for every family, or nil if all are `.none` already.
    static func downgrade(_ compression: [ColumnFamily: Compression]) -> [ColumnFamily: Compression]? {
        guard compression.values.contains(where: { $0 != .none }) else { return nil }
        return compression.mapValues { current in
            switch current {
            case .none, .snappy: .none
            default: .snappy
            }
        }
    }

    /// Whether a RocksDB open error means the LOCK file is held.
    ///
    /// RocksDB 7.8 says "While lock file: <dir>/LOCK: Resource temporarily unavailable" when
    /// another process holds the fcntl lock, and "lock hold by current process ..." when
    /// this process already has the database open.
    static func isLockError(_ message: String) -> Bool {
        let lower = message.lowercased()
        return lower.contains("lock hold by current process")
            || lower.contains("while lock file")
            || (lower.contains("/lock") && lower.contains("resource temporarily unavailable"))
    }

    private static func open(path: String, options: Options, compression: [ColumnFamily: Compression]) throws -> Handles {
        let dbOptions = rocksdb_options_create()!  // safe: RocksDB constructors never return NULL (they abort on allocation failure)
        rocksdb_options_set_create_if_missing(dbOptions, options.createIfMissing ? 1 : 0)
        rocksdb_options_set_create_missing_column_families(dbOptions, 1)
        rocksdb_options_increase_parallelism(dbOptions, options.backgroundThreads)
        rocksdb_options_set_max_open_files(dbOptions, options.maxOpenFiles)
        rocksdb_options_set_max_total_wal_size(dbOptions, options.maxTotalWALBytes)
        if options.enableStatistics { rocksdb_options_enable_statistics(dbOptions) }
        let cache = rocksdb_cache_create_lru(options.blockCacheBytes)!  // safe: RocksDB constructors never return NULL (they abort on allocation failure)

        func familyOptions(_ compression: Compression) -> OpaquePointer {
            let familyOptions = rocksdb_options_create()!  // safe: RocksDB constructors never return NULL (they abort on allocation failure)
            rocksdb_options_set_write_buffer_size(familyOptions, options.writeBufferBytes)
            rocksdb_options_set_compression(familyOptions, compression.rocksDBValue)
            let table = rocksdb_block_based_options_create()!  // safe: RocksDB constructors never return NULL (they abort on allocation failure)
            // The table options take ownership of the filter policy.
            rocksdb_block_based_options_set_filter_policy(table, rocksdb_filterpolicy_create_bloom_full(options.bloomBitsPerKey))
            rocksdb_block_based_options_set_block_cache(table, cache)
            rocksdb_block_based_options_set_cache_index_and_filter_blocks(table, 1)
            rocksdb_block_based_options_set_pin_l0_filter_and_index_blocks_in_cache(table, 1)
            rocksdb_options_set_block_based_table_factory(familyOptions, table)
            rocksdb_block_based_options_destroy(table)
            return familyOptions
        }

        let names = ["default"] + ColumnFamily.allCases.map(\.rawValue)
        let allOptions = [familyOptions(.none)] + ColumnFamily.allCases.map { familyOptions(compression[$0] ?? .none) }
        var handleSlots = [OpaquePointer?](repeating: nil, count: names.count)
        var error: UnsafeMutablePointer<CChar>? = nil
        let cNames: [UnsafeMutablePointer<CChar>?] = names.map { strdup($0) }
        defer { cNames.forEach { free($0) } }
        let db: OpaquePointer? = cNames.map { $0.map { UnsafePointer<CChar>($0) } }.withUnsafeBufferPointer { namePointers in
            allOptions.map { Optional($0) }.withUnsafeBufferPointer { optionPointers in
                handleSlots.withUnsafeMutableBufferPointer { slots in
                    rocksdb_open_column_families(
                        dbOptions, path, Int32(names.count),  // safe: three column families
                        namePointers.baseAddress, optionPointers.baseAddress,
                        slots.baseAddress, &error)
                }
            }
        }
        if let error {
            let message = String(cString: error)
            rocksdb_free(error)
            allOptions.forEach { rocksdb_options_destroy($0) }
            rocksdb_options_destroy(dbOptions)
            rocksdb_cache_destroy(cache)
            if isLockError(message) { throw StorageError.dataDirectoryInUse(path: path) }
            throw StorageError.rocksDB(operation: "open \(path)", message: message)
        }
        var families: [ColumnFamily: OpaquePointer] = [:]
        for (index, family) in ColumnFamily.allCases.enumerated() {
            families[family] = handleSlots[index + 1]!  // safe: a successful open fills every handle
        }
        let writeOptions = rocksdb_writeoptions_create()!  // safe: RocksDB constructors never return NULL (they abort on allocation failure)
        rocksdb_writeoptions_set_sync(writeOptions, options.syncWrites ? 1 : 0)
        let durableWriteOptions = rocksdb_writeoptions_create()!  // safe: RocksDB constructors never return NULL (they abort on allocation failure)
        rocksdb_writeoptions_set_sync(durableWriteOptions, 1)
        let unloggedWriteOptions = rocksdb_writeoptions_create()!  // safe: RocksDB constructors never return NULL (they abort on allocation failure)
        rocksdb_writeoptions_disable_WAL(unloggedWriteOptions, 1)
        return Handles(
            db: db!, families: families, defaultFamily: handleSlots[0]!, dbOptions: dbOptions,  // safe: a successful open fills every handle
            familyOptions: allOptions, cache: cache,
            readOptions: rocksdb_readoptions_create()!, writeOptions: writeOptions,  // safe: RocksDB constructors never return NULL (they abort on allocation failure)
            durableWriteOptions: durableWriteOptions, unloggedWriteOptions: unloggedWriteOptions)
    }

    /// Runs `body` with the open handles while holding the shared lock.
    func withHandles<T>(_ body: (Handles) throws -> T) throws -> T {
        try lock.withReadLock {
            guard let handles = state.withLock({ $0 }) else { throw StorageError.closed }
            return try body(handles)
        }
    }

    /// Calls a RocksDB function taking an `errptr`, turning a set error into `StorageError`
    /// and freeing RocksDB's message.
    static func call<T>(_ operation: String, _ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> T) throws -> T {
        var error: UnsafeMutablePointer<CChar>? = nil
        let result = body(&error)
        if let error {
            let message = String(cString: error)
            rocksdb_free(error)
            throw StorageError.rocksDB(operation: operation, message: message)
        }
        return result
    }

    public func get(_ key: [UInt8], in family: ColumnFamily) throws -> [UInt8]? {
        try withPinnedValue(key, in: family) { value in value.map { [UInt8]($0) } }
    }

    public func contains(_ key: [UInt8], in family: ColumnFamily) throws -> Bool {
        try withPinnedValue(key, in: family) { $0 != nil }
    }

    /// Looks `key` up without copying its value: `body` sees the value RocksDB pins (nil
    /// when absent), valid only during the call.
    private func withPinnedValue<T>(_ key: [UInt8], in family: ColumnFamily, _ body: (UnsafeRawBufferPointer?) -> T) throws -> T {
        try withHandles { handles in
            try key.withUnsafeBytes { keyBytes in
                let slice = try Self.call("get") { error in
                    rocksdb_get_pinned_cf(
                        handles.db, handles.readOptions, handles.families[family], keyBytes.baseAddress?.assumingMemoryBound(to: CChar.self), keyBytes.count, error)
                }
                guard let slice else { return body(nil) }
                defer { rocksdb_pinnableslice_destroy(slice) }
                var length = 0
                let value = rocksdb_pinnableslice_value(slice, &length)
                return body(UnsafeRawBufferPointer(start: value, count: value == nil ? 0 : length))
            }
        }
    }

    public func put(_ key: [UInt8], _ value: [UInt8], in family: ColumnFamily) throws {
        try withHandles { handles in
            try key.withUnsafeBytes { keyBytes in
                try value.withUnsafeBytes { valueBytes in
                    try Self.call("put") { error in
                        rocksdb_put_cf(
                            handles.db, handles.writeOptions, handles.families[family],
                            keyBytes.baseAddress?.assumingMemoryBound(to: CChar.self), keyBytes.count,
                            valueBytes.baseAddress?.assumingMemoryBound(to: CChar.self), valueBytes.count, error)
                    }
                }
            }
        }
    }

    public func delete(_ key: [UInt8], in family: ColumnFamily) throws {
        try withHandles { handles in
            try key.withUnsafeBytes { keyBytes in
                try Self.call("delete") { error in
                    rocksdb_delete_cf(
                        handles.db, handles.writeOptions, handles.families[family],
                        keyBytes.baseAddress?.assumingMemoryBound(to: CChar.self), keyBytes.count, error)
                }
            }
        }
    }

    public func write(_ batch: WriteBatch) throws {
        guard !batch.isEmpty else { return }
        try withHandles { handles in
            let writeBatch = rocksdb_writebatch_create()!  // safe: RocksDB constructors never return NULL (they abort on allocation failure)
            defer { rocksdb_writebatch_destroy(writeBatch) }
            for operation in batch.operations {
                switch operation {
                case .put(let family, let key, let value):
                    key.withUnsafeBytes { keyBytes in
                        value.withUnsafeBytes { valueBytes in
                            rocksdb_writebatch_put_cf(
                                writeBatch, handles.families[family],
                                keyBytes.baseAddress?.assumingMemoryBound(to: CChar.self), keyBytes.count,
                                valueBytes.baseAddress?.assumingMemoryBound(to: CChar.self), valueBytes.count)
                        }
                    }
                case .delete(let family, let key):
                    key.withUnsafeBytes { keyBytes in
                        rocksdb_writebatch_delete_cf(
                            writeBatch, handles.families[family],
                            keyBytes.baseAddress?.assumingMemoryBound(to: CChar.self), keyBytes.count)
                    }
                case .deleteRange(let family, let start, let end):
                    start.withUnsafeBytes { startBytes in
                        end.withUnsafeBytes { endBytes in
                            rocksdb_writebatch_delete_range_cf(
                                writeBatch, handles.families[family],
                                startBytes.baseAddress?.assumingMemoryBound(to: CChar.self), startBytes.count,
                                endBytes.baseAddress?.assumingMemoryBound(to: CChar.self), endBytes.count)
                        }
                    }
                }
            }
            try Self.call("write batch") { error in
                let options = batch.durable ? handles.durableWriteOptions : batch.unlogged ? handles.unloggedWriteOptions : handles.writeOptions
                rocksdb_write(handles.db, options, writeBatch, error)
            }
        }
    }

    public func scan(prefix: [UInt8], in family: ColumnFamily, startingAfter: [UInt8]?, limit: Int?) throws
        -> [(key: [UInt8], value: [UInt8])] {
        try withHandles { handles in try scan(prefix: prefix, in: family, startingAfter: startingAfter, limit: limit, handles: handles, options: handles.readOptions) }
    }

    /// `scan` without adding the blocks it reads to the block cache: for a background job
    /// reading everything once (fsck, repack), so the node's hot blocks stay cached. The
    /// result also ends after the entry that brings its values to `maxBytes`, so a job can
    /// work in small steps whatever the size of the values.
    public func scanWithoutCaching(prefix: [UInt8], in family: ColumnFamily, startingAfter: [UInt8]?, limit: Int?, maxBytes: Int = .max) throws
        -> [(key: [UInt8], value: [UInt8])] {
        try withHandles { handles in
            let options = rocksdb_readoptions_create()!  // safe: RocksDB constructors never return NULL (they abort on allocation failure)
            defer { rocksdb_readoptions_destroy(options) }
            rocksdb_readoptions_set_fill_cache(options, 0)
            return try scan(prefix: prefix, in: family, startingAfter: startingAfter, limit: limit, maxBytes: maxBytes, handles: handles, options: options)
        }
    }

    private func scan(
        prefix: [UInt8], in family: ColumnFamily, startingAfter: [UInt8]?, limit: Int?, maxBytes: Int = .max, handles: Handles, options: OpaquePointer
    ) throws -> [(key: [UInt8], value: [UInt8])] {
        let iterator = rocksdb_create_iterator_cf(handles.db, options, handles.families[family])!  // safe: RocksDB constructors never return NULL (they abort on allocation failure)
        defer { rocksdb_iter_destroy(iterator) }
        var skipEqual: [UInt8]? = nil
        let seekKey: [UInt8]
        if let startingAfter, !KeyCoding.lessThan(startingAfter, prefix) {
            seekKey = startingAfter
            skipEqual = startingAfter
        } else {
            seekKey = prefix
        }
        seekKey.withUnsafeBytes { bytes in
            rocksdb_iter_seek(iterator, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
        }
        var result: [(key: [UInt8], value: [UInt8])] = []
        var bytes = 0
        while rocksdb_iter_valid(iterator) != 0 {
            if let limit, result.count >= limit { break }
            if bytes >= maxBytes { break }
            var keyLength = 0
            let keyPointer = rocksdb_iter_key(iterator, &keyLength)
            let key = [UInt8](UnsafeRawBufferPointer(start: keyPointer, count: keyLength))
            guard key.starts(with: prefix) else { break }
            if let skip = skipEqual, key == skip {
                skipEqual = nil
                rocksdb_iter_next(iterator)
                continue
            }
            var valueLength = 0
            let valuePointer = rocksdb_iter_value(iterator, &valueLength)
            result.append((key, [UInt8](UnsafeRawBufferPointer(start: valuePointer, count: valueLength))))
            bytes += valueLength
            rocksdb_iter_next(iterator)
        }
        try Self.call("scan") { error in rocksdb_iter_get_error(iterator, error) }
        return result
    }

    public func compact(_ family: ColumnFamily?) throws {
        try withHandles { handles in
            for target in family.map({ [$0] }) ?? ColumnFamily.allCases {
                rocksdb_compact_range_cf(handles.db, handles.families[target], nil, 0, nil, 0)
            }
        }
    }

    /// Flushes memtables of every family to SST files and waits for it.
    public func flush() throws {
        try withHandles { handles in
            let flushOptions = rocksdb_flushoptions_create()!  // safe: RocksDB constructors never return NULL (they abort on allocation failure)
            defer { rocksdb_flushoptions_destroy(flushOptions) }
            rocksdb_flushoptions_set_wait(flushOptions, 1)
            for family in ColumnFamily.allCases {
                try Self.call("flush \(family.rawValue)") { error in
                    rocksdb_flush_cf(handles.db, flushOptions, handles.families[family], error)
                }
            }
        }
    }

    /// Properties that describe the shared block cache rather than one family.
    static let cacheWideProperties: Set<String> = [
        "rocksdb.block-cache-capacity", "rocksdb.block-cache-usage", "rocksdb.block-cache-pinned-usage",
    ]

    /// A RocksDB property of one family; with nil, integer properties are summed over the
    /// three families (cache-wide ones reported once), others read from the default family.
    public func property(_ name: String, in family: ColumnFamily?) -> String? {
        try? withHandles { handles in
            func read(_ handle: OpaquePointer) -> String? {
                guard let value = rocksdb_property_value_cf(handles.db, handle, name) else { return nil }
                defer { rocksdb_free(value) }
                return String(cString: value)
            }
            if let family { return read(handles.families[family]!) }  // safe: every family is opened with the database
            if Self.cacheWideProperties.contains(name) { return read(handles.families[.objects]!) }  // safe: every family is opened with the database
            let values = ColumnFamily.allCases.map { read(handles.families[$0]!) }  // safe: every family is opened with the database
            let numbers = values.compactMap { $0.flatMap { UInt64($0) } }
            if numbers.count == values.count { return String(numbers.reduce(0, +)) }
            return read(handles.defaultFamily)
        } ?? nil
    }

    /// RocksDB's statistics dump (`rocksdb.*` tickers and histograms), nil when disabled.
    public func statistics() -> String? {
        try? withHandles { handles in
            guard let text = rocksdb_options_statistics_get_string(handles.dbOptions) else { return nil }
            defer { rocksdb_free(text) }
            return String(cString: text)
        } ?? nil
    }

    /// Bytes currently charged to the shared block cache.
    public var blockCacheUsage: Int {
        (try? withHandles { rocksdb_cache_get_usage($0.cache) }) ?? 0
    }

    public func close() {
        lock.withWriteLock {
            guard let handles = state.withLock({ state in
                defer { state = nil }
                return state
            }) else { return }
            for handle in handles.families.values { rocksdb_column_family_handle_destroy(handle) }
            rocksdb_column_family_handle_destroy(handles.defaultFamily)
            rocksdb_close(handles.db)
            rocksdb_readoptions_destroy(handles.readOptions)
            rocksdb_writeoptions_destroy(handles.writeOptions)
            rocksdb_writeoptions_destroy(handles.durableWriteOptions)
            rocksdb_writeoptions_destroy(handles.unloggedWriteOptions)
            handles.familyOptions.forEach { rocksdb_options_destroy($0) }
            rocksdb_options_destroy(handles.dbOptions)
            rocksdb_cache_destroy(handles.cache)
        }
    }
}
