import Foundation
import GutsTestSupport

/// A small HTTP client for API tests, driving `curl` (URLSession on Linux stalls on a
/// 401 with a Basic challenge, which these tests provoke on purpose).
struct HTTPClient {
    let baseURL: String

    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: Data

        var json: Any? { try? JSONSerialization.jsonObject(with: body) }
        var object: [String: Any] { (json as? [String: Any]) ?? [:] }
        var text: String { String(decoding: body, as: UTF8.self) }

        func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }
    }

    func send(_ method: String, _ path: String, token: String? = nil, json: Any? = nil, body: Data? = nil, headers: [String: String] = [:]) async throws -> Reply {
        let scratch = try Shell.temporaryDirectory("http")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var fields = headers
        if let token { fields["Authorization"] = "Bearer \(token)" }
        var payload = body
        if let json {
            payload = try JSONSerialization.data(withJSONObject: json)
            fields["Content-Type"] = "application/json"
        }
        var arguments = ["curl", "-sS", "--max-time", "60", "-X", method, "-D", scratch + "/headers", "-o", scratch + "/body", "-w", "%{http_code}"]
        for (name, value) in fields { arguments += ["-H", "\(name): \(value)"] }
        if let payload {
            FileManager.default.createFile(atPath: scratch + "/request", contents: payload)
            arguments += ["--data-binary", "@" + scratch + "/request"]
        }
        arguments.append(baseURL + path)
        let script = arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let status = try Shell.check(script, in: scratch)
        let headerText = String(decoding: FileManager.default.contents(atPath: scratch + "/headers") ?? Data(), as: UTF8.self)
        var parsed = [String: String]()
        for line in headerText.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            parsed[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Reply(status: Int(status) ?? 0, headers: parsed, body: FileManager.default.contents(atPath: scratch + "/body") ?? Data())
    }
}
