/// The archive formats Guts builds.
public enum ArchiveFormat: String, Sendable, CaseIterable, Codable {
    case tar
    case tarGz = "tar.gz"
    case zip

    /// File name extension without the dot.
    public var fileExtension: String { rawValue }

    public var contentType: String {
        switch self {
        case .tar: "application/x-tar"
        case .tarGz: "application/gzip"
        case .zip: "application/zip"
        }
    }

    /// Parses `tar`, `tar.gz`/`tgz` or `zip`.
    public init?(name: String) {
        switch name.lowercased() {
        case "tar": self = .tar
        case "tar.gz", "tgz", "tarball": self = .tarGz
        case "zip", "zipball": self = .zip
        default: return nil
        }
    }
}
