import CSystemSupport
import Glibc

/// Names the addresses of a `RawCPUProfile`.
///
/// For each address: find the loaded module (`ModuleMap`), look the file address up in
/// that file's ELF `.symtab`/`.dynsym` (so `internal` functions of release builds are
/// named too), fall back to `dladdr`, and finally to `module+0xoffset`. Swift and C++
/// names are demangled. Frames at and above a signal trampoline (`__restore_rt`) are
/// dropped, as the sampler's own frames.
public struct Symbolizer: Sendable {
    public struct Options: Sendable {
        /// Drop `Swift.` qualifiers from demangled Swift names.
        public var simplifyNames: Bool
        /// Add a root frame naming the thread (its name where known, else `thread <tid>`) to every stack.
        public var threadRootFrames: Bool

        public init(simplifyNames: Bool = true, threadRootFrames: Bool = false) {
            self.simplifyNames = simplifyNames
            self.threadRootFrames = threadRootFrames
        }
    }

    public var options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Symbolizes against the modules loaded now.
    public func symbolize(_ raw: RawCPUProfile) -> Profile {
        symbolize(raw, modules: ModuleMap.current())
    }

    public func symbolize(_ raw: RawCPUProfile, modules: ModuleMap) -> Profile {
        let entries = Array(raw.stacks)
        let (stacks, mappings) = frames(of: entries.map(\.key), threadNames: raw.threadNames, modules: modules)
        var merged: [[Profile.Frame]: (count: Int, thread: Int32)] = [:]
        var order: [[Profile.Frame]] = []
        for ((key, count), frames) in zip(entries, stacks) {
            if let existing = merged[frames] {
                merged[frames] = (existing.count + count, existing.thread == key.thread ? key.thread : 0)
            } else {
                merged[frames] = (count, key.thread)
                order.append(frames)
            }
        }
        let samples = order.map { frames in
            Profile.Sample(frames: frames, count: merged[frames]!.count, thread: merged[frames]!.thread,
                           threadName: raw.threadNames[merged[frames]!.thread])
        }
        var profile = Profile(samples: samples, periodNanos: raw.periodNanos, durationNanos: Int64(raw.statistics.durationNanos),
                              startNanos: raw.startNanos, mappings: mappings, statistics: raw.statistics)
        profile.mode = raw.mode
        return profile
    }

    /// The frames of each stack (root first, trampolines cut, forwarders folded and thread
    /// roots added as the options say), and the mappings of the modules they touch.
    func frames(of keys: [RawCPUProfile.StackKey], threadNames: [Int32: String] = [:],
                modules: ModuleMap) -> (stacks: [[Profile.Frame]], mappings: [Profile.Mapping]) {
        let cache = Cache(modules: modules, options: options)
        let stacks = keys.map { key in
            var frames: [Profile.Frame] = []
            frames.reserveCapacity(key.addresses.count + 1)
            for (index, address) in key.addresses.enumerated() {
                frames.append(cache.frame(for: address, isReturnAddress: index > 0))
            }
            // Leaf first here: cut everything up to and including a signal trampoline.
            if let trampoline = frames.lastIndex(where: { Self.isSignalTrampoline($0) }) {
                frames.removeFirst(trampoline + 1)
            }
            frames.reverse()
            if options.simplifyNames { frames = Self.foldingForwarders(frames) }
            if options.threadRootFrames {
                frames.insert(Profile.Frame(name: threadNames[key.thread] ?? "thread \(key.thread)"), at: 0)
            }
            return frames
        }
        let mappings = cache.usedModules.sorted { $0.lowestAddress < $1.lowestAddress }.map { module in
            let text = module.segments.first(where: \.executable) ?? module.segments.first
            return Profile.Mapping(start: module.lowestAddress, limit: module.highestAddress,
                                   fileOffset: text.map { $0.fileOffset - ($0.start - module.lowestAddress) } ?? 0,
                                   path: module.path.isEmpty ? module.loaderName : module.path)
        }
        return (stacks, mappings)
    }

    /// `frames` (root first) without thunks, and without forwarders beside a frame of the same
    /// name, so their samples count for the caller; a stack of nothing but thunks stays as it is.
    static func foldingForwarders(_ frames: [Profile.Frame]) -> [Profile.Frame] {
        var kept: [Profile.Frame] = []
        kept.reserveCapacity(frames.count)
        for (index, frame) in frames.enumerated() {
            switch frame.role {
            case .function: kept.append(frame)
            case .thunk: continue
            case .forwarder:
                let callee = index + 1 < frames.count ? frames[index + 1].name : nil
                if callee != frame.name && kept.last?.name != frame.name { kept.append(frame) }
            }
        }
        return kept.isEmpty ? frames : kept
    }

    static func isSignalTrampoline(_ frame: Profile.Frame) -> Bool {
        frame.systemName == "__restore_rt" || frame.name == "__restore_rt"
            || (frame.module.hasPrefix("linux-vdso") && frame.systemName.contains("sigreturn"))
    }

    /// Per-symbolization memo of symbol tables and frames (used from one thread).
    private final class Cache {
        let modules: ModuleMap
        let options: Options
        var tables: [String: ELFSymbolTable?] = [:]
        var frames: [UInt: Profile.Frame] = [:]
        var usedModules: Set<LoadedModule> = []

        init(modules: ModuleMap, options: Options) {
            self.modules = modules
            self.options = options
        }

        func frame(for address: UInt, isReturnAddress: Bool) -> Profile.Frame {
            // A return address points after the call; look up the call instruction.
            let lookup = isReturnAddress && address > 0 ? address - 1 : address
            if let known = frames[lookup] { return known }
            let resolved = resolve(lookup, reported: address)
            frames[lookup] = resolved
            return resolved
        }

        private func resolve(_ address: UInt, reported: UInt) -> Profile.Frame {
            let module = modules.module(containing: address)
            if let module {
                usedModules.insert(module)
                if let table = table(for: module), let symbol = table.lookup(UInt64(address &- module.bias)) {
                    return named(symbol.name, module: module.shortName, address: reported)
                }
            }
            var info = guts_dl_info()
            if guts_dladdr(UnsafeRawPointer(bitPattern: address), &info) != 0, let symbol = info.dli_sname {
                let raw = String(cString: symbol)
                let moduleName = module?.shortName
                    ?? info.dli_fname.map { String(cString: $0).split(separator: "/").last.map(String.init) ?? "" } ?? ""
                return named(raw, module: moduleName, address: reported)
            }
            if let module {
                let offset = String(address &- module.bias, radix: 16)
                return Profile.Frame(name: "\(module.shortName)+0x\(offset)", module: module.shortName, address: reported)
            }
            return Profile.Frame(name: "0x\(String(address, radix: 16))", address: reported)
        }

        private func named(_ symbol: String, module: String, address: UInt) -> Profile.Frame {
            guard options.simplifyNames else {
                return Profile.Frame(name: Demangler.demangle(symbol, simplified: false), module: module, address: address, systemName: symbol)
            }
            let readable = Demangler.readable(symbol)
            return Profile.Frame(name: readable.name, module: module, address: address, systemName: symbol, role: readable.role)
        }

        private func table(for module: LoadedModule) -> ELFSymbolTable? {
            guard !module.path.isEmpty else { return nil }
            if let cached = tables[module.path] { return cached }
            let loaded = ELFSymbolTable.load(path: module.path)
            tables[module.path] = loaded
            return loaded
        }
    }
}
