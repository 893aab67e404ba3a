#ifndef GUTS_CALLOCSAMPLER_H
#define GUTS_CALLOCSAMPLER_H

#include <stddef.h>
#include <stdint.h>

/* Sampled allocation stacks for the whole process.
 *
 * This target defines malloc, free, calloc, realloc, posix_memalign, aligned_alloc,
 * memalign, valloc and pvalloc. Linked into an executable, those definitions interpose
 * glibc's for every object in the process (Swift runtime, Foundation, RocksDB, libc's
 * own PLT calls); each forwards to glibc's implementation (__libc_malloc and friends),
 * so there is exactly one heap and no dlsym bootstrap.
 *
 * While sampling is off (the default) the wrappers only forward, after one relaxed load
 * of a global flag. While it is on, each thread counts bytes down from an exponentially
 * distributed interval of mean N; an allocation that crosses zero is recorded (size,
 * pointer, stack) into a fixed, preallocated, lock-free table, and a later free of that
 * pointer marks the record freed. See CAllocSampler.c for the safety argument. */

/* Frames kept per sampled stack (leaf first, including the sampler's own frame). */
#define GUTS_ALLOC_MAX_DEPTH 64

/* Record states. */
#define GUTS_ALLOC_RECORD_WRITING 0
#define GUTS_ALLOC_RECORD_LIVE 1
#define GUTS_ALLOC_RECORD_FREED 2
/* Sampled, but no live-table slot was free nearby: allocated, never matched by a free. */
#define GUTS_ALLOC_RECORD_UNTRACKED 3
/* On the free list, waiting to be reused (skip). */
#define GUTS_ALLOC_RECORD_RECYCLED 4

/* One sampled allocation, in an append-only log. */
typedef struct guts_alloc_sample {
    /* GUTS_ALLOC_RECORD_*; written only with atomics. */
    uintptr_t state;
    /* Requested size in bytes. */
    uint64_t size;
    /* Linux thread id of the allocating thread. */
    int32_t thread;
    /* Number of valid entries in `frames`. */
    int32_t depth;
    /* Instruction pointers, leaf first. */
    uintptr_t frames[GUTS_ALLOC_MAX_DEPTH];
} guts_alloc_sample_t;

typedef struct guts_alloc_counters {
    /* Samples recorded into the table. */
    long samples;
    /* Samples lost because the log was full or no live-table slot was free nearby. */
    long dropped_full;
    /* Frees (and reallocs) that found their sampled pointer in the table. */
    long sampled_frees;
} guts_alloc_counters_t;

/* 1 when the wrappers of this target are the process's malloc (interposition works). */
int guts_alloc_sampler_is_interposed(void);

/* Starts a session with mean sampling interval `mean_interval_bytes` (>= 1). Returns 0,
 * -1 when a session is running, -2 when the table cannot be mapped. Not thread-safe
 * against concurrent start/stop calls: the caller serialises them. */
int guts_alloc_sampler_start(long mean_interval_bytes);

/* Stops sampling and waits until no thread is still writing a sample. Afterwards the
 * table can be read (frees still running may flip LIVE entries to FREED meanwhile). */
void guts_alloc_sampler_stop(void);

/* Whether a session is running. */
int guts_alloc_sampler_is_running(void);

/* The sample log (mapped for the process lifetime once a session has started; NULL
 * before) and the number of records written in the current or last session. */
const guts_alloc_sample_t *guts_alloc_sampler_table(void);
long guts_alloc_sampler_capacity(void);
long guts_alloc_sampler_count(void);

/* Counters of the current (or last) session. */
guts_alloc_counters_t guts_alloc_sampler_counters(void);

/* Hands a FREED or untracked record back for reuse, once the one reader (the caller
 * serialises readers) has folded it into its totals. Returns 0, or -1 when the record
 * is not in one of those states. Makes long sessions possible: without it the log
 * fills after LOG_CAPACITY samples. */
int guts_alloc_sampler_recycle(long index);

/* Empties live-table tombstones that end a probe chain, so that frees keep finding an
 * empty slot within a few probes in a session of any length. Called by the one reader.
 * Returns the number of slots emptied. */
long guts_alloc_sampler_sweep_tombstones(void);

/* Atomic load of a record's state, for readers. */
uintptr_t guts_alloc_sampler_load_state(const guts_alloc_sample_t *entry);

#endif
