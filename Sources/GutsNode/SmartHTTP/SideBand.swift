import GutsGit

/// Which side-band multiplexing a client asked for, and how to frame data for it.
enum SideBand: Sendable, Equatable {
    case none
    /// `side-band`: packets of at most 1000 bytes.
    case small
    /// `side-band-64k`, and always in protocol v2.
    case large

    init(capabilities: Set<String>) {
        if capabilities.contains("side-band-64k") {
            self = .large
        } else if capabilities.contains("side-band") {
            self = .small
        } else {
            self = .none
        }
    }

    private var maxPayload: Int { self == .small ? 995 : PktLine.maxSideBandPayload }

    /// Frames pack or report data on band 1 (raw when there is no side band).
    func data(_ bytes: [UInt8]) -> [UInt8] {
        guard self != .none, !bytes.isEmpty else { return bytes }
        return PktLine.encodeSideBand(bytes, band: 1, maxPayload: maxPayload)
    }

    /// A progress message on band 2; dropped without a side band.
    func progress(_ message: String) -> [UInt8] {
        guard self != .none else { return [] }
        return PktLine.encodeSideBand(Array(message.utf8), band: 2, maxPayload: maxPayload)
    }

    /// A fatal error on band 3; without a side band git gets an `ERR` packet.
    func error(_ message: String) -> [UInt8] {
        guard self != .none else { return (try? PktLine.encode(line: "ERR \(message)")) ?? PktLine.flush }
        return PktLine.encodeSideBand(Array("\(message)\n".utf8), band: 3, maxPayload: maxPayload)
    }
}
