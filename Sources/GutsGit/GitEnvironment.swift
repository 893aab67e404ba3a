/// The one environment every stock `git` this project runs gets (imports, benchmarks,
/// tests): no system or global configuration, so an operator's `~/.gitconfig` cannot
/// change what an import fetches or how; never a prompt, so a missing credential fails
/// at once instead of hanging a job; and a fixed identity for the commits scripts make.
public enum GitEnvironment {
    /// `base` (the process's environment) with git isolated; `name` and `email` sign commits.
    public static func isolated(from base: [String: String], name: String = "Guts", email: String = "guts@guts.invalid") -> [String: String] {
        var environment = base
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_TERMINAL_PROMPT"] = "0"
        environment["GIT_ASKPASS"] = "/bin/false"
        environment["GIT_AUTHOR_NAME"] = name
        environment["GIT_AUTHOR_EMAIL"] = email
        environment["GIT_COMMITTER_NAME"] = name
        environment["GIT_COMMITTER_EMAIL"] = email
        return environment
    }
}
