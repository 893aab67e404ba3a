import Foundation

/// Which addresses a webhook may be delivered to.
///
/// Public (global unicast) addresses always may. Everything else (loopback, the private
/// ranges, link-local addresses such as cloud metadata services, unspecified, multicast
/// and reserved ranges) only when a configured rule allows it, so a webhook cannot be
/// used to reach the node's own network. The check runs on the addresses a host name
/// resolves to, and delivery connects to the address that passed (never resolving again),
/// so a name cannot change to an internal address between check and connection.
struct WebhookAddressPolicy: Sendable {
    /// An IPv4 (4 bytes) or IPv6 (16 bytes) address.
    struct Address: Sendable, Hashable, CustomStringConvertible {
        var bytes: [UInt8]

        init?(_ text: String) {
            var v4 = in_addr()
            var v6 = in6_addr()
            if inet_pton(AF_INET, text, &v4) == 1 {
                bytes = withUnsafeBytes(of: &v4) { Array($0) }
            } else if inet_pton(AF_INET6, text, &v6) == 1 {
                bytes = withUnsafeBytes(of: &v6) { Array($0) }
            } else {
                return nil
            }
        }

        init(bytes: [UInt8]) {
            self.bytes = bytes
        }

        var description: String {
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
            let family = bytes.count == 4 ? AF_INET : AF_INET6
            let text = bytes.withUnsafeBytes { raw in inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) }
            return text != nil ? String(cString: buffer) : "?"
        }

        /// The IPv4 address an IPv4-mapped (`::ffff:a.b.c.d`) or NAT64 (`64:ff9b::a.b.c.d`) IPv6 address carries.
        var embeddedIPv4: Address? {
            guard bytes.count == 16 else { return nil }
            let mapped = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
            let nat64 = bytes[0..<12] == [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0][...]
            return mapped || nat64 ? Address(bytes: Array(bytes[12...])) : nil
        }

