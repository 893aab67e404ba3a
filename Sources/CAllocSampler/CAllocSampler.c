/* Sampled allocation profiling by malloc interposition.
 *
 * Safety argument
 * ---------------
 * These functions run under every allocation of the process, on every thread, from
 * the first malloc of the dynamic loader to the last free of a thread destructor. So:
 *
 *  - Forwarding: every wrapper calls glibc's exported implementation (__libc_malloc,
 *    __libc_free, ...). There is one heap; pointers from any allocation path (ours,
 *    glibc-internal, reallocarray) can be freed by any other. No dlsym, so no bootstrap
 *    recursion, and nothing here allocates.
 *  - Off (the default): one relaxed load of `g_enabled` per call, then forwarding.
 *  - On, per allocation: thread-local arithmetic only (initial-exec TLS of the
 *    executable: no __tls_get_addr, no allocation on first touch).
 *  - On, per sample (about once per N bytes per thread): a per-thread `busy` flag is
 *    set first, so allocations made by the unwinder or by anything it calls forward
 *    directly and are never sampled (no recursion). We hold no lock of our own while
 *    unwinding, and we are outside glibc's malloc (before returning the pointer), so
 *    libunwind taking the loader lock through dl_iterate_phdr cannot invert any order
 *    with malloc's arena locks. The stack goes straight into a record of a preallocated
 *    append-only log (index by fetch_add; full means dropped and counted), and the
 *    pointer into a fixed live table (open addressing by pointer, bounded probes, slots
 *    claimed by CAS, tombstones reused, no resizing; no slot nearby means the sample
 *    counts as allocated but untracked, and as dropped).
 *  - Records are recycled for long sessions (a node's always-on heap profile): the one
 *    reader (under the Swift session lock) folds a FREED or untracked record into its
 *    totals and pushes its index onto a free list, a Treiber stack whose head carries a
 *    tag bumped by every push and pop (no ABA). A writer pops from it before taking a
 *    fresh index. Record states are stored with release and loaded with acquire, so a
 *    reader seeing LIVE or FREED sees the frames; only the reader recycles, so no record
 *    it is reading can be rewritten meanwhile.
 *  - Tombstones would pile up over a long session until every free of an unsampled
 *    pointer probed MAX_PROBES slots; the reader sweeps those followed by an empty slot
 *    back to empty (guts_alloc_sampler_sweep_tombstones). The window it leaves (an insert
 *    that passed the slot while it was live, claiming the next slot between the sweep's
 *    check and its re-check) can only hide that one sample from its free: a
 *    mis-accounted sample, never a memory error.
 *  - On, per free: bounded probe of the live table; a matching LIVE key is swapped for
 *    a tombstone by one CAS and its record marked FREED, before the memory goes back to
 *    glibc, so the address cannot be reallocated and re-sampled meanwhile.
 *  - Log and table are mmap'ed once and never unmapped, so a thread that read
 *    `g_enabled` just before a stop can still touch them safely. Writers of samples are
 *    counted in `g_inflight` (incremented before re-checking `g_enabled`, both
 *    sequentially consistent), and stop waits for them, so a reader after stop sees
 *    complete records. A new session zeroes both with madvise(MADV_DONTNEED). The one
 *    benign race left: a free stalled across a whole stop/start cycle whose address
 *    was re-sampled meanwhile would mark that new sample freed: a mis-accounted
 *    sample, never a memory error.
 */
#define _GNU_SOURCE 1
#include "CAllocSampler.h"

#include <dlfcn.h>
#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

extern void *__libc_malloc(size_t size);
extern void __libc_free(void *pointer);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void *__libc_valloc(size_t size);
extern void *__libc_pvalloc(size_t size);

#define GUTS_EXPORT __attribute__((visibility("default")))
#define GUTS_LIKELY(x) __builtin_expect(!!(x), 1)
#define GUTS_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* The sample log: 2^15 records of 552 bytes, 17 MiB of address space touched only as
 * samples land (32768 samples are 16 GiB allocated at the default interval). */
