// swift-tools-version:6.0
import PackageDescription
let package = Package(
    name: "hbfloor",
    dependencies: [.package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1")],
    targets: [
        .executableTarget(name: "hbfloor", dependencies: [.product(name: "Hummingbird", package: "hummingbird")]),
    ]
)
