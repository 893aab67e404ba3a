// Hummingbird's own floor for scripts/api-vs-nginx.sh: one route answering fixed bytes
// through the router, no middleware, the idle timeout on and SwiftNIO's event loops as
// Swift Concurrency's executor, as `guts serve` runs. What it reaches beside nginx bounds
// what any route through the router can.
// Usage: hbfloor PORT
import Hummingbird
import NIOCore
import NIOPosix

let port = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 8080 : 8080
_ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
let body = ByteBuffer(string: #"{"checks":{},"status":"ok","uptime_seconds":1}"#)
let router = Router()
router.get("/health/live") { _, _ in
    Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: body))
}
let application = Application(
    router: router,
    server: .http1(configuration: .init(idleTimeout: .seconds(60))),
    configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "floor"))
try await application.runService()
