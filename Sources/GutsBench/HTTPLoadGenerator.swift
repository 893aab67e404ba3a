import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A load generator on SwiftNIO: N keep-alive HTTP/1.1 connections, each with one request in
/// flight, closed loop or at a constant aggregate rate.
public enum HTTPLoadGenerator {
    /// Connections opened at once while setting up, so a listen backlog is not overrun.
    static let connectBurst = 256

    /// Opens the plan's connections, drives them, closes them and reports what was measured.
    public static func run(_ plan: LoadPlan, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws
        -> LoadResult {
        ResourceLimits.raiseOpenFileLimit()
        let recorder = LoadRecorder(totalRequests: plan.totalRequests)
        let opened = await connect(
            host: plan.host, port: plan.port, count: plan.connections, request: plan.request, recorder: recorder,
            requestLimit: nil, keepOpen: false, group: group)
        guard !opened.connections.isEmpty else { throw BenchError.noConnections(host: plan.host, port: plan.port) }
        let count = opened.connections.count
        let now = NIODeadline.now()
        let recordFrom = now + .nanoseconds(Int64(plan.warmup * 1e9))
        let stopAt = plan.totalRequests != nil ? now + .hours(24) : recordFrom + .nanoseconds(Int64(plan.duration * 1e9))
        let interval = plan.rate.map { TimeAmount.nanoseconds(Int64(Double(count) / max($0, 0.001) * 1e9)) }
        for (index, connection) in opened.connections.enumerated() {
            let offset = interval.map { TimeAmount.nanoseconds($0.nanoseconds * Int64(index) / Int64(count)) } ?? .zero
            connection.channel.pipeline.fireUserInboundEventTriggered(
                LoadConnectionHandler.Start(recordFrom: recordFrom, stopAt: stopAt, interval: interval, firstSend: now + offset))
        }
        for connection in opened.connections { try? await connection.done.get() }
        let end = NIODeadline.now()
        for connection in opened.connections { try? await connection.channel.close() }
        let snapshot = recorder.snapshot
        let window = plan.totalRequests != nil ? end - recordFrom : min(end, stopAt) - recordFrom
        return LoadResult(
            histogram: snapshot.histogram, completed: snapshot.completed, errors: snapshot.errors,
            connectionsOpened: count, connectFailures: opened.failures, seconds: Double(window.nanoseconds) / 1e9)
    }

    /// Opens `count` connections, sends `request` once on each and keeps them open.
    public static func hold(
        host: String, port: Int, count: Int, request: LoadRequest,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async -> HeldConnections {
        ResourceLimits.raiseOpenFileLimit()
        let recorder = LoadRecorder(totalRequests: nil)
        let opened = await connect(
            host: host, port: port, count: count, request: request, recorder: recorder, requestLimit: 1, keepOpen: true, group: group)
        let now = NIODeadline.now()
        for connection in opened.connections {
            connection.channel.pipeline.fireUserInboundEventTriggered(
                LoadConnectionHandler.Start(recordFrom: now, stopAt: now + .hours(24), interval: nil, firstSend: now))
        }
        for connection in opened.connections { try? await connection.done.get() }
        let snapshot = recorder.snapshot
        return HeldConnections(
            channels: opened.connections.map(\.channel), answered: snapshot.completed, connectFailures: opened.failures,
            histogram: snapshot.histogram)
    }

    struct Connection: Sendable {
        var channel: any Channel
        var done: EventLoopFuture<Void>
    }

    static func connect(
        host: String, port: Int, count: Int, request: LoadRequest, recorder: LoadRecorder, requestLimit: Int?, keepOpen: Bool,
        group: any EventLoopGroup
    ) async -> (connections: [Connection], failures: Int) {
        var connections: [Connection] = []
        var failures = 0
        let hostHeader = "\(host):\(port)"
        for burstStart in stride(from: 0, to: count, by: connectBurst) {
            let burst = burstStart..<min(count, burstStart + connectBurst)
            await withTaskGroup(of: Connection?.self) { tasks in
                for index in burst {
                    tasks.addTask {
                        let loop = group.next()
                        let done = loop.makePromise(of: Void.self)
                        let bootstrap = ClientBootstrap(group: loop)
                            .channelOption(.socketOption(.tcp_nodelay), value: 1)
                            .connectTimeout(.seconds(10))
                            .channelInitializer { channel in
                                channel.eventLoop.makeCompletedFuture {
                                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                                    try channel.pipeline.syncOperations.addHandler(LoadConnectionHandler(
                                        index: index, request: request, hostHeader: hostHeader, recorder: recorder,
                                        requestLimit: requestLimit, keepOpen: keepOpen, done: done))
                                }
                            }
                        do {
                            let channel = try await bootstrap.connect(host: host, port: port).get()
                            return Connection(channel: channel, done: done.futureResult)
                        } catch {
                            done.succeed(())
                            return nil
                        }
                    }
                }
                for await connection in tasks {
                    if let connection { connections.append(connection) } else { failures += 1 }
                }
            }
        }
        return (connections, failures)
    }
}

/// Connections `HTTPLoadGenerator.hold` keeps open.
public final class HeldConnections: Sendable {
    let channels: [any Channel]
    /// Connections whose one request was answered with 2xx.
    public let answered: Int
    public let connectFailures: Int
    /// Latency of the one request each connection sent, in nanoseconds.
    public let histogram: LatencyHistogram

    init(channels: [any Channel], answered: Int, connectFailures: Int, histogram: LatencyHistogram) {
        self.channels = channels
        self.answered = answered
        self.connectFailures = connectFailures
        self.histogram = histogram
    }

    /// Connections still open now.
    public var activeCount: Int { channels.filter(\.isActive).count }

    /// Closes every connection.
    public func close() async {
        for channel in channels { try? await channel.close() }
    }
}
