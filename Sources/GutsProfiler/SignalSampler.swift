import CSystemSupport
import CUnwind
import Glibc

/// The `SIGPROF` handler and its installation.
///
/// ## Safety argument
///
/// The handler runs on whichever thread the kernel interrupted, at any instruction,
/// possibly while that thread holds `malloc`'s arena lock, the loader lock, or a
/// libunwind lock. It therefore:
///
/// - **allocates nothing and takes no lock of its own**: it writes into ring slots that
///   `CPUProfiler.start` allocated and zero-filled beforehand, and communicates only
///   through word-sized atomics (`guts_atomic_*`, single instructions);
/// - **never waits**: the `busy` word is taken with one compare-and-swap; if another
///   handler (on another thread, or nested on this one) holds it, the sample is counted
///   in `droppedBusy` and the handler returns. The ring never blocks either: when the
///   reader has fallen behind, the sample is counted in `droppedFull`;
/// - **guards the loader**: libunwind looks up unwind tables for an IP it has not seen
///   before through `dl_iterate_phdr`, which takes glibc's loader lock. If the
///   interrupted thread was executing inside the dynamic loader or inside libunwind
///   (their text ranges are captured at start, see `SamplerState.setExcludedRanges`),
///   or profiler code is walking the loader lists (`loaderGuard`), the handler does
///   not unwind and counts the sample in `droppedLoader`. libunwind is configured with
///   a global, pre-warmed, enlarged register-state cache so that repeat IPs unwind
///   without calling into the loader at all; libunwind itself blocks signals around its
///   own `dl_iterate_phdr` calls made outside handlers;
/// - **starts unwinding from the signal's `ucontext_t`** (`UNW_INIT_SIGNAL_FRAME`), so
///   neither the handler nor the kernel trampoline (`__restore_rt`) is recorded;
/// - preserves `errno`, and only calls `clock_gettime`, `gettid` (both async-signal-
///   safe system calls) and libunwind's local unwinder;
/// - reaches its state only through `SamplerState.words`, an immutable global pointer
///   initialised before the handler is installed, so no lazy initialiser runs here.
///
/// The handler stays installed after profiling stops (with `enabled` cleared): a
/// `SIGPROF` still pending from the timer must not hit the default action, which
/// terminates the process.
enum SignalSampler {
    /// Installs the handler once per process; later calls are no-ops.
    static func install() throws(ProfilerError) {
        SamplerState.prepare()
        if installed.withLock({ $0 }) { return }
        var action = sigaction()
        action.__sigaction_handler.sa_sigaction = { _, _, context in
            SignalSampler.handle(context: context)
        }
        action.sa_flags = SA_SIGINFO | SA_RESTART
        sigemptyset(&action.sa_mask)
        guard sigaction(SIGPROF, &action, nil) == 0 else {
            throw .system(call: "sigaction(SIGPROF)", errno: errno)
        }
        installed.withLock { $0 = true }
    }

    private static let installed = LockedValue(false)

    /// Arms `ITIMER_PROF`: the kernel sends `SIGPROF` after every `1/rate` seconds of
    /// CPU time consumed by the process, to a thread that is running at that moment.
    static func armTimer(rate: Int) throws(ProfilerError) {
        let micros = max(1, 1_000_000 / rate)
        var value = itimerval()
        value.it_interval.tv_sec = micros / 1_000_000
        value.it_interval.tv_usec = micros % 1_000_000
        value.it_value = value.it_interval
        guard guts_set_profiling_timer(&value) == 0 else {
            throw .system(call: "setitimer(ITIMER_PROF)", errno: errno)
        }
    }

    static func disarmTimer() {
        var value = itimerval()
        guts_set_profiling_timer(&value)
    }

    /// The body of the `SIGPROF` handler. See the type's documentation for the rules
    /// it keeps; keep it that way.
    @inline(__always)
    static func handle(context: UnsafeMutableRawPointer?) {
        let savedErrno = errno
        defer { errno = savedErrno }
        SamplerState.add(.signals, 1)
        guard let context else { return }
        var start = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        guard guts_atomic_cas(SamplerState.pointer(.busy), 0, 1) != 0 else {
            if SamplerState.load(.enabled) != 0 { SamplerState.add(.droppedBusy, 1) }
            return
        }
        // Checked after taking `busy`: `CPUProfiler.stop` clears `enabled` and then
        // waits for `busy` to be free before it releases the ring (both sequentially
        // consistent), so a handler that gets here with `enabled` set owns a live ring.
        guard SamplerState.load(.enabled) != 0 else {
            SamplerState.store(.busy, 0)
            return
        }
        defer {
            var end = timespec()
            clock_gettime(CLOCK_MONOTONIC, &end)
            SamplerState.add(.handlerNanos, (end.tv_sec - start.tv_sec) * 1_000_000_000 + (end.tv_nsec - start.tv_nsec))
            SamplerState.store(.busy, 0)
        }
        let pc = guts_ucontext_pc(context)
        if SamplerState.load(.loaderGuard) != 0 || SamplerState.isExcluded(pc: pc) {
            SamplerState.add(.droppedLoader, 1)
            return
        }
        let write = SamplerState.load(.writeIndex)
        let read = SamplerState.load(.readIndex)
        let capacity = SamplerState.load(.ringCapacity)
        guard capacity > 0, write - read < capacity else {
            SamplerState.add(.droppedFull, 1)
            return
        }
        guard let ring = UnsafeMutablePointer<Int>(bitPattern: SamplerState.load(.ringBase)) else { return }
        let slotWords = SamplerState.load(.slotWords)
        let slot = ring + (write % capacity) * slotWords
        let maxDepth = SamplerState.load(.maxDepth)
        let ips = UnsafeMutableRawPointer(slot + SamplerState.slotHeaderWords).assumingMemoryBound(to: UInt.self)
        var depth = guts_unw_backtrace_ucontext(context, ips, maxDepth)
        if depth <= 0 {
            // The unwinder could not start; keep the interrupted PC alone.
            SamplerState.add(.unwindFailures, 1)
            ips[0] = pc
            depth = 1
        }
        slot[0] = depth
        slot[1] = Int(guts_gettid())
        SamplerState.store(.writeIndex, write + 1)
        SamplerState.add(.samples, 1)
    }
}
