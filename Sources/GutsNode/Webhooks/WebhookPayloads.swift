import Foundation
import GutsGit
import GutsStorage

/// The JSON bodies of `push`, `create`, `delete` and `ping` deliveries, with GitHub's
/// field names (snake_case as written), so receivers built for GitHub parse them as they are.
enum WebhookPayloads {
    struct Person: Encodable, Sendable, Equatable {
        var name: String
        var email: String?
        var username: String?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(name, forKey: .name)
            try container.encode(email, forKey: .email)
            if let username { try container.encode(username, forKey: .username) }
        }

        private enum Keys: String, CodingKey { case name, email, username }
    }

    struct User: Encodable, Sendable {
        var login: String
        var type = "User"
    }

    struct Owner: Encodable, Sendable {
        var login: String
        var name: String
    }

    struct RepositoryInfo: Encodable, Sendable {
        var id: UInt64
        var name: String
        var full_name: String
        var `private`: Bool
        var owner: Owner
        var description: String
        var html_url: String
        var url: String
        var clone_url: String
        var default_branch: String
        var master_branch: String
    }

    struct CommitInfo: Encodable, Sendable, Equatable {
        var id: String
        var tree_id: String
        var distinct = true
        var message: String
        var timestamp: String
        var url: String
        var author: Person
        var committer: Person
        var added: [String]
        var removed: [String]
        var modified: [String]
    }

    struct Push: Encodable, Sendable {
        var ref: String
        var before: String
        var after: String
        var created: Bool
        var deleted: Bool
        var forced: Bool
        var compare: String
        var commits: [CommitInfo]
        var head_commit: CommitInfo?
        var repository: RepositoryInfo
        var pusher: Person
        var sender: User

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(ref, forKey: .ref)
            try container.encode(before, forKey: .before)
            try container.encode(after, forKey: .after)
            try container.encode(created, forKey: .created)
            try container.encode(deleted, forKey: .deleted)
            try container.encode(forced, forKey: .forced)
            try container.encodeNil(forKey: .base_ref)
            try container.encode(compare, forKey: .compare)
            try container.encode(commits, forKey: .commits)
            try container.encode(head_commit, forKey: .head_commit)
            try container.encode(repository, forKey: .repository)
            try container.encode(pusher, forKey: .pusher)
            try container.encode(sender, forKey: .sender)
        }

        private enum Keys: String, CodingKey {
            case ref, before, after, created, deleted, forced, base_ref, compare, commits, head_commit, repository, pusher, sender
        }
    }

    /// `create` and `delete`: a branch or tag appeared or went away.
    struct RefEvent: Encodable, Sendable {
        var ref: String
        var ref_type: String
        var master_branch: String
        var description: String
        var pusher_type = "user"
        var repository: RepositoryInfo
        var sender: User
    }

    struct HookConfig: Encodable, Sendable {
        var url: String
        var content_type: String
        var insecure_ssl = "0"
    }

    struct HookInfo: Encodable, Sendable {
        var type = "Repository"
        var id: UInt64
        var name = "web"
        var active: Bool
        var events: [String]
        var config: HookConfig
    }

    struct Ping: Encodable, Sendable {
        var zen: String
        var hook_id: UInt64
        var hook: HookInfo
        var repository: RepositoryInfo
        var sender: User
    }

    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    static func repositoryInfo(_ repository: Repository, baseURL: String) -> RepositoryInfo {
        let links = RepositoryLinks(base: baseURL, fullName: repository.fullName)
        return RepositoryInfo(
            id: repository.id, name: repository.name, full_name: repository.fullName, private: repository.isPrivate,
            owner: Owner(login: repository.owner, name: repository.owner), description: repository.description,
            html_url: links.html, url: links.api, clone_url: links.clone,
            default_branch: repository.defaultBranch, master_branch: repository.defaultBranch)
    }

    static func ping(hook: Webhook, repository: Repository, baseURL: String, sender: String) throws -> [UInt8] {
        try encode(Ping(
            zen: "Keep it logically awesome.", hook_id: hook.id,
            hook: HookInfo(id: hook.id, active: hook.active, events: hook.events, config: HookConfig(url: hook.url, content_type: hook.contentType)),
            repository: repositoryInfo(repository, baseURL: baseURL), sender: User(login: sender)))
    }
}

/// Builds the payloads of one push from the repository's history.
struct WebhookPushBuilder {
    let handle: RepositoryHandle
    let baseURL: String
    /// GitHub's cap on `commits` in a push payload.
    static let maxCommits = 2048
    /// Paths listed per commit in each of added, removed and modified.
    static let maxPathsPerList = 3000