#define LOG_BITS 15
#define LOG_CAPACITY (1L << LOG_BITS)
/* The live table: pointer -> log index, 2^16 entries of 16 bytes. */
#define LIVE_BITS 16
#define LIVE_CAPACITY (1L << LIVE_BITS)
#define MAX_PROBES 64
/* Live samples per address bucket, 2^14 saturating 8-bit counters (16 KiB, cache-resident):
 * a free whose bucket counts zero skips the live table, whose 1 MiB would otherwise put
 * a likely cache miss on almost every free of the process while sampling is on. */
#define FILTER_BITS 14
#define FILTER_CAPACITY (1L << FILTER_BITS)

/* Live-table keys: 0 empty, TOMBSTONE (reusable), pointer | WRITING, pointer | LIVE.
 * malloc pointers are 16-byte aligned, so the low bits are free and no key equals 3. */
#define KEY_TOMBSTONE ((uintptr_t)3)
#define KEY_WRITING ((uintptr_t)1)
#define KEY_LIVE ((uintptr_t)2)
#define KEY_FLAGS ((uintptr_t)15)


typedef struct live_entry {
    _Atomic uintptr_t key;
    long index;
} live_entry_t;

static atomic_int g_enabled;
static atomic_long g_inflight;
static atomic_ulong g_generation;
static atomic_ulong g_seed_counter;
static atomic_long g_mean_interval = 512 * 1024;
static guts_alloc_sample_t *_Atomic g_log;
static live_entry_t *_Atomic g_live;
static atomic_long g_log_next;
/* Free list of recycled records: (tag << 32) | (index + 1), 0 when empty; the next
 * link of each listed record (index + 1, 0 at the end) in g_free_next. */
static _Atomic uint64_t g_free_head;
static _Atomic uint32_t *_Atomic g_free_next;
static atomic_long g_samples;
static atomic_long g_dropped_full;
static atomic_long g_sampled_frees;
static _Atomic uint8_t g_filter[FILTER_CAPACITY];

struct thread_state {
    /* Bytes left before the next sample. */
    long countdown;
    /* Session the countdown belongs to; a mismatch draws a fresh interval. */
    unsigned long generation;
    uint64_t rng;
    /* Set while this thread records a sample: its allocations just forward. */
    int busy;
};

static __thread struct thread_state tls __attribute__((tls_model("initial-exec")));

/* ---- Exponential intervals without libm -------------------------------------- */