        func matches(_ network: [UInt8], prefixLength: Int) -> Bool {
            guard network.count == bytes.count else { return false }
            var remaining = prefixLength
            for index in bytes.indices where remaining > 0 {
                let bits = min(8, remaining)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
                if bytes[index] & mask != network[index] & mask { return false }
                remaining -= bits
            }
            return true
        }
    }

    enum Category: String, Sendable {
        case external, loopback, `private`, linkLocal = "link-local", unspecified, multicast, reserved
    }

    /// One entry of `webhookAllowedHosts`.
    enum Rule: Sendable, Equatable {
        case any, loopback, `private`
        case network([UInt8], prefixLength: Int)
        /// A host name, or `*.domain` for any name under it.
        case host(String)

        init?(_ text: String) {
            let entry = text.trimmingCharacters(in: .whitespaces).lowercased()
            switch entry {
            case "*": self = .any
            case "loopback": self = .loopback
            case "private": self = .private
            case "":
                return nil
            default:
                if let slash = entry.firstIndex(of: "/") {
                    guard let address = Address(String(entry[..<slash])), let length = Int(entry[entry.index(after: slash)...]),
                          (0...(address.bytes.count * 8)).contains(length) else { return nil }
                    self = .network(address.bytes, prefixLength: length)
                } else if let address = Address(entry) {
                    self = .network(address.bytes, prefixLength: address.bytes.count * 8)
                } else {
                    let name = entry.hasPrefix("*.") ? String(entry.dropFirst(2)) : entry
                    let valid = !name.isEmpty && name.utf8.count <= 253
                        && name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
                            !label.isEmpty && label.count <= 63 && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
                        }
                    guard valid else { return nil }
                    self = .host(entry)
                }
            }
        }

        func allows(host: String) -> Bool {
            guard case .host(let pattern) = self else { return false }
            let name = host.lowercased()
            if pattern.hasPrefix("*.") { return name.hasSuffix(pattern.dropFirst(1)) }
            return name == pattern
        }

        func allows(_ address: Address, category: Category) -> Bool {
            switch self {
            case .any: return true
            case .loopback: return category == .loopback
            case .private: return category == .private
            case .network(let network, let length): return address.matches(network, prefixLength: length)
            case .host: return false
            }
        }
    }

    let rules: [Rule]

    init(allowed: [String]) {
        rules = allowed.compactMap(Rule.init)
    }

    static func category(of address: Address) -> Category {
        if let inner = address.embeddedIPv4 { return category(of: inner) }
        let v4: [([UInt8], Int, Category)] = [
            ([0, 0, 0, 0], 8, .unspecified), ([127, 0, 0, 0], 8, .loopback), ([10, 0, 0, 0], 8, .private),
            ([172, 16, 0, 0], 12, .private), ([192, 168, 0, 0], 16, .private), ([100, 64, 0, 0], 10, .private),
            ([169, 254, 0, 0], 16, .linkLocal), ([192, 0, 0, 0], 24, .reserved), ([192, 0, 2, 0], 24, .reserved),
            ([198, 18, 0, 0], 15, .reserved), ([198, 51, 100, 0], 24, .reserved), ([203, 0, 113, 0], 24, .reserved),
            ([224, 0, 0, 0], 4, .multicast), ([240, 0, 0, 0], 4, .reserved),
        ]
        var loopback6 = [UInt8](repeating: 0, count: 16)
        loopback6[15] = 1
        let v6: [([UInt8], Int, Category)] = [
            ([UInt8](repeating: 0, count: 16), 128, .unspecified), (loopback6, 128, .loopback),
            ([0xFC] + [UInt8](repeating: 0, count: 15), 7, .private), ([0xFE, 0x80] + [UInt8](repeating: 0, count: 14), 10, .linkLocal),
            ([0xFF] + [UInt8](repeating: 0, count: 15), 8, .multicast),
            ([0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 12), 32, .reserved),
            ([UInt8](repeating: 0, count: 16), 96, .reserved),
        ]
        for (network, length, category) in (address.bytes.count == 4 ? v4 : v6) where address.matches(network, prefixLength: length) {
            return category
        }
        return .external
    }

    /// Whether `host` may be reached at `address`; nil when it may, else why not.
    func refusal(host: String, address: Address) -> String? {
        let category = Self.category(of: address)
        if category == .external || rules.contains(where: { $0.allows(host: host) || $0.allows(address, category: category) }) {
            return nil
        }
        return "\(host) resolves to \(address), a \(category.rawValue) address; add it to webhookAllowedHosts to allow it"
    }

    /// The first of `addresses` that `host` may be reached at, or the reason none may.
    func choose(host: String, from addresses: [Address]) -> Result<Address, WebhookDeliveryError> {
        guard !addresses.isEmpty else { return .failure(.unresolvable(host)) }
        var firstRefusal: String?
        for address in addresses {
            guard let refusal = refusal(host: host, address: address) else { return .success(address) }
            firstRefusal = firstRefusal ?? refusal
        }
        return .failure(.refused(firstRefusal ?? host))
    }

    /// The addresses of `host` (an IP literal, bracketed for IPv6, or a name); blocks on DNS.
    static func resolve(_ host: String) -> [Address] {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if let literal = Address(bare) { return [literal] }
        var hints = addrinfo()
        hints.ai_socktype = Int32(truncatingIfNeeded: SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(bare, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var found: [Address] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let socketAddress = entry.pointee.ai_addr {
                if entry.pointee.ai_family == AF_INET {
                    let address = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                    found.append(Address(bytes: withUnsafeBytes(of: address) { Array($0) }))
                } else if entry.pointee.ai_family == AF_INET6 {
                    let address = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    found.append(Address(bytes: withUnsafeBytes(of: address) { Array($0) }))
                }
            }
            cursor = entry.pointee.ai_next
        }
        var seen = Set<Address>()
        return found.filter { seen.insert($0).inserted }
    }
}