    /// The `push` payload of one ref change; `otherTips` are the tips of refs this push did
    /// not change, whose history a created ref's `commits` leave out.
    func push(_ change: WebhookEvent.RefChange, pusher: String, otherTips: [ObjectID]) throws -> WebhookPayloads.Push {
        let before = ObjectID(hex: change.before) ?? .zero
        let after = ObjectID(hex: change.after) ?? .zero
        let created = before.isZero, deleted = after.isZero
        var forced = false
        var commits: [WebhookPayloads.CommitInfo] = []
        var head: WebhookPayloads.CommitInfo?
        if !deleted {
            let tip = try handle.peel(after)
            if try handle.commitNode(tip) != nil {
                let excluded = created ? otherTips : [try handle.peel(before)]
                let ids = try newCommits(from: tip, excluding: excluded)
                commits = try ids.reversed().map(commitInfo)
                head = try commits.last.flatMap { $0.id == tip.hex ? $0 : nil } ?? commitInfo(tip)
                if !created {
                    forced = try !ReachabilityWalker.isAncestor(try handle.peel(before), of: tip, load: { try handle.load($0) },
                                                              links: { try handle.commitNode($0) })
                }
            }
        }
        let repository = handle.repository
        return WebhookPayloads.Push(
            ref: change.name, before: change.before, after: change.after, created: created, deleted: deleted, forced: forced,
            compare: "\(baseURL)/api/repos/\(repository.fullName)/commits?ref=\(deleted ? change.before : change.after)",
            commits: commits, head_commit: head, repository: WebhookPayloads.repositoryInfo(repository, baseURL: baseURL),
            pusher: WebhookPayloads.Person(name: pusher, email: nil), sender: WebhookPayloads.User(login: pusher))
    }

    /// `create` or `delete` for a branch or tag; nil for other refs and for updates.
    func refEvent(_ change: WebhookEvent.RefChange, pusher: String) -> (event: String, payload: WebhookPayloads.RefEvent)? {
        let created = change.before == ObjectID.zero.hex, deleted = change.after == ObjectID.zero.hex
        guard created != deleted else { return nil }
        let kind: String, short: String
        if change.name.hasPrefix("refs/heads/") {
            (kind, short) = ("branch", String(change.name.dropFirst("refs/heads/".count)))
        } else if change.name.hasPrefix("refs/tags/") {
            (kind, short) = ("tag", String(change.name.dropFirst("refs/tags/".count)))
        } else {
            return nil
        }
        let repository = handle.repository
        return (created ? "create" : "delete", WebhookPayloads.RefEvent(
            ref: short, ref_type: kind, master_branch: repository.defaultBranch, description: repository.description,
            repository: WebhookPayloads.repositoryInfo(repository, baseURL: baseURL), sender: WebhookPayloads.User(login: pusher)))
    }

    /// Commits reachable from `tip` but not from `excluding`, newest first, at most
    /// `maxCommits`: `git rev-list tip ^excluding`, walked in generation order so that a
    /// commit is settled once every commit that could reach it has been seen.
    func newCommits(from tip: ObjectID, excluding: [ObjectID]) throws -> [ObjectID] {
        struct Entry { var id: ObjectID; var node: CommitNode }
        var uninteresting = Set<ObjectID>()
        var seen = Set<ObjectID>()
        var queue: [Entry] = []
        func push(_ id: ObjectID, excluded: Bool) throws {
            if excluded { uninteresting.insert(id) }
            guard seen.insert(id).inserted, let node = try handle.commitNode(id) else { return }
            queue.append(Entry(id: id, node: node))
        }
        for id in excluding where !id.isZero {
            if let commit = try? handle.peel(id) { try push(commit, excluded: true) }
        }
        try push(tip, excluded: false)
        var result: [ObjectID] = []
        while result.count < Self.maxCommits, queue.contains(where: { !uninteresting.contains($0.id) }) {
            // The frontier is as wide as the history's parallel branches, so a scan for the
            // highest (generation, time) is cheap enough here.
            var best = 0
            for index in queue.indices.dropFirst() where Self.precedes(queue[best].node, queue[index].node) { best = index }
            let entry = queue.remove(at: best)
            let excluded = uninteresting.contains(entry.id)
            if !excluded { result.append(entry.id) }
            for parent in entry.node.parents {
                if excluded { uninteresting.insert(parent) }
                try push(parent, excluded: excluded)
            }
        }
        return result
    }

