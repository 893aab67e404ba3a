import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import GutsCompression
import GutsGit
import Testing
@testable import GutsProfiler

func sampleProfile() -> Profile {
    Profile(samples: [
        .init(frames: [.init(name: "main", module: "guts", address: 0x1000), .init(name: "run", module: "guts", address: 0x1100),
                       .init(name: "hot<T>(x: Int) -> Int", module: "guts", address: 0x1200)], count: 7),
        .init(frames: [.init(name: "main", module: "guts", address: 0x1000), .init(name: "run", module: "guts", address: 0x1100),
                       .init(name: "memcpy & \"copy\" ; 'x'", module: "libc.so.6", address: 0x7000)], count: 2),
        .init(frames: [.init(name: "main", module: "guts", address: 0x1000)], count: 1),
    ], periodNanos: 10_000_000, durationNanos: 100_000_000, startNanos: 1_700_000_000_000_000_000,
       mappings: [.init(start: 0x1000, limit: 0x2000, fileOffset: 0, path: "/usr/bin/guts")],
       statistics: SamplerStatistics(rate: 99, samples: 10))
}

/// Whether `text` parses as XML.
func isWellFormedXML(_ text: String) -> Bool {
    let parser = XMLParser(data: Data(text.utf8))
    return parser.parse()
}

