import Foundation

/// Times one operation against the node and against git's own server, alternating which
/// goes first each round so that neither always meets a warmer disk cache.
struct PeerComparison {
    var node: [Double] = []
    var peer: [Double] = []

    mutating func round(_ index: Int, node runNode: () throws -> Void, peer runPeer: () throws -> Void) rethrows {
        func time(_ body: () throws -> Void) rethrows -> Double {
            let start = ContinuousClock.now
            try body()
            return (ContinuousClock.now - start).seconds
        }
        if index.isMultiple(of: 2) {
            node.append(try time(runNode))
            peer.append(try time(runPeer))
        } else {
            peer.append(try time(runPeer))
            node.append(try time(runNode))
        }
    }

    /// `<name>.seconds` (the node), `<name>.peer.seconds` and `<name>.ratio`, the node's
    /// median over the peer's: below 1 the node was faster.
    func metrics(_ name: String) -> [Metric] {
        let ratio = Self.median(node) / max(Self.median(peer), 1e-9)
        return [
            Metric("\(name).seconds", samples: node, unit: "s", direction: .lowerIsBetter),
            Metric("\(name).peer.seconds", samples: peer, unit: "s", direction: .informational),
            Metric("\(name).ratio", ratio, unit: "x", direction: .lowerIsBetter),
        ]
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted.count.isMultiple(of: 2) ? (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2 : sorted[sorted.count / 2]
    }
}
