/// Git's binary delta format (pack-format, "Deltified representation").
///
/// A delta starts with two little-endian base-128 sizes: the base's and the result's.
/// Then instructions follow until the end:
/// - `1xxxxxxx`: copy from the base. The low four bits say which of four offset bytes
///   follow, the next three which of three size bytes follow (little-endian, absent
///   bytes are zero); a size of 0 means 0x10000.
/// - `0nnnnnnn` with n > 0: insert the next n bytes of the delta.
/// - `00000000`: reserved, an error.
public enum Delta {
    /// Applies `delta` to `base`, checking every instruction against both buffers.
    public static func apply(base: [UInt8], delta: [UInt8]) throws -> [UInt8] {
        var position = 0
        let (baseSize, resultSize) = try sizes(of: delta, position: &position)
        guard baseSize == base.count else { throw DeltaError.baseSizeMismatch(expected: baseSize, actual: base.count) }
        var result = [UInt8]()
        // The declared size is the delta's claim, not a fact: reserve no more than the
        // instructions could produce at 64 KiB per copy, and let a lie fail below.
        result.reserveCapacity(min(resultSize, delta.count.multipliedReportingOverflow(by: 0x10000).partialValue, 1 << 26))
        while position < delta.count {
            let opcodePosition = position
            let opcode = delta[position]
            position += 1
            if opcode & 0x80 != 0 {
                var offset = 0
                var size = 0
                for bit in 0..<7 where opcode & (1 << bit) != 0 {
                    guard position < delta.count else { throw DeltaError.truncatedCopy(position: opcodePosition) }
                    let byte = Int(delta[position])
                    position += 1
                    if bit < 4 { offset |= byte << (8 * bit) } else { size |= byte << (8 * (bit - 4)) }
                }
                if size == 0 { size = 0x10000 }
                guard offset + size <= base.count else {
                    throw DeltaError.copyPastBase(offset: offset, size: size, baseSize: base.count)
                }
                guard result.count + size <= resultSize else {
                    throw DeltaError.resultSizeMismatch(expected: resultSize, actual: result.count + size)
                }
                result.append(contentsOf: base[offset..<(offset + size)])
            } else if opcode != 0 {
                let count = Int(opcode)
                guard position + count <= delta.count else { throw DeltaError.insertPastDelta(position: opcodePosition) }
                guard result.count + count <= resultSize else {
                    throw DeltaError.resultSizeMismatch(expected: resultSize, actual: result.count + count)
                }
                result.append(contentsOf: delta[position..<(position + count)])
                position += count
            } else {
                throw DeltaError.reservedOpcode(position: opcodePosition)
            }
        }
        guard result.count == resultSize else { throw DeltaError.resultSizeMismatch(expected: resultSize, actual: result.count) }
        return result
    }

    /// The base and result sizes a delta declares in its header.
    public static func sizes<Bytes: Collection>(of delta: Bytes) throws -> (base: Int, result: Int)
    where Bytes.Element == UInt8, Bytes.Index == Int {
        var position = delta.startIndex
        return try sizes(of: delta, position: &position)
    }

    static func sizes<Bytes: Collection>(of delta: Bytes, position: inout Int) throws -> (base: Int, result: Int)
    where Bytes.Element == UInt8, Bytes.Index == Int {
        let base = try readSize(delta, &position)
        let result = try readSize(delta, &position)
        return (base, result)
    }

    private static func readSize<Bytes: Collection>(_ bytes: Bytes, _ position: inout Int) throws -> Int
    where Bytes.Element == UInt8, Bytes.Index == Int {
        var value = 0
        var shift = 0
        while true {
            guard position < bytes.endIndex, shift <= 56 else { throw DeltaError.truncatedHeader }
            let byte = bytes[position]
            position += 1
            value |= Int(byte & 0x7f) << shift
            shift += 7
            if byte & 0x80 == 0 { return value }
        }
    }

    /// Appends `value` as a delta header size (little-endian base 128).
    static func appendSize(_ value: Int, to out: inout [UInt8]) {
        var rest = value
        repeat {
            var byte = UInt8(rest & 0x7f)  // safe: masked to 7 bits
            rest >>= 7
            if rest > 0 { byte |= 0x80 }
            out.append(byte)
        } while rest > 0
    }

    /// Encodes `target` as a delta against `base`; nil when the delta would not be
    /// smaller than `target` itself.
    public static func make(base: [UInt8], target: [UInt8]) -> [UInt8]? {
        DeltaIndex(base: base).delta(to: target)
    }
}
