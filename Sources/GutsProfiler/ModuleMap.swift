import CSystemSupport
import Foundation
import Glibc

/// One object loaded in the process (the executable, a shared library, the vDSO).
public struct LoadedModule: Sendable, Hashable {
    /// One `PT_LOAD` segment, in process addresses.
    public struct Segment: Sendable, Hashable {
        public var start: UInt
        public var end: UInt
        public var fileOffset: UInt
        public var executable: Bool
    }

    /// Path of the ELF file on disk ("" when there is none, as for the vDSO).
    public var path: String
    /// What `dl_iterate_phdr` calls it (the empty string for the main executable).
    public var loaderName: String
    /// Load bias: process address minus the address in the ELF file.
    public var bias: UInt
    public var segments: [Segment]
    public var isMainExecutable: Bool

    /// Short name for frames, like `libc.so.6`.
    public var shortName: String {
        let source = path.isEmpty ? loaderName : path
        return source.split(separator: "/").last.map(String.init) ?? source
    }

    public var lowestAddress: UInt { segments.map(\.start).min() ?? 0 }
    public var highestAddress: UInt { segments.map(\.end).max() ?? 0 }

    public func contains(_ address: UInt) -> Bool {
        segments.contains { address >= $0.start && address < $0.end }
    }
}

/// A snapshot of the loaded objects, from `dl_iterate_phdr`, for mapping addresses to
/// modules. Take it after sampling; a library closed during sampling is missing from
/// it and its frames come out as bare addresses.
public struct ModuleMap: Sendable {
    public var modules: [LoadedModule]

    public init(modules: [LoadedModule]) {
        self.modules = modules.sorted { $0.lowestAddress < $1.lowestAddress }
    }

    /// The module whose segments contain `address`.
    public func module(containing address: UInt) -> LoadedModule? {
        // Few dozen modules: a linear scan over a sorted list is fast enough and
        // copes with interleaved segments.
        modules.first { $0.contains(address) }
    }

    /// Text ranges of the dynamic loader and libunwind, in which the signal handler
    /// must not unwind.
    func loaderAndUnwinderTextRanges() -> [Range<UInt>] {
        modules
            .filter { module in
                let name = module.shortName
                return name.hasPrefix("ld-linux") || name.hasPrefix("ld64") || name.hasPrefix("ld.so") || name.hasPrefix("libunwind")
            }
            .flatMap { $0.segments.filter(\.executable).map { $0.start..<$0.end } }
    }

    /// Walks the loader's list now. Holds the profiler's loader guard meanwhile, so a
    /// `SIGPROF` on this thread does not unwind while the loader lock is held.
    public static func current() -> ModuleMap {
        final class Collector {
            var modules: [LoadedModule] = []
        }
        let collector = Collector()
        SamplerState.prepare()
        SamplerState.add(.loaderGuard, 1)
        _ = guts_dl_iterate_phdr({ info, _, context in
            guard let info, let context else { return 0 }
            let collector = Unmanaged<Collector>.fromOpaque(context).takeUnretainedValue()
            let entry = info.pointee
            let name = entry.dlpi_name.map { String(cString: $0) } ?? ""
            var segments: [LoadedModule.Segment] = []
            if let headers = entry.dlpi_phdr {
                for index in 0..<Int(entry.dlpi_phnum) {
                    let header = headers[index]
                    guard header.p_type == 1 /* PT_LOAD */ else { continue }
                    let start = UInt(entry.dlpi_addr) &+ UInt(header.p_vaddr)
                    segments.append(.init(start: start, end: start &+ UInt(header.p_memsz),
                                          fileOffset: UInt(header.p_offset),
                                          executable: header.p_flags & 1 /* PF_X */ != 0))
                }
            }
            collector.modules.append(LoadedModule(path: name, loaderName: name, bias: UInt(entry.dlpi_addr),
                                                  segments: segments, isMainExecutable: collector.modules.isEmpty))
            return 0
        }, Unmanaged.passUnretained(collector).toOpaque())
        SamplerState.add(.loaderGuard, -1)
        var modules = collector.modules
        for index in modules.indices {
            if modules[index].isMainExecutable && modules[index].path.isEmpty {
                modules[index].path = executablePath() ?? ""
            } else if !modules[index].path.hasPrefix("/") {
                // The vDSO and similar have no file on disk.
                modules[index].path = ""
            }
        }
        return ModuleMap(modules: modules)
    }

    static func executablePath() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
