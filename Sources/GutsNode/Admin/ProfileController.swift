import Foundation
import GutsMaintenance
import GutsProfiler
import GutsStorage
import HTTPTypes
import Hummingbird

/// CPU and memory profiles of the running node, under `/admin/profile` (admin token).
///
/// - `GET /admin/profile/cpu?seconds=N&rate=HZ&mode=cpu|wall&format=folded|svg|speedscope|pprof`
///   (`mode=wall` samples every thread, running or blocked, under a root frame named after it)
///   samples the whole node for N seconds (1...300) and answers the rendered profile.
///   The sampler is process-wide: a second on-demand request meanwhile answers 409.
///   With `--profile-continuous` the request is served from the continuous ring instead
///   (at the continuous rate; `rate` is then ignored), so it never competes with it.
/// - `GET /admin/profile/cpu?since=10m&format=…` dumps the continuous ring's buckets
///   covering the last 10 minutes (409 when continuous profiling is off).
/// - `GET /admin/profile/memory?seconds=N&interval=MS&format=csv|json|svg` records the
///   malloc/RSS timeline with RocksDB's memtables, block cache and table readers;
///   `since=10m` instead answers the continuous ring's readings over that window.
/// - `GET /admin/profile/heap?format=…&sample=inuse_space|inuse_objects|alloc_space|alloc_objects`
///   answers the sampled heap of a node started with `--profile-allocations`: bytes and
///   allocations in use now, and allocated since start, by allocating stack (409 when
///   off). pprof carries all four sample types; the other formats show `sample`
///   (default `inuse_space`); `format=profile-json` answers the snapshot whole (every
///   column, addresses, mappings), which `guts profile --heap` renders into each output.
///   Statistics travel in `x-heap-statistics` (JSON).
/// - `GET /admin/profile/allocations?seconds=N&kind=allocated|inuse&interval=BYTES&format=…`
///   samples allocation stacks for N seconds (one sample per `interval` bytes, default
///   512 KiB) and answers the bytes allocated meanwhile, or those still in use at the
///   end, by allocating stack. One allocation session per node: 409 while one runs.
///   Statistics travel in `x-allocation-statistics` (JSON).
///
/// Sampler statistics travel in the `x-profile-statistics` header (JSON), so a caller
/// can report samples taken and dropped whatever the format.
struct ProfileController: Sendable {
    let node: GutsNode

    typealias Contract = NodeProfileRequest

    func register(on router: Router<BasicRequestContext>) {
        let profile = router.group(RouterPath(Contract.routePrefix))
        profile.get(RouterPath(Contract.Route.cpu.rawValue)) { request, _ in try await cpu(request) }
        profile.get(RouterPath(Contract.Route.memory.rawValue)) { request, _ in try await memory(request) }
        profile.get(RouterPath(Contract.Route.allocations.rawValue)) { request, _ in try await allocations(request) }
        profile.get(RouterPath(Contract.Route.heap.rawValue)) { request, _ in try await heap(request) }
    }

