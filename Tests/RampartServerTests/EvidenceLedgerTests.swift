import Crypto
import Foundation
import HummingbirdTesting
import RampartCore
import RampartEvidence
import RampartLedger
import Synchronization
import Testing

@testable import RampartApp
@testable import RampartForensics
@testable import RampartServer
@testable import RampartStore

/// The evidence ledger through the whole server: what is recorded, that it verifies, that
/// tampering is found and named, and that exported proofs check out.
@Suite struct EvidenceLedgerTests {
    /// A server whose members did a little of everything; returns the viewer.
    static func busyServer() async throws -> (TestServer, Member) {
        let server = try await TestServer.make()
        let viewer = Mutex<Member?>(nil)
        try await server.test { client in
            let fang = try await client.register(on: server, name: "王芳")
            let li = try await client.register(on: server, name: "Li Lei")
            _ = try await client.json(.get, "/api/v1/profiles/\(server.link(to: fang.account, for: li))", token: li.token)
            _ = try await client.json(.get, "/api/v1/search?q=fang", token: li.token)
            _ = try await client.json(.get, "/api/v1/profiles/\(String(repeating: "A", count: 46))", token: li.token)
            _ = try await client.json(
                .post, "/api/v1/sessions", ["phone": li.phone, "password": li.password, "deviceId": li.deviceId])
            viewer.withLock { $0 = li }
        }
        return (server, try #require(viewer.withLock { $0 }))
    }

    @Test func registrationsLoginsViewsAndRefusalsAreAllInTheLedger() async throws {
        let (server, li) = try await Self.busyServer()
        let rows = try await server.store.ledgerEntries(from: 0, limit: 100)
        let entries = try rows.map { try LedgerEntry.decode($0.entry) }
        #expect(entries.map(\.kind) == [.registration, .registration, .access, .access, .misuse, .login])
        #expect(entries.enumerated().allSatisfy { $0.element.sequence == $0.offset })
        let view = entries[2]
        #expect(view[field: "event"] == "profile_view")
        #expect(view[field: "viewer"] == String(li.account.rawValue))
        #expect(view[field: "decision"] == "served")
        #expect(view[field: "categories"]?.contains("identity") == true)
        #expect(entries[4][field: "signal"] == "forged_id")
        #expect(entries[0][field: "phone"] != nil)
        #expect(rows.filter { $0.account == li.account }.count == 5)
    }

    @Test func theLedgerVerifiesAndItsSignedHeadChecks() async throws {
        let (server, _) = try await Self.busyServer()
        let head = try #require(try await server.dependencies.treeHeads.publish())
        #expect(head.size == 6)
        let result = try await LedgerAudit.verify(server.store, publicKey: server.dependencies.treeHeads.publicKey)
        #expect(result.isValid, "\(result.problem ?? "")")
        #expect(result.entries == 6)
        #expect(result.root == head.root)
        // A second head only when the ledger grew.
        #expect(try await server.dependencies.treeHeads.publish() == head)
    }

    enum Tampering: String, CaseIterable, CustomTestStringConvertible {
        case changedByte, deletedEntry, reordered, truncated, forgedHead, changedNode, movedNode, deletedNode
        var testDescription: String { rawValue }
    }

    @Test(arguments: Tampering.allCases)
    func tamperingIsFoundAndTheFirstBadEntryNamed(_ tampering: Tampering) async throws {
        let (server, _) = try await Self.busyServer()
        _ = try await server.dependencies.treeHeads.publish()
        let driver = try #require((server.store as? SQLStore)?.driver)
        let rows = try await server.store.ledgerEntries(from: 0, limit: 100)
        func set(_ sequence: Int64, entry: [UInt8]) async throws {
            try await driver.write([SQLStatement(
                "UPDATE ledger_entries SET entry = ? WHERE seq = ?", [.blob(entry), .int(sequence)])])
        }
        let expected: String
        switch tampering {
        case .changedByte:
            var bytes = rows[3].entry
            bytes[bytes.count - 1] ^= 0x01
            try await set(3, entry: bytes)
            expected = "entry 3"
        case .deletedEntry:
            try await driver.write([SQLStatement("DELETE FROM ledger_entries WHERE seq = 2", [])])
            expected = "entry 2 is missing"
        case .reordered:
            try await set(2, entry: rows[4].entry)
            try await set(4, entry: rows[2].entry)
            expected = "entry 2"
        case .truncated:
            try await driver.write([SQLStatement("DELETE FROM ledger_entries WHERE seq >= 4", [])])
            expected = "truncated"
        case .forgedHead:
            try await driver.write([SQLStatement("UPDATE ledger_tree_heads SET timestamp_ms = timestamp_ms + 1", [])])
            expected = "not signed"
        case .changedNode:
            // Node (1, 1) covers entries 2 and 3: it is stored under its last entry, 3.
            try await driver.write([SQLStatement("UPDATE ledger_nodes SET hash = ? WHERE last_seq = 3 AND level = 1", [.blob(Array(repeating: 0, count: 32))])])
            expected = "node (level 1, index 1) does not match entries 2..<4"
        case .movedNode:
            // A level-1 node covers two entries, so it ends at an odd one, never at entry 4.
            try await driver.write([SQLStatement("UPDATE ledger_nodes SET last_seq = 4 WHERE last_seq = 3 AND level = 1", [])])
            expected = "level 1 ending at entry 4 is no complete subtree: the node table was changed"
        case .deletedNode:
            try await driver.write([SQLStatement("DELETE FROM ledger_nodes WHERE level = 2", [])])
            expected = "nodes were deleted"
        }
        let result = try await LedgerAudit.verify(server.store, publicKey: server.dependencies.treeHeads.publicKey)
        let problem = try #require(result.problem)
        #expect(problem.contains(expected), "\(problem)")
    }

    @Test func anExportedBundlesProofsCheckAgainstItsSignedHeads() async throws {
        let (server, li) = try await Self.busyServer()
        let first = try #require(try await server.dependencies.treeHeads.publish())
        try await server.dependencies.evidence.append(.policyChange, account: nil, fields: ["event": "test"])
        let second = try #require(try await server.dependencies.treeHeads.publish())
        let directory = NSTemporaryDirectory() + "rampart-bundle-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let written = try await LedgerBundle.write(
            .init(account: li.account, from: nil, to: nil), store: server.store, publicKey: server.dependencies.treeHeads.publicKey,
            directory: directory, now: server.clock.now())
        #expect(written.entries == 5)
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/bundle.json"))
        let bundle = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(bundle["format"] as? String == "rampart-ledger-bundle-v2")
        let root = try #require(Digest32(hex: second.root))
        for entry in try #require(bundle["entries"] as? [[String: Any]]) {
            let text = try #require(entry["entry"] as? String)
            let bytes = try #require(Data(base64Encoded: text))
            let index = try #require(entry["index"] as? Int)
            let path = try #require(entry["proof"] as? [String])
            let proof = InclusionProof(leafIndex: index, treeSize: Int(second.size), path: path.compactMap(Digest32.init(hex:)))
            #expect(proof.verify(leafHash: MerkleHash.leafHash(Array(bytes)), rootHash: root))
        }
        let consistency = try #require((bundle["consistency"] as? [[String: Any]])?.first)
        let hashes = try #require(consistency["proof"] as? [String])
        let proof = ConsistencyProof(fromSize: Int(first.size), toSize: Int(second.size), path: hashes.compactMap(Digest32.init(hex:)))
        let firstRoot = try #require(Digest32(hex: first.root))
        #expect(proof.verify(fromRoot: firstRoot, toRoot: root))
        #expect(FileManager.default.fileExists(atPath: directory + "/README.md"))
    }

    @Test func theTreeHeadEndpointServesTheSignedHeadAndItsKey() async throws {
        let (server, _) = try await Self.busyServer()
        try await server.test { client in
            let (status, head, _) = try await client.json(.get, "/ledger/tree-head")
            #expect(status == .ok)
            #expect(head["size"] as? Int == 6)
            let keyText = try #require(head["publicKey"] as? String)
            let keyBytes = try #require(Data(base64Encoded: keyText))
            let key = try Curve25519.Signing.PublicKey(rawRepresentation: keyBytes)
            let rootText = try #require(head["root"] as? String)
            let root = try #require(Digest32(hex: rootText))
            let signatureText = try #require(head["signature"] as? String)
            let signature = try #require(Data(base64Encoded: signatureText))
            let timestamp = try #require(head["timestampMs"] as? Int)
            let signed = SignedTreeHead(
                treeSize: 6, rootHash: root, timestampMilliseconds: UInt64(timestamp), signature: Array(signature))
            #expect(signed.isValid(publicKey: key))
        }
    }

    @Test func withTheLedgerOffAccessEventsAreStillRecorded() async throws {
        let store = SQLStore(driver: try SQLiteDriver.inMemory())
        try await store.migrate()
        let recorder = EvidenceRecorder(store: store, ledger: false)
        let viewer = AccountID.random()
        try await recorder.record(AccessEvent(
            viewer: viewer, target: .random(), kind: .profileView, categories: [.identity], subjects: [], occurredAt: Date(),
            client: .init(ip: nil, userAgent: nil), deviceHash: nil, session: nil))
        try await recorder.append(.login, account: viewer, fields: [:])
        #expect(try await store.accessEvents(viewer: viewer, limit: 5).count == 1)
        #expect(try await store.ledgerSize() == 0)
    }
}
