/// The framing around deflate data.
public enum ZlibFormat: Sendable {
    /// RFC 1950, as in git objects and packs.
    case zlib
    /// RFC 1952, as in `Content-Encoding: gzip`, `.tar.gz` and pprof files. Written with
    /// no file name and modification time 0, so equal input gives equal bytes.
    case gzip
    /// Bare RFC 1951 deflate, as in zip entries.
    case raw

    var windowBits: Int32 {
        switch self {
        case .zlib: 15
        case .gzip: 15 + 16
        case .raw: -15
        }
    }
}
