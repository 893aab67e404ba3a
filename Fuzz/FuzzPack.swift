// libFuzzer target `pack`: PackReader (scan, DeltaResolver, materialize) over arbitrary
// bytes, plus Delta.apply / Delta.make on split input.
// Compiled into one module together with Sources/GutsGit/*.swift (see scripts/fuzz.sh).
//
// Input layout: byte 0 is a mode byte, byte 1 a limits byte, the rest the payload.
//   mode & 0x80     -> delta mode: payload = 2-byte little-endian base length, base, delta.
//   otherwise pack mode, payload = the pack:
//   mode & 0x01     -> replace the last 20 bytes with the SHA-1 of the rest, so the
//                      fuzzer gets past the trailer check and into the entries and deltas;
//   mode & 0x02     -> read from a temporary file (PackFile's pread path), else from memory;
//   mode & 0x04     -> readPackedObjects (also hands over compressed bytes) instead of readObjects;
//   mode & 0x08     -> answer REF_DELTA bases outside the pack with a small fixed blob.
// The limits byte picks the delta chain depth (1...64) and base cache size (0 B ... 1 MiB);
// objects are capped at 1 MiB so a hostile size cannot make the fuzzer itself run out of
// memory (the reader's 2 GiB default is exercised by the node's own tests).
//
// Properties checked (a violation traps): every object handed to `visit` hashes to its id;
// ids are distinct; the summary's count matches the header; a whole entry's compressed
// bytes inflate to its body; writing the objects back with PackWriter.makePack and reading
// that pack gives the same ids. In delta mode: an applied delta has its declared size, and
// Delta.make(base, target) applied to base gives back target.

import GutsCompression
#if canImport(Glibc)
import Glibc
#endif

private let externalBlob = RawObject(type: .blob, body: Array("external base\n".utf8))
private let tempPath = "/tmp/guts-fuzz-pack-\(getpid()).pack"

/// Largest delta result the harness lets Delta.apply reserve (PackReader bounds it by
/// PackLimits.maxObjectSize before calling apply). Set GUTS_FUZZ_DELTA_UNBOUNDED=1 to
/// call apply on every input.
private let deltaUnbounded = getenv("GUTS_FUZZ_DELTA_UNBOUNDED") != nil

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard count >= 2 else { return 0 }
    let all = UnsafeRawBufferPointer(start: start, count: count)
    let mode = all[0]
    let limitsByte = all[1]
    var payload = [UInt8](all[2...])
    if mode & 0x80 != 0 {
        fuzzDelta(payload)
        return 0
    }
    if mode & 0x01 != 0, payload.count >= 20 {
        var hasher = SHA1()
        hasher.update(payload[0..<(payload.count - 20)])
        let id = hasher.finalize()
        payload.replaceSubrange((payload.count - 20)..., with: id.bytes)
    }
    let cacheSizes = [0, 64, 4096, 1 << 20]
    let limits = PackLimits(maxObjectSize: 1 << 20, maxObjectCount: 100_000,
                            maxDeltaChainDepth: 1 + Int(limitsByte & 0x3f),
                            deltaBaseCacheBytes: cacheSizes[Int(limitsByte >> 6)])
    let reader: PackReader
    if mode & 0x02 != 0 {
        writeFile(tempPath, payload)
        reader = PackReader(path: tempPath, limits: limits)
    } else {
        reader = PackReader(bytes: payload, limits: limits)
    }
    let external: (ObjectID) throws -> RawObject? = { id in
        mode & 0x08 != 0 && id == externalBlob.id ? externalBlob : nil
    }
    var objects: [RawObject] = []
    var ids = Set<ObjectID>()
    func check(_ object: RawObject) {
        if SHA1.objectID(type: object.type, body: object.body) != object.id {
            fatalError("object \(object.id) does not hash to its id")
        }
        if !ids.insert(object.id).inserted { fatalError("object \(object.id) visited twice") }
        objects.append(object)
    }
    let summary: PackSummary
    do {
        if mode & 0x04 != 0 {
            var inspected: [ObjectID: [UInt8]] = [:]
            summary = try reader.readPackedObjects(externalBase: external, inspect: { id, type, body in
                if type == .blob { fatalError("inspect was handed blob \(id)") }
                inspected[id] = body
            }) { packed, body in
                let object = RawObject(type: packed.type, body: try body(), knownID: packed.id)
                check(object)
                if packed.size != object.body.count { fatalError("\(packed.id): size \(packed.size), body \(object.body.count) bytes") }
                if packed.type != .blob, inspected[packed.id] != object.body { fatalError("inspect saw other bytes for \(packed.id)") }
                if case let .whole(compressed) = packed.encoding {
                    guard let inflated = try? Zlib.decompress(compressed, expectedSize: object.body.count), inflated == object.body
                    else { fatalError("compressed bytes of \(packed.id) do not inflate to its body") }
                }
            }
        } else {
            summary = try reader.readObjects(externalBase: external) { check($0) }
        }
    } catch {
        return 0
    }
    let declared = payload[8..<12].reduce(0) { $0 << 8 | Int($1) }
    if summary.objectCount != declared { fatalError("summary counts \(summary.objectCount) objects, header \(declared)") }

    // Round trip through the writer.
    for useDeltas in [false, true] {
        guard let pack = try? PackWriter.makePack(objects: objects, useDeltas: useDeltas) else {
            fatalError("makePack(useDeltas: \(useDeltas)) failed on objects a pack reader accepted")
        }
        var again = Set<ObjectID>()
        do {
            _ = try PackReader(bytes: pack).readObjects(externalBase: { _ in nil }) { again.insert($0.id) }
        } catch {
            fatalError("re-reading a pack written by makePack(useDeltas: \(useDeltas)) failed: \(error)")
        }
        if again != ids { fatalError("makePack(useDeltas: \(useDeltas)) round trip changed the object set") }
    }
    return 0
}

private func fuzzDelta(_ payload: [UInt8]) {
    guard payload.count >= 2 else { return }
    let wanted = Int(payload[0]) | Int(payload[1]) << 8
    let rest = payload[2...]
    let baseCount = min(wanted, rest.count)
    let base = Array(rest.prefix(baseCount))
    let delta = Array(rest.dropFirst(baseCount))

    if let sizes = try? Delta.sizes(of: delta), deltaUnbounded || sizes.result <= 1 << 24 {
        if let result = try? Delta.apply(base: base, delta: delta), result.count != sizes.result {
            fatalError("Delta.apply produced \(result.count) bytes, the delta declares \(sizes.result)")
        }
    }
    // The delta bytes double as a target for the encoder.
    if let made = Delta.make(base: base, target: delta) {
        if made.count >= delta.count { fatalError("Delta.make returned a delta no smaller than its target") }
        guard let result = try? Delta.apply(base: base, delta: made) else {
            fatalError("Delta.apply rejected a delta made by Delta.make")
        }
        if result != delta { fatalError("Delta.apply(Delta.make(base, target)) != target") }
    }
}

private func writeFile(_ path: String, _ bytes: [UInt8]) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0 else { fatalError("cannot write \(path)") }
    bytes.withUnsafeBytes { raw in
        var done = 0
        while done < raw.count {
            let n = write(fd, raw.baseAddress! + done, raw.count - done)
            if n <= 0 { fatalError("short write to \(path)") }
            done += n
        }
    }
    close(fd)
}
