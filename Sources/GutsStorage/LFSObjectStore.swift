import Foundation
import GutsGit
import Synchronization

/// Git LFS objects as files, content-addressed by SHA-256:
/// `<directory>/<repository id>/<oid[0..<2]>/<oid[2..<4]>/<oid>`.
///
/// Objects belong to one repository, so a caller who may read repository A can never
/// fetch B's objects by guessing ids. Uploads go to `<directory>/tmp`, are hashed while
/// they stream in, fsynced, and only then renamed into place (and the directory fsynced),
/// so a reader never sees a partial object and an acknowledged one survives a crash.
public final class LFSObjectStore: Sendable {
    public struct Totals: Sendable, Equatable, Codable {
        public var objects = 0
        public var bytes = 0
    }

    public let directory: String
    public var temporaryDirectory: String { directory + "/tmp" }
    /// Totals of every repository, walked once on first use and kept up to date after.
    private let totalsCache = Mutex<Totals?>(nil)

    public init(directory: String) {
        self.directory = directory
    }

    /// `<data-dir>/lfs`.
    public convenience init(dataDirectory: String) {
        self.init(directory: dataDirectory + "/lfs")
    }

    /// 64 lowercase hex digits.
    public static func isValidOID(_ oid: String) -> Bool {
        oid.utf8.count == 64 && oid.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    func repositoryDirectory(_ repositoryID: UInt64) -> String { "\(directory)/\(repositoryID)" }

    /// Where `oid` of `repositoryID` is (or would be) stored; `oid` must be valid.
    public func path(repositoryID: UInt64, oid: String) -> String {
        let utf8 = Array(oid.utf8)
        let first = String(decoding: utf8.prefix(2), as: UTF8.self)
        let second = String(decoding: utf8.dropFirst(2).prefix(2), as: UTF8.self)
        return "\(repositoryDirectory(repositoryID))/\(first)/\(second)/\(oid)"
    }

    /// The stored size of `oid`, nil when it is not stored (or `oid` is not valid).
    public func size(repositoryID: UInt64, oid: String) -> Int? {
        guard Self.isValidOID(oid) else { return nil }
        var info = stat()
        guard stat(path(repositoryID: repositoryID, oid: oid), &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return Int(info.st_size)
    }

    /// Starts an upload of `oid` that must be `size` bytes long.
    public func beginUpload(repositoryID: UInt64, oid: String, size: Int) throws -> LFSUpload {
        guard Self.isValidOID(oid) else { throw LFSObjectError.invalidOID(oid) }
        guard size >= 0 else { throw LFSObjectError.sizeMismatch(expected: size, actual: 0) }
        return try LFSUpload(store: self, repositoryID: repositoryID, oid: oid, expectedSize: size)
    }

    /// Copies the file at `source` in as `oid` (its content must hash to it), streaming;
    /// returns false when the object was already stored.
    @discardableResult
    public func importFile(at source: String, repositoryID: UInt64, oid: String) throws -> Bool {
        if size(repositoryID: repositoryID, oid: oid) != nil { return false }
        guard let input = FileHandle(forReadingAtPath: source) else { throw LFSObjectError.io("cannot read \(source)") }
        defer { try? input.close() }
        let length = (try? FileManager.default.attributesOfItem(atPath: source)[.size] as? Int) ?? 0
        let upload = try beginUpload(repositoryID: repositoryID, oid: oid, size: length)
        do {
            while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
                try upload.write(chunk)
            }
            try upload.finish()
        } catch {
            upload.abandon()
            throw error
        }
        return true
    }

    /// The objects of one repository with their sizes, sorted by oid.
    public func list(repositoryID: UInt64) -> [(oid: String, size: Int)] {
        let root = repositoryDirectory(repositoryID)
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var found: [(oid: String, size: Int)] = []
        while let relative = walker.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            guard Self.isValidOID(name), let size = size(repositoryID: repositoryID, oid: name) else { continue }
            found.append((name, size))
        }
        return found.sorted { $0.oid < $1.oid }
    }

    /// Removes every object of a repository (it is being deleted).
    public func removeAll(repositoryID: UInt64) {
        let objects = list(repositoryID: repositoryID)
        try? FileManager.default.removeItem(atPath: repositoryDirectory(repositoryID))
        totalsCache.withLock { totals in
            totals?.objects -= objects.count
            totals?.bytes -= objects.reduce(0) { $0 + $1.size }
        }
    }

    /// Objects and bytes stored across all repositories.
    public func totals() -> Totals {
        if let known = totalsCache.withLock({ $0 }) { return known }
        var totals = Totals()
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for entry in entries {
            guard let id = UInt64(entry) else { continue }
            for object in list(repositoryID: id) {
                totals.objects += 1
                totals.bytes += object.size
            }
        }
        return totalsCache.withLock { cached in
            if let cached { return cached }
            cached = totals
            return totals
        }
    }

