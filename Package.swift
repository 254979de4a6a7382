// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "rampart",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "rampart", targets: ["rampart"]),
        .library(name: "RampartCore", targets: ["RampartCore"]),
        .library(name: "RampartClient", targets: ["RampartClient"]),
        .library(name: "RampartGuard", targets: ["RampartGuard"]),
        .library(name: "RampartStore", targets: ["RampartStore"]),
        .library(name: "RampartApp", targets: ["RampartApp"]),
        .library(name: "RampartForensics", targets: ["RampartForensics"]),
        .library(name: "RampartServer", targets: ["RampartServer"]),
        .library(name: "RampartLedger", targets: ["RampartLedger"]),
        .library(name: "RampartEvidence", targets: ["RampartEvidence"]),
        .library(name: "RampartSim", targets: ["RampartSim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // Domain values shared by every layer: identifiers, phone numbers, errors, policy types.
        .target(
            name: "RampartCore",
            swiftSettings: swiftSettings
        ),
        // The reference client: how first-party requests are signed. Crypto only, so that
        // integrators can take it alone; the Guard checks signatures with the same code.
        .target(
            name: "RampartClient",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // The pure decision engine: the screening pipeline, ID sealing, request signatures,
        // rate limits, budgets, detection, the identity graph, TOTP and password digests.
        // No I/O, injected clock.
        .target(
            name: "RampartGuard",
            dependencies: [
                "RampartCore",
                "RampartClient",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            ],
            swiftSettings: swiftSettings
        ),
        // The evidence ledger's pure core: RFC 6962 Merkle log, proofs, signed tree heads, entry encoding. No I/O.
        .target(
            name: "RampartLedger",
            dependencies: [
                "RampartCore",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // The storage seam and its SQLite (GRDB) and PostgreSQL (PostgresNIO) implementations.
        .target(
            name: "RampartStore",
            dependencies: [
                "RampartCore",
                "RampartClient",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Evidence recording: access events and the ledger's entries and Merkle nodes,
        // group-committed through the Store. Above Store and Ledger, below the server.
        .target(
            name: "RampartEvidence",
            dependencies: ["RampartCore", "RampartLedger", "RampartStore"],
            swiftSettings: swiftSettings
        ),
        // The deterministic demo world (members, careers, social graph) and the simulator,
        // which runs the Guard's screening pipeline in process.
        .target(
            name: "RampartSim",
            dependencies: ["RampartCore", "RampartGuard"],
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        // Application services: accounts, network, exposure, protection, identity, premium,
        // the sealing gate; the composition root that builds them once. No HTTP types.
        .target(
            name: "RampartApp",
            dependencies: [
                "RampartCore",
                "RampartClient",
                "RampartGuard",
                "RampartLedger",
                "RampartEvidence",
                "RampartStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        // What runs offline over the store and the ledger: audit, bundles, unseal reports,
        // cluster reports, operator actions. No HTTP, no running server.
        .target(
            name: "RampartForensics",
            dependencies: [
                "RampartCore",
                "RampartGuard",
                "RampartLedger",
                "RampartStore",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // HTTP only: routes, middleware, controllers, templates, cookies.
        .target(
            name: "RampartServer",
            dependencies: [
                "RampartCore",
                "RampartClient",
                "RampartGuard",
                "RampartStore",
                "RampartApp",
                "RampartForensics",
                "RampartLedger",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        // The command-line tool: serve (the only command that needs HTTP), seed, simulate,
        // guard, ledger, unseal, keys, policy, agreement.
        .executableTarget(
            name: "rampart",
            dependencies: [
                "RampartServer",
                "RampartApp",
                "RampartForensics",
                "RampartStore",
                "RampartCore",
                "RampartGuard",
                "RampartLedger",
                "RampartEvidence",
                "RampartSim",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RampartCoreTests",
            dependencies: ["RampartCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RampartGuardTests",
            dependencies: ["RampartGuard", "RampartCore", "RampartClient", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RampartLedgerTests",
            dependencies: [
                "RampartLedger",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RampartSimTests",
            dependencies: ["RampartSim", "RampartCore", "RampartGuard"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RampartStoreTests",
            dependencies: [
                "RampartStore", "RampartCore", "RampartEvidence", "RampartForensics",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RampartEvidenceTests",
            dependencies: ["RampartEvidence", "RampartCore", "RampartLedger", "RampartStore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RampartServerTests",
            dependencies: [
                "RampartServer",
                "RampartApp",
                "RampartForensics",
                "RampartSim",
                "RampartStore",
                "RampartCore",
                "RampartGuard",
                "RampartClient",
                "RampartLedger",
                "RampartEvidence",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                // An independent TOTP to check the Guard's against.
                .product(name: "HummingbirdOTP", package: "hummingbird-auth"),
            ],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
