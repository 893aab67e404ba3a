/// The CPU profile output formats, rendered by one library call (for the CLI and for a
/// node's admin endpoint alike).
public enum ProfileFormat: String, Sendable, CaseIterable {
    /// `root;frame;leaf count` lines.
    case folded
    /// Interactive SVG flamegraph.
    case svg
    /// speedscope JSON.
    case speedscope
    /// gzip-compressed pprof `profile.proto`.
    case pprof

    /// MIME type for serving the rendered bytes.
    public var contentType: String {
        switch self {
        case .folded: return "text/plain; charset=utf-8"
        case .svg: return "image/svg+xml"
        case .speedscope: return "application/json"
        case .pprof: return "application/octet-stream"
        }
    }

    /// Renders `profile` in this format.
    public func render(_ profile: Profile, title: String = "guts profile") throws(ProfilerError) -> [UInt8] {
        switch self {
        case .folded: return Array(FoldedStacks.encode(profile).utf8)
        case .svg: return Array(FlameGraphSVG.render(profile, options: .init(title: title, countName: profile.valueUnit == .bytes ? "bytes" : "samples")).utf8)
        case .speedscope: return try SpeedscopeEncoder.encode(profile, name: title)
        case .pprof: return try PprofEncoder.encode(profile)
        }
    }
}
