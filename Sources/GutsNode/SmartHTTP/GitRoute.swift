/// A path under the git layouts: `/{owner}/{name}.git/...`, `/{owner}/{name}/...` and `/git/{owner}/{name}/...`.
struct GitRoute: Equatable, Sendable {
    enum Action: Equatable, Sendable {
        case infoRefs
        case uploadPack
        case receivePack
        /// `raw/{ref}/{path}`: the remaining components, ref and path not yet told apart.
        case raw([String])
        /// `archive/{ref}.{tar.gz|zip}`.
        case archive(String)
        /// `info/lfs/...`: the Git LFS API, with the components after `info/lfs`.
        case lfs([String])
    }

    var repository: String
    var action: Action

    /// Splits a request path (without query) into repository and action; nil for other paths.
    static func parse(_ path: String) -> GitRoute? {
        var components = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if components.first == "git" && components.count >= 4 { components.removeFirst() }
        guard components.count >= 3 else { return nil }
        let owner = components[0]
        var name = components[1]
        if name.hasSuffix(".git") { name.removeLast(4) }
        guard !owner.isEmpty, !name.isEmpty else { return nil }
        let rest = Array(components[2...])
        let action: Action
        switch rest.first {
        case "info" where rest == ["info", "refs"]: action = .infoRefs
        case "info" where rest.count >= 3 && rest[1] == "lfs": action = .lfs(Array(rest.dropFirst(2)))
        case "git-upload-pack" where rest.count == 1: action = .uploadPack
        case "git-receive-pack" where rest.count == 1: action = .receivePack
        case "raw" where rest.count >= 3: action = .raw(Array(rest.dropFirst()))
        case "archive" where rest.count >= 2: action = .archive(rest.dropFirst().joined(separator: "/"))
        default: return nil
        }
        return GitRoute(repository: "\(owner)/\(name)", action: action)
    }

    /// The route as a template, with the repository, refs, paths and ids as placeholders:
    /// the label requests are counted under in `/metrics`.
    var template: String {
        switch action {
        case .infoRefs: "/{owner}/{name}/info/refs"
        case .uploadPack: "/{owner}/{name}/git-upload-pack"
        case .receivePack: "/{owner}/{name}/git-receive-pack"
        case .raw: "/{owner}/{name}/raw/{ref}/{path}"
        case .archive: "/{owner}/{name}/archive/{ref}.{format}"
        case .lfs(let rest): "/{owner}/{name}/info/lfs/" + Self.lfsTemplate(rest)
        }
    }

    /// The Git LFS API's routes: `objects/batch`, `objects/{oid}`, `verify`, `locks`,
    /// `locks/verify` and `locks/{id}/unlock`; `*` for anything else.
    private static func lfsTemplate(_ rest: [String]) -> String {
        switch (rest.count, rest.first) {
        case (2, "objects"): rest[1] == "batch" ? "objects/batch" : "objects/{oid}"
        case (1, "verify"), (1, "locks"): rest[0]
        case (2, "locks") where rest[1] == "verify": "locks/verify"
        case (3, "locks") where rest[2] == "unlock": "locks/{id}/unlock"
        default: "*"
        }
    }
}