struct EncoderTests {
    @Test func foldedRoundTrip() throws {
        let text = FoldedStacks.encode(sampleProfile())
        #expect(text == """
        main 1
        main;run;hot<T>(x: Int) -> Int 7
        main;run;memcpy & "copy" : 'x' 2

        """)
        let parsed = try FoldedStacks.parse(text)
        #expect(parsed.totalCount == 10)
        #expect(parsed.samples.map(\.frames.count).sorted() == [1, 3, 3])
        #expect(FoldedStacks.encode(parsed) == text)
        #expect(throws: ProfilerError.self) { try FoldedStacks.parse("a;b notanumber\n") }
    }

    @Test func speedscopeJSONParses() throws {
        let bytes = try SpeedscopeEncoder.encode(sampleProfile(), name: "test")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(object["$schema"] as? String == "https://www.speedscope.app/file-format-schema.json")
        let frames = try #require((object["shared"] as? [String: Any])?["frames"] as? [[String: Any]])
        #expect(frames.count == 4)
        let profiles = try #require(object["profiles"] as? [[String: Any]])
        let first = try #require(profiles.first)
        #expect(first["type"] as? String == "sampled")
        #expect(first["unit"] as? String == "nanoseconds")
        #expect((first["samples"] as? [[Int]])?.first == [0, 1, 2])
        #expect((first["weights"] as? [Int])?.reduce(0, +) == 100_000_000)
        #expect(first["endValue"] as? Int == 100_000_000)
    }

    @Test func flamegraphSVGIsWellFormed() {
        let svg = FlameGraphSVG.render(sampleProfile(), options: .init(title: "Test <&> \"graph\""))
        #expect(isWellFormedXML(svg))
        #expect(svg.contains("<script"))
        #expect(!svg.contains("http://") || !svg.contains("src="))
        #expect(svg.contains("memcpy &amp; &quot;copy&quot;"))
        #expect(svg.contains("function zoom("))
        #expect(svg.contains("function search("))
    }

    @Test func differentialFlamegraphIsWellFormedAndColoured() throws {
        let before = try FoldedStacks.parse("main;a 50\nmain;b 50\n")
        let after = try FoldedStacks.parse("main;a 180\nmain;b 20\n")
        let svg = FlameGraphSVG.renderDifferential(before: before, after: after)
        #expect(isWellFormedXML(svg))
        // a grew from 50% to 90% (red), b shrank (blue).
        #expect(svg.contains("<title>a (after 180, before 100.0 normalised, +44.4%)</title>"))
        #expect(svg.contains("<title>b (after 20, before 100.0 normalised, -80.0%)</title>"))
        #expect(FlameGraphSVG.diffColor(change: 1) == "rgb(255,55,55)")
        #expect(FlameGraphSVG.diffColor(change: -1) == "rgb(55,55,255)")
    }

    @Test func xmlEscaping() {
        #expect(FlameGraphSVG.escape("a<b>&\"'\u{1}c") == "a&lt;b&gt;&amp;&quot;&apos;c")
    }

    @Test func protobufVarints() {
        var writer = ProtobufWriter()
        writer.varint(1)
        writer.varint(300)
        writer.varint(UInt64.max)
        #expect(writer.bytes == [0x01, 0xAC, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        var fields = ProtobufWriter()
        fields.int64(1, 150)
        fields.string(2, "hi")
        fields.packedUInt64(3, [1, 2])
        #expect(fields.bytes == [0x08, 0x96, 0x01, 0x12, 0x02, 0x68, 0x69, 0x1A, 0x02, 0x01, 0x02])
    }

    @Test func pprofIsGzipWithStringTable() throws {
        let compressed = try PprofEncoder.encode(sampleProfile())
        #expect(compressed.prefix(2) == [0x1F, 0x8B])
        let proto = try Zlib.decompress(compressed, format: .gzip, limit: 1 << 30)
        #expect(proto == PprofEncoder.encodeProto(sampleProfile()))
        // The string table holds the function names.
        #expect(String(decoding: proto, as: UTF8.self).contains("hot<T>(x: Int) -> Int"))
    }

    @Test func memoryTimelineOutputs() throws {
        let timeline = MemoryTimeline(intervalSeconds: 0.1, points: [
            .init(seconds: 0, arena: 100, inUse: 60, free: 40, mmapped: 0, releasable: 10, rss: 1 << 20),
            .init(seconds: 0.1, arena: 200, inUse: 150, free: 50, mmapped: 4096, releasable: 20, rss: 2 << 20),
        ])
        let csv = timeline.csv().split(separator: "\n")
        #expect(csv.first == "seconds,arena,in_use,free,mmapped,releasable,rss")
        #expect(csv.count == 3)
        #expect(csv[2] == "0.100,200,150,50,4096,20,2097152")
        let json = try timeline.json()
        let decoded = try JSONDecoder().decode(MemoryTimeline.self, from: Data(json))
        #expect(decoded.points == timeline.points)
        #expect(isWellFormedXML(timeline.svg(title: "mem & <test>")))
    }

    @Test func memorySamplerRecordsATimeline() {
        let sampler = MemorySampler(interval: 0.01)
        sampler.start()
        var keep: [[UInt8]] = []
        for index in 0..<20 {
            keep.append([UInt8](repeating: UInt8(index), count: 1 << 18))
            usleep(2_000)
        }
        let timeline = sampler.stop()
        #expect(timeline.points.count >= 2)
        #expect(timeline.points.allSatisfy { $0.rss > 0 && $0.arena > 0 })
        #expect(keep.count == 20)
    }
}

struct SymbolTests {
    @Test func demanglesSwiftAndCxx() {
        #expect(Demangler.demangle("$sSi1poiyS2i_SitFZ") == "Int.+ infix(_:_:)")
        #expect(Demangler.demangle("$sSi1poiyS2i_SitFZ", simplified: false) == "static Swift.Int.+ infix(Swift.Int, Swift.Int) -> Swift.Int")
        #expect(Demangler.demangle("_ZN5swift34runJobInEstablishedExecutorContextEPNS_3JobE") == "swift::runJobInEstablishedExecutorContext(swift::Job*)")
        #expect(Demangler.demangle("memcpy") == "memcpy")
        #expect(Demangler.simplify("Swift.Array<Swift.Int> MySwift.X") == "Array<Int> MySwift.X")
    }

    @Test func elfSymbolTableHasInternalFunctions() throws {
        let path = try #require(ModuleMap.executablePath())
        let table = try #require(ELFSymbolTable.load(path: path))
        let names = table.symbols.map { Demangler.demangle($0.name, simplified: false) }
        #expect(names.contains { $0.contains("hotLoopForProfilerTest(iterations:") })
        // `Demangler.simplify` is internal: only .symtab has it.
        #expect(names.contains { $0.contains("Demangler.simplify") })
        // Swift mangling may abbreviate words of the name, so match the demangled form.
        let symbol = try #require(table.symbols.first { Demangler.demangle($0.name).contains("hotLoopForProfilerTest") })
        #expect(table.lookup(symbol.address + 1)?.name == symbol.name)
    }

    /// Debian's libc exports no name for its internal functions (`__memmove_avx_unaligned_erms`,
    /// what a memcpy runs); its debug file from libc6-dbg, found by build id, has them.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/lib/debug/.build-id"), "libc6-dbg is not installed (GUTS_SETUP_EXTRAS=1 scripts/setup.sh installs it)"))
    func strippedLibcGetsNamesFromItsDebugFile() throws {
        let libc = try #require(ModuleMap.current().modules.first { $0.shortName.hasPrefix("libc.so") && !$0.path.isEmpty })
        let data = try Data(contentsOf: URL(fileURLWithPath: libc.path))
        let buildID = try #require(ELFSymbolTable.buildID(data))
        #expect(buildID.count == 40 && buildID.allSatisfy(\.isHexDigit))
        let exported = try #require(ELFSymbolTable.parse(data))
        let named = try #require(ELFSymbolTable.load(path: libc.path))
        // One address, several aliases: the table keeps one of them.
        let aliases: Set = ["__memmove_avx_unaligned_erms", "__memcpy_avx_unaligned_erms", "__mempcpy_avx_unaligned_erms"]
        let hidden = try #require(named.symbols.first { aliases.contains($0.name) }, "debug file not found for build id \(buildID)")
        #expect(exported.lookup(hidden.address + 1)?.name != hidden.name)
        #expect(named.lookup(hidden.address + 1)?.name == hidden.name)
        #expect(named.symbols.count > exported.symbols.count)
        // Without the debug directory, only what the library exports.
        #expect(ELFSymbolTable.load(path: libc.path, debugDirectory: "/nonexistent")?.symbols.count == exported.symbols.count)
    }

    @Test func moduleMapFindsMainExecutableAndLibc() throws {
        let map = ModuleMap.current()
        #expect(map.modules.contains { $0.isMainExecutable && !$0.path.isEmpty })
        #expect(map.modules.contains { $0.shortName.hasPrefix("libc.so") })
        #expect(!map.loaderAndUnwinderTextRanges().isEmpty)
    }
}

struct ProfileFormatTests {
    @Test func everyFormatRenders() throws {
        for format in ProfileFormat.allCases {
            let bytes = try format.render(sampleProfile(), title: "t")
            #expect(!bytes.isEmpty, "\(format) rendered nothing")
            switch format {
            case .folded: #expect(try FoldedStacks.parse(String(decoding: bytes, as: UTF8.self)).totalCount == 10)
            case .svg: #expect(isWellFormedXML(String(decoding: bytes, as: UTF8.self)))
            case .speedscope: #expect(try JSONSerialization.jsonObject(with: Data(bytes)) is [String: Any])
            case .pprof: #expect(bytes.prefix(2) == [0x1F, 0x8B])
            }
        }
    }
}
