// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "guts",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "guts", targets: ["guts"]),
        .library(name: "GutsCompression", targets: ["GutsCompression"]),
        .library(name: "GutsGit", targets: ["GutsGit"]),
        .library(name: "GutsStorage", targets: ["GutsStorage"]),
        .library(name: "GutsNode", targets: ["GutsNode"]),
        .library(name: "GutsProfiler", targets: ["GutsProfiler"]),
        .library(name: "GutsBench", targets: ["GutsBench"]),
        .library(name: "GutsMaintenance", targets: ["GutsMaintenance"]),
        .library(name: "GutsAdmin", targets: ["GutsAdmin"]),
        .library(name: "GutsCluster", targets: ["GutsCluster"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CRocksDB", providers: [.apt(["librocksdb-dev"])]),
        .systemLibrary(name: "CUnwind", providers: [.apt(["libunwind-dev"])]),
        .systemLibrary(name: "CCrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSystemSupport"),

        // zlib for pack entries, archives and pprof files: below GutsGit, so the profiler
        // compresses without depending on the object model.
        .target(name: "GutsCompression", dependencies: ["CZlib"]),
        .target(name: "GutsGit", dependencies: ["GutsCompression", "CCrypto"]),
        .target(name: "GutsStorage", dependencies: ["GutsGit", "GutsCompression", "CRocksDB", "CSystemSupport"]),
        // The node's maintenance jobs (compaction, fsck, backup, migration, archives) and the
        // admin contract: each operation's request, route and report, defined once for the
        // node's /admin controller and for the CLI.
        .target(
            name: "GutsMaintenance",
            dependencies: [
                "GutsGit", "GutsStorage", "GutsCompression", "CSystemSupport",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // A cluster of nodes: membership, placement and ref transactions in etcd (its v3 JSON
        // gateway), objects replicated between the nodes' own stores.
        .target(
            name: "GutsCluster",
            dependencies: [
                "GutsGit",
                "GutsStorage",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "GutsNode",
            dependencies: [
                "GutsCompression",
                "GutsGit",
                "GutsStorage",
                "GutsMaintenance",
                "GutsCluster",
                "GutsProfiler",
                "CSystemSupport",
                "CCrypto",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // The CLI's side of administration: where a command runs (a data directory or the
        // node holding it) and the client that sends an operation to the node.
        .target(
            name: "GutsAdmin",
            dependencies: [
                "GutsMaintenance",
                "GutsProfiler",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Interposes malloc and friends (forwarding to glibc) for sampled allocation
        // stacks; linked into every executable that links GutsProfiler.
        .target(
            name: "CAllocSampler",
            cSettings: [.unsafeFlags(["-O2", "-fno-omit-frame-pointer"])],
            linkerSettings: [.linkedLibrary("unwind")]
        ),
        .target(name: "GutsProfiler", dependencies: ["GutsCompression", "CUnwind", "CSystemSupport", "CAllocSampler"]),
        .target(
            name: "GutsBench",
            dependencies: [
                "GutsGit",
                "GutsStorage",
                "GutsNode",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "guts",
            dependencies: [
                "GutsGit",
                "GutsStorage",
                "GutsNode",
                "GutsProfiler",
                "GutsBench",
                "GutsAdmin",
                "GutsMaintenance",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            linkerSettings: [.unsafeFlags(["-Xlinker", "--export-dynamic"])]
        ),

        .target(name: "GutsTestSupport", dependencies: ["GutsGit"], path: "Tests/GutsTestSupport"),
        .testTarget(name: "GutsGitTests", dependencies: ["GutsGit", "GutsCompression"]),
        .testTarget(name: "GutsStorageTests", dependencies: ["GutsStorage", "GutsGit", "GutsCompression"]),
        .testTarget(name: "GutsMaintenanceTests", dependencies: ["GutsMaintenance", "GutsAdmin", "GutsStorage", "GutsGit", "GutsCompression", "GutsTestSupport"]),
        .testTarget(
            name: "GutsNodeTests",
            dependencies: ["GutsNode", "GutsStorage", "GutsGit", "GutsTestSupport"]
        ),
        .testTarget(name: "GutsClusterTests", dependencies: ["GutsCluster", "GutsGit", "GutsStorage"]),
        .testTarget(name: "GutsProfilerTests", dependencies: ["GutsProfiler", "GutsGit", "GutsCompression", "GutsTestSupport"]),
        .testTarget(name: "GutsBenchTests", dependencies: ["GutsBench", "GutsNode", "GutsStorage", "GutsGit", "GutsTestSupport"]),
    ]
)
