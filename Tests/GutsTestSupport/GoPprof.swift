import Foundation

/// `go tool pprof` (Debian's golang-go, from scripts/setup.sh extras) reading a profile the
/// tests wrote: the reference reader of the pprof format. Shared by the test targets.
public enum GoPprof {
    /// Where `go` is, if installed.
    public static let executable: String? = ["/usr/bin/go", "/usr/local/go/bin/go", "/usr/lib/go/bin/go"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs `go tool pprof ARGUMENTS FILE` on `profile` (gzip profile.proto bytes) written to
    /// a temporary file, with pprof's scratch files kept out of the home directory.
    /// Returns the exit status and the combined output.
    public static func run(_ arguments: [String], profile: [UInt8]) throws -> (status: Int32, output: String) {
        guard let executable else { return (-1, "go is not installed") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("guts-pprof-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("profile.pb.gz")
        try Data(profile).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["tool", "pprof"] + arguments + [file.path]
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = environment["HOME"] ?? directory.path
        environment["PPROF_TMPDIR"] = directory.path
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}