    func cpu(_ request: Request) async throws -> Response {
        try requireAdmin(request)
        let query = request.uri.queryParameters
        let format = try Self.format(query.get(Contract.Parameter.format.rawValue))
        guard let mode = CPUProfiler.Mode(rawValue: query.get(Contract.Parameter.mode.rawValue) ?? "cpu") else {
            throw NodeError(.badRequest, "mode must be cpu or wall")
        }
        let options = Symbolizer.Options(threadRootFrames: query.get(Contract.Parameter.threads.rawValue) == "1" || mode == .wall)
        let profile: Profile
        let source: String
        if mode == .wall, node.continuousProfiler?.isRunning == true {
            throw NodeError(.conflict, "continuous CPU profiling holds the sampler; a wall-clock profile needs a node without --profile-continuous")
        }
        if let sinceText = query.get(Contract.Parameter.since.rawValue) {
            guard let continuous = node.continuousProfiler else {
                throw NodeError(.conflict, "continuous profiling is off; start the node with --profile-continuous")
            }
            let since = try Self.seconds(sinceText, name: "since", range: 1...continuous.retentionSeconds)
            profile = try await node.blockingPool.run { continuous.profile(since: since, options: options) }
            source = "continuous"
        } else {
            let seconds = try Self.seconds(query.get(Contract.Parameter.seconds.rawValue) ?? "\(Contract.defaultCPUSeconds)", name: "seconds", range: Contract.secondsRange)
            if let continuous = node.continuousProfiler, continuous.isRunning {
                let start = continuous.beginWindow()
                try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
                profile = try await node.blockingPool.run { continuous.profile(fromWallNanos: start, options: options) }
                source = "continuous"
            } else {
                let rate = try Self.integer(query.get(Contract.Parameter.rate.rawValue), name: "rate", default: CPUProfiler.defaultRate, range: Contract.rateRange)
                do {
                    try CPUProfiler.start(rate: rate, mode: mode)
                } catch .alreadyRunning {
                    throw NodeError(.conflict, "a CPU profile is already being recorded in this node; retry when it ends")
                } catch {
                    throw NodeError(.internalServerError, "cannot start the CPU profiler: \(error)")
                }
                // Stop whatever happens to the request: the sampler is process-wide.
                try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
                profile = try await node.blockingPool.runEvenIfCancelled { try CPUProfiler.stop(options: options) }
                source = "on-demand"
            }
        }
        let title = "guts node CPU (\(source), \(profile.totalCount) samples)"
        let body = try await node.blockingPool.run { try format.render(profile, title: title) }
        var headers: HTTPFields = [.contentType: format.contentType]
        headers[HTTPField.Name("x-profile-source")!] = source  // safe: a constant, valid header name
        if let statistics = profile.statistics, let json = try? JSONEncoder().encode(statistics) {
            headers[HTTPField.Name("x-profile-statistics")!] = String(decoding: json, as: UTF8.self)  // safe: a constant, valid header name
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    func memory(_ request: Request) async throws -> Response {
        try requireAdmin(request)
        let query = request.uri.queryParameters
        let formatText = query.get(Contract.Parameter.format.rawValue) ?? Contract.MemoryFormat.json.rawValue
        guard let format = Contract.MemoryFormat(rawValue: formatText) else {
            throw NodeError(.badRequest, "format must be csv, json or svg")
        }
        let timeline: MemoryTimeline
        if let sinceText = query.get(Contract.Parameter.since.rawValue) {
            guard let continuous = node.continuousProfiler else {
                throw NodeError(.conflict, "continuous profiling is off; start the node with --profile-continuous")
            }
            timeline = continuous.memoryTimeline(since: try Self.seconds(sinceText, name: "since", range: 1...continuous.retentionSeconds))
        } else {
            let seconds = try Self.seconds(query.get(Contract.Parameter.seconds.rawValue) ?? "\(Contract.defaultMemorySeconds)", name: "seconds", range: Contract.secondsRange)
            let intervalText = query.get(Contract.Parameter.interval.rawValue) ?? Contract.milliseconds(Contract.defaultMemoryInterval)
            let interval = try Self.seconds(Int(intervalText) != nil ? intervalText + "ms" : intervalText,
                                            name: "interval", range: Contract.memoryIntervalRange)
            let sampler = MemorySampler(interval: interval, gauges: Self.storageGauges(node.storage))
            sampler.start()
            // Stop whatever happens to the request: the sampler has a thread of its own.
            try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            timeline = try await node.blockingPool.runEvenIfCancelled { sampler.stop() }
        }
        let body: [UInt8]
        let contentType: String
        switch format {
        case .csv: (body, contentType) = (Array(timeline.csv().utf8), "text/csv; charset=utf-8")
        case .svg: (body, contentType) = (Array(timeline.svg(title: "guts node memory").utf8), "image/svg+xml")
        case .json: (body, contentType) = (try timeline.json(), "application/json")
        }
        return Response(status: .ok, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    func allocations(_ request: Request) async throws -> Response {
        try requireAdmin(request)
        let query = request.uri.queryParameters
        let format = try Self.format(query.get(Contract.Parameter.format.rawValue))
        let seconds = try Self.seconds(query.get(Contract.Parameter.seconds.rawValue) ?? "\(Contract.defaultCPUSeconds)", name: "seconds", range: Contract.secondsRange)
        guard let kind = Contract.AllocationKind(rawValue: query.get(Contract.Parameter.kind.rawValue) ?? Contract.AllocationKind.allocated.rawValue) else {
            throw NodeError(.badRequest, "kind must be allocated or inuse")
        }
        let interval = try Self.integer(query.get(Contract.Parameter.interval.rawValue), name: "interval",
                                        default: AllocationProfiler.defaultSampleInterval, range: Contract.allocationIntervalRange)
        let options = Symbolizer.Options(threadRootFrames: query.get(Contract.Parameter.threads.rawValue) == "1")
        if node.heapProfiler != nil {
            throw NodeError(.conflict, "allocation sampling is always on in this node (--profile-allocations): read /admin/profile/heap")
        }
        do {
            try AllocationProfiler.start(sampleInterval: interval)
        } catch .allocationProfileRunning {
            throw NodeError(.conflict, "an allocation profile is already being recorded in this node; retry when it ends")
        } catch {
            throw NodeError(.internalServerError, "cannot start the allocation profiler: \(error)")
        }
        // Stop whatever happens to the request: the sampler is process-wide.
        try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
        let result = try await node.blockingPool.runEvenIfCancelled { try AllocationProfiler.stopWithStatistics(options: options) }
        let profile = kind == .inuse ? result.inUse : result.allocated
        let title = "guts node \(kind == .inuse ? "bytes in use" : "allocated bytes") (\(result.statistics.samples) samples)"
        let body = try await node.blockingPool.run { try format.render(profile, title: title) }
        var headers: HTTPFields = [.contentType: format.contentType]
        if let json = try? JSONEncoder().encode(result.statistics) {
            headers[HTTPField.Name("x-allocation-statistics")!] = String(decoding: json, as: UTF8.self)  // safe: a constant, valid header name
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    func heap(_ request: Request) async throws -> Response {
        try requireAdmin(request)
        let query = request.uri.queryParameters
        let formatText = query.get(Contract.Parameter.format.rawValue)
        let format = formatText == Contract.snapshotFormat ? nil : try Self.format(formatText)
        let sampleType = query.get(Contract.Parameter.sample.rawValue) ?? Contract.defaultSample
        guard HeapProfiler.sampleTypes.contains(where: { $0.type == sampleType }) else {
            throw NodeError(.badRequest, "sample must be one of \(HeapProfiler.sampleTypes.map(\.type).joined(separator: ", "))")
        }
        guard let heapProfiler = node.heapProfiler, heapProfiler.isRunning else {
            throw NodeError(.conflict, "allocation sampling is off; start the node with --profile-allocations BYTES (e.g. 524288)")
        }
        let (snapshot, statistics) = try await node.blockingPool.run { try heapProfiler.snapshot() }
        let body: [UInt8]
        var headers: HTTPFields
        if let format {
            // pprof keeps all four columns (`-sample_index` picks one); the others show one.
            let profile = format == .pprof ? snapshot : (snapshot.selecting(sampleType) ?? snapshot)
            let title = "guts node heap, \(sampleType) (\(statistics.stacks) stacks)"
            body = try await node.blockingPool.run { try format.render(profile, title: title) }
            headers = [.contentType: format.contentType]
        } else {
            body = Array(try JSONEncoder().encode(snapshot))
            headers = [.contentType: "application/json"]
        }
        if let json = try? JSONEncoder().encode(statistics) {
            headers[HTTPField.Name("x-heap-statistics")!] = String(decoding: json, as: UTF8.self)  // safe: a constant, valid header name
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// RocksDB's memory beside malloc's: memtables, block cache, table readers (index and
    /// filter blocks outside the cache). Properties the backend lacks are left out.
    static func storageGauges(_ storage: Storage) -> @Sendable () -> [String: Int] {
        let properties = [
            ("rocksdb_memtables", "rocksdb.cur-size-all-mem-tables"),
            ("rocksdb_block_cache", "rocksdb.block-cache-usage"),
            ("rocksdb_table_readers", "rocksdb.estimate-table-readers-mem"),
        ]
        return {
            var gauges: [String: Int] = [:]
            for (name, property) in properties {
                if let value = storage.property(property).flatMap({ Int($0) }) { gauges[name] = value }
            }
            return gauges
        }
    }

    private func requireAdmin(_ request: Request) throws {
        try node.access.requireAdmin(request.headers)
    }

    static func format(_ text: String?) throws -> ProfileFormat {
        guard let text else { return .folded }
        guard let format = ProfileFormat(rawValue: text) else {
            throw NodeError(.badRequest, "format must be one of \(ProfileFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return format
    }

    static func seconds(_ text: String, name: String, range: ClosedRange<Double>) throws -> Double {
        guard let value = try? AdminValueParser.seconds(text), range.contains(value) else {
            throw NodeError(.badRequest, "\(name) must be a duration within \(Int(range.lowerBound))s...\(Int(range.upperBound))s")
        }
        return value
    }

    static func integer(_ text: String?, name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text else { return value }
        guard let parsed = Int(text), range.contains(parsed) else {
            throw NodeError(.badRequest, "\(name) must be an integer within \(range.lowerBound)...\(range.upperBound)")
        }
        return parsed
    }
}