static inline uint64_t next_random(struct thread_state *state) {
    uint64_t x = state->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    state->rng = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* Natural log of u in (0, 1]: exponent from the bits, mantissa m in [1, 2) by the
 * atanh series ln m = 2(t + t^3/3 + t^5/5 + t^7/7), t = (m-1)/(m+1) <= 1/3 (error < 1e-5). */
static inline double natural_log(double u) {
    union { double d; uint64_t bits; } value = { .d = u };
    int exponent = (int)((value.bits >> 52) & 0x7FF) - 1023;
    value.bits = (value.bits & 0x000FFFFFFFFFFFFFULL) | 0x3FF0000000000000ULL;
    double t = (value.d - 1.0) / (value.d + 1.0);
    double t2 = t * t;
    double series = 2.0 * t * (1.0 + t2 * (1.0 / 3 + t2 * (1.0 / 5 + t2 * (1.0 / 7))));
    return exponent * 0.6931471805599453 + series;
}

static inline long draw_interval(struct thread_state *state) {
    /* u uniform in (0, 1]. */
    double u = (double)((next_random(state) >> 11) + 1) * (1.0 / 9007199254740992.0);
    double interval = -natural_log(u) * (double)atomic_load_explicit(&g_mean_interval, memory_order_relaxed);
    if (interval < 1) return 1;
    if (interval > (double)(1L << 62)) return 1L << 62;
    return (long)interval;
}

static void reseed(struct thread_state *state, unsigned long generation) {
    uint64_t seed = (uint64_t)(uintptr_t)state
        ^ (atomic_fetch_add_explicit(&g_seed_counter, 1, memory_order_relaxed) + 1) * 0x9E3779B97F4A7C15ULL
        ^ generation * 0xBF58476D1CE4E5B9ULL;
    state->rng = seed ? seed : 0x9E3779B97F4A7C15ULL;
    state->generation = generation;
    state->countdown = draw_interval(state);
}

/* ---- The log and the live table ----------------------------------------------- */

static inline long slot_for(uintptr_t address) {
    return (long)(((address >> 4) * 0x9E3779B97F4A7C15ULL) >> (64 - LIVE_BITS));
}

static inline _Atomic uint8_t *filter_for(uintptr_t address) {
    return &g_filter[((address >> 4) * 0x9E3779B97F4A7C15ULL) >> (64 - FILTER_BITS)];
}

/* Saturating: a counter at 255 stays there (its frees just always probe), and a stale
 * free of a previous session cannot wrap a zeroed counter below 0. */
static inline void filter_add(uintptr_t address, int delta) {
    _Atomic uint8_t *counter = filter_for(address);
    uint8_t current = atomic_load_explicit(counter, memory_order_relaxed);
    while (current != 255 && !(delta < 0 && current == 0)
           && !atomic_compare_exchange_weak_explicit(counter, &current, (uint8_t)(current + delta),
                                                     memory_order_relaxed, memory_order_relaxed)) {
    }
}

static inline _Atomic uintptr_t *record_state(guts_alloc_sample_t *record) {
    return (_Atomic uintptr_t *)&record->state;
}

/* A recycled record index, or -1 when the free list is empty. */
static long pop_recycled(_Atomic uint32_t *next_links) {
    uint64_t head = atomic_load_explicit(&g_free_head, memory_order_acquire);
    while ((uint32_t)head != 0) {
        uint32_t index = (uint32_t)head - 1;
        uint64_t replacement = (((head >> 32) + 1) << 32)
            | atomic_load_explicit(&next_links[index], memory_order_relaxed);
        if (atomic_compare_exchange_weak_explicit(&g_free_head, &head, replacement,
                                                  memory_order_acquire, memory_order_acquire)) {
            return (long)index;
        }
    }
    return -1;
}

/* Records `pointer` (just allocated, not yet returned to its caller). noinline: its
 * own frame is the leaf of every recorded stack, which the Swift side drops. */
static __attribute__((noinline)) void record_sample(void *pointer, size_t size) {
    tls.busy = 1;
    atomic_fetch_add(&g_inflight, 1);
    guts_alloc_sample_t *log = atomic_load_explicit(&g_log, memory_order_acquire);
    live_entry_t *live = atomic_load_explicit(&g_live, memory_order_acquire);
    _Atomic uint32_t *next_links = atomic_load_explicit(&g_free_next, memory_order_acquire);
    if (atomic_load(&g_enabled) && log != NULL && live != NULL && next_links != NULL && pointer != NULL) {
        long index = pop_recycled(next_links);
        if (index < 0) index = atomic_fetch_add_explicit(&g_log_next, 1, memory_order_relaxed);
        if (index < LOG_CAPACITY) {
            guts_alloc_sample_t *record = &log[index];
            atomic_store_explicit(record_state(record), GUTS_ALLOC_RECORD_WRITING, memory_order_relaxed);
            record->size = size;
            record->thread = (int32_t)syscall(SYS_gettid);
            int depth = unw_backtrace((void **)record->frames, GUTS_ALLOC_MAX_DEPTH);
            record->depth = depth > 0 ? depth : 0;

            uintptr_t address = (uintptr_t)pointer & ~KEY_FLAGS;
            long slot = slot_for(address);
            live_entry_t *entry = NULL;
            for (int probe = 0; probe < MAX_PROBES && entry == NULL; probe++) {
                live_entry_t *candidate = &live[(slot + probe) & (LIVE_CAPACITY - 1)];
                uintptr_t current = atomic_load_explicit(&candidate->key, memory_order_relaxed);
                if ((current == 0 || current == KEY_TOMBSTONE)
                    && atomic_compare_exchange_strong(&candidate->key, &current, address | KEY_WRITING)) {
                    entry = candidate;
                }
            }
            if (entry != NULL) {
                atomic_store_explicit(record_state(record), GUTS_ALLOC_RECORD_LIVE, memory_order_release);
                entry->index = index;
                /* Counted before the pointer is returned, so its free sees the count. */
                filter_add(address, 1);
                atomic_store_explicit(&entry->key, address | KEY_LIVE, memory_order_release);
            } else {
                atomic_store_explicit(record_state(record), GUTS_ALLOC_RECORD_UNTRACKED, memory_order_release);
                atomic_fetch_add_explicit(&g_dropped_full, 1, memory_order_relaxed);
            }
            atomic_fetch_add_explicit(&g_samples, 1, memory_order_relaxed);
        } else {
            atomic_fetch_add_explicit(&g_dropped_full, 1, memory_order_relaxed);
        }
    }
    atomic_fetch_sub(&g_inflight, 1);
    tls.busy = 0;
}

/* Counts `size` bytes against this thread's countdown; samples on crossing zero. */
static inline __attribute__((always_inline)) void note_allocation(void *pointer, size_t size) {
    if (GUTS_LIKELY(!atomic_load_explicit(&g_enabled, memory_order_relaxed))) return;
    if (pointer == NULL || tls.busy) return;
    unsigned long generation = atomic_load_explicit(&g_generation, memory_order_relaxed);
    if (GUTS_UNLIKELY(tls.generation != generation)) reseed(&tls, generation);
    tls.countdown -= (long)(size > (size_t)(1L << 62) ? (1L << 62) : size);
    if (GUTS_LIKELY(tls.countdown > 0)) return;
    /* Exponential intervals are memoryless: a fresh draw from here is unbiased. */
    tls.countdown = draw_interval(&tls);
    record_sample(pointer, size);
}

/* Marks a sampled pointer freed; called before the memory goes back to glibc. */
static inline __attribute__((always_inline)) void note_free(void *pointer) {
    if (GUTS_LIKELY(!atomic_load_explicit(&g_enabled, memory_order_relaxed))) return;
    if (pointer == NULL) return;
    live_entry_t *live = atomic_load_explicit(&g_live, memory_order_acquire);
    guts_alloc_sample_t *log = atomic_load_explicit(&g_log, memory_order_acquire);
    if (live == NULL || log == NULL) return;
    uintptr_t address = (uintptr_t)pointer & ~KEY_FLAGS;
    if (atomic_load_explicit(filter_for(address), memory_order_relaxed) == 0) return;
    long slot = slot_for(address);
    for (int probe = 0; probe < MAX_PROBES; probe++) {
        live_entry_t *entry = &live[(slot + probe) & (LIVE_CAPACITY - 1)];
        uintptr_t current = atomic_load_explicit(&entry->key, memory_order_acquire);
        if (current == 0) return;
        if (current == (address | KEY_LIVE)) {
            /* Read before the CAS: afterwards the slot may be reused at once. */
            long index = entry->index;
            if (atomic_compare_exchange_strong(&entry->key, &current, KEY_TOMBSTONE)) {
                if (index >= 0 && index < LOG_CAPACITY) {
                    atomic_store_explicit(record_state(&log[index]), GUTS_ALLOC_RECORD_FREED, memory_order_release);
                }
                atomic_fetch_add_explicit(&g_sampled_frees, 1, memory_order_relaxed);
                filter_add(address, -1);
            }
            return;
        }
    }
}

/* ---- The interposed allocator -------------------------------------------------- */

GUTS_EXPORT void *malloc(size_t size) {
    void *pointer = __libc_malloc(size);
    note_allocation(pointer, size);
    return pointer;
}

GUTS_EXPORT void free(void *pointer) {
    note_free(pointer);
    __libc_free(pointer);
}

GUTS_EXPORT void *calloc(size_t count, size_t size) {
    void *pointer = __libc_calloc(count, size);
    note_allocation(pointer, count * size);
    return pointer;
}

GUTS_EXPORT void *realloc(void *old, size_t size) {
    /* Marked first: once glibc has the old block, another thread may get its address. */
    note_free(old);
    void *pointer = __libc_realloc(old, size);
    if (size != 0) note_allocation(pointer, size);
    return pointer;
}

GUTS_EXPORT void *memalign(size_t alignment, size_t size) {
    void *pointer = __libc_memalign(alignment, size);
    note_allocation(pointer, size);
    return pointer;
}

GUTS_EXPORT void *aligned_alloc(size_t alignment, size_t size) {
    void *pointer = __libc_memalign(alignment, size);
    note_allocation(pointer, size);
    return pointer;
}

GUTS_EXPORT int posix_memalign(void **result, size_t alignment, size_t size) {
    if (alignment % sizeof(void *) != 0 || (alignment & (alignment - 1)) != 0 || alignment == 0) return EINVAL;
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL) return ENOMEM;
    note_allocation(pointer, size);
    *result = pointer;
    return 0;
}