    /// Removes uploads that a crash left unfinished.
    public func discardPartialUploads() {
        try? FileManager.default.removeItem(atPath: temporaryDirectory)
    }

    /// Moves a finished upload into place; false when the object was already there.
    func install(_ temporaryPath: String, repositoryID: UInt64, oid: String, size: Int) throws -> Bool {
        let target = path(repositoryID: repositoryID, oid: oid)
        let parent = (target as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw LFSObjectError.io("cannot create \(parent): \(error.localizedDescription)")
        }
        return try totalsCache.withLock { totals in
            if self.size(repositoryID: repositoryID, oid: oid) != nil {
                unlink(temporaryPath)
                return false
            }
            guard rename(temporaryPath, target) == 0 else {
                throw LFSObjectError.io("cannot move the upload into place: \(String(cString: strerror(errno)))")
            }
            Self.syncDirectory(parent)
            totals?.objects += 1
            totals?.bytes += size
            return true
        }
    }

    private static func syncDirectory(_ path: String) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}

/// One object being written: bytes are hashed and counted as they arrive, and `finish`
/// installs the object only if both match what was promised.
public final class LFSUpload: @unchecked Sendable {
    public let oid: String
    public let expectedSize: Int
    private let store: LFSObjectStore
    private let repositoryID: UInt64
    private let temporaryPath: String
    private let handle: FileHandle
    private var hasher = SHA256()
    public private(set) var written = 0
    private var closed = false

    init(store: LFSObjectStore, repositoryID: UInt64, oid: String, expectedSize: Int) throws {
        self.store = store
        self.repositoryID = repositoryID
        self.oid = oid
        self.expectedSize = expectedSize
        do {
            try FileManager.default.createDirectory(atPath: store.temporaryDirectory, withIntermediateDirectories: true)
        } catch {
            throw LFSObjectError.io("cannot create \(store.temporaryDirectory): \(error.localizedDescription)")
        }
        temporaryPath = store.temporaryDirectory + "/\(oid.prefix(16))-\(UInt64.random(in: 0...UInt64.max)).part"
        guard FileManager.default.createFile(atPath: temporaryPath, contents: nil, attributes: [.posixPermissions: 0o600]),
              let handle = FileHandle(forWritingAtPath: temporaryPath) else {
            throw LFSObjectError.io("cannot create a temporary file under \(store.temporaryDirectory)")
        }
        self.handle = handle
    }

    /// Appends bytes; throws (and keeps nothing) past the promised size or when the disk refuses.
    public func write(_ bytes: some DataProtocol) throws {
        guard written + bytes.count <= expectedSize else {
            throw LFSObjectError.sizeMismatch(expected: expectedSize, actual: written + bytes.count)
        }
        let data = Data(bytes)
        data.withUnsafeBytes { hasher.update($0) }
        do {
            try handle.write(contentsOf: data)
        } catch {
            throw LFSObjectError.io("cannot write the upload: \(error.localizedDescription)")
        }
        written += data.count
    }

    /// Checks size and hash, syncs and installs the object; returns false when it was
    /// already stored. On any failure the partial file is removed.
    @discardableResult
    public func finish() throws -> Bool {
        defer { abandon() }
        guard written == expectedSize else { throw LFSObjectError.sizeMismatch(expected: expectedSize, actual: written) }
        var finished = SHA256()
        swap(&finished, &hasher)
        let actual = finished.finalizeHex()
        guard actual == oid else { throw LFSObjectError.hashMismatch(expected: oid, actual: actual) }
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            throw LFSObjectError.io("cannot sync the upload: \(error.localizedDescription)")
        }
        closed = true
        return try store.install(temporaryPath, repositoryID: repositoryID, oid: oid, size: written)
    }

    /// Drops the partial file (a no-op once installed).
    public func abandon() {
        if !closed {
            try? handle.close()
            closed = true
        }
        unlink(temporaryPath)
    }
}

public enum LFSObjectError: Error, CustomStringConvertible, Sendable, Equatable {
    case invalidOID(String)
    case sizeMismatch(expected: Int, actual: Int)
    case hashMismatch(expected: String, actual: String)
    case io(String)

    public var description: String {
        switch self {
        case .invalidOID(let oid): "invalid LFS object id '\(oid.prefix(80))': expected 64 lowercase hex digits"
        case .sizeMismatch(let expected, let actual): "LFS object size mismatch: expected \(expected) bytes, got \(actual)"
        case .hashMismatch(let expected, let actual): "LFS object content hashes to \(actual), not \(expected)"
        case .io(let message): message
        }
    }
}
