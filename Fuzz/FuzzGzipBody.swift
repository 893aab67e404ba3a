// libFuzzer target `gzipbody`: the Inflater that decodes `Content-Encoding: gzip`
// request bodies, with an output limit. Arbitrary bytes are gzip input; the inflater
// must throw or stop, and never hand back more than the limit.
//
// Input layout: byte 0 picks the limit (0...255 -> a limit of 0 ... 64 KiB, skewed small),
// byte 1 picks the feeding chunk size, the rest is the body. Also runs the
// one-shot `Zlib.decompress(_:format:limit:)` and the sink-based `inflate` on the same bytes.
import GutsCompression

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard count >= 2 else { return 0 }
    let all = UnsafeRawBufferPointer(start: start, count: count)
    let selector = Int(all[0])
    let limit: Int = selector < 128 ? selector : (selector < 192 ? (selector - 127) * 256 : (selector - 191) * 1024)
    let chunkSize = max(1, Int(all[1]) * 17)
    let body = [UInt8](all[2...])

    // A. The request-body loop (RequestBodyReader's BodyDecoder), fed in chunks.
    do {
        var inflater = try Inflater(format: .gzip)
        var total = 0
        var finished = false
        var offset = 0
        loop: while offset < body.count && !finished {
            let end = min(body.count, offset + chunkSize)
            let piece = Array(body[offset..<end])
            var inner = 0
            while inner < piece.count && !finished {
                var output = [UInt8]()
                let step: Inflater.Step
                do {
                    step = try piece.withUnsafeBytes { raw in
                        try inflater.inflate(UnsafeRawBufferPointer(rebasing: raw[inner...]), into: &output, limit: limit - total)
                    }
                } catch {
                    break loop
                }
                if step.consumed < 0 || step.consumed > piece.count - inner { fatalError("consumed \(step.consumed) of \(piece.count - inner)") }
                total += output.count
                if total > limit { fatalError("inflate produced \(total) bytes past its limit of \(limit)") }
                inner += step.consumed
                finished = step.finished
                if step.consumed == 0 && !step.finished { break }
            }
            offset = end
        }
    } catch {
        fatalError("Inflater(format: .gzip) failed: \(error)")
    }

    // B. One-shot decompression in every format.
    for format in [ZlibFormat.gzip, .zlib, .raw] {
        if let output = try? Zlib.decompress(body, format: format, limit: limit), output.count > limit {
            fatalError("Zlib.decompress returned \(output.count) bytes past its limit of \(limit)")
        }
    }

    // C. The sink-based inflate used for pack entries.
    do {
        var inflater = try Inflater(format: .gzip)
        var produced = 0
        var sunk = 0
        _ = try? body.withUnsafeBytes { raw in
            try inflater.inflate(raw, produced: &produced, limit: limit) { chunk in sunk += chunk.count }
        }
        if produced > limit || sunk > limit || sunk != produced {
            fatalError("sink inflate: produced \(produced), sunk \(sunk), limit \(limit)")
        }
    } catch {
        fatalError("Inflater(format: .gzip) failed: \(error)")
    }
    return 0
}