GUTS_EXPORT void *valloc(size_t size) {
    void *pointer = __libc_valloc(size);
    note_allocation(pointer, size);
    return pointer;
}

GUTS_EXPORT void *pvalloc(size_t size) {
    void *pointer = __libc_pvalloc(size);
    note_allocation(pointer, size);
    return pointer;
}

/* ---- Control ------------------------------------------------------------------- */

int guts_alloc_sampler_is_interposed(void) {
    return dlsym(RTLD_DEFAULT, "malloc") == (void *)&malloc
        && dlsym(RTLD_DEFAULT, "free") == (void *)&free;
}

static void *map_zeroed(void *existing, size_t bytes) {
    if (existing != NULL) {
        /* No sample writer is running (stop waited for them): zero and release. */
        madvise(existing, bytes, MADV_DONTNEED);
        return existing;
    }
    void *mapped = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return mapped == MAP_FAILED ? NULL : mapped;
}

int guts_alloc_sampler_start(long mean_interval_bytes) {
    if (atomic_load(&g_enabled)) return -1;
    guts_alloc_sample_t *log = map_zeroed(atomic_load(&g_log), (size_t)LOG_CAPACITY * sizeof(guts_alloc_sample_t));
    if (log == NULL) return -2;
    atomic_store(&g_log, log);
    live_entry_t *live = map_zeroed(atomic_load(&g_live), (size_t)LIVE_CAPACITY * sizeof(live_entry_t));
    if (live == NULL) return -2;
    atomic_store(&g_live, live);
    _Atomic uint32_t *next_links = atomic_load(&g_free_next);
    if (next_links == NULL) {
        next_links = map_zeroed(NULL, (size_t)LOG_CAPACITY * sizeof(uint32_t));
        if (next_links == NULL) return -2;
        atomic_store(&g_free_next, next_links);
    }
    atomic_store(&g_free_head, 0);
    for (long bucket = 0; bucket < FILTER_CAPACITY; bucket++) atomic_store_explicit(&g_filter[bucket], 0, memory_order_relaxed);
    /* Resolve libunwind's lazy state before the first sample. */
    void *warm[GUTS_ALLOC_MAX_DEPTH];
    (void)unw_backtrace(warm, GUTS_ALLOC_MAX_DEPTH);
    atomic_store(&g_mean_interval, mean_interval_bytes > 0 ? mean_interval_bytes : 1);
    atomic_store(&g_log_next, 0);
    atomic_store(&g_samples, 0);
    atomic_store(&g_dropped_full, 0);
    atomic_store(&g_sampled_frees, 0);
    atomic_store(&g_live, live);
    atomic_fetch_add(&g_generation, 1);
    atomic_store(&g_enabled, 1);
    return 0;
}

