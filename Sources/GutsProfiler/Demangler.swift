import CSystemSupport
import Glibc

@_silgen_name("swift_demangle")
private func _swiftDemangle(
    _ mangledName: UnsafePointer<CChar>?, _ mangledNameLength: Int,
    _ outputBuffer: UnsafeMutablePointer<CChar>?, _ outputBufferSize: UnsafeMutablePointer<Int>?,
    _ flags: UInt32
) -> UnsafeMutablePointer<CChar>?

/// Turns Swift and C++ symbol names into readable ones.
public enum Demangler {
    private typealias CxaDemangle = @convention(c) (
        UnsafePointer<CChar>?, UnsafeMutablePointer<CChar>?, UnsafeMutablePointer<Int>?, UnsafeMutablePointer<Int32>?
    ) -> UnsafeMutablePointer<CChar>?

    /// `__cxa_demangle` from libstdc++ (loaded by the Swift runtime), found with `dlsym`.
    private static let cxaDemangle: CxaDemangle? = {
        guard let symbol = dlsym(nil /* RTLD_DEFAULT */, "__cxa_demangle") else { return nil }
        return unsafeBitCast(symbol, to: CxaDemangle.self)
    }()

    /// Whether `name` looks like a Swift mangled name.
    public static func isSwiftMangled(_ name: String) -> Bool {
        name.hasPrefix("$s") || name.hasPrefix("$S") || name.hasPrefix("$e") || name.hasPrefix("_T0")
            || name.hasPrefix("_$s") || name.hasPrefix("_$S")
    }

    /// Demangles a Swift or Itanium C++ name; returns `name` unchanged otherwise.
    /// `simplified` gives a Swift name as `SwiftNameSimplifier` reads it (`GutsGit.Pack.read(at:)`);
    /// without it, the full demangled signature.
    public static func demangle(_ name: String, simplified: Bool = true) -> String {
        simplified ? readable(name).name : (isSwiftMangled(name) ? swiftDemangle(name) : name.hasPrefix("_Z") ? cxxDemangle(name) : nil) ?? name
    }

    /// The name a profile shows for symbol `name`, and whether the frame only forwards a call.
    public static func readable(_ name: String) -> SwiftNameSimplifier.Readable {
        if isSwiftMangled(name) {
            guard let demangled = swiftDemangle(name) else { return .init(name: name, role: .function) }
            return SwiftNameSimplifier.simplify(demangled)
        }
        if name.hasPrefix("_Z") { return .init(name: cxxDemangle(name) ?? name, role: .function) }
        return .init(name: name, role: .function)
    }

    static func swiftDemangle(_ name: String) -> String? {
        name.withCString { pointer -> String? in
            guard let result = _swiftDemangle(pointer, strlen(pointer), nil, nil, 0) else { return nil }
            defer { free(result) }
            return String(cString: result)
        }
    }

    static func cxxDemangle(_ name: String) -> String? {
        guard let cxaDemangle else { return nil }
        var status: Int32 = 0
        guard let result = cxaDemangle(name, nil, nil, &status), status == 0 else { return nil }
        defer { free(result) }
        return String(cString: result)
    }

    /// Removes `Swift.` where it qualifies a name (not inside another identifier).
    static func simplify(_ name: String) -> String {
        var output = ""
        output.reserveCapacity(name.count)
        var index = name.startIndex
        let prefix = "Swift."
        while index < name.endIndex {
            if name[index...].hasPrefix(prefix) {
                let previous = output.last
                let qualifies = previous.map { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == ".") } ?? true
                if qualifies {
                    index = name.index(index, offsetBy: prefix.count)
                    continue
                }
            }
            output.append(name[index])
            index = name.index(after: index)
        }
        return output
    }
}
