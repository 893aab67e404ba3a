#ifndef GUTS_CUNWIND_SHIM_H
#define GUTS_CUNWIND_SHIM_H
#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <ucontext.h>
#include <stdint.h>

/* unw_getcontext, unw_init_local and unw_step are macros over the
   architecture-prefixed symbols; these wrappers give Swift callable names. */
static inline int guts_unw_getcontext(unw_context_t *context) {
    return unw_getcontext(context);
}
static inline int guts_unw_init_local(unw_cursor_t *cursor, unw_context_t *context) {
    return unw_init_local(cursor, context);
}
static inline int guts_unw_init_local_signal(unw_cursor_t *cursor, unw_context_t *context) {
    return unw_init_local2(cursor, context, UNW_INIT_SIGNAL_FRAME);
}
static inline int guts_unw_step(unw_cursor_t *cursor) {
    return unw_step(cursor);
}
static inline int guts_unw_get_ip(unw_cursor_t *cursor, unw_word_t *ip) {
    return unw_get_reg(cursor, UNW_REG_IP, ip);
}

/* ---- Profiler support -------------------------------------------------
   Everything below is async-signal-safe: no allocation, no locks of our own,
   no static state (these are static inline, so each object file would get its
   own copy of any static variable; all shared state lives in memory the Swift
   side allocates and passes in). */

/* Configures libunwind's local address space for use from a signal handler:
   a global register-state cache (filled by warm-up unwinds outside the handler)
   so that repeat IPs are unwound without calling dl_iterate_phdr. */
static inline int guts_unw_configure_for_sampling(size_t cache_size) {
    int rc = unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_GLOBAL);
    if (rc != 0) return rc;
    return unw_set_cache_size(unw_local_addr_space, cache_size, 0);
}

/* Unwinds the interrupted context of a signal handler (its ucontext_t*), writing
   at most `max` instruction pointers, leaf first, into `ips`. Starting from the
   signal's ucontext means the handler and the kernel's signal trampoline never
   appear in the stack. Returns the count, or a negative libunwind error. */
static inline long guts_unw_backtrace_ucontext(void *ucontext, uintptr_t *ips, long max) {
    unw_cursor_t cursor;
    long n = 0;
    int rc = unw_init_local2(&cursor, (unw_context_t *)ucontext, UNW_INIT_SIGNAL_FRAME);
    if (rc < 0) return rc;
    while (n < max) {
        unw_word_t ip = 0;
        if (unw_get_reg(&cursor, UNW_REG_IP, &ip) < 0 || ip == 0) break;
        ips[n++] = (uintptr_t)ip;
        if (unw_step(&cursor) <= 0) break;
    }
    return n;
}

/* Unwinds the calling thread from here (getcontext + init_local); used to warm
   libunwind's caches and as the handler's fallback. */
static inline long guts_unw_backtrace_here(uintptr_t *ips, long max) {
    unw_context_t context;
    unw_cursor_t cursor;
    long n = 0;
    if (unw_getcontext(&context) < 0) return -1;
    int rc = unw_init_local(&cursor, &context);
    if (rc < 0) return rc;
    while (n < max) {
        unw_word_t ip = 0;
        if (unw_get_reg(&cursor, UNW_REG_IP, &ip) < 0 || ip == 0) break;
        ips[n++] = (uintptr_t)ip;
        if (unw_step(&cursor) <= 0) break;
    }
    return n;
}

/* The interrupted program counter from a signal handler's ucontext_t*. */
static inline uintptr_t guts_ucontext_pc(void *ucontext) {
#if defined(__x86_64__)
    /* REG_RIP is 16; the name needs _GNU_SOURCE, which would make this module's
       libc declarations differ from other modules'. */
    return (uintptr_t)((ucontext_t *)ucontext)->uc_mcontext.gregs[16];
#elif defined(__aarch64__)
    return (uintptr_t)((ucontext_t *)ucontext)->uc_mcontext.pc;
#else
    return 0;
#endif
}

/* Lock-free word atomics over memory owned by Swift (signal-safe: they compile
   to single instructions on x86_64 and aarch64). */
static inline long guts_atomic_load(long *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
static inline void guts_atomic_store(long *p, long v) { __atomic_store_n(p, v, __ATOMIC_SEQ_CST); }
static inline long guts_atomic_add(long *p, long v) { return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST); }
static inline int guts_atomic_cas(long *p, long expected, long desired) {
    return __atomic_compare_exchange_n(p, &expected, desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}
#endif
