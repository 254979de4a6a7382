import Foundation
import Logging
import PostgresNIO
import RampartCore
import RampartStore
import Testing

/// The databases the conformance suite runs against. PostgreSQL joins when
/// `RAMPART_TEST_DATABASE_URL` is set (`.ci/run` sets it); each test then gets a fresh
/// database of its own.
enum StoreKind: String, CustomTestStringConvertible, Sendable, CaseIterable {
    case sqliteMemory
    case sqliteFile
    case postgres

    var testDescription: String { rawValue }

    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["RAMPART_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Every kind this run can reach.
    static var available: [StoreKind] {
        postgresURL == nil ? [.sqliteMemory, .sqliteFile] : allCases
    }

    /// Runs `body` with a freshly migrated, empty store of this kind (`migrated: false`
    /// leaves the migrations to `body`).
    func withStore(migrated: Bool = true, _ body: @Sendable (any Store) async throws -> Void) async throws {
        switch self {
        case .sqliteMemory:
            let store = SQLStore(driver: try SQLiteDriver.inMemory())
            if migrated { try await store.migrate() }
            try await body(store)
        case .sqliteFile:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rampart-store-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let opened = try OpenedStore.open(.sqlite(dataDirectory: directory), logger: quietLogger)
            if migrated { try await opened.store.migrate() }
            try await body(opened.store)
        case .postgres:
            guard let base = Self.postgresURL else { return }
            try await Self.withScratchDatabase(base: base) { url in
                let opened = try OpenedStore.open(.postgres(url: url), logger: quietLogger)
                try await opened.withRunning { store in
                    if migrated { try await store.migrate() }
                    try await body(store)
                }
            }
        }
    }

    /// Creates a throwaway database next to the one in `base`, and drops it afterwards.
    static func withScratchDatabase(base: String, _ body: @Sendable (String) async throws -> Void) async throws {
        let name = "rampart_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let admin = PostgresClient(configuration: try PostgresDriver.configuration(from: base), backgroundLogger: quietLogger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await admin.run() }
            defer { group.cancelAll() }
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
            var components = URLComponents(string: base)
            components?.path = "/\(name)"
            let url = components?.string ?? base
            do {
                try await body(url)
            } catch {
                _ = try? await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"))
                throw error
            }
            try await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"))
        }
    }
}

/// The roles ``Fixtures/register(_:account:)`` uses: publishing an agreement, sending the
/// registration code and creating the account with it.
typealias RegistrationRoles = AgreementStore & VerificationStore & AccountStore

/// Small builders for test data.
enum Fixtures {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func phone() -> PhoneNumber {
        PhoneNumber(storedE164: "+86139" + String(Int.random(in: 10_000_000...99_999_999)))
    }

    static func challenge(_ purpose: VerificationChallenge.Purpose = .registration, phone: PhoneNumber = phone(), account: AccountID? = nil) -> VerificationChallenge {
        VerificationChallenge(
            id: .random(), purpose: purpose, phone: phone, accountID: account, deviceHash: nil, codeHash: "hash",
            createdAt: now, expiresAt: now.addingTimeInterval(600), lastSentAt: now)
    }

    static func account(phone: PhoneNumber = phone(), name: String = "李伟 Li Wei") -> Account {
        Account(id: .random(), phone: phone, name: name, passwordHash: "$2b$04$hash", createdAt: now)
    }

    static func session(_ account: AccountID, token: String = UUID().uuidString, at date: Date = now) -> Session {
        Session(
            id: .random(), accountID: account, tokenHash: token, kind: .web, deviceHash: "device-\(token)",
            createdAt: date, lastSeenAt: date, client: ClientInfo(ip: "127.0.0.1", userAgent: "Tests/1.0"))
    }

    static func device(_ account: AccountID, hash: String = "device-hash") -> KnownDevice {
        KnownDevice(accountID: account, deviceHash: hash, firstSeenAt: now, client: ClientInfo(ip: "127.0.0.1", userAgent: "Tests/1.0"))
    }

    /// Publishes an agreement and creates an account through a consumed registration challenge.
    static func register(_ store: any RegistrationRoles, account: Account = account()) async throws -> (Account, Session) {
        var agreement = try await store.currentAgreement()
        if agreement == nil { agreement = try await store.publishAgreement(text: "Terms", sha256: "t1", at: now) }
        guard let agreement else { throw StoreError.notFound }
        let challenge = challenge(phone: account.phone)
        try await store.insertChallenge(challenge)
        let session = session(account.id)
        try await store.createAccount(
            account, consuming: challenge.id,
            acceptance: AgreementAcceptance(accountID: account.id, version: agreement.version, sha256: agreement.sha256, acceptedAt: now, client: ClientInfo(ip: nil, userAgent: nil)),
            device: device(account.id), session: session, profile: Profile(accountID: account.id, name: account.name))
        return (account, session)
    }
}

let quietLogger: Logger = {
    var logger = Logger(label: "test")
    logger.logLevel = .error
    return logger
}()
