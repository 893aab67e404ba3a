import CLibCrypto
import Crypto
import Foundation

// Hashes git-object-shaped inputs (header + body) both ways; prints MB/s per size, median of 7 runs.
func header(_ n: Int) -> [UInt8] { Array("blob \(n)".utf8) + [0] }
var sink: UInt8 = 0
func measure(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}
for size in [64, 256, 1024, 8192, 65536, 1 << 20] {
    let body = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    let h = header(size)
    let total = 256 << 20
    let count = max(1, total / size)
    var openssl: [Double] = [], crypto: [Double] = []
    for _ in 0..<7 {
        openssl.append(measure {
            for _ in 0..<count {
                var context = SHA_CTX()
                SHA1_Init(&context)
                h.withUnsafeBytes { _ = SHA1_Update(&context, $0.baseAddress, $0.count) }
                body.withUnsafeBytes { _ = SHA1_Update(&context, $0.baseAddress, $0.count) }
                var digest = [UInt8](repeating: 0, count: 20)
                _ = digest.withUnsafeMutableBufferPointer { SHA1_Final($0.baseAddress, &context) }
                sink &+= digest[0]
            }
        })
        crypto.append(measure {
            for _ in 0..<count {
                var hasher = Insecure.SHA1()
                hasher.update(data: h)
                hasher.update(data: body)
                let digest = hasher.finalize()
                sink &+= digest.withUnsafeBytes { $0[0] }
            }
        })
    }
    let o = openssl.sorted()[3], c = crypto.sorted()[3]
    let mb = Double(count * size) / 1e6
    print("size \(size): openssl \(String(format: "%.0f", mb / o)) MB/s, swift-crypto \(String(format: "%.0f", mb / c)) MB/s, swift-crypto/openssl time \(String(format: "%.2f", c / o))x")
}
print(sink)
