/// The `/admin/profile` contract between a node and `guts profile --node`, defined once:
/// each request's route and query parameters, with their defaults and ranges. The client
/// encodes a request with `path` and `query`; the node reads the same names and checks the
/// same ranges. Durations travel as whole milliseconds (`1500ms`); the node also reads any
/// duration a person types (`30s`, `10m`), so curl users need no arithmetic.
public enum NodeProfileRequest: Sendable, Equatable {
    /// CPU samples over a window: `seconds` of sampling from now, or the continuous ring's last `since`.
    case cpu(window: Window, rate: Int, mode: CPUProfiler.Mode, threads: Bool, format: ProfileFormat)
    /// The memory timeline over a window, read every `intervalSeconds` (ignored for `since`).
    case memory(window: Window, intervalSeconds: Double, format: MemoryFormat)
    /// Allocation stacks sampled for `seconds`, allocated meanwhile or still in use at the end.
    case allocations(seconds: Double, kind: AllocationKind, interval: Int, threads: Bool, format: ProfileFormat)
    /// The heap of a node started with `--profile-allocations`, `sample` one of `HeapProfiler.sampleTypes`.
    case heap(sample: String, format: ProfileFormat)
    /// The same snapshot whole, all four sample types, as `Profile` JSON (`snapshotFormat`):
    /// `guts profile --heap` renders every output from this one answer.
    case heapSnapshot

    public enum Window: Sendable, Equatable {
        case seconds(Double)
        case since(Double)
    }

    public enum MemoryFormat: String, Sendable, CaseIterable { case csv, json, svg }

    public enum AllocationKind: String, Sendable, CaseIterable {
        case allocated
        case inuse
    }

    /// The query parameter names.
    public enum Parameter: String, Sendable {
        case seconds, since, rate, mode, threads, format, interval, kind, sample
    }

    public static let routePrefix = "/admin/profile"
    /// Limits a node holds requests to.
    public static let secondsRange = 1.0...300.0
    public static let rateRange = 1...1000
    public static let memoryIntervalRange = 0.01...60.0
    public static let allocationIntervalRange = 1...(1 << 30)
    /// Defaults for parameters a request leaves out.
    public static let defaultCPUSeconds = 30.0
    public static let defaultMemorySeconds = 10.0
    public static let defaultMemoryInterval = 0.1
    public static let defaultSample = "inuse_space"
    /// The `format` of `heapSnapshot`.
    public static let snapshotFormat = "profile-json"

    /// The routes under `routePrefix`.
    public enum Route: String, Sendable, CaseIterable {
        case cpu, memory, allocations, heap

        public var path: String { NodeProfileRequest.routePrefix + "/" + rawValue }
    }

    public var route: Route {
        switch self {
        case .cpu: return .cpu
        case .memory: return .memory
        case .allocations: return .allocations
        case .heap, .heapSnapshot: return .heap
        }
    }

    public var path: String { route.path }

    public var query: [String: String] {
        var query: [Parameter: String] = [:]
        func add(_ window: Window) {
            switch window {
            case .seconds(let seconds): query[.seconds] = Self.milliseconds(seconds)
            case .since(let seconds): query[.since] = Self.milliseconds(seconds)
            }
        }
        switch self {
        case .cpu(let window, let rate, let mode, let threads, let format):
            add(window)
            query[.rate] = String(rate)
            query[.mode] = mode.rawValue
            query[.format] = format.rawValue
            if threads { query[.threads] = "1" }
        case .memory(let window, let interval, let format):
            add(window)
            query[.interval] = Self.milliseconds(interval)
            query[.format] = format.rawValue
        case .allocations(let seconds, let kind, let interval, let threads, let format):
            query[.seconds] = Self.milliseconds(seconds)
            query[.kind] = kind.rawValue
            query[.interval] = String(interval)
            query[.format] = format.rawValue
            if threads { query[.threads] = "1" }
        case .heap(let sample, let format):
            query[.sample] = sample
            query[.format] = format.rawValue
        case .heapSnapshot:
            query[.format] = Self.snapshotFormat
        }
        return Dictionary(uniqueKeysWithValues: query.map { ($0.key.rawValue, $0.value) })
    }

    /// `1500ms` for 1.5 s.
    public static func milliseconds(_ seconds: Double) -> String {
        "\(Int((seconds * 1000).rounded()))ms"
    }
}
