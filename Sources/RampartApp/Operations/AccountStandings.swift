import Foundation
import Logging
import RampartCore
import RampartGuard
import RampartStore
import ServiceLifecycle

/// Moves an account's detection evidence with its ownership, among instances sharing a
/// PostgreSQL database. Every `interval` (5 s) the owner saves the evidence of the accounts
/// it served since (``DetectionEngine/standing(ofAccount:)`` into `account_standings`);
/// leaving (graceful shutdown) it saves once more and gives up its accounts, so the next
/// instance each reaches takes it over at once. An instance that finds it owns an account
/// takes up the evidence saved for it, unless its engine already holds its own
/// (``DetectionEngine/adopt(account:standing:)``). An owner that dies loses at most the last
/// interval's evidence; one that leaves, none.
public final class AccountStandings: Service, Sendable {
    private let store: any Store
    private let engine: DetectionEngine
    private let directory: InstanceDirectory
    private let interval: Duration
    private let clock: any WallClock
    private let logger: Logger

    public init(
        store: any Store, engine: DetectionEngine, directory: InstanceDirectory, interval: Duration = .seconds(5), clock: any WallClock,
        logger: Logger
    ) {
        self.store = store
        self.engine = engine
        self.directory = directory
        self.interval = interval
        self.clock = clock
        self.logger = logger
        directory.whenOwned { [store, engine] account in
            // The engine's own evidence is newer than any saved; an account it never saw
            // may have some from the instance that owned it before.
            guard !engine.tracks(account: account.rawValue), let standing = try await store.standing(of: account) else { return }
            engine.adopt(account: account.rawValue, standing: standing)
        }
        directory.whenHandingOver { [store, engine, clock, name = directory.name] account, instance in
            // The store's owner moves first: a standing saved for an account this instance
            // does not own would overwrite its owner's.
            guard try await store.transferOwnership(account, from: name, to: instance, at: clock.now()) else { return false }
            if let standing = engine.standing(ofAccount: account.rawValue) {
                try await store.saveStandings([(account: account, standing: standing)], at: clock.now())
            }
            return true
        }
    }

    public func run() async throws {
        await runPeriodically(every: interval, logger: logger, failure: "could not save the accounts' detection evidence") { [self] in
            try await save()
        }
        do {
            try await leave()
        } catch {
            logger.error("could not hand this instance's accounts over on leaving", metadata: ["error": "\(error)"])
        }
    }

    /// Saves the evidence of the accounts served since the last save; returns how many.
    @discardableResult
    public func save() async throws -> Int {
        let accounts = directory.takeServed()
        let standings = accounts.compactMap { account in engine.standing(ofAccount: account.rawValue).map { (account: account, standing: $0) } }
        do {
            try await store.saveStandings(standings, at: clock.now())
        } catch {
            directory.returnServed(accounts)
            throw error
        }
        return standings.count
    }

    /// Saves what is left and gives the accounts up, for the instance that takes each next.
    public func leave() async throws {
        try await save()
        try await store.releaseOwnership(instance: directory.name)
        logger.notice("this instance's accounts handed over, with their detection evidence")
    }
}
