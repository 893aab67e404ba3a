import Foundation

/// Function symbols of one ELF file, from `.symtab` (which includes the `internal` and
/// `private` functions of a release build) and `.dynsym`, sorted by address. A stripped
/// library (Debian's libc) gets the `.symtab` of its separate debug file too, found by build id
/// under `/usr/lib/debug/.build-id/` when a `-dbg` package installed it, so its internal
/// functions are named instead of shown as `libc.so.6+0x...`.
public struct ELFSymbolTable: Sendable {
    public struct Symbol: Sendable, Equatable {
        /// Address in the file's own address space (before load bias).
        public var address: UInt64
        public var size: UInt64
        /// The raw (mangled) name.
        public var name: String
    }

    public private(set) var symbols: [Symbol]

    public init(symbols: [Symbol]) {
        self.symbols = symbols.sorted { $0.address < $1.address }
    }

    /// Reads the symbol tables of the ELF file at `path`; nil when it is not a readable
    /// 64-bit little-endian ELF file.
    public static func load(path: String, debugDirectory: String = "/usr/lib/debug") -> ELFSymbolTable? {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped),
              let image = parseImage(data) else { return nil }
        guard let buildID = image.buildID, buildID.count > 2,
              let debugData = try? Data(
                contentsOf: URL(fileURLWithPath: "\(debugDirectory)/.build-id/\(buildID.prefix(2))/\(buildID.dropFirst(2)).debug"),
                options: .alwaysMapped),
              let debug = parseImage(debugData) else { return ELFSymbolTable(symbols: image.symbols) }
        // The file's own names win at an address; the debug file adds the functions it lacks.
        let known = Set(image.symbols.map(\.address))
        return ELFSymbolTable(symbols: image.symbols + debug.symbols.filter { !known.contains($0.address) })
    }

    /// Parses an in-memory ELF image.
    public static func parse(_ data: Data) -> ELFSymbolTable? {
        parseImage(data).map { ELFSymbolTable(symbols: $0.symbols) }
    }

    /// The GNU build id (`NT_GNU_BUILD_ID` note) of an ELF image, as lowercase hex.
    public static func buildID(_ data: Data) -> String? {
        parseImage(data)?.buildID
    }

    private static func parseImage(_ data: Data) -> (symbols: [Symbol], buildID: String?)? {
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> (symbols: [Symbol], buildID: String?)? in
            let reader = ByteReader(bytes: bytes)
            guard bytes.count >= 64, bytes[0] == 0x7F, bytes[1] == 0x45, bytes[2] == 0x4C, bytes[3] == 0x46,
                  bytes[4] == 2 /* ELFCLASS64 */, bytes[5] == 1 /* ELFDATA2LSB */ else { return nil }
            guard let sectionOffset = reader.u64(40), let sectionSize = reader.u16(58), let sectionCount = reader.u16(60)
            else { return nil }
            var byAddress: [UInt64: Symbol] = [:]
            var preferred: Set<UInt64> = []
            // .dynsym first, then .symtab so its (more complete) entries win.
            for wantedType: UInt32 in [11 /* SHT_DYNSYM */, 2 /* SHT_SYMTAB */] {
                for index in 0..<Int(sectionCount) {
                    let header = Int(sectionOffset) + index * Int(sectionSize)
                    guard let type = reader.u32(header + 4), type == wantedType,
                          let offset = reader.u64(header + 24), let size = reader.u64(header + 32),
                          let link = reader.u32(header + 40), let entrySize = reader.u64(header + 56), entrySize >= 24
                    else { continue }
                    let stringHeader = Int(sectionOffset) + Int(link) * Int(sectionSize)
                    guard let stringOffset = reader.u64(stringHeader + 24), let stringSize = reader.u64(stringHeader + 32)
                    else { continue }
                    let count = Int(size / entrySize)
                    for symbolIndex in 0..<count {
                        let entry = Int(offset) + symbolIndex * Int(entrySize)
                        guard let nameOffset = reader.u32(entry), let info = reader.u8(entry + 4),
                              let sectionIndex = reader.u16(entry + 6),
                              let value = reader.u64(entry + 8), let symbolSize = reader.u64(entry + 16) else { break }
                        let kind = info & 0xF
                        guard kind == 2 /* STT_FUNC */ || kind == 10 /* STT_GNU_IFUNC */, sectionIndex != 0, value != 0
                        else { continue }
                        let binding = info >> 4
                        let isGlobal = binding == 1 || binding == 2
                        if let existing = byAddress[value] {
                            // Keep a sized, global name over a local alias.
                            if preferred.contains(value) || (existing.size > 0 && !isGlobal) { continue }
                        }
                        guard UInt64(nameOffset) < stringSize,
                              let name = reader.cString(Int(stringOffset) + Int(nameOffset), limit: Int(stringOffset + stringSize)),
                              !name.isEmpty else { continue }
                        byAddress[value] = Symbol(address: value, size: symbolSize, name: name)
                        if isGlobal && symbolSize > 0 { preferred.insert(value) }
                    }
                }
            }
            var buildID: String?
            for index in 0..<Int(sectionCount) where buildID == nil {
                let header = Int(sectionOffset) + index * Int(sectionSize)
                guard reader.u32(header + 4) == 7 /* SHT_NOTE */, let offset = reader.u64(header + 24), let size = reader.u64(header + 32)
                else { continue }
                buildID = Self.buildID(notesAt: Int(offset), size: Int(size), reader: reader)
            }
            return (Array(byAddress.values), buildID)
        }
    }

    /// Walks the notes of one `SHT_NOTE` section for `NT_GNU_BUILD_ID` with owner "GNU".
    private static func buildID(notesAt offset: Int, size: Int, reader: ByteReader) -> String? {
        var cursor = offset
        let end = offset + size
        func aligned(_ value: Int) -> Int { (value + 3) & ~3 }
        while cursor + 12 <= end, let nameSize = reader.u32(cursor), let descriptorSize = reader.u32(cursor + 4),
              let type = reader.u32(cursor + 8) {
            let name = cursor + 12
            let descriptor = name + aligned(Int(nameSize))
            let next = descriptor + aligned(Int(descriptorSize))
            guard next <= end, next > cursor else { return nil }
            if type == 3, nameSize == 4, reader.cString(name, limit: name + 4) == "GNU", descriptorSize > 0 {
                var hex = ""
                for byteOffset in descriptor..<(descriptor + Int(descriptorSize)) {
                    guard let byte = reader.u8(byteOffset) else { return nil }
                    hex += (byte < 16 ? "0" : "") + String(byte, radix: 16)
                }
                return hex
            }
            cursor = next
        }
        return nil
    }

    /// The function containing `address` (a file address). A symbol without a size
    /// is taken to extend to the next symbol.
    public func lookup(_ address: UInt64) -> Symbol? {
        var low = 0
        var high = symbols.count
        while low < high {
            let middle = (low + high) / 2
            if symbols[middle].address <= address { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return nil }
        let candidate = symbols[low - 1]
        if candidate.size > 0 {
            return address < candidate.address + candidate.size ? candidate : nil
        }
        let next = low < symbols.count ? symbols[low].address : UInt64.max
        return address < next && address - candidate.address < 1 << 20 ? candidate : nil
    }
}

/// Bounds-checked little-endian reads.
private struct ByteReader {
    let bytes: UnsafeRawBufferPointer

    func u8(_ offset: Int) -> UInt8? {
        offset >= 0 && offset < bytes.count ? bytes[offset] : nil
    }

    func u16(_ offset: Int) -> UInt16? {
        guard offset >= 0, offset + 2 <= bytes.count else { return nil }
        return UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    func u32(_ offset: Int) -> UInt32? {
        guard offset >= 0, offset + 4 <= bytes.count else { return nil }
        return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    func u64(_ offset: Int) -> UInt64? {
        guard offset >= 0, offset + 8 <= bytes.count else { return nil }
        return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    func cString(_ offset: Int, limit: Int) -> String? {
        let end = min(limit, bytes.count)
        guard offset >= 0, offset < end else { return nil }
        var cursor = offset
        while cursor < end && bytes[cursor] != 0 { cursor += 1 }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<cursor]), as: UTF8.self)
    }
}
