import GutsGit
import GutsStorage

/// The outcome of a push as git's `report-status` states it.
struct PushReport: Sendable, Equatable {
    /// nil for `unpack ok`, else why the pack was refused.
    var unpackError: String?
    /// Each ref in command order with nil for `ok` or the reason for `ng`.
    var refs: [(name: String, error: String?)]

    static func == (lhs: PushReport, rhs: PushReport) -> Bool {
        lhs.unpackError == rhs.unpackError && lhs.refs.elementsEqual(rhs.refs) { $0.name == $1.name && $0.error == $1.error }
    }

    var encoded: [UInt8] {
        var out = PktLine.encode(line: unpackError.map { "unpack \($0)" } ?? "unpack ok")
        for ref in refs {
            out += PktLine.encode(line: ref.error.map { "ng \(ref.name) \($0)" } ?? "ok \(ref.name)")
        }
        return out + PktLine.flush
    }

    var succeeded: Bool { unpackError == nil && refs.allSatisfy { $0.error == nil } }
}

/// The server side of `git push`: stores the pack's objects, proves the new history is
/// complete, then moves every accepted ref in one compare-and-swap transaction.
struct ReceivePack {
    let repository: RepositoryHandle
    let agent: String
    /// Objects are written in batches of about this many bytes.
    var batchBytes = 8 << 20

    static let capabilities = ["report-status", "delete-refs", "side-band-64k", "quiet", "atomic", "ofs-delta", "object-format=sha1"]

    func advertisement() throws -> [UInt8] {
        // Pushers get refs/ only: no HEAD and no peeled tags, so no tag object is read.
        let refs = try repository.refs.list(prefix: "refs/").map { AdvertisedRef(name: $0.name, id: $0.id) }
        return RefAdvertisement.version0(service: .receivePack, refs: refs, capabilities: Self.capabilities + ["agent=\(agent)"])
    }

    /// Applies a push whose pack (if any) was spooled to `packPath`. Never throws: every
    /// failure becomes part of the report, and a refused pack leaves no object behind.
    func apply(_ request: ReceivePackRequest, packPath: String?) -> PushReport {
        var importer: ObjectImporter?
        if request.needsPack, let packPath {
            do {
                importer = try store(packAt: packPath)
            } catch {
                return PushReport(unpackError: "\(error)", refs: request.commands.map { ($0.name, "unpacker error") })
            }
        }
        let added = Set(importer?.added ?? [])
        var outcomes = request.commands.map { command in (name: command.name, error: precheck(command, added: added)) }
        if outcomes.contains(where: { $0.error == "missing necessary objects" }) {
            try? importer?.rollBack()
        }
        let atomic = request.capabilities.contains("atomic")
        if atomic, outcomes.contains(where: { $0.error != nil }) {
            outcomes = outcomes.map { ($0.name, $0.error ?? "atomic push failed") }
            return PushReport(unpackError: nil, refs: outcomes)
        }
        let accepted = request.commands.enumerated().filter { outcomes[$0.offset].error == nil }
        let updates = accepted.map { RefUpdate(name: $0.element.name, expected: $0.element.isCreate ? nil : $0.element.old, new: $0.element.isDelete ? nil : $0.element.new) }
        if !updates.isEmpty {
            do {
                try repository.refs.transaction(updates)
                try repairHead()
            } catch {
                for (index, _) in accepted {
                    outcomes[index].error = "\(error)"
                }
            }
        }
        return PushReport(unpackError: nil, refs: outcomes)
    }

    /// Reads and stores every object of the pack as the pack encoded it (deltas stay
    /// deltas); on any error removes what it added.
    private func store(packAt path: String) throws -> ObjectImporter {
        var importer = ObjectImporter(objects: repository.objects, batchBytes: batchBytes)
        do {
            _ = try PackReader(path: path).readPackedObjects(externalBase: { try repository.load($0) }) { try importer.add($0) }
            try importer.flush()
        } catch {
            try? importer.rollBack()
            throw error
        }
        return importer
    }

    /// Checks one command before the transaction; nil when it may proceed.
    private func precheck(_ command: RefCommand, added: Set<ObjectID>) -> String? {
        guard command.name.hasPrefix("refs/"), (try? RefName.validate(command.name)) != nil else {
            return "funny refname"
        }
        do {
            if command.isDelete {
                if try repository.refs.head() == command.name, try repository.refs.list(prefix: "refs/heads/").count > 1 {
                    return "deletion of the current branch prohibited"
                }
                return nil
            }
            let checker = ConnectivityCheck(repository: repository, added: added)
            do {
                try checker.verify(tips: [command.new])
            } catch is ConnectivityCheck.MissingObject {
                return "missing necessary objects"
            }
            if !command.isCreate, !repository.repository.allowForcePush,
               let newObject = try repository.load(command.new), newObject.type == .commit,
               try !ReachabilityWalker.isAncestor(command.old, of: command.new, load: repository.load) {
                return "non-fast-forward"
            }
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Points HEAD at an existing branch when its target does not exist (a first push of
    /// `master` to a repository whose default branch is `main`).
    private func repairHead() throws {
        let branches = try repository.refs.list(prefix: "refs/heads/")
        guard !branches.isEmpty else { return }
        let head = try repository.refs.head()
        if let head, branches.contains(where: { $0.name == head }) { return }
        let preferred = ["refs/heads/\(repository.repository.defaultBranch)", "refs/heads/main", "refs/heads/master"]
        let target = preferred.first { name in branches.contains { $0.name == name } } ?? branches[0].name
        try repository.refs.setHead(target)
    }
}
