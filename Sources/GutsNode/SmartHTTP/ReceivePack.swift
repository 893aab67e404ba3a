import Foundation
import GutsGit
import GutsStorage

/// The outcome of a push as git's `report-status` states it.
struct PushReport: Sendable, Equatable {
    /// nil for `unpack ok`, else why the pack was refused.
    var unpackError: String?
    /// Each ref in command order (its name as the client sent it) with nil for `ok` or
    /// the reason for `ng`.
    var refs: [(name: [UInt8], error: String?)]

    static func == (lhs: PushReport, rhs: PushReport) -> Bool {
        lhs.unpackError == rhs.unpackError && lhs.refs.elementsEqual(rhs.refs) { $0.name == $1.name && $0.error == $1.error }
    }

    /// Echoed names are cut here so every report line fits in one pkt-line (a name this
    /// long is refused anyway).
    static let maxEchoedName = 4096

    func encoded() throws -> [UInt8] {
        var out = try PktLine.encode(line: unpackError.map { "unpack \(Self.oneLine($0))" } ?? "unpack ok")
        for ref in refs {
            let name = Array(ref.name.prefix(Self.maxEchoedName))
            let line = ref.error.map { Array("ng ".utf8) + name + Array(" \(Self.oneLine($0))".utf8) } ?? Array("ok ".utf8) + name
            out += try PktLine.encode(line + [UInt8(ascii: "\n")])
        }
        return out + PktLine.flush
    }

    /// A reason as one line of at most 1000 bytes.
    private static func oneLine(_ text: String) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.utf8.count <= 1000 ? flat : String(decoding: flat.utf8.prefix(1000), as: UTF8.self)
    }

    var succeeded: Bool { unpackError == nil && refs.allSatisfy { $0.error == nil } }

    /// The names, for logs.
    var summary: String { refs.map { "\(String(decoding: $0.name, as: UTF8.self))=\($0.error ?? "ok")" }.joined(separator: ",") }
}

/// The server side of `git push`: stores the pack's objects in a quarantine, proves the
/// new history complete, then admits what the accepted tips reach and moves every accepted
/// ref in one compare-and-swap transaction. A refused push leaves nothing behind: no
/// object, and no repository when the push would have created it.
struct ReceivePack {
    let storage: Storage
    /// The repository pushed to; nil when the push creates `name`.
    let repository: Repository?
    let name: String
    let agent: String
    /// Objects are written in batches of about this many bytes.
    var batchBytes = 8 << 20
    /// Refuse objects git's fsck only warns about (`NodeConfiguration.strictObjects`).
    var strictObjects = false
    /// Who pushes, when the repository has webhooks: the accepted ref changes are then
    /// recorded as a `WebhookEvent` in the ref transaction's own batch.
    var webhookPusher: String?
    /// Runs with the accepted updates after their objects are admitted and before the refs
    /// move; throwing refuses them with its description. A cluster node replicates and
    /// commits the push in etcd here.
    var beforeRefTransaction: (@Sendable ([RefUpdate]) throws -> Void)?

    static let capabilities = ["report-status", "delete-refs", "side-band-64k", "quiet", "atomic", "ofs-delta", "object-format=sha1"]

    init(storage: Storage, repository: Repository?, name: String, agent: String) {
        self.storage = storage
        self.repository = repository
        self.name = name
        self.agent = agent
    }

    func advertisement() throws -> [UInt8] {
        // Pushers get refs/ only: no HEAD and no peeled tags, so no tag object is read.
        let refs = try repository.map { try storage.refs($0).list(prefix: "refs/") } ?? []
        return try RefAdvertisement.version0(
            service: .receivePack, refs: refs.map { AdvertisedRef(name: $0.name, id: $0.id) }, capabilities: Self.capabilities + ["agent=\(agent)"])
    }