void guts_alloc_sampler_stop(void) {
    atomic_store(&g_enabled, 0);
    while (atomic_load(&g_inflight) != 0) {
        struct timespec pause = { 0, 100000 };
        nanosleep(&pause, NULL);
    }
}

int guts_alloc_sampler_is_running(void) { return atomic_load(&g_enabled); }

const guts_alloc_sample_t *guts_alloc_sampler_table(void) { return atomic_load(&g_log); }

long guts_alloc_sampler_capacity(void) { return LOG_CAPACITY; }

long guts_alloc_sampler_count(void) {
    long count = atomic_load(&g_log_next);
    return count < LOG_CAPACITY ? count : LOG_CAPACITY;
}

guts_alloc_counters_t guts_alloc_sampler_counters(void) {
    guts_alloc_counters_t counters = {
        .samples = atomic_load(&g_samples),
        .dropped_full = atomic_load(&g_dropped_full),
        .sampled_frees = atomic_load(&g_sampled_frees),
    };
    return counters;
}

int guts_alloc_sampler_recycle(long index) {
    guts_alloc_sample_t *log = atomic_load(&g_log);
    _Atomic uint32_t *next_links = atomic_load(&g_free_next);
    if (log == NULL || next_links == NULL || index < 0 || index >= guts_alloc_sampler_count()) return -1;
    uintptr_t state = atomic_load_explicit(record_state(&log[index]), memory_order_acquire);
    if (state != GUTS_ALLOC_RECORD_FREED && state != GUTS_ALLOC_RECORD_UNTRACKED) return -1;
    atomic_store_explicit(record_state(&log[index]), GUTS_ALLOC_RECORD_RECYCLED, memory_order_relaxed);
    uint64_t head = atomic_load_explicit(&g_free_head, memory_order_relaxed);
    uint64_t replacement;
    do {
        atomic_store_explicit(&next_links[index], (uint32_t)head, memory_order_relaxed);
        replacement = (((head >> 32) + 1) << 32) | (uint64_t)(index + 1);
    } while (!atomic_compare_exchange_weak_explicit(&g_free_head, &head, replacement,
                                                    memory_order_release, memory_order_relaxed));
    return 0;
}

