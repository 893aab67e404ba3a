// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "guts",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "guts", targets: ["guts"]),
        .library(name: "GutsGit", targets: ["GutsGit"]),
        .library(name: "GutsStorage", targets: ["GutsStorage"]),
        .library(name: "GutsNode", targets: ["GutsNode"]),
        .library(name: "GutsProfiler", targets: ["GutsProfiler"]),
        .library(name: "GutsBench", targets: ["GutsBench"]),
        .library(name: "GutsAdmin", targets: ["GutsAdmin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CRocksDB", providers: [.apt(["librocksdb-dev"])]),
        .systemLibrary(name: "CUnwind", providers: [.apt(["libunwind-dev"])]),
        .systemLibrary(name: "CCrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSystemSupport"),

        .target(name: "GutsGit", dependencies: ["CZlib", "CCrypto"]),
        .target(name: "GutsStorage", dependencies: ["GutsGit", "CRocksDB", "CSystemSupport"]),
        .target(name: "GutsAdmin", dependencies: ["GutsGit", "GutsStorage", "CZlib"]),
        .target(
            name: "GutsNode",
            dependencies: [
                "GutsGit",
                "GutsStorage",
                "GutsAdmin",
                "GutsProfiler",
                "CSystemSupport",
                "CCrypto",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Interposes malloc and friends (forwarding to glibc) for sampled allocation
        // stacks; linked into every executable that links GutsProfiler.
        .target(
            name: "CAllocSampler",
            cSettings: [.unsafeFlags(["-O2", "-fno-omit-frame-pointer"])],
            linkerSettings: [.linkedLibrary("unwind")]
        ),
        .target(name: "GutsProfiler", dependencies: ["GutsGit", "CUnwind", "CSystemSupport", "CAllocSampler"]),
        .target(
            name: "GutsBench",
            dependencies: [
                "GutsGit",
                "GutsStorage",
                "GutsNode",
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
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            linkerSettings: [.unsafeFlags(["-Xlinker", "--export-dynamic"])]
        ),

        .target(name: "GutsTestSupport", path: "Tests/GutsTestSupport"),
        .testTarget(name: "GutsGitTests", dependencies: ["GutsGit"]),
        .testTarget(name: "GutsStorageTests", dependencies: ["GutsStorage", "GutsGit"]),
        .testTarget(name: "GutsAdminTests", dependencies: ["GutsAdmin", "GutsStorage", "GutsGit", "GutsTestSupport"]),
        .testTarget(
            name: "GutsNodeTests",
            dependencies: ["GutsNode", "GutsStorage", "GutsGit", "GutsTestSupport"]
        ),
        .testTarget(name: "GutsProfilerTests", dependencies: ["GutsProfiler", "GutsGit", "GutsTestSupport"]),
        .testTarget(name: "GutsBenchTests", dependencies: ["GutsBench", "GutsNode", "GutsStorage", "GutsGit", "GutsTestSupport"]),
    ]
)
