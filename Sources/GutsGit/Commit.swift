/// A commit: a tree snapshot, its parents, who wrote and committed it, and a message.
///
/// Headers git writes in a fixed order (`tree`, `parent`*, `author`, `committer`) are
/// parsed; every other header (`encoding`, `gpgsig`, `mergetag`, ...) is kept in
/// `extraHeaders`, in order, and written back after `committer`.
public struct Commit: Sendable, Hashable {
    public var tree: ObjectID
    public var parents: [ObjectID]
    public var author: Signature
    public var committer: Signature
    public var extraHeaders: [ExtraHeader]
    /// Everything after the blank line that ends the headers, as raw bytes.
    public var message: [UInt8]

    public init(tree: ObjectID, parents: [ObjectID], author: Signature, committer: Signature,
                extraHeaders: [ExtraHeader] = [], message: [UInt8]) {
        self.tree = tree
        self.parents = parents
        self.author = author
        self.committer = committer
        self.extraHeaders = extraHeaders
        self.message = message
    }

    /// The message decoded as UTF-8 (invalid bytes replaced).
    public var messageText: String { String(decoding: message, as: UTF8.self) }

    public init(parsing body: [UInt8]) throws {
        let headers = try ObjectHeaders.parse(body, type: .commit)
        var tree: ObjectID?
        var parents: [ObjectID] = []
        var author: Signature?
        var committer: Signature?
        var extras: [ExtraHeader] = []
        for field in headers.fields {
            func fail(_ reason: String) -> GitObjectError {
                GitObjectError(type: .commit, offset: field.offset, reason: reason)
            }
            switch field.key {
            case "tree" where tree == nil && parents.isEmpty && author == nil:
                guard let id = ObjectID(hex: String(decoding: field.value, as: UTF8.self)) else { throw fail("bad tree id") }
                tree = id
            case "parent" where tree != nil && author == nil:
                guard let id = ObjectID(hex: String(decoding: field.value, as: UTF8.self)) else { throw fail("bad parent id") }
                parents.append(id)
            case "author" where tree != nil && author == nil:
                let signature = Signature(lenient: field.value)
                author = signature
            case "committer" where author != nil && committer == nil:
                let signature = Signature(lenient: field.value)
                committer = signature
            case "tree", "parent", "author", "committer":
                throw fail("unexpected or repeated '\(field.key)' header")
            default:
                guard committer != nil else { throw fail("header '\(field.key)' before committer") }
                extras.append(ExtraHeader(key: field.key, value: field.value))
            }
        }
        guard let tree else { throw GitObjectError(type: .commit, offset: 0, reason: "missing tree header") }
        guard let author else { throw GitObjectError(type: .commit, offset: 0, reason: "missing author header") }
        guard let committer else { throw GitObjectError(type: .commit, offset: 0, reason: "missing committer header") }
        self.init(tree: tree, parents: parents, author: author, committer: committer,
                  extraHeaders: extras, message: headers.message)
    }

    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + message.count)
        ObjectHeaders.append(key: "tree", value: Array(tree.hex.utf8), to: &out)
        for parent in parents {
            ObjectHeaders.append(key: "parent", value: Array(parent.hex.utf8), to: &out)
        }
        ObjectHeaders.append(key: "author", value: author.serialized(), to: &out)
        ObjectHeaders.append(key: "committer", value: committer.serialized(), to: &out)
        for header in extraHeaders {
            ObjectHeaders.append(key: header.key, value: header.value, to: &out)
        }
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: message)
        return out
    }
}
