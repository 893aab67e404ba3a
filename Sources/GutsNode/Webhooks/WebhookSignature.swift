import CCrypto
import GutsGit

/// The signatures GitHub puts on a delivery: HMAC of the exact body bytes with the hook's
/// secret, as `sha256=<hex>` (`X-Hub-Signature-256`) and the legacy `sha1=<hex>`
/// (`X-Hub-Signature`). OpenSSL computes the HMAC.
enum WebhookSignature {
    static func sha256(body: [UInt8], secret: String) -> String {
        "sha256=" + SHA256.hex(hmac(EVP_sha256(), body: body, secret: secret))
    }

    static func sha1(body: [UInt8], secret: String) -> String {
        "sha1=" + SHA256.hex(hmac(EVP_sha1(), body: body, secret: secret))
    }

    private static func hmac(_ digest: OpaquePointer?, body: [UInt8], secret: String) -> [UInt8] {
        let key = Array(secret.utf8)
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        key.withUnsafeBytes { keyBytes in
            body.withUnsafeBytes { bodyBytes in
                _ = HMAC(digest, keyBytes.baseAddress, Int32(clamping: keyBytes.count), bodyBytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
                         bodyBytes.count, &output, &length)
            }
        }
        return Array(output.prefix(Int(length)))
    }
}
