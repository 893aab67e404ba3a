/// The two git services a smart HTTP remote offers.
public enum GitService: String, Sendable, CaseIterable {
    case uploadPack = "git-upload-pack"
    case receivePack = "git-receive-pack"

    var advertisementContentType: String { "application/x-\(rawValue)-advertisement" }
    var requestContentType: String { "application/x-\(rawValue)-request" }
    var resultContentType: String { "application/x-\(rawValue)-result" }
}
