import Foundation
import GutsMaintenance
import GutsProfiler

/// `guts profile --node`: asks a running node to sample itself (or to dump its continuous
/// ring, or its heap) over the `/admin/profile` routes, and parses what it answers into
/// profiles, so the CLI renders one sampling period into every format it was asked for.
public struct NodeProfileClient: Sendable {
    public let client: NodeClient

    public init(client: NodeClient) {
        self.client = client
    }

    /// What a node recorded over one window.
    public struct Recording: Sendable {
        public var cpu: Profile
        public var memory: MemoryTimeline?
        public var allocated: Profile?
        public var inUse: Profile?
        /// `on-demand` or `continuous`, as the node says.
        public var source: String
    }

    /// CPU over `window`, beside it the memory timeline when `memoryInterval` is given and
    /// the allocation kinds asked for, one after the other (the node has one allocation
    /// sampler), each over `seconds`.
    public func record(
        window: NodeProfileRequest.Window, rate: Int, mode: CPUProfiler.Mode, threads: Bool, memoryInterval: Double?,
        allocations kinds: [NodeProfileRequest.AllocationKind], allocationInterval: Int, seconds: Double
    ) async throws -> Recording {
        let cpuRequest = NodeProfileRequest.cpu(window: window, rate: rate, mode: mode, threads: threads, format: .folded)
        async let cpu = client.exchange("GET", cpuRequest.path, query: cpuRequest.query)
        let memoryRequest = memoryInterval.map { NodeProfileRequest.memory(window: window, intervalSeconds: $0, format: .json) }
        async let memory: Data? = memoryRequest == nil ? nil : client.send("GET", memoryRequest?.path ?? "", query: memoryRequest?.query ?? [:])
        async let allocations = allocationProfiles(kinds, interval: allocationInterval, seconds: seconds)
        let (answer, memoryData, allocationProfiles) = try await (cpu, memory, allocations)
        var profile = try FoldedStacks.parse(String(decoding: answer.body, as: UTF8.self))
        if let header = answer.headers["x-profile-statistics"],
           let statistics = try? JSONDecoder().decode(SamplerStatistics.self, from: Data(header.utf8)) {
            profile.statistics = statistics
            profile.periodNanos = Int64(1_000_000_000 / max(statistics.rate, 1))
            profile.durationNanos = Int64(statistics.durationNanos)
        }
        return Recording(
            cpu: profile, memory: try memoryData.map { try JSONDecoder().decode(MemoryTimeline.self, from: $0) },
            allocated: allocationProfiles[.allocated], inUse: allocationProfiles[.inuse],
            source: answer.headers["x-profile-source"] ?? "on-demand")
    }

    /// The node's sampled heap now, all four sample types, and its sampler's statistics.
    public func heap() async throws -> (snapshot: Profile, statistics: HeapProfiler.Statistics?) {
        let request = NodeProfileRequest.heapSnapshot
        let answer = try await client.exchange("GET", request.path, query: request.query)
        let snapshot: Profile
        do {
            snapshot = try JSONDecoder().decode(Profile.self, from: answer.body)
        } catch {
            throw ProfilerError.malformedInput("the node's heap snapshot: \(error)")
        }
        let statistics = answer.headers["x-heap-statistics"].flatMap { try? JSONDecoder().decode(HeapProfiler.Statistics.self, from: Data($0.utf8)) }
        return (snapshot, statistics)
    }

    private func allocationProfiles(
        _ kinds: [NodeProfileRequest.AllocationKind], interval: Int, seconds: Double
    ) async throws -> [NodeProfileRequest.AllocationKind: Profile] {
        var profiles: [NodeProfileRequest.AllocationKind: Profile] = [:]
        for kind in kinds {
            let request = NodeProfileRequest.allocations(seconds: seconds, kind: kind, interval: interval, threads: false, format: .folded)
            var profile = try FoldedStacks.parse(String(decoding: try await client.send("GET", request.path, query: request.query), as: UTF8.self))
            profile.valueUnit = .bytes
            profiles[kind] = profile
        }
        return profiles
    }
}
