/// The absolute links of one repository, as the API and webhook payloads name them
/// (GitHub's `html_url`, `url` and `clone_url`), from the node's public base URL.
struct RepositoryLinks: Sendable {
    var html: String
    var api: String
    var clone: String

    init(base: String, fullName: String) {
        html = "\(base)/\(fullName)"
        api = "\(base)/api/repos/\(fullName)"
        clone = "\(base)/\(fullName).git"
    }
}
