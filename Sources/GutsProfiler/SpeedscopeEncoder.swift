import Foundation

/// speedscope's file format (https://www.speedscope.app/file-format-schema.json), one
/// "sampled" profile whose stacks index a shared frame table, root first.
public enum SpeedscopeEncoder {
    struct File: Codable {
        var schema = "https://www.speedscope.app/file-format-schema.json"
        var shared: Shared
        var profiles: [SampledProfile]
        var name: String
        var activeProfileIndex = 0
        var exporter = "guts profile"

        enum CodingKeys: String, CodingKey {
            case schema = "$schema"
            case shared, profiles, name, activeProfileIndex, exporter
        }
    }

    struct Shared: Codable { var frames: [Frame] }

    struct Frame: Codable {
        var name: String
        var file: String?
    }

    struct SampledProfile: Codable {
        var type = "sampled"
        var name: String
        var unit: String
        var startValue: Int64
        var endValue: Int64
        var samples: [[Int]]
        var weights: [Int64]
    }

    /// Encodes `profile` as speedscope JSON. Weights are CPU nanoseconds when the
    /// sampling period is known, sample counts otherwise.
    public static func encode(_ profile: Profile, name: String = "guts profile") throws(ProfilerError) -> [UInt8] {
        var frameIndex: [FrameKey: Int] = [:]
        var frames: [Frame] = []
        var stacks: [[Int]] = []
        var weights: [Int64] = []
        let period = profile.periodNanos
        for sample in profile.samples where sample.count > 0 {
            let stack = sample.frames.map { frame -> Int in
                let key = FrameKey(name: frame.name, module: frame.module)
                if let index = frameIndex[key] { return index }
                frames.append(Frame(name: frame.name, file: frame.module.isEmpty ? nil : frame.module))
                frameIndex[key] = frames.count - 1
                return frames.count - 1
            }
            stacks.append(stack)
            weights.append(period > 0 ? Int64(sample.count) * period : Int64(sample.count))
        }
        let total = weights.reduce(0, +)
        let file = File(shared: Shared(frames: frames),
                        profiles: [SampledProfile(name: name, unit: profile.valueUnit == .bytes ? "bytes" : period > 0 ? "nanoseconds" : "none",
                                                  startValue: 0, endValue: total, samples: stacks, weights: weights)],
                        name: name)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(file))
        } catch {
            throw .malformedInput("speedscope encoding failed: \(error)")
        }
    }

    private struct FrameKey: Hashable {
        var name: String
        var module: String
    }
}
