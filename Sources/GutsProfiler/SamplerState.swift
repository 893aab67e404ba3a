import CUnwind

/// The memory shared between the `SIGPROF` handler and the rest of the profiler.
///
/// This is the one place the profiler keeps process-global mutable state: a signal
/// handler receives no context pointer, so it can only find its buffers through a
/// global. The global is an immutable pointer (`let`) to a block of machine words that
/// are only ever accessed through the lock-free `guts_atomic_*` helpers, or (for ring
/// slots) handed between the single writer and the single reader with release/acquire
/// ordering on the ring indexes. The pointer is initialised before the handler is
/// installed (`SamplerState.prepare()`), so the handler never runs a lazy global
/// initialiser.
///
/// Word layout (each an `Int`/C `long`):
/// - `enabled`: the handler records samples only while this is 1.
/// - `busy`: 1 while some thread is inside the handler; taken with compare-and-swap,
///   never waited on. This serialises unwinding (libunwind's global cache lock is then
///   never contended by two handlers) and makes a nested signal a counted drop.
/// - `loaderGuard`: non-zero while profiler code outside the handler walks the loader's
///   lists (`dl_iterate_phdr`); the handler drops samples instead of unwinding then.
/// - ring indexes, counters and the excluded PC ranges (see `Word`).
enum SamplerState {
    enum Word: Int {
        case enabled = 0
        case busy
        case loaderGuard
        case writeIndex
        case readIndex
        case ringBase
        case ringCapacity
        case slotWords
        case maxDepth
        case signals
        case samples
        case droppedFull
        case droppedBusy
        case droppedLoader
        case unwindFailures
        case handlerNanos
        case excludedCount
        /// `excludedCount` pairs of [start, end) follow from here.
        case excludedRanges
    }

    static let maxExcludedRanges = 16
    static let wordCount = Word.excludedRanges.rawValue + 2 * maxExcludedRanges

    /// Slot header words before the instruction pointers: depth, thread id.
    static let slotHeaderWords = 2

    /// The shared block. See the type's documentation for why this global is safe.
    nonisolated(unsafe) static let words: UnsafeMutablePointer<Int> = {
        let pointer = UnsafeMutablePointer<Int>.allocate(capacity: wordCount)
        pointer.initialize(repeating: 0, count: wordCount)
        return pointer
    }()

    /// Forces the lazy global so the handler never initialises it.
    static func prepare() {
        _ = words
    }

    @inline(__always)
    static func pointer(_ word: Word) -> UnsafeMutablePointer<Int> {
        words + word.rawValue
    }

    @inline(__always)
    static func load(_ word: Word) -> Int {
        guts_atomic_load(pointer(word))
    }

    @inline(__always)
    static func store(_ word: Word, _ value: Int) {
        guts_atomic_store(pointer(word), value)
    }

    @inline(__always)
    @discardableResult
    static func add(_ word: Word, _ value: Int) -> Int {
        guts_atomic_add(pointer(word), value)
    }

    /// Installs the PC ranges in which the handler must not unwind (the dynamic
    /// loader and libunwind itself). Called only while the handler is disabled.
    static func setExcludedRanges(_ ranges: [Range<UInt>]) {
        let count = min(ranges.count, maxExcludedRanges)
        for (index, range) in ranges.prefix(count).enumerated() {
            words[Word.excludedRanges.rawValue + 2 * index] = Int(bitPattern: range.lowerBound)
            words[Word.excludedRanges.rawValue + 2 * index + 1] = Int(bitPattern: range.upperBound)
        }
        store(.excludedCount, count)
    }

    @inline(__always)
    static func isExcluded(pc: UInt) -> Bool {
        let count = load(.excludedCount)
        var index = 0
        while index < count {
            let start = UInt(bitPattern: words[Word.excludedRanges.rawValue + 2 * index])
            let end = UInt(bitPattern: words[Word.excludedRanges.rawValue + 2 * index + 1])
            if pc >= start && pc < end { return true }
            index += 1
        }
        return false
    }
}
