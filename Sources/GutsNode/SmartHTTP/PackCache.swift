/// Packs already generated, kept on disk for the next identical request, most recently
/// used first out of a byte budget (the idea of Gitaly's pack-objects cache).
///
/// A pack is fully determined by its `PackJob.Key` (the wants and haves are object ids,
/// and objects never change), so an entry never goes stale when refs move: a clone after a
/// push simply asks for other wants. Each entry holds one reader of its generation, so
/// its file stays until it is evicted and every response still reading it is done.
struct PackCache {
    private struct Entry {
        var generation: SharedPackGeneration
        var bytes: Int
        var lastUse: UInt64
    }

    let capacityBytes: Int
    private var entries: [PackJob.Key: Entry] = [:]
    private var clock: UInt64 = 0
    private(set) var totalBytes = 0
    private(set) var hits: UInt64 = 0
    private(set) var misses: UInt64 = 0
    private(set) var inserts: UInt64 = 0
    private(set) var evictions: UInt64 = 0

    init(capacityBytes: Int) {
        self.capacityBytes = capacityBytes
    }

    var count: Int { entries.count }

    /// The cached generation for `key`, retained for the caller, or nil.
    mutating func lookup(_ key: PackJob.Key) -> SharedPackGeneration? {
        clock += 1
        guard let entry = entries[key] else {
            misses += 1
            return nil
        }
        hits += 1
        entries[key]?.lastUse = clock
        entry.generation.retain()
        return entry.generation
    }

    /// Keeps a finished generation of `bytes` bytes, evicting the least recently used
    /// entries to fit; returns the generations evicted, which the caller must release
    /// (outside any lock). A pack larger than the whole budget is not kept.
    mutating func insert(_ key: PackJob.Key, _ generation: SharedPackGeneration, bytes: Int) -> [SharedPackGeneration] {
        guard bytes <= capacityBytes, entries[key] == nil else { return [] }
        var evicted: [SharedPackGeneration] = []
        while totalBytes + bytes > capacityBytes, let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
            entries[oldest.key] = nil
            totalBytes -= oldest.value.bytes
            evictions += 1
            evicted.append(oldest.value.generation)
        }
        clock += 1
        generation.retain()
        entries[key] = Entry(generation: generation, bytes: bytes, lastUse: clock)
        totalBytes += bytes
        inserts += 1
        return evicted
    }
}
