import Foundation
import GutsTestSupport

/// A real HTTP receiver on loopback (Python's http.server, run by the test) that logs
/// every POST as one JSON line: event, delivery id, whether `X-Hub-Signature-256` is a
/// valid HMAC of the body with the secret, and the parsed payload. In `hang` mode it
/// reads the request and never answers, as a stuck CI server would.
final class WebhookReceiver: @unchecked Sendable {
    let port: Int
    let directory: String
    private let process: Process
    var logPath: String { directory + "/deliveries.jsonl" }
    var url: String { "http://127.0.0.1:\(port)/hook" }

    static let script = #"""
    import hashlib, hmac, json, sys, threading, time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    port, secret, mode, log = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3], sys.argv[4]
    lock = threading.Lock()
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
            entry = {"event": self.headers.get("X-GitHub-Event"), "delivery": self.headers.get("X-GitHub-Delivery"),
                     "signature_valid": hmac.compare_digest(expected, self.headers.get("X-Hub-Signature-256", "")),
                     "content_type": self.headers.get("Content-Type"), "payload": json.loads(body or b"null")}
            with lock:
                with open(log, "a") as f:
                    f.write(json.dumps(entry) + "\n")
            if mode == "hang":
                time.sleep(3600)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
        def log_message(self, *args):
            pass
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
    """#

    /// Starts a receiver on `port` (a free one when nil).
    init(port: Int? = nil, secret: String, hang: Bool = false) throws {
        self.port = try port ?? Self.freePort()
        directory = try Shell.temporaryDirectory("receiver")
        FileManager.default.createFile(atPath: directory + "/receiver.py", contents: Data(Self.script.utf8))
        FileManager.default.createFile(atPath: directory + "/deliveries.jsonl", contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", directory + "/receiver.py", String(self.port), secret, hang ? "hang" : "answer", directory + "/deliveries.jsonl"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: directory + "/deliveries.jsonl.err") ?? FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if (try? Shell.run("exec 3<>/dev/tcp/127.0.0.1/\(self.port)", in: directory))?.status == 0 { return }
            usleep(50_000)
        }
        throw Shell.Failure(script: "webhook receiver", status: -1, stderr: "did not start listening on \(self.port)")
    }

    /// Every delivery received so far.
    func deliveries() -> [[String: Any]] {
        let text = String(decoding: FileManager.default.contents(atPath: logPath) ?? Data(), as: UTF8.self)
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    func deliveries(of event: String) -> [[String: Any]] {
        deliveries().filter { $0["event"] as? String == event }
    }

    /// Waits until `count` deliveries of `event` have arrived (or `seconds` pass).
    @discardableResult
    func wait(for count: Int, of event: String, seconds: Double = 30) async throws -> [[String: Any]] {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let found = deliveries(of: event)
            if found.count >= count { return found }
            try await Task.sleep(for: .milliseconds(100))
        }
        return deliveries(of: event)
    }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// A TCP port nothing listens on now (bound to port 0, then released).
    static func freePort() throws -> Int {
        let text = try Shell.check("python3 -c 'import socket; s=socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])'", in: "/tmp")
        guard let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw Shell.Failure(script: "free port", status: -1, stderr: text)
        }
        return port
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
