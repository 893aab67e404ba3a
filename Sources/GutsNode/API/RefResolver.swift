import Foundation
import GutsGit
import GutsStorage

/// Turns the ref part of a content URL into a commit, telling whether the URL named it
/// immutably (a full object id) or by a movable name.
struct RefResolver {
    let repository: RepositoryHandle
    let reachable: ReachableCommits

    struct Resolved {
        var commit: ObjectID
        /// The URL named a full object id: its content can never change.
        var immutable: Bool
        /// Path components after the ref, percent-decoded.
        var path: [String]
    }

    /// Decodes the components of a URL path (`%20`, `%C3%A9`...), refusing with 400 those
    /// that cannot name a tree entry: `.`, `..`, and any holding `/` or NUL once decoded.
    static func decode(_ components: [String]) throws -> [String] {
        try components.map { component in
            // Most components hold no escape; Foundation's decoder is the slow part of a raw request.
            let decoded = component.utf8.contains(UInt8(ascii: "%")) ? component.removingPercentEncoding : component
            guard let decoded,
                  decoded != ".", decoded != "..", !decoded.contains("/"), !decoded.utf8.contains(0) else {
                throw NodeError(.badRequest, "invalid path component \(GitProtocolError.quote(component))")
            }
            return decoded
        }.filter { !$0.isEmpty }
    }

    /// Resolves the longest leading run of `components` (already decoded) that names a
    /// branch, tag or ref (branch names may contain slashes, so `feature/x/file` finds
    /// `feature/x` before `feature`), then a full commit id, then `HEAD`, returning the
    /// rest as the path. Runs longer than any ref name are not looked up, so the work is
    /// bounded whatever the URL. A commit id must be reachable from some ref.
    func resolve(_ components: [String]) throws -> Resolved? {
        guard let first = components.first else { return nil }
        var lengths = [Int]()
        var bytes = -1
        for component in components {
            bytes += component.utf8.count + 1
            guard bytes <= RefName.maxLength else { break }
            lengths.append(lengths.count + 1)
        }
        for length in lengths.reversed() {
            let name = components[..<length].joined(separator: "/")
            for candidate in ["refs/heads/\(name)", "refs/tags/\(name)", name] where RefName.isValid(candidate) {
                if let id = try repository.refs.get(candidate) {
                    return Resolved(commit: try repository.peel(id), immutable: false, path: Array(components[length...]))
                }
            }
        }
        if ObjectID.isHex(first), let id = ObjectID(hex: first) {
            guard try repository.objects.contains(id), try reachable.contains(id, in: repository) else { return nil }
            return Resolved(commit: try repository.peel(id), immutable: true, path: Array(components.dropFirst()))
        }
        if first == "HEAD", let id = repository.refs.resolveHead() {
            return Resolved(commit: try repository.peel(id), immutable: false, path: Array(components.dropFirst()))
        }
        return nil
    }

    /// Walks `path` from the commit's tree; nil when some component does not exist.
    func entry(at path: [String], in commit: ObjectID) throws -> (id: ObjectID, mode: FileMode)? {
        guard let object = try repository.load(commit), object.type == .commit else { return nil }
        var current = (id: try Commit(parsing: object.body).tree, mode: FileMode.directory)
        for component in path where !component.isEmpty {
            guard current.mode == .directory, let tree = try repository.load(current.id), tree.type == .tree else { return nil }
            guard let entry = try Tree(parsing: tree.body).entries.first(where: { $0.nameString == component }) else { return nil }
            current = (entry.id, entry.mode)
        }
        return current
    }
}
