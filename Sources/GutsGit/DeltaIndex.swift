/// A hash index over a delta base, reusable to encode many targets against it.
///
/// The base is cut into 16-byte blocks whose hashes go into a chained hash table.
/// Encoding rolls the same hash over every position of the target; on a hit it
/// verifies the bytes, extends the match forwards (and backwards into pending
/// literals) and emits a copy, otherwise the byte becomes part of an insert.
public struct DeltaIndex: Sendable {
    static let blockSize = 16
    /// Candidates compared per position; bounds the cost on repetitive data.
    static let maxCandidates = 16
    static let multiplier: UInt32 = 0x0100_0193
    /// multiplier ^ (blockSize - 1), to roll the oldest byte out of the hash.
    static let outgoingFactor: UInt32 = {
        var factor: UInt32 = 1
        for _ in 0..<(blockSize - 1) { factor = factor &* multiplier }
        return factor
    }()

    public let base: [UInt8]
    private let heads: [Int32]
    private let next: [Int32]
    private let shift: UInt32

    public init(base: [UInt8]) {
        self.base = base
        let blocks = base.count / Self.blockSize
        var bits: UInt32 = 4
        while (1 << bits) < blocks && bits < 24 { bits += 1 }
        let shift = 32 - bits
        self.shift = shift
        var heads = [Int32](repeating: -1, count: 1 << Int(bits))
        var next = [Int32](repeating: -1, count: blocks)
        base.withUnsafeBufferPointer { bytes in
            // Insert from the end so each chain lists lower offsets first.
            var block = blocks - 1
            while block >= 0 {
                let bucket = Self.bucket(Self.hash(bytes, at: block * Self.blockSize), shift: shift)
                next[block] = heads[bucket]
                heads[bucket] = Int32(block)  // safe: blocks < 2^31 for any base under maxObjectSize (2 GiB)
                block -= 1
            }
        }
        self.heads = heads
        self.next = next
    }

    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> UInt32 {
        var value: UInt32 = 0
        for index in start..<(start + blockSize) { value = value &* multiplier &+ UInt32(bytes[index]) }  // safe: widening a byte
        return value
    }

    @inline(__always)
    static func bucket(_ hash: UInt32, shift: UInt32) -> Int {
        Int((hash &* 0x9E37_79B1) >> shift)
    }

    /// A delta turning `base` into `target`, or nil when it is not smaller than `target`.
    public func delta(to target: [UInt8]) -> [UInt8]? {
        guard base.count <= Int(UInt32.max), !target.isEmpty else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(min(target.count, 4096))
        Delta.appendSize(base.count, to: &out)
        Delta.appendSize(target.count, to: &out)
        let limit = target.count
        let finished: Bool = base.withUnsafeBufferPointer { base in
            target.withUnsafeBufferPointer { target in
                encode(base: base, target: target, into: &out, limit: limit)
            }
        }
        return finished && out.count < target.count ? out : nil
    }

    private func encode(base: UnsafeBufferPointer<UInt8>, target: UnsafeBufferPointer<UInt8>,
                        into out: inout [UInt8], limit: Int) -> Bool {
        let block = Self.blockSize
        var literalStart = 0
        var position = 0
        var hash: UInt32 = target.count >= block ? Self.hash(target, at: 0) : 0
        while position + block <= target.count {
            var bestStart = 0
            var bestBack = 0
            var bestLength = 0
            var candidate = heads[Self.bucket(hash, shift: shift)]
            var tried = 0
            while candidate >= 0 && tried < Self.maxCandidates {
                tried += 1
                let start = Int(candidate) * block
                candidate = next[Int(candidate)]
                var forward = 0
                while start + forward < base.count && position + forward < target.count
                    && base[start + forward] == target[position + forward] {
                    forward += 1
                }
                guard forward >= block else { continue }
                var back = 0
                while back < position - literalStart && back < start
                    && base[start - back - 1] == target[position - back - 1] {
                    back += 1
                }
                if forward + back > bestLength + bestBack {
                    bestStart = start
                    bestBack = back
                    bestLength = forward
                }
            }
            if bestLength >= block {
                appendInserts(target, literalStart..<(position - bestBack), to: &out)
                appendCopy(offset: bestStart - bestBack, size: bestLength + bestBack, to: &out)
                position += bestLength
                literalStart = position
                if out.count >= limit { return false }
                if position + block <= target.count { hash = Self.hash(target, at: position) }
            } else {
                if position + block < target.count {
                    hash = (hash &- UInt32(target[position]) &* Self.outgoingFactor) &* Self.multiplier  // safe: widening a byte
                        &+ UInt32(target[position + block])  // safe: widening a byte
                }
                position += 1
                if position - literalStart > limit { return false }
            }
        }
        appendInserts(target, literalStart..<target.count, to: &out)
        return out.count < limit
    }

    private func appendInserts(_ target: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, to out: inout [UInt8]) {
        var start = range.lowerBound
        while start < range.upperBound {
            let count = min(127, range.upperBound - start)
            out.append(UInt8(count))  // safe: count is at most 127
            out.append(contentsOf: target[start..<(start + count)])
            start += count
        }
    }

    private func appendCopy(offset: Int, size: Int, to out: inout [UInt8]) {
        var offset = offset
        var remaining = size
        while remaining > 0 {
            let chunk = min(remaining, 0xFF_FFFF)
            var opcode: UInt8 = 0x80
            let opcodeIndex = out.count
            out.append(0)
            for byteIndex in 0..<4 {
                let byte = UInt8(truncatingIfNeeded: offset >> (8 * byteIndex))
                if byte != 0 { opcode |= 1 << byteIndex; out.append(byte) }
            }
            for byteIndex in 0..<3 {
                let byte = UInt8(truncatingIfNeeded: chunk >> (8 * byteIndex))
                if byte != 0 { opcode |= 1 << (4 + byteIndex); out.append(byte) }
            }
            out[opcodeIndex] = opcode
            offset += chunk
            remaining -= chunk
        }
    }
}