    /// Whether `lhs` comes after `rhs` in the walk (lower generation, then older).
    private static func precedes(_ lhs: CommitNode, _ rhs: CommitNode) -> Bool {
        if lhs.generation > 0, rhs.generation > 0, lhs.generation != rhs.generation { return lhs.generation < rhs.generation }
        return lhs.time < rhs.time
    }

    func commitInfo(_ id: ObjectID) throws -> WebhookPayloads.CommitInfo {
        guard let object = try handle.objects.load(id), object.type == .commit else {
            throw WebhookPayloadError.missingCommit(id.hex)
        }
        let commit = try Commit(parsing: object.body)
        var diff = TreeChanges(limit: Self.maxPathsPerList)
        let parentTree = try commit.parents.first.flatMap { try handle.commitNode($0)?.tree }
        try diff.compare(old: parentTree, new: commit.tree, prefix: "", load: { try handle.objects.load($0) })
        return WebhookPayloads.CommitInfo(
            id: id.hex, tree_id: commit.tree.hex, message: commit.messageText, timestamp: Self.timestamp(commit.author),
            url: "\(baseURL)/api/repos/\(handle.repository.fullName)/commits?ref=\(id.hex)",
            author: Self.person(commit.author), committer: Self.person(commit.committer),
            added: diff.added, removed: diff.removed, modified: diff.modified)
    }

    static func person(_ signature: Signature) -> WebhookPayloads.Person {
        WebhookPayloads.Person(name: signature.name, email: signature.email, username: nil)
    }

    /// `2024-05-01T12:30:00+02:00`, in the signature's own time zone.
    static func timestamp(_ signature: Signature) -> String {
        let zone = Array(signature.timezone.utf8)
        var offsetSeconds = 0
        var suffix = "Z"
        if zone.count == 5, zone[0] == UInt8(ascii: "+") || zone[0] == UInt8(ascii: "-"),
           let hours = Int(String(decoding: zone[1..<3], as: UTF8.self)), let minutes = Int(String(decoding: zone[3..<5], as: UTF8.self)) {
            offsetSeconds = (hours * 3600 + minutes * 60) * (zone[0] == UInt8(ascii: "-") ? -1 : 1)
            suffix = "\(signature.timezone.prefix(3)):\(signature.timezone.suffix(2))"
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(signature.time) + TimeInterval(offsetSeconds))) + suffix
    }
}

/// Paths that differ between two trees, as a push payload lists them per commit.
struct TreeChanges {
    var added: [String] = []
    var removed: [String] = []
    var modified: [String] = []
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    mutating func compare(old: ObjectID?, new: ObjectID?, prefix: String, load: (ObjectID) throws -> (type: ObjectType, body: [UInt8])?) throws {
        guard old != new else { return }
        let oldEntries = try old.map { try Self.entries($0, load: load) } ?? [:]
        let newEntries = try new.map { try Self.entries($0, load: load) } ?? [:]
        for name in Set(oldEntries.keys).union(newEntries.keys).sorted() {
            let path = prefix + name
            let before = oldEntries[name], after = newEntries[name]
            let beforeIsTree = before?.mode == .directory, afterIsTree = after?.mode == .directory
            switch (before, after) {
            case (let before?, let after?) where before.id == after.id && before.mode == after.mode:
                continue
            case (let before?, let after?) where beforeIsTree && afterIsTree:
                try compare(old: before.id, new: after.id, prefix: path + "/", load: load)
            case (let before?, let after?) where !beforeIsTree && !afterIsTree:
                add(path, to: \.modified)
            default:
                if let before { beforeIsTree ? try compare(old: before.id, new: nil, prefix: path + "/", load: load) : add(path, to: \.removed) }
                if let after { afterIsTree ? try compare(old: nil, new: after.id, prefix: path + "/", load: load) : add(path, to: \.added) }
            }
        }
    }

    private mutating func add(_ path: String, to list: WritableKeyPath<TreeChanges, [String]>) {
        if self[keyPath: list].count < limit { self[keyPath: list].append(path) }
    }

    private static func entries(_ id: ObjectID, load: (ObjectID) throws -> (type: ObjectType, body: [UInt8])?) throws -> [String: Tree.Entry] {
        guard let object = try load(id), object.type == .tree else { return [:] }
        return Dictionary(try Tree(parsing: object.body).entries.map { ($0.nameString, $0) }, uniquingKeysWith: { first, _ in first })
    }
}

enum WebhookPayloadError: Error, CustomStringConvertible {
    case missingCommit(String)

    var description: String {
        switch self {
        case .missingCommit(let id): "commit \(id) is not in the repository"
        }
    }
}
