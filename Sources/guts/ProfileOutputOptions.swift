import ArgumentParser
import GutsProfiler

/// Where `guts profile` writes each format, and how often it reads memory.
struct ProfileOutputOptions: ParsableArguments {
    @Option(help: "Write folded stacks (flamegraph.pl, speedscope) here.") var folded: String?
    @Option(help: "Write an interactive SVG flamegraph here.") var svg: String?
    @Option(help: "Write speedscope JSON here.") var speedscope: String?
    @Option(help: "Write a gzip pprof profile (profile.proto) here.") var pprof: String?
    @Option(name: .customLong("memory-csv"), help: "Write the memory timeline as CSV here.") var memoryCSV: String?
    @Option(name: .customLong("memory-json"), help: "Write the memory timeline as JSON here.") var memoryJSON: String?
    @Option(name: .customLong("memory-svg"), help: "Write a plot of the memory timeline here.") var memorySVG: String?
    @Option(name: .customLong("memory-interval"), help: "Memory sampling interval.")
    var memoryInterval = DurationArgument(seconds: NodeProfileRequest.defaultMemoryInterval)
    @Option(name: .customLong("alloc-svg"), help: "Write an SVG flamegraph of sampled allocated bytes here.") var allocSVG: String?
    @Option(name: .customLong("alloc-folded"), help: "Write folded stacks of sampled allocated bytes here.") var allocFolded: String?
    @Option(name: .customLong("inuse-svg"), help: "Write an SVG flamegraph of sampled bytes still in use at the end here.") var inUseSVG: String?
    @Option(name: .customLong("inuse-folded"), help: "Write folded stacks of sampled bytes still in use at the end here.") var inUseFolded: String?

    var outputs: ProfileOutputs {
        var outputs = ProfileOutputs()
        (outputs.folded, outputs.svg, outputs.speedscope, outputs.pprof) = (folded, svg, speedscope, pprof)
        (outputs.memoryCSV, outputs.memoryJSON, outputs.memorySVG) = (memoryCSV, memoryJSON, memorySVG)
        (outputs.allocSVG, outputs.allocFolded, outputs.inUseSVG, outputs.inUseFolded) = (allocSVG, allocFolded, inUseSVG, inUseFolded)
        return outputs
    }
}
