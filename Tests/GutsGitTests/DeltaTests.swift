import Testing
@testable import GutsGit

@Suite struct DeltaTests {
    /// A small deterministic generator so failures reproduce.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state ^ (state >> 29)
        }
    }

    static func randomBytes(_ count: Int, _ rng: inout Generator) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }

    /// Edits `base`: deletes, inserts and replaces a few random ranges.
    static func mutate(_ base: [UInt8], _ rng: inout Generator) -> [UInt8] {
        var result = base
        for _ in 0..<Int.random(in: 1...6, using: &rng) {
            guard !result.isEmpty else { break }
            let start = Int.random(in: 0..<result.count, using: &rng)
            let end = min(result.count, start + Int.random(in: 0...200, using: &rng))
            result.replaceSubrange(start..<end, with: randomBytes(Int.random(in: 0...100, using: &rng), &rng))
        }
        return result
    }

    @Test func makeThenApplyRoundTripsOnRandomEdits() throws {
        var rng = Generator(state: 42)
        var smaller = 0
        for round in 0..<200 {
            let base = Self.randomBytes(Int.random(in: 0...20_000, using: &rng), &rng)
            let target = round % 10 == 0 ? Self.randomBytes(500, &rng) : Self.mutate(base, &rng)
            guard let delta = Delta.make(base: base, target: target) else { continue }
            #expect(delta.count < target.count)
            #expect(try Delta.apply(base: base, delta: delta) == target)
            smaller += 1
        }
        #expect(smaller > 100)
    }

    @Test func largeCopiesAndRepetitiveData() throws {
        let base = [UInt8](repeating: 0x61, count: 300_000) + Array("tail".utf8)
        var target = base
        target.insert(contentsOf: Array("hello".utf8), at: 150_000)
        let delta = try #require(Delta.make(base: base, target: target))
        #expect(delta.count < 200)
        #expect(try Delta.apply(base: base, delta: delta) == target)
    }

    @Test func unrelatedDataGivesNoDelta() {
        var rng = Generator(state: 7)
        #expect(Delta.make(base: Self.randomBytes(4000, &rng), target: Self.randomBytes(4000, &rng)) == nil)
    }

    @Test func applyRejectsMalformedDeltas() throws {
        let base = Array("0123456789".utf8)
        // header: base 10, result 4; copy offset 8 size 4 -> overruns
        #expect(throws: DeltaError.copyPastBase(offset: 8, size: 4, baseSize: 10)) {
            try Delta.apply(base: base, delta: [10, 4, 0x91, 8, 4])
        }
        #expect(throws: DeltaError.baseSizeMismatch(expected: 11, actual: 10)) {
            try Delta.apply(base: base, delta: [11, 1, 1, 65])
        }
        #expect(throws: DeltaError.insertPastDelta(position: 2)) {
            try Delta.apply(base: base, delta: [10, 3, 5, 65])
        }
        #expect(throws: DeltaError.reservedOpcode(position: 2)) {
            try Delta.apply(base: base, delta: [10, 1, 0])
        }
        #expect(throws: DeltaError.resultSizeMismatch(expected: 3, actual: 1)) {
            try Delta.apply(base: base, delta: [10, 3, 1, 65])
        }
        #expect(throws: DeltaError.truncatedHeader) { try Delta.apply(base: base, delta: [0x8a]) }
        #expect(try Delta.apply(base: base, delta: [10, 5, 0x91, 2, 3, 2, 65, 66]) == Array("234AB".utf8))
    }
}
