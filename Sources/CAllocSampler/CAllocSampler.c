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
 *    with malloc's arena locks. The stack goes straight into a preallocated table slot
 *    claimed by CAS: open addressing by pointer, bounded probes, no resizing; when no
 *    slot is free within the probe limit the sample is counted as dropped.
 *  - On, per free: bounded probe of the table; a matching LIVE entry is flipped to
 *    FREED by one CAS on its key word (pointer | state), before the memory is returned
 *    to glibc, so the address cannot be reallocated and re-sampled meanwhile.
 *  - The table is mmap'ed once and never unmapped, so a thread that read `g_enabled`
 *    just before a stop can still touch it safely. Writers of samples are counted in
 *    `g_inflight` (incremented before re-checking `g_enabled`, both sequentially
 *    consistent), and stop waits for them, so a reader after stop sees complete entries.
 *    A new session zeroes the table with madvise(MADV_DONTNEED). The one benign race
 *    left: a free stalled across a whole stop/start cycle whose address was re-sampled
 *    into the same slot would mark that sample freed: a mis-accounted sample, never a
 *    memory error.
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

/* 2^15 entries of 552 bytes: 17 MiB of address space, touched only as samples land. */
#define TABLE_BITS 15
#define TABLE_CAPACITY (1L << TABLE_BITS)
#define MAX_PROBES 64

static atomic_int g_enabled;
static atomic_long g_inflight;
static atomic_ulong g_generation;
static atomic_ulong g_seed_counter;
static long g_mean_interval = 512 * 1024;
static guts_alloc_sample_t *_Atomic g_table;
static atomic_long g_samples;
static atomic_long g_dropped_full;
static atomic_long g_sampled_frees;

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
    double interval = -natural_log(u) * (double)g_mean_interval;
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

/* ---- The table ----------------------------------------------------------------- */

static inline long slot_for(uintptr_t pointer) {
    return (long)(((pointer >> 4) * 0x9E3779B97F4A7C15ULL) >> (64 - TABLE_BITS));
}

/* Records `pointer` (just allocated, not yet returned to its caller). noinline: its
 * own frame is the leaf of every recorded stack, which the Swift side drops. */
static __attribute__((noinline)) void record_sample(void *pointer, size_t size) {
    tls.busy = 1;
    atomic_fetch_add(&g_inflight, 1);
    guts_alloc_sample_t *table = atomic_load_explicit(&g_table, memory_order_acquire);
    if (atomic_load(&g_enabled) && table != NULL && pointer != NULL) {
        uintptr_t address = (uintptr_t)pointer & ~GUTS_ALLOC_STATE_MASK;
        long slot = slot_for(address);
        guts_alloc_sample_t *entry = NULL;
        for (int probe = 0; probe < MAX_PROBES; probe++) {
            guts_alloc_sample_t *candidate = &table[(slot + probe) & (TABLE_CAPACITY - 1)];
            uintptr_t expected = 0;
            if (atomic_load_explicit((_Atomic uintptr_t *)&candidate->key, memory_order_relaxed) == 0
                && atomic_compare_exchange_strong((_Atomic uintptr_t *)&candidate->key, &expected,
                                                  address | GUTS_ALLOC_STATE_WRITING)) {
                entry = candidate;
                break;
            }
        }
        if (entry != NULL) {
            entry->size = size;
            entry->thread = (int32_t)syscall(SYS_gettid);
            int depth = unw_backtrace((void **)entry->frames, GUTS_ALLOC_MAX_DEPTH);
            entry->depth = depth > 0 ? depth : 0;
            atomic_store_explicit((_Atomic uintptr_t *)&entry->key, address | GUTS_ALLOC_STATE_LIVE,
                                  memory_order_release);
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
    guts_alloc_sample_t *table = atomic_load_explicit(&g_table, memory_order_acquire);
    if (table == NULL) return;
    uintptr_t address = (uintptr_t)pointer & ~GUTS_ALLOC_STATE_MASK;
    long slot = slot_for(address);
    for (int probe = 0; probe < MAX_PROBES; probe++) {
        _Atomic uintptr_t *key = (_Atomic uintptr_t *)&table[(slot + probe) & (TABLE_CAPACITY - 1)].key;
        uintptr_t current = atomic_load_explicit(key, memory_order_relaxed);
        if (current == 0) return;
        if (current == (address | GUTS_ALLOC_STATE_LIVE)) {
            if (atomic_compare_exchange_strong(key, &current, address | GUTS_ALLOC_STATE_FREED)) {
                atomic_fetch_add_explicit(&g_sampled_frees, 1, memory_order_relaxed);
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

int guts_alloc_sampler_start(long mean_interval_bytes) {
    if (atomic_load(&g_enabled)) return -1;
    size_t bytes = (size_t)TABLE_CAPACITY * sizeof(guts_alloc_sample_t);
    guts_alloc_sample_t *table = atomic_load(&g_table);
    if (table == NULL) {
        void *mapped = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mapped == MAP_FAILED) return -2;
        table = (guts_alloc_sample_t *)mapped;
    } else {
        /* No sample writer is running (stop waited for them); zero and release. */
        madvise(table, bytes, MADV_DONTNEED);
    }
    /* Resolve libunwind's lazy state before the first sample. */
    void *warm[GUTS_ALLOC_MAX_DEPTH];
    (void)unw_backtrace(warm, GUTS_ALLOC_MAX_DEPTH);
    g_mean_interval = mean_interval_bytes > 0 ? mean_interval_bytes : 1;
    atomic_store(&g_samples, 0);
    atomic_store(&g_dropped_full, 0);
    atomic_store(&g_sampled_frees, 0);
    atomic_store(&g_table, table);
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

const guts_alloc_sample_t *guts_alloc_sampler_table(void) { return atomic_load(&g_table); }

long guts_alloc_sampler_capacity(void) { return TABLE_CAPACITY; }

guts_alloc_counters_t guts_alloc_sampler_counters(void) {
    guts_alloc_counters_t counters = {
        .samples = atomic_load(&g_samples),
        .dropped_full = atomic_load(&g_dropped_full),
        .sampled_frees = atomic_load(&g_sampled_frees),
    };
    return counters;
}

uintptr_t guts_alloc_sampler_load_key(const guts_alloc_sample_t *entry) {
    return atomic_load_explicit((_Atomic uintptr_t *)&entry->key, memory_order_acquire);
}