long guts_alloc_sampler_sweep_tombstones(void) {
    live_entry_t *live = atomic_load(&g_live);
    if (live == NULL) return 0;
    long cleared = 0;
    /* Downwards, so a run of tombstones before an empty slot empties in one pass. */
    for (long slot = LIVE_CAPACITY - 1; slot >= 0; slot--) {
        _Atomic uintptr_t *key = &live[slot].key;
        _Atomic uintptr_t *next = &live[(slot + 1) & (LIVE_CAPACITY - 1)].key;
        uintptr_t current = KEY_TOMBSTONE;
        if (atomic_load_explicit(key, memory_order_relaxed) != KEY_TOMBSTONE
            || atomic_load_explicit(next, memory_order_acquire) != 0) continue;
        if (!atomic_compare_exchange_strong(key, &current, 0)) continue;
        /* An insert that probed past this slot while it was live may have claimed the
         * next one meanwhile: put the tombstone back so lookups still reach it. */
        if (atomic_load(next) != 0) {
            uintptr_t empty = 0;
            atomic_compare_exchange_strong(key, &empty, KEY_TOMBSTONE);
        } else {
            cleared++;
        }
    }
    return cleared;
}

uintptr_t guts_alloc_sampler_load_state(const guts_alloc_sample_t *entry) {
    return atomic_load_explicit((_Atomic uintptr_t *)&entry->state, memory_order_acquire);
}
