#ifndef GUTS_CUNWIND_SHIM_H
#define GUTS_CUNWIND_SHIM_H
#define UNW_LOCAL_ONLY
#include <libunwind.h>

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
#endif
