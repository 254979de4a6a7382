import Foundation
import RampartCore
@testable import RampartStore
import Synchronization
import Testing

/// The evidence ledger's tables (``LedgerStore``) on every store.
@Suite("Store conformance: evidence ledger")
struct LedgerStoreConformanceTests {
    static func row(_ sequence: Int64, account: AccountID?, at seconds: Double, kind: String = "access") -> LedgerRow {
        LedgerRow(
            sequence: sequence, kind: kind, account: account, recordedAt: Date(timeIntervalSince1970: seconds),
            entry: [0x01, UInt8(sequence & 0xFF), 0xFF, 0x00], leafHash: Array(repeating: 0xAB, count: 31) + [UInt8(sequence & 0xFF)])
    }

    @Test(arguments: StoreKind.available)
    func entriesNodesAndAccessEventsCommitTogether(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any LedgerStore & AccessEventStore) in
            #expect(try await store.ledgerSize() == 0)
            let viewer = AccountID.random()
            let event = AccessEvent(
                viewer: viewer, target: .random(), kind: .profileView, categories: [.identity], subjects: [], occurredAt: Fixtures.now,
                client: .init(ip: "10.0.0.1", userAgent: nil), deviceHash: nil, session: nil)
            let rows = (0..<3).map { Self.row($0, account: $0 == 1 ? nil : viewer, at: 1_800_000_000 + Double($0)) }
            // Listed in the order they are completed: by the last entry each covers (1, 3, 5), then level.
            let nodes = [
                LedgerNodeRow(level: 1, index: 0, hash: [0x10, 0x00]), LedgerNodeRow(level: 2, index: 0, hash: [0x20]),
                LedgerNodeRow(level: 1, index: 2, hash: [0x12]),
            ]
            try await store.commitEvidence(accessEvents: [event], ledger: rows, nodes: nodes)
            #expect(try await store.ledgerSize() == 3)
            #expect(try await store.ledgerEntries(from: 1, limit: 10) == Array(rows[1...]))
            #expect(try await store.ledgerEntries(from: 0, limit: 2) == Array(rows[..<2]))
            let found = try await store.ledgerNodes([.init(level: 1, index: 0), .init(level: 0, index: 2), .init(level: 5, index: 0)])
            // Level 0 comes from the entries' leaf hashes.
            #expect(Set(found) == [nodes[0], LedgerNodeRow(level: 0, index: 2, hash: rows[2].leafHash)])
            #expect(try await store.accessEvents(viewer: viewer, limit: 5).count == 1)
            #expect(try await store.viewers(of: .profileView) == [viewer])
            #expect(try await store.viewers(of: .searchPage).isEmpty)
            let listed = try await store.ledgerNodes(after: nil, limit: 1)
            #expect(listed == [nodes[0]])
            #expect(try await store.ledgerNodes(after: nodes[0].key, limit: 10) == Array(nodes[1...]))
            #expect(try await store.ledgerNodes(after: nodes[1].key, limit: 10) == [nodes[2]])
            let mine = try await store.ledgerEntries(account: viewer, from: nil, to: nil)
            #expect(mine.map(\.sequence) == [0, 2])
            let later = try await store.ledgerEntries(account: viewer, from: Date(timeIntervalSince1970: 1_800_000_001), to: nil)
            #expect(later.map(\.sequence) == [2])
        }
    }

    @Test(arguments: StoreKind.available)
    func entriesOfOneKindAreFoundWithinTheRange(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any LedgerStore & AccessEventStore) in
            let rows = (0..<4).map { Self.row($0, account: nil, at: 1_800_000_000 + Double($0), kind: $0 % 2 == 0 ? "policyChange" : "access") }
            try await store.commitEvidence(accessEvents: [], ledger: rows, nodes: [])
            #expect(try await store.ledgerEntries(kind: "policyChange", from: nil, to: nil).map(\.sequence) == [0, 2])
            #expect(try await store.ledgerEntries(kind: "policyChange", from: Date(timeIntervalSince1970: 1_800_000_001), to: nil).map(\.sequence) == [2])
            #expect(try await store.ledgerEntries(kind: "policyChange", from: nil, to: Date(timeIntervalSince1970: 1_800_000_002)).map(\.sequence) == [0])
            #expect(try await store.ledgerEntries(kind: "purchase", from: nil, to: nil).isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func aSequenceNumberIsWrittenOnceAndAFailedBatchLeavesNothing(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any LedgerStore & AccessEventStore) in
            try await store.commitEvidence(accessEvents: [], ledger: [Self.row(0, account: nil, at: 1)], nodes: [])
            let event = AccessEvent(
                viewer: .random(), target: nil, kind: .searchPage, categories: [], subjects: [], occurredAt: Fixtures.now,
                client: .init(ip: nil, userAgent: nil), deviceHash: nil, session: nil)
            await #expect(throws: (any Error).self) {
                try await store.commitEvidence(
                    accessEvents: [event], ledger: [Self.row(1, account: nil, at: 2), Self.row(0, account: nil, at: 3)], nodes: [])
            }
            #expect(try await store.ledgerSize() == 1)
            #expect(try await store.accessEvents(viewer: event.viewer ?? .random(), limit: 5).isEmpty)
        }
    }

    /// Several instances append to one ledger: a batch numbered on a log another writer has
    /// since appended to (or numbered past its end) is refused whole with `ledgerMoved`, its
    /// access events with it; numbered right after the last entry, it goes in with them.
    @Test(arguments: StoreKind.available)
    func aBatchNotNumberedRightAfterTheLastEntryIsRefusedWholeAsLedgerMoved(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any LedgerStore & AccessEventStore) in
            try await store.commitEvidence(accessEvents: [], ledger: (0..<2).map { Self.row($0, account: nil, at: 1) }, nodes: [])
            var event = AccessEvent(
                viewer: .random(), target: nil, kind: .searchPage, categories: [], subjects: [], occurredAt: Fixtures.now,
                client: .init(ip: nil, userAgent: nil), deviceHash: nil, session: nil)
            event.instance = "b"
            for stale in [Int64(1), 3] {
                event.ledgerSequence = stale
                await #expect(throws: StoreError.ledgerMoved) {
                    try await store.commitEvidence(accessEvents: [event], ledger: [Self.row(stale, account: nil, at: 2)], nodes: [])
                }
            }
            #expect(try await store.ledgerSize() == 2)
            #expect(try await store.budgetCharges(afterSequence: -1, limit: 10).isEmpty)
            event.ledgerSequence = 2
            try await store.commitEvidence(accessEvents: [event], ledger: [Self.row(2, account: nil, at: 2)], nodes: [])
            #expect(try await store.ledgerSize() == 3)
            let stored = try await store.budgetCharges(afterSequence: 1, limit: 10)
            #expect(stored.map(\.ledgerSequence) == [2])
            #expect(stored.map(\.instance) == ["b"])
            #expect(try await store.budgetCharges(afterSequence: 2, limit: 10).isEmpty)
        }
    }

    /// Overtaken by another writer, a batch is numbered again where the stored log ends
    /// (given that size and the nodes asked for) and goes in there, in one transaction.
    @Test(arguments: StoreKind.available)
    func anOvertakenBatchIsNumberedAgainWhereTheStoredLogEnds(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any LedgerStore & AccessEventStore) in
            try await store.commitEvidence(accessEvents: [], ledger: (0..<3).map { Self.row($0, account: nil, at: 1) }, nodes: [])
            let asked = Mutex<(Int64, [LedgerNodeRow])?>(nil)
            let written = try await store.commitEvidence(
                EvidenceBatch(accessEvents: [], ledger: [Self.row(1, account: nil, at: 2)], nodes: []),
                frontierKeys: { _ in [LedgerNodeRow.Key(level: 0, index: 2)] },
                renumber: { size, nodes in
                    asked.withLock { $0 = (size, nodes) }
                    return EvidenceBatch(accessEvents: [], ledger: [Self.row(size, account: nil, at: 2)], nodes: [])
                })
            #expect(written.ledger.map(\.sequence) == [3])
            #expect(asked.withLock { $0?.0 } == 3)
            #expect(asked.withLock { $0?.1.map(\.index) } == [2])
            #expect(try await store.ledgerSize() == 4)
            // Numbered right: written as it is, renumber never asked.
            let direct = try await store.commitEvidence(
                EvidenceBatch(accessEvents: [], ledger: [Self.row(4, account: nil, at: 3)], nodes: []), frontierKeys: { _ in [] },
                renumber: { _, _ in Issue.record("renumbered a batch numbered right"); return EvidenceBatch(accessEvents: [], ledger: [], nodes: []) })
            #expect(direct.ledger.map(\.sequence) == [4])
        }
    }

    @Test(arguments: StoreKind.available)
    func treeHeadsAreKeptInSizeOrderOncePerSize(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any LedgerStore) in
            #expect(try await store.latestTreeHead() == nil)
            let second = LedgerTreeHeadRow(size: 9, root: "bb", timestampMilliseconds: 2_000, signature: [9, 9])
            let first = LedgerTreeHeadRow(size: 4, root: "aa", timestampMilliseconds: 1_000, signature: Array(0..<64))
            try await store.insertTreeHead(second)
            try await store.insertTreeHead(first)
            try await store.insertTreeHead(LedgerTreeHeadRow(size: 4, root: "cc", timestampMilliseconds: 3_000, signature: [1]))
            #expect(try await store.treeHeads() == [first, second])
            #expect(try await store.latestTreeHead() == second)
        }
    }

    /// Nodes stored by (level, index) before migration v9 are found by the same keys after
    /// it, now listed in the order they were completed.
    @Test(arguments: StoreKind.available)
    func nodesFromBeforeVersion9AreKeptUnderTheLastEntryTheyCover(_ kind: StoreKind) async throws {
        try await kind.withStore(migrated: false) { (store: any StoreMaintenance & LedgerStore) in
            let driver = try #require((store as? SQLStore)?.driver)
            try await driver.migrate(Array(Migrations.all.prefix { $0.identifier != "v9-ledger-nodes-in-completion-order" }))
            // The parents of an eight-entry log: (level, index) for levels 1 to 3.
            let nodes = [(1, 0), (1, 1), (1, 2), (1, 3), (2, 0), (2, 1), (3, 0)].map { level, index in
                LedgerNodeRow(level: level, index: Int64(index), hash: Array(repeating: UInt8(level * 16 + index), count: 32))
            }
            try await driver.write(nodes.map { node in
                SQLStatement(
                    "INSERT INTO ledger_nodes (level, idx, hash) VALUES (?, ?, ?)", [.int(Int64(node.level)), .int(node.index), .blob(node.hash)])
            })
            try await store.migrate()
            #expect(Set(try await store.ledgerNodes(nodes.map(\.key))) == Set(nodes))
            let listed = try await store.ledgerNodes(after: nil, limit: 10)
            #expect(listed.map(\.key.lastEntry) == [1, 3, 3, 5, 7, 7, 7])
            #expect(listed.map(\.level) == [1, 1, 2, 1, 1, 2, 3])
        }
    }

    @Test(arguments: StoreKind.available)
    func aNodeStoredWhereNoSubtreeEndsIsInvalidData(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any LedgerStore) in
            let driver = try #require((store as? SQLStore)?.driver)
            try await driver.write([SQLStatement("INSERT INTO ledger_nodes (last_seq, level, hash) VALUES (2, 1, ?)", [.blob([0x01])])])
            await #expect(throws: StoreError.self) { try await store.ledgerNodes(after: nil, limit: 10) }
            #expect(try await store.ledgerNodes([LedgerNodeRow.Key(level: 1, index: 1)]).isEmpty)
        }
    }

    /// A ledger written before migration v8 (base64 entries, hex hashes) reads back as the
    /// same bytes after it, and new entries go on after the old ones.
    @Test(arguments: StoreKind.available)
    func aTextLedgerFromBeforeVersion8IsReadAsBytesAfterIt(_ kind: StoreKind) async throws {
        try await kind.withStore(migrated: false) { (store: any StoreMaintenance & LedgerStore) in
            let driver = try #require((store as? SQLStore)?.driver)
            try await driver.migrate(Array(Migrations.all.prefix { $0.identifier != "v8-ledger-bytes" }))
            let old = (0..<2).map { Self.row($0, account: AccountID(rawValue: 7), at: 1_800_000_000 + Double($0)) }
            let node = LedgerNodeRow(level: 1, index: 0, hash: Array(repeating: 0xCD, count: 32))
            try await driver.write(old.map { row in
                SQLStatement(
                    "INSERT INTO ledger_entries (seq, kind, account_id, recorded_at, entry, leaf_hash) VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        .int(row.sequence), .text(row.kind), .int(7), .int(row.recordedAt.millisecondsSince1970),
                        .text(Data(row.entry).base64EncodedString()), .text(row.leafHash.map { String(format: "%02x", $0) }.joined()),
                    ])
            } + [SQLStatement("INSERT INTO ledger_nodes (level, idx, hash) VALUES (1, 0, ?)", [.text(String(repeating: "CD", count: 32))])])
            try await store.migrate()
            #expect(try await store.ledgerEntries(from: 0, limit: 10) == old)
            #expect(try await store.ledgerNodes(after: nil, limit: 10) == [node])
            let next = Self.row(2, account: AccountID(rawValue: 7), at: 1_800_000_002)
            try await store.commitEvidence(accessEvents: [], ledger: [next], nodes: [])
            #expect(try await store.ledgerEntries(account: AccountID(rawValue: 7), from: nil, to: nil) == old + [next])
        }
    }
}
