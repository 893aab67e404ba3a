import Foundation

/// How `guts bench mix` divides its rate among request classes, as `--mix` takes it:
/// `reads=90,fetches=5,pushes=3,clones=2` (weights, any positive scale; an omitted class is 0).
public struct MixRatio: Sendable, Equatable, CustomStringConvertible {
    /// The classes of a mix, in report order.
    public enum Class: String, Sendable, CaseIterable {
        case reads, clones, fetches, pushes
    }

    public private(set) var weights: [Class: Double]

    /// 90% API reads, 5% incremental fetches, 3% pushes, 2% clones.
    public static let standard = MixRatio(weights: [.reads: 90, .fetches: 5, .pushes: 3, .clones: 2])

    public init(weights: [Class: Double]) {
        self.weights = weights.filter { $0.value > 0 }
    }

    /// Parses `class=weight,...`; throws `BenchError.invalidMix` naming what is wrong.
    public init(parsing text: String) throws {
        var weights: [Class: Double] = [:]
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { throw BenchError.invalidMix(text, reason: "expected class=weight, got '\(part)'") }
            let name = pair[0].trimmingCharacters(in: .whitespaces)
            guard let mixClass = Class(rawValue: name) else {
                throw BenchError.invalidMix(text, reason: "unknown class '\(name)' (reads, clones, fetches, pushes)")
            }
            guard weights[mixClass] == nil else { throw BenchError.invalidMix(text, reason: "'\(name)' given twice") }
            guard let weight = Double(pair[1].trimmingCharacters(in: .whitespaces)), weight.isFinite, weight >= 0 else {
                throw BenchError.invalidMix(text, reason: "the weight of \(name) is not a non-negative number")
            }
            weights[mixClass] = weight
        }
        guard weights.values.contains(where: { $0 > 0 }) else { throw BenchError.invalidMix(text, reason: "every weight is 0") }
        self.init(weights: weights)
    }

    /// The share of `total` operations per second that `mixClass` gets.
    public func rate(of mixClass: Class, total: Double) -> Double {
        let sum = weights.values.reduce(0, +)
        return sum > 0 ? total * (weights[mixClass] ?? 0) / sum : 0
    }

    public var description: String {
        Class.allCases.compactMap { mixClass in weights[mixClass].map { "\(mixClass.rawValue)=\(ReportFormatter.format($0))" } }
            .joined(separator: ",")
    }
}
