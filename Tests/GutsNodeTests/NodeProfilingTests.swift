import Foundation
import GutsTestSupport
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// `guts profile --node` against a real `guts serve` under load, the admin checks of
/// `/admin/profile`, and `--profile-continuous` with `--since`.
@Suite(.serialized) struct NodeProfilingTests {
    /// Loads `/api/repos` from a background bash loop (curl keeps one connection per
    /// batch of 50 URLs, with a short pause between batches so that tests running in
    /// parallel, such as the bench shape tests, still get CPU) until stopped, or for
    /// 60 s at most. Stopped with SIGKILL: a
    /// child spawned by `Process` inherits the test thread's blocked SIGTERM.
    final class Load {
        let process = Process()

        init(baseURL: String) throws {
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            let urls = String(repeating: "\(baseURL)/api/repos ", count: 50)
            process.arguments = ["-c", "end=$((SECONDS + 60)); while [ $SECONDS -lt $end ]; do curl -s -o /dev/null -o /dev/null \(urls) >/dev/null 2>&1 || true; sleep 0.02; done"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
        }

        func stop() {
            guard process.isRunning else { return }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        deinit { stop() }
    }

    func guts(_ arguments: String, in directory: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Shell.Output {
        let output = try Shell.run("exec '\(NodeProcess.executable)' \(arguments)", in: directory)
        #expect(output.status == 0, "guts \(arguments): \(output.stderr)", sourceLocation: sourceLocation)
        return output
    }

    /// Parses folded stacks (`a;b;c 12` lines) into (frames, count).
    func parseFolded(_ text: String) -> [(frames: [Substring], count: Int)]? {
        var stacks: [(frames: [Substring], count: Int)] = []
        for line in text.split(separator: "\n") {
            guard let space = line.lastIndex(of: " "), let count = Int(line[line.index(after: space)...]), count > 0 else { return nil }
            stacks.append((line[..<space].split(separator: ";"), count))
        }
        return stacks
    }

    func isNodeFrame(_ frame: Substring) -> Bool {
        frame.contains("GutsNode") || frame.contains("Hummingbird") || frame.contains("NIO")
    }

    @Test func profilesARunningNodeUnderLoad() throws {
        let node = try NodeProcess()
        let load = try Load(baseURL: node.baseURL)
        defer { load.stop() }
        let work = try Shell.temporaryDirectory("profile-node")
        defer { try? FileManager.default.removeItem(atPath: work) }

        let output = try guts("profile --node \(node.baseURL) --token \(NodeProcess.adminToken) --duration 3s --rate 199 "
                              + "--folded cpu.folded --svg cpu.svg --speedscope cpu.json --memory-csv memory.csv "
                              + "--alloc-folded alloc.folded --alloc-svg alloc.svg", in: work)
        #expect(output.stderr.contains("profile: samples "))
        let folded = String(decoding: FileManager.default.contents(atPath: work + "/cpu.folded") ?? Data(), as: UTF8.self)
        let stacks = try #require(parseFolded(folded), "folded output does not parse:\n\(folded.prefix(500))")
        #expect(stacks.reduce(0) { $0 + $1.count } >= 10)
        #expect(stacks.contains { $0.frames.contains(where: isNodeFrame) }, "no GutsNode/Hummingbird/NIO frame in\n\(folded.prefix(2000))")

        let svg = FileManager.default.contents(atPath: work + "/cpu.svg") ?? Data()
        #expect(XMLParser(data: svg).parse())
        let speedscope = FileManager.default.contents(atPath: work + "/cpu.json") ?? Data()
        #expect((try? JSONSerialization.jsonObject(with: speedscope)) != nil)
        let memory = String(decoding: FileManager.default.contents(atPath: work + "/memory.csv") ?? Data(), as: UTF8.self)
        #expect(memory.hasPrefix("seconds,arena,in_use,free,mmapped,releasable,rss,rocksdb_block_cache,rocksdb_memtables,rocksdb_table_readers\n"))
        #expect(memory.split(separator: "\n").count > 10)

        // Allocation stacks sampled in the node, beside the CPU window.
        let allocated = String(decoding: FileManager.default.contents(atPath: work + "/alloc.folded") ?? Data(), as: UTF8.self)
        let allocationStacks = try #require(parseFolded(allocated), "allocation folded output does not parse:\n\(allocated.prefix(500))")
        #expect(allocationStacks.reduce(0) { $0 + $1.count } >= 512 * 1024)
        #expect(allocationStacks.contains { $0.frames.contains(where: isNodeFrame) }, "no node frame in\n\(allocated.prefix(2000))")
        #expect(XMLParser(data: FileManager.default.contents(atPath: work + "/alloc.svg") ?? Data()).parse())
    }

    /// The `guts` executable's malloc is the sampler's: a known allocation site carries
    /// the allocated bytes, and memory freed before the stop is absent from in-use.
    @Test func allocationSelfTestPassesInTheGutsExecutable() throws {
        let work = try Shell.temporaryDirectory("profile-alloc-selftest")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let output = try guts("profile selftest --alloc", in: work)
        #expect(output.stdout.contains("selftest passed"), "\(output.stdout)")
    }

    @Test func profileEndpointsRequireTheAdminToken() async throws {
        let node = try NodeProcess()
        let client = HTTPClient(baseURL: node.baseURL)
        let anonymous = try await client.send("GET", "/admin/profile/cpu?seconds=1")
        #expect(anonymous.status == 401)
        #expect(anonymous.header("WWW-Authenticate")?.hasPrefix("Bearer") == true, "\(anonymous.headers)")
        #expect(try await client.send("GET", "/admin/profile/cpu?seconds=1", token: NodeProcess.writeToken).status == 403)
        #expect(try await client.send("GET", "/admin/profile/memory?seconds=1").status == 401)
        #expect(try await client.send("GET", "/admin/profile/allocations?seconds=1").status == 401)
        #expect(try await client.send("POST", "/admin/compact", token: NodeProcess.writeToken).status == 403)
        #expect(try await client.send("GET", "/admin/cache-stats", token: "not-a-token").status == 401)
        let badKind = try await client.send("GET", "/admin/profile/allocations?seconds=1&kind=peak", token: NodeProcess.adminToken)
        #expect(badKind.status == 400)
        let inUse = try await client.send("GET", "/admin/profile/allocations?seconds=1&kind=inuse&interval=4096", token: NodeProcess.adminToken)
        #expect(inUse.status == 200)
        #expect(inUse.header("x-allocation-statistics")?.contains("\"samples\"") == true)
        let badFormat = try await client.send("GET", "/admin/profile/cpu?seconds=1&format=png", token: NodeProcess.adminToken)
        #expect(badFormat.status == 400)
        let tooLong = try await client.send("GET", "/admin/profile/cpu?seconds=3600", token: NodeProcess.adminToken)
        #expect(tooLong.status == 400)
        let noRing = try await client.send("GET", "/admin/profile/cpu?since=10m", token: NodeProcess.adminToken)
        #expect(noRing.status == 409)
        #expect((noRing.object["error"] as? String)?.contains("--profile-continuous") == true)

        let work = try Shell.temporaryDirectory("profile-refused")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let refused = try Shell.run("exec '\(NodeProcess.executable)' profile --node \(node.baseURL) --token wrong --duration 1s --folded x", in: work)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("admin token required"))
    }

    /// An idle node under `--mode wall`: its NIO event loops show, blocked in `epoll_wait`, under
    /// root frames named after their threads; CPU mode would see almost nothing.
    @Test func wallClockProfileShowsBlockedThreadsByName() async throws {
        let node = try NodeProcess()
        let badMode = try await HTTPClient(baseURL: node.baseURL)
            .send("GET", "/admin/profile/cpu?seconds=1&mode=idle", token: NodeProcess.adminToken)
        #expect(badMode.status == 400)
        let work = try Shell.temporaryDirectory("profile-wall")
        defer { try? FileManager.default.removeItem(atPath: work) }
        _ = try guts("profile --node \(node.baseURL) --token \(NodeProcess.adminToken) --duration 1s --rate 99 --mode wall --folded wall.folded", in: work)
        let folded = String(decoding: FileManager.default.contents(atPath: work + "/wall.folded") ?? Data(), as: UTF8.self)
        let stacks = try #require(parseFolded(folded))
        let roots = Set(stacks.compactMap(\.frames.first))
        // This node samples no allocations: the heap is not there to read.
        let heap = try await HTTPClient(baseURL: node.baseURL).send("GET", "/admin/profile/heap", token: NodeProcess.adminToken)
        #expect(heap.status == 409)
        #expect(roots.contains { $0.hasPrefix("NIO-") }, "\(roots)")
        #expect(stacks.contains { $0.frames.first?.hasPrefix("NIO-") == true && $0.frames.contains("epoll_wait") }, "\(folded.prefix(2000))")
    }

    @Test func continuousProfilingAnswersSince() async throws {
        let node = try NodeProcess(extraArguments: ["--profile-continuous", "--profile-rate", "199"])
        let load = try Load(baseURL: node.baseURL)
        defer { load.stop() }
        let work = try Shell.temporaryDirectory("profile-continuous")
        defer { try? FileManager.default.removeItem(atPath: work) }
        try await Task.sleep(nanoseconds: 2_000_000_000)

        // An on-demand request is served from the ring rather than fighting it.
        let onDemand = try await HTTPClient(baseURL: node.baseURL)
            .send("GET", "/admin/profile/cpu?seconds=1", token: NodeProcess.adminToken)
        #expect(onDemand.status == 200)
        #expect(onDemand.header("x-profile-source") == "continuous")
        // Wall-clock sampling needs the process-wide sampler the ring holds.
        let wall = try await HTTPClient(baseURL: node.baseURL)
            .send("GET", "/admin/profile/cpu?seconds=1&mode=wall", token: NodeProcess.adminToken)
        #expect(wall.status == 409)

        let output = try guts("profile --node \(node.baseURL) --token \(NodeProcess.adminToken) --since 1m --folded since.folded --pprof since.pb.gz --memory-csv since.csv", in: work)
        // The ring has read memory about once a second since the node started.
        let csv = String(decoding: FileManager.default.contents(atPath: work + "/since.csv") ?? Data(), as: UTF8.self)
        let rows = csv.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        let header = try #require(rows.first)
        #expect(header.contains("rss") && header.contains("rocksdb_block_cache"), "\(header)")
        let rss = try #require(header.firstIndex(of: "rss"))
        #expect(rows.count >= 3, "\(csv)")
        #expect(rows.dropFirst().allSatisfy { rss < $0.count && (Int($0[rss]) ?? 0) > 1 << 20 }, "\(csv)")
        #expect(output.stderr.contains("continuous sampling"))
        let folded = String(decoding: FileManager.default.contents(atPath: work + "/since.folded") ?? Data(), as: UTF8.self)
        let stacks = try #require(parseFolded(folded))
        #expect(stacks.reduce(0) { $0 + $1.count } >= 10)
        #expect(stacks.contains { $0.frames.contains(where: isNodeFrame) })
        #expect((FileManager.default.contents(atPath: work + "/since.pb.gz") ?? Data()).starts(with: [0x1f, 0x8b]))
    }

    /// A node started with `--profile-allocations` answers `--heap` in every format; go tool
    /// pprof reads its four heap sample types, `inuse_space` the default.
    @Test func heapOfANodeStartedWithAllocationSampling() async throws {
        let node = try NodeProcess(extraArguments: ["--profile-allocations", "65536"])
        let load = try Load(baseURL: node.baseURL)
        defer { load.stop() }
        let work = try Shell.temporaryDirectory("profile-heap")
        defer { try? FileManager.default.removeItem(atPath: work) }
        try await Task.sleep(nanoseconds: 1_000_000_000)
        let client = HTTPClient(baseURL: node.baseURL)
        #expect(try await client.send("GET", "/admin/profile/heap").status == 401)
        #expect(try await client.send("GET", "/admin/profile/heap?sample=rss", token: NodeProcess.adminToken).status == 400)
        // The always-on session holds the sampler: a windowed allocation profile is refused.
        #expect(try await client.send("GET", "/admin/profile/allocations?seconds=1", token: NodeProcess.adminToken).status == 409)

        let output = try guts("profile --node \(node.baseURL) --token \(NodeProcess.adminToken) --heap --folded heap.folded --svg heap.svg --speedscope heap.json --pprof heap.pb.gz", in: work)
        #expect(output.stderr.contains("KiB in use"), "\(output.stderr)")
        let folded = String(decoding: FileManager.default.contents(atPath: work + "/heap.folded") ?? Data(), as: UTF8.self)
        let stacks = try #require(parseFolded(folded))
        #expect(stacks.contains { $0.frames.contains(where: isNodeFrame) }, "\(folded.prefix(2000))")
        #expect(stacks.allSatisfy { $0.frames.last == "malloc" || $0.frames.last == "calloc" || $0.frames.last?.contains("alloc") == true },
                "\(stacks.compactMap(\.frames.last).prefix(10))")
        let svg = String(decoding: FileManager.default.contents(atPath: work + "/heap.svg") ?? Data(), as: UTF8.self)
        #expect(svg.contains("<svg") && svg.contains("bytes"))
        #expect((try? JSONSerialization.jsonObject(with: FileManager.default.contents(atPath: work + "/heap.json") ?? Data())) != nil)
        let pprof = [UInt8](FileManager.default.contents(atPath: work + "/heap.pb.gz") ?? Data())
        #expect(pprof.starts(with: [0x1f, 0x8b]))
        guard GoPprof.executable != nil else { return }
        let raw = try GoPprof.run(["-raw"], profile: pprof)
        #expect(raw.status == 0 && raw.output.contains("alloc_objects/count alloc_space/bytes inuse_objects/count inuse_space/bytes[dflt]"),
                "\(raw.output.prefix(1000))")
        let inUse = try GoPprof.run(["-sample_index=inuse_space", "-top"], profile: pprof)
        #expect(inUse.status == 0 && inUse.output.contains("Type: inuse_space"), "\(inUse.output)")
        let bad = try Shell.run("exec '\(NodeProcess.executable)' profile --node \(node.baseURL) --token \(NodeProcess.adminToken) --heap --since 1m", in: work)
        #expect(bad.status != 0)
    }
}