    /// Applies a push whose pack (if any) was spooled to `packPath`. Never throws: every
    /// failure becomes part of the report.
    func apply(_ request: ReceivePackRequest, packPath: String?) -> PushReport {
        let quarantine = Quarantine(storage: storage, repository: repository)
        defer { try? quarantine.discard() }
        var pushed = PushedObjects(strict: strictObjects)
        if request.needsPack, let packPath {
            do {
                try store(packAt: packPath, in: quarantine.objects, recording: &pushed)
            } catch {
                return PushReport(unpackError: Self.unpackReason(error), refs: request.commands.map { ($0.nameBytes, "unpacker error") })
            }
        }
        let current = (try? repository.map { try storage.refs($0).list(prefix: "refs/") }) ?? []
        let before = RefsBefore(
            ids: Dictionary(current.map { ($0.name, $0.id) }, uniquingKeysWith: { first, _ in first }),
            head: (try? repository.flatMap { try storage.refs($0).head() }) ?? nil,
            branchCount: current.count { $0.name.hasPrefix("refs/heads/") })
        var outcomes = request.commands.map { command in (name: command.nameBytes, error: precheck(command, before: before, objects: quarantine.objects)) }
        let admitted = admittedObjects(request.commands, outcomes: &outcomes, pushed: pushed, objects: quarantine.objects, checkedAt: quarantine.pruneEpoch)
        if request.capabilities.contains("atomic"), outcomes.contains(where: { $0.error != nil }) {
            return PushReport(unpackError: nil, refs: outcomes.map { ($0.name, $0.error ?? "atomic push failed") })
        }
        let accepted = request.commands.indices.filter { outcomes[$0].error == nil }
        guard !accepted.isEmpty else { return PushReport(unpackError: nil, refs: outcomes) }
        do {
            let target = try repository ?? storage.repositories.create(name: name)
            let objects = storage.objects(target)
            switch admitted {
            case .all:
                try quarantine.admitAll(into: objects, batchBytes: batchBytes)
                try storage.commitGraph(target).add(pushed.commits)
            case let .reachable(ids):
                try quarantine.admit(ids, into: objects, batchBytes: batchBytes)
                try storage.commitGraph(target).add(pushed.commits.filter { ids.contains($0.key) })
            }
            let refs = storage.refs(target)
            var event = WriteBatch()
            if let webhookPusher {
                let changes = accepted.map { index in
                    let command = request.commands[index]
                    return WebhookEvent.RefChange(name: command.name ?? "", before: command.isCreate ? ObjectID.zero.hex : command.old.hex,
                                                  after: command.isDelete ? ObjectID.zero.hex : command.new.hex)
                }
                try WebhookStore.enqueue(WebhookEvent(repositoryID: target.id, refs: changes, pusher: webhookPusher, pushedAt: Date()), in: &event)
            }
            let updates = accepted.map { index in
                let command = request.commands[index]
                return RefUpdate(name: command.name ?? "", expected: command.isCreate ? nil : command.old, new: command.isDelete ? nil : command.new)
            }
            try beforeRefTransaction?(updates)
            try refs.transaction(updates, objectsCheckedAt: quarantine.pruneEpoch, alsoWrite: event)
            try repairHead(refs, repository: target)
        } catch {
            for index in accepted { outcomes[index].error = Self.unpackReason(error) }
        }
        return PushReport(unpackError: nil, refs: outcomes)
    }

    /// Reads and stores every object of the pack as the pack encoded it (deltas stay
    /// deltas), recording what `pushed` needs to prove the push complete.
    private func store(packAt path: String, in objects: ObjectStore, recording pushed: inout PushedObjects) throws {
        var importer = ObjectImporter(objects: objects, batchBytes: batchBytes)
        _ = try PackReader(path: path).readPackedObjects(
            externalBase: { try objects.loadRaw($0) },
            inspect: { try pushed.inspect($0, type: $1, body: $2) },
            visit: { try importer.add($0, body: $1) })
        try importer.flush()
        pushed.types = importer.addedTypes
    }

    /// The refs as they are before the push, read once for all its commands.
    private struct RefsBefore {
        var ids: [String: ObjectID]
        var head: String?
        var branchCount: Int
    }

