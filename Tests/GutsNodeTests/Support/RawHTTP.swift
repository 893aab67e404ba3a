import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// HTTP/1.1 over a plain loopback socket, for requests curl would not send as they are:
/// exact bytes, paths with `..`, NUL bytes in headers, bodies that stop arriving.
struct RawHTTP {
    let port: Int

    struct Exchange {
        var reply: HTTPClient.Reply
        /// The node closed the connection (rather than the read timing out).
        var closed: Bool
        /// Bytes of the response, head included.
        var raw: Data
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// A request head with `Connection: close`, each header line as given.
    static func head(_ method: String, _ target: String, headers: [(String, [UInt8])]) -> Data {
        var out = Data("\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n".utf8)
        for (name, value) in headers {
            out += Data(name.utf8) + Data(": ".utf8) + Data(value) + Data("\r\n".utf8)
        }
        return out + Data("\r\n".utf8)
    }

    /// Sends `parts` in order, pausing `pause` seconds between them, then reads until the node
    /// closes the connection or `timeout` seconds have passed since the start.
    func exchange(_ parts: [Data], pause: Double = 0, timeout: Double = 30) throws -> Exchange {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect to port \(port): errno \(errno)") }
        var sendTimeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, socklen_t(MemoryLayout<timeval>.size))
        let deadline = Date().addingTimeInterval(timeout)
        var received = Data()
        var closed = false
        var buffer = [UInt8](repeating: 0, count: 65536)
        // A node that answers before the whole body arrived (413) is read at once, so its
        // reply is not lost to the reset that closing an unread connection sends.
        sending: for (index, part) in parts.enumerated() {
            if index > 0 && pause > 0 { usleep(UInt32(pause * 1_000_000)) }
            var offset = 0
            while offset < part.count {
                var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                if poll(&poller, 1, 0) > 0 { break sending }
                let sent = part.withUnsafeBytes { raw in
                    Glibc.send(descriptor, raw.baseAddress! + offset, min(part.count - offset, 1 << 16), Int32(MSG_NOSIGNAL))
                }
                if sent <= 0 { break sending }
                offset += sent
            }
        }
        while true {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { break }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(min(remaining, 1) * 1000))
            if ready < 0 && errno != EINTR { break }
            if ready <= 0 { continue }
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 {
                closed = true
                break
            }
            received.append(contentsOf: buffer[..<count])
        }
        return Exchange(reply: try Self.parse(received), closed: closed, raw: received)
    }

    /// Status, headers and (de-chunked) body of a response; status 0 when nothing came back.
    static func parse(_ data: Data) throws -> HTTPClient.Reply {
        let bytes = [UInt8](data)
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = (0..<max(0, bytes.count - 3)).first(where: { Array(bytes[$0..<$0 + 4]) == separator }) else {
            return HTTPClient.Reply(status: 0, headers: [:], body: data)
        }
        let headText = String(decoding: bytes[..<end], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        var headers = [String: String]()
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(bytes[(end + 4)...])
        let reply = HTTPClient.Reply(status: statusLine.count > 1 ? Int(statusLine[1]) ?? 0 : 0, headers: headers, body: Data())
        if reply.header("Transfer-Encoding")?.lowercased() == "chunked" {
            var decoded = [UInt8]()
            var position = 0
            while let lineEnd = (position..<max(position, body.count - 1)).first(where: { body[$0] == 13 && body[$0 + 1] == 10 }) {
                let size = Int(String(decoding: body[position..<lineEnd], as: UTF8.self).split(separator: ";").first ?? "", radix: 16) ?? 0
                guard size > 0, lineEnd + 2 + size <= body.count else { break }
                decoded += body[(lineEnd + 2)..<(lineEnd + 2 + size)]
                position = lineEnd + 2 + size + 2
            }
            body = decoded
        } else if let length = reply.header("Content-Length").flatMap(Int.init), length < body.count {
            body = Array(body[..<length])
        }
        return HTTPClient.Reply(status: reply.status, headers: headers, body: Data(body))
    }
}
