import Foundation

/// A timeline of process memory: glibc `mallinfo2()`, resident set size, and any extra
/// gauges the embedder supplies (a node adds RocksDB's memtables, block cache and table
/// readers).
public struct MemoryTimeline: Sendable, Codable {
    /// One reading. Byte counts.
    public struct Point: Sendable, Codable, Equatable {
        /// Seconds since the sampler started.
        public var seconds: Double
        /// `arena`: bytes obtained from the system with sbrk (main arena) and mmap'd arenas.
        public var arena: Int
        /// `uordblks`: bytes in use by allocations.
        public var inUse: Int
        /// `fordblks`: free bytes held by malloc.
        public var free: Int
        /// `hblkhd`: bytes in large allocations served by mmap.
        public var mmapped: Int
        /// `keepcost`: bytes releasable from the top of the heap.
        public var releasable: Int
        /// Resident set size from `/proc/self/statm`.
        public var rss: Int
        /// Extra byte gauges by name (e.g. `rocksdb_block_cache`), empty when none.
        public var gauges: [String: Int]

        public init(seconds: Double, arena: Int, inUse: Int, free: Int, mmapped: Int, releasable: Int, rss: Int,
                    gauges: [String: Int] = [:]) {
            self.seconds = seconds
            self.arena = arena
            self.inUse = inUse
            self.free = free
            self.mmapped = mmapped
            self.releasable = releasable
            self.rss = rss
            self.gauges = gauges
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            seconds = try container.decode(Double.self, forKey: .seconds)
            arena = try container.decode(Int.self, forKey: .arena)
            inUse = try container.decode(Int.self, forKey: .inUse)
            free = try container.decode(Int.self, forKey: .free)
            mmapped = try container.decode(Int.self, forKey: .mmapped)
            releasable = try container.decode(Int.self, forKey: .releasable)
            rss = try container.decode(Int.self, forKey: .rss)
            gauges = try container.decodeIfPresent([String: Int].self, forKey: .gauges) ?? [:]
        }
    }

    /// Names of the extra gauges present in any point, sorted.
    public var gaugeNames: [String] {
        Set(points.flatMap { $0.gauges.keys }).sorted()
    }

    public var intervalSeconds: Double
    public var points: [Point]
    /// Wall-clock time of the first point, nanoseconds since the Unix epoch, when known
    /// (a window of the continuous ring).
    public var startNanos: Int64?

    public init(intervalSeconds: Double, points: [Point]) {
        self.intervalSeconds = intervalSeconds
        self.points = points
    }

    static let columns = ["seconds", "arena", "in_use", "free", "mmapped", "releasable", "rss"]

    /// CSV with a header line: `seconds,arena,in_use,free,mmapped,releasable,rss`, then
    /// one column per extra gauge.
    public func csv() -> String {
        let extra = gaugeNames
        var output = (Self.columns + extra).joined(separator: ",") + "\n"
        for point in points {
            let seconds = String(format: "%.3f", point.seconds)
            output += "\(seconds),\(point.arena),\(point.inUse),\(point.free),\(point.mmapped),\(point.releasable),\(point.rss)"
            for name in extra { output += ",\(point.gauges[name] ?? 0)" }
            output += "\n"
        }
        return output
    }

    /// JSON: `{"intervalSeconds": …, "points": [{…}, …]}`.
    public func json() throws(ProfilerError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        do {
            return Array(try encoder.encode(self))
        } catch {
            throw .malformedInput("memory timeline encoding failed: \(error)")
        }
    }

    /// A line plot of every series against time, in MiB.
    public func svg(title: String = "Memory") -> String {
        let width = 1000.0, height = 500.0
        let left = 70.0, right = 170.0, top = 40.0, bottom = 50.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        var series: [(name: String, color: String, value: (Point) -> Int)] = [
            ("rss", "rgb(200,30,30)", \.rss),
            ("arena", "rgb(30,90,200)", \.arena),
            ("in use", "rgb(20,150,60)", \.inUse),
            ("free", "rgb(230,150,0)", \.free),
            ("mmapped", "rgb(130,60,180)", \.mmapped),
            ("releasable", "rgb(100,100,100)", \.releasable),
        ]
        let extraColors = ["rgb(0,160,160)", "rgb(200,0,160)", "rgb(140,110,40)", "rgb(60,60,200)", "rgb(0,100,0)"]
        for (index, name) in gaugeNames.enumerated() {
            series.append((name, extraColors[index % extraColors.count], { $0.gauges[name] ?? 0 }))
        }
        let maxSeconds = max(points.last?.seconds ?? 0, 1e-3)
        let maxBytes = max(points.map { point in series.map { $0.value(point) }.max() ?? 0 }.max() ?? 0, 1)
        let maxMiB = Double(maxBytes) / 1_048_576
        func x(_ seconds: Double) -> Double { left + seconds / maxSeconds * plotWidth }
        func y(_ bytes: Int) -> Double { top + plotHeight - Double(bytes) / Double(maxBytes) * plotHeight }
        func f(_ value: Double) -> String { String(format: "%.1f", value) }

        var svg = """
        <?xml version="1.0" encoding="UTF-8" standalone="no"?>
        <svg version="1.1" xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))">
        <style type="text/css">text { font-family: Verdana, sans-serif; font-size: 12px; }</style>
        <rect x="0" y="0" width="100%" height="100%" fill="white"/>
        <text x="\(f(width / 2))" y="22" style="text-anchor:middle;font-size:16px">\(FlameGraphSVG.escape(title))</text>
        <line x1="\(f(left))" y1="\(f(top + plotHeight))" x2="\(f(left + plotWidth))" y2="\(f(top + plotHeight))" stroke="black"/>
        <line x1="\(f(left))" y1="\(f(top))" x2="\(f(left))" y2="\(f(top + plotHeight))" stroke="black"/>

        """
        for tick in 0...4 {
            let fraction = Double(tick) / 4
            let ty = top + plotHeight - fraction * plotHeight
            let tx = left + fraction * plotWidth
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(ty))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(ty))\" stroke=\"rgb(230,230,230)\"/>\n"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(ty + 4))\" style=\"text-anchor:end\">\(f(maxMiB * fraction)) MiB</text>\n"
            svg += "<text x=\"\(f(tx))\" y=\"\(f(top + plotHeight + 18))\" style=\"text-anchor:middle\">\(f(maxSeconds * fraction)) s</text>\n"
        }
        for (index, entry) in series.enumerated() {
            let coordinates = points.map { "\(f(x($0.seconds))),\(f(y(entry.value($0))))" }.joined(separator: " ")
            if !points.isEmpty {
                svg += "<polyline fill=\"none\" stroke=\"\(entry.color)\" stroke-width=\"1.5\" points=\"\(coordinates)\"><title>\(entry.name)</title></polyline>\n"
            }
            let ly = top + 10 + Double(index) * 20
            svg += "<line x1=\"\(f(left + plotWidth + 15))\" y1=\"\(f(ly))\" x2=\"\(f(left + plotWidth + 35))\" y2=\"\(f(ly))\" stroke=\"\(entry.color)\" stroke-width=\"2\"/>\n"
            svg += "<text x=\"\(f(left + plotWidth + 40))\" y=\"\(f(ly + 4))\">\(entry.name)</text>\n"
        }
        svg += "</svg>\n"
        return svg
    }
}
