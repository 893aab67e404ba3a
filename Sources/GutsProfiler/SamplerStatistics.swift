/// What the sampler did: samples taken, dropped (by cause) and time spent in the
/// signal handler. Reported by `guts profile` so overhead is never hidden.
public struct SamplerStatistics: Sendable, Codable, Equatable {
    /// Requested sampling rate in Hz (of process CPU time).
    public var rate: Int
    /// `SIGPROF` deliveries seen by the handler, including ones outside a session.
    public var signals: Int
    /// Stacks recorded into the ring.
    public var samples: Int
    /// Dropped because the ring was full (the reader fell behind).
    public var droppedFull: Int
    /// Dropped because another handler was running (two threads at once, or nesting).
    public var droppedBusy: Int
    /// Dropped because the interrupted thread was in the dynamic loader or libunwind,
    /// where unwinding could deadlock on the loader lock.
    public var droppedLoader: Int
    /// Samples where libunwind could not start; only the interrupted PC was kept.
    public var unwindFailures: Int
    /// Wall time spent inside the handler, summed over all samples.
    public var handlerNanos: Int
    /// Wall time from start to stop.
    public var durationNanos: Int

    public init(rate: Int = 0, signals: Int = 0, samples: Int = 0, droppedFull: Int = 0, droppedBusy: Int = 0,
                droppedLoader: Int = 0, unwindFailures: Int = 0, handlerNanos: Int = 0, durationNanos: Int = 0) {
        self.rate = rate
        self.signals = signals
        self.samples = samples
        self.droppedFull = droppedFull
        self.droppedBusy = droppedBusy
        self.droppedLoader = droppedLoader
        self.unwindFailures = unwindFailures
        self.handlerNanos = handlerNanos
        self.durationNanos = durationNanos
    }

    /// Adds the counts of `other` (a later interval at the same rate) to these.
    public mutating func accumulate(_ other: SamplerStatistics) {
        rate = other.rate
        signals += other.signals
        samples += other.samples
        droppedFull += other.droppedFull
        droppedBusy += other.droppedBusy
        droppedLoader += other.droppedLoader
        unwindFailures += other.unwindFailures
        handlerNanos += other.handlerNanos
        durationNanos += other.durationNanos
    }

    /// All dropped samples.
    public var dropped: Int { droppedFull + droppedBusy + droppedLoader }

    /// Mean handler time per recorded or loader-dropped sample, in nanoseconds.
    public var meanHandlerNanos: Double {
        let handled = samples + droppedLoader + droppedFull
        return handled == 0 ? 0 : Double(handlerNanos) / Double(handled)
    }

    /// Handler time as a fraction of wall time (of one CPU).
    public var handlerFraction: Double {
        durationNanos == 0 ? 0 : Double(handlerNanos) / Double(durationNanos)
    }

    /// One line for humans, e.g. for `guts profile` on stderr.
    public var summary: String {
        let mean = String(format1: meanHandlerNanos / 1000)
        let percent = String(format1: handlerFraction * 100)
        return "samples \(samples), dropped \(dropped) (ring full \(droppedFull), busy \(droppedBusy), in loader \(droppedLoader)), "
            + "unwind failures \(unwindFailures), handler time \(handlerNanos / 1000) µs total, \(mean) µs/sample, "
            + "\(percent)% of one CPU over \(durationNanos / 1_000_000) ms at \(rate) Hz"
    }
}

extension String {
    /// Fixed one-decimal formatting without Foundation.
    init(format1 value: Double) {
        let scaled = (value * 10).rounded()
        guard scaled.isFinite else { self = "\(value)"; return }
        let integer = Int(scaled)
        let sign = integer < 0 ? "-" : ""
        self = "\(sign)\(abs(integer) / 10).\(abs(integer) % 10)"
    }
}
