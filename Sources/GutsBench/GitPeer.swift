import Foundation

/// git's own server on loopback, serving bare repositories under one directory, for
/// comparing the node with it in the same run: `git daemon` (git://, push enabled), or
/// `git http-backend` behind nginx and fcgiwrap (smart HTTP, as a web host runs it).
public struct GitPeer: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case gitDaemon = "git-daemon"
        case httpBackend = "http-backend"
    }

    let kind: Kind
    /// Where its bare repositories live.
    let root: String
    let port: Int
    /// Process-group leaders: each server and whatever it forks are stopped together.
    private let processes: [Int32]

    /// Starts a peer of `kind` on a free loopback port serving repositories under `root`.
    static func start(_ kind: Kind, root: String) throws -> GitPeer {
        let port = try freePort()
        switch kind {
        case .gitDaemon:
            let pid = try spawn("git daemon --reuseaddr --export-all --enable=receive-pack --base-path='\(root)' --listen=127.0.0.1 --port=\(port)", log: root + "/.daemon.log")
            try waitForPort(port)
            return GitPeer(kind: kind, root: root, port: port, processes: [pid])
        case .httpBackend:
            let socket = root + "/.fcgiwrap.sock"
            let backend = try GitRunner.shell("git --exec-path", in: root).trimmingCharacters(in: .whitespacesAndNewlines) + "/git-http-backend"
            guard FileManager.default.isExecutableFile(atPath: backend) else { throw BenchError.missingTool("git-http-backend (Debian: git)") }
            let fcgiwrap = try spawn("\(try Self.command("fcgiwrap")) -c 2 -s unix:'\(socket)'", log: root + "/.fcgiwrap.log")
            let configuration = """
                daemon off; worker_processes 1; user root; pid \(root)/.nginx.pid; error_log \(root)/.nginx.err;
                events { worker_connections 256; }
                http {
                  access_log off; client_max_body_size 0; client_body_temp_path \(root)/.nginx-body;
                  fastcgi_temp_path \(root)/.nginx-fastcgi; proxy_temp_path \(root)/.nginx-proxy;
                  uwsgi_temp_path \(root)/.nginx-uwsgi; scgi_temp_path \(root)/.nginx-scgi;
                  server {
                    listen 127.0.0.1:\(port);
                    location / {
                      fastcgi_pass unix:\(socket);
                      fastcgi_buffering off; fastcgi_request_buffering off;
                      fastcgi_param SCRIPT_FILENAME \(backend);
                      fastcgi_param QUERY_STRING $query_string; fastcgi_param REQUEST_METHOD $request_method;
                      fastcgi_param CONTENT_TYPE $content_type; fastcgi_param CONTENT_LENGTH $content_length;
                      fastcgi_param PATH_INFO $uri; fastcgi_param GIT_PROJECT_ROOT \(root);
                      fastcgi_param GIT_HTTP_EXPORT_ALL 1; fastcgi_param REMOTE_USER bench;
                      fastcgi_param HTTP_GIT_PROTOCOL $http_git_protocol; fastcgi_param HTTP_CONTENT_ENCODING $http_content_encoding;
                    }
                  }
                }
                """
            try configuration.write(toFile: root + "/.nginx.conf", atomically: true, encoding: .utf8)
            let nginx = try spawn("\(try Self.command("nginx")) -c '\(root)/.nginx.conf'", log: root + "/.nginx.log")
            try waitForPort(port)
            return GitPeer(kind: kind, root: root, port: port, processes: [nginx, fcgiwrap])
        }
    }

    /// The URL of the bare repository `root/<name>.git`.
    func url(_ name: String) -> String {
        switch kind {
        case .gitDaemon: "git://127.0.0.1:\(port)/\(name).git"
        case .httpBackend: "http://127.0.0.1:\(port)/\(name).git"
        }
    }

    /// Creates the empty bare repository `name` that a push can fill.
    func createRepository(_ name: String) throws {
        try GitRunner.shell("git init -q --bare '\(root)/\(name).git' && git -C '\(root)/\(name).git' config http.receivepack true", in: root)
    }

    /// Stops every server with its workers: SIGTERM, then SIGKILL for what is left after 2 s.
    func stop() {
        for pid in processes { kill(-pid, SIGTERM) }
        for _ in 0..<80 where processes.contains(where: { kill($0, 0) == 0 }) { usleep(25_000) }
        for pid in processes { kill(-pid, SIGKILL) }
    }

    /// `fcgiwrap`, `nginx` and `git` by absolute path, or a clear error naming the package.
    private static func command(_ name: String) throws -> String {
        for directory in ["/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin"] where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
            return "\(directory)/\(name)"
        }
        throw BenchError.missingTool("\(name) (Debian: apt-get install nginx-light fcgiwrap git)")
    }

    /// Starts `command` (Foundation makes it a process-group leader, so the workers it
    /// forks share its group), its output appended to `log`; returns its pid.
    private static func spawn(_ command: String, log: String) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "exec \(command) >>'\(log)' 2>&1"]
        try process.run()
        return process.processIdentifier
    }

    private static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw BenchError.commandFailed(command: "bind a free port", status: errno, output: "") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func waitForPort(_ port: Int) throws {
        for _ in 0..<200 {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(truncatingIfNeeded: port).bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(descriptor)
            if connected == 0 { return }
            usleep(25_000)
        }
        throw BenchError.commandFailed(command: "peer on port \(port)", status: -1, output: "did not start listening")
    }
}