    /// Checks one command against the refs as they are before the push; nil when it may proceed.
    private func precheck(_ command: RefCommand, before: RefsBefore, objects: ObjectStore) -> String? {
        guard let name = command.name, RefName.isValid(command.nameBytes) else { return "funny refname" }
        let current = before.ids[name]
        guard current == (command.isCreate ? nil : command.old) else {
            return "stale info: \(name) is \(current?.hex ?? "absent"), not \(command.old.hex)"
        }
        let allowForcePush = repository?.allowForcePush ?? true
        do {
            if command.isDelete {
                if !allowForcePush, name.hasPrefix("refs/heads/") { return "deletion prohibited" }
                // HEAD is a branch, so when it names this one another branch exists if there are two.
                if before.head == name, before.branchCount > 1 { return "deletion of the current branch prohibited" }
                return nil
            }
            if !command.isCreate, !allowForcePush, let newObject = try objects.get(command.new), newObject.type == .commit,
               try !ReachabilityWalker.isAncestor(command.old, of: command.new, load: { try objects.loadRaw($0) }, links: links(objects)) {
                return "non-fast-forward"
            }
            return nil
        } catch {
            return Self.unpackReason(error)
        }
    }

    /// Commit graph entries of the repository, and of the push's own commits parsed from
    /// its quarantine.
    private func links(_ objects: ObjectStore) -> ReachabilityWalker.CommitLinks? {
        guard let repository else { return nil }
        let graph = storage.commitGraph(repository)
        return { try graph.node($0, objects: objects) }
    }

    /// Which pushed objects the repository takes.
    private enum Admitted {
        /// The pack is closed: all of it (an object no tip reaches is harmless garbage, as
        /// in git, since its history is complete too).
        case all
        /// Those that the updates that passed their checks reach.
        case reachable(Set<ObjectID>)
    }

    /// What the updates that passed their precheck admit. A closed pack needs no walk; only
    /// a pack with holes gets one per tip, to tell which updates lack objects (as git's
    /// receive-pack does), each stopping where an earlier tip's walk succeeded.
    private func admittedObjects(_ commands: [RefCommand], outcomes: inout [(name: [UInt8], error: String?)],
                                 pushed: PushedObjects, objects: ObjectStore, checkedAt epoch: UInt64) -> Admitted {
        let updating = commands.indices.filter { outcomes[$0].error == nil && !commands[$0].isDelete }
        if (try? pushed.isClosed(tips: updating.map { commands[$0].new }, in: objects)) == true { return .all }
        let check = ConnectivityCheck(objects: objects, added: pushed.types)
        var reached = Set<ObjectID>()
        for index in updating {
            do {
                reached.formUnion(try check.reachableAdded(from: [commands[index].new], complete: reached))
            } catch is ConnectivityCheck.MissingObject {
                // A prune since the quarantine opened may have taken an object the client
                // rightly assumed the node had: that push is worth retrying.
                outcomes[index].error = storage.pruneEpoch.current != epoch
                    ? Self.unpackReason(StorageError.objectsPruned) : "missing necessary objects"
            } catch {
                outcomes[index].error = Self.unpackReason(error)
            }
        }
        return .reachable(reached)
    }

    /// Points HEAD at an existing branch when its target does not exist (a first push of
    /// `master` to a repository whose default branch is `main`).
    private func repairHead(_ refs: RefStore, repository: Repository) throws {
        let branches = try refs.list(prefix: "refs/heads/")
        guard !branches.isEmpty else { return }
        let head = try refs.head()
        if let head, branches.contains(where: { $0.name == head }) { return }
        let preferred = ["refs/heads/\(repository.defaultBranch)", "refs/heads/main", "refs/heads/master"]
        let target = preferred.first { name in branches.contains { $0.name == name } } ?? branches[0].name
        try refs.setHead(target)
    }

    /// A storage or pack failure in words for the client: a full disk says so plainly.
    static func unpackReason(_ error: any Error) -> String {
        let text = "\(error)"
        if text.localizedCaseInsensitiveContains("no space left") || text.contains("ENOSPC") {
            return "no space left on device"
        }
        return text
    }
}
