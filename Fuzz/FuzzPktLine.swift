// libFuzzer target `pktline`: PktLineReader over arbitrary bytes.
// Compiled into one module together with Sources/GutsGit/*.swift (see scripts/fuzz.sh).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = [UInt8](UnsafeRawBufferPointer(start: start, count: count))

    // 1. next() until nil or a throw; check the reader's bookkeeping as we go.
    var reader = PktLineReader(bytes)
    var previous = reader.position
    while true {
        let packet: Packet?
        do { packet = try reader.next() } catch { break }
        guard let packet else {
            if !reader.isAtEnd { fatalError("next() returned nil before the end of the buffer") }
            break
        }
        if reader.position <= previous || reader.position > bytes.count {
            fatalError("position moved from \(previous) to \(reader.position) of \(bytes.count)")
        }
        if case let .data(payload) = packet {
            if payload.count + 4 != reader.position - previous { fatalError("payload size disagrees with framing") }
            if payload.count + 4 > PktLine.maxPacketLength { fatalError("packet longer than 65520") }
            // Re-encoding a data packet must give back the framed bytes (hex case aside).
            // (`try?` keeps this compiling whether or not `encode` throws.)
            guard let framed = try? PktLine.encode(payload) else { fatalError("encode refused a decoded payload") }
            let prefix = bytes[previous..<previous + 4].map { $0 >= 65 && $0 <= 70 ? $0 + 32 : $0 }
            if framed[0..<4].elementsEqual(prefix) == false || !framed[4...].elementsEqual(bytes[previous + 4..<reader.position]) {
                fatalError("encode(decode(x)) != x")
            }
        } else if reader.position - previous != 4 {
            fatalError("special packet not 4 bytes")
        }
        _ = reader.remainder.count
        previous = reader.position
    }

    // 2. readSection() repeatedly, as the protocol handlers do.
    var sections = PktLineReader(bytes)
    var rounds = 0
    while !sections.isAtEnd && rounds < 10_000 {
        rounds += 1
        do {
            let (lines, terminator) = try sections.readSection()
            _ = lines.count
            if terminator == nil && !sections.isAtEnd { fatalError("section ended with no terminator before the end") }
        } catch {
            break
        }
    }
    return 0
}
