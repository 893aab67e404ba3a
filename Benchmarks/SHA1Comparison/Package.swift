// swift-tools-version:6.0
import PackageDescription
let package = Package(
    name: "sha1bench",
    dependencies: [.package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3")],
    targets: [
        .systemLibrary(name: "CLibCrypto"),
        .executableTarget(name: "sha1bench", dependencies: ["CLibCrypto", .product(name: "Crypto", package: "swift-crypto")]),
    ]
)
