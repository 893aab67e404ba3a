#ifndef GUTS_CZLIB_SHIM_H
#define GUTS_CZLIB_SHIM_H
#include <zlib.h>

/* deflateInit and inflateInit are macros in zlib.h; Swift cannot call macros. */
static inline int guts_deflateInit(z_streamp stream, int level) {
    return deflateInit(stream, level);
}
static inline int guts_inflateInit(z_streamp stream) {
    return inflateInit(stream);
}
static inline int guts_inflateInit2(z_streamp stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}
static inline int guts_deflateInit2(z_streamp stream, int level, int windowBits, int memLevel, int strategy) {
    return deflateInit2(stream, level, Z_DEFLATED, windowBits, memLevel, strategy);
}
#endif
