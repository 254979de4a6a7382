// swift-tools-version:6.2
// Micro-benchmarks (ordo-one/benchmark), kept in their own package so that the normal
// build and CI never compile them. Run from this folder:
//   swift package --allow-writing-to-package-directory benchmark
import Foundation
import PackageDescription

// The root package's identity is its folder name (a path dependency).
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let rootIdentity = root.lastPathComponent.lowercased()

let package = Package(
    name: "RampartBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "GuardBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "RampartGuard", package: rootIdentity),
                .product(name: "RampartCore", package: rootIdentity),
                .product(name: "RampartClient", package: rootIdentity),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Benchmarks/GuardBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "LedgerBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "RampartCore", package: rootIdentity),
                .product(name: "RampartLedger", package: rootIdentity),
                .product(name: "RampartEvidence", package: rootIdentity),
                .product(name: "RampartStore", package: rootIdentity),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/LedgerBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "SimBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "RampartSim", package: rootIdentity),
                .product(name: "RampartGuard", package: rootIdentity),
                .product(name: "RampartCore", package: rootIdentity),
            ],
            path: "Benchmarks/SimBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
