#ifndef GUTS_CSYSTEMSUPPORT_SHIM_H
#define GUTS_CSYSTEMSUPPORT_SHIM_H
#include <dlfcn.h>
#include <elf.h>
#include <malloc.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

/* glibc declares dladdr, dl_iterate_phdr and gettid only under _GNU_SOURCE. Defining that
   macro here would make the system headers this module sees differ from those other
   modules (Foundation's CDispatch) see, and clang rejects the mismatch when both meet in
   one Swift module on a clean build. So the shim declares them itself: guts_ names bound
   to glibc's symbols by asm labels, with structs laid out exactly as glibc's. */

typedef struct {
    const char *dli_fname;
    void *dli_fbase;
    const char *dli_sname;
    void *dli_saddr;
} guts_dl_info;

extern int guts_dladdr(const void *address, guts_dl_info *info) __asm__("dladdr");

struct guts_dl_phdr_info {
    Elf64_Addr dlpi_addr;
    const char *dlpi_name;
    const Elf64_Phdr *dlpi_phdr;
    Elf64_Half dlpi_phnum;
    unsigned long long int dlpi_adds;
    unsigned long long int dlpi_subs;
    size_t dlpi_tls_modid;
    void *dlpi_tls_data;
};

extern int guts_dl_iterate_phdr(int (*callback)(struct guts_dl_phdr_info *info, size_t size, void *context),
                                void *context) __asm__("dl_iterate_phdr");

extern pid_t guts_gettid(void) __asm__("gettid");

extern int guts_tgkill(pid_t tgid, pid_t tid, int signal) __asm__("tgkill");

/* setitimer's first parameter is an enum with _GNU_SOURCE and an int without; this
   wrapper keeps the Swift call the same either way. */
static inline int guts_set_profiling_timer(const struct itimerval *value) {
    return setitimer(ITIMER_PROF, value, NULL);
}
#endif
