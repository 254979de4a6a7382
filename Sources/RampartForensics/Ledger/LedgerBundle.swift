import Crypto
import Foundation
import RampartCore
import RampartLedger
import RampartStore

/// Writes an evidence bundle (`docs/LEDGER-BUNDLE.md`, format `rampart-ledger-bundle-v2`,
/// a selection): one account's ledger entries with an inclusion proof each, every signed
/// tree head, consistency proofs between consecutive heads, the public key, and a README
/// for whoever receives it. `tools/verify_ledger_bundle.py` checks it with Python alone.
public enum LedgerBundle {
    public struct Selection: Sendable {
        public var account: AccountID
        public var from: Date?
        public var to: Date?

        public init(account: AccountID, from: Date?, to: Date?) {
            self.account = account
            self.from = from
            self.to = to
        }
    }

    public struct Written: Sendable {
        public var directory: String
        public var entries: Int
        public var treeSize: Int64
        /// Entries recorded after the last signed head: not in the bundle.
        public var leftOut: Int
    }

    /// Writes the bundle into `directory` (created if needed). Needs at least one signed
    /// tree head: publish one first.
    public static func write(
        _ selection: Selection, store: any LedgerStore, publicKey: Curve25519.Signing.PublicKey, directory: String, now: Date
    ) async throws -> Written {
        let rows = try await store.ledgerEntries(account: selection.account, from: selection.from, to: selection.to)
        let stamp = ISO8601DateFormatter()
        var described: [String: Any] = ["account": String(selection.account.rawValue)]
        described["from"] = selection.from.map { stamp.string(from: $0) } ?? NSNull()
        described["to"] = selection.to.map { stamp.string(from: $0) } ?? NSNull()
        let contents = Contents(
            title: "account \(selection.account.rawValue)",
            entries: "ledger entries recorded for account \(selection.account.rawValue)"
                + (selection.from.map { " from \(stamp.string(from: $0))" } ?? "") + (selection.to.map { " until \(stamp.string(from: $0))" } ?? "")
                + """
                :
                  every profile view, search page and connection list served to it, every request
                  refused for misuse (forged or foreign IDs, bad signatures), its registration,
                  logins, agreement acceptances and purchases
                """,
            selection: described)
        return try await write(rows: rows, contents, store: store, publicKey: publicKey, directory: directory, now: now)
    }

    /// What a bundle holds, for its `selection` and its README.
    public struct Contents {
        /// After "Evidence bundle: " in the README's title.
        public var title: String
        /// What the entries are, after "`bundle.json` holds N ".
        public var entries: String
        /// The exporter's description of the selection (not signed, not checked).
        public var selection: [String: Any]

        public init(title: String, entries: String, selection: [String: Any]) {
            self.title = title
            self.entries = entries
            self.selection = selection
        }
    }

    /// Writes a bundle of the given entries (those the last signed tree head covers).
    public static func write(
        rows: [LedgerRow], _ contents: Contents, store: any LedgerStore, publicKey: Curve25519.Signing.PublicKey, directory: String, now: Date
    ) async throws -> Written {
        let heads = try await store.treeHeads()
        guard let last = heads.last else {
            throw RampartError.invalid(.ledgerUnsigned, "The ledger has no signed tree head yet: start the server or run `rampart ledger sign`.")
        }
        let covered = rows.filter { $0.sequence < last.size }
        var entries: [[String: Any]] = []
        for row in covered {
            let proof = try await StoredMerkleNodes.build(store) { reader in
                try InclusionProof.generate(leafIndex: Int(row.sequence), treeSize: Int(last.size), reader: reader)
            }
            entries.append([
                "index": row.sequence, "entry": Data(row.entry).base64EncodedString(), "proof": proof.path.map(\.hex),
                "tree_size": last.size,
            ])
        }
        var consistency: [[String: Any]] = []
        for (older, newer) in zip(heads, heads.dropFirst()) {
            let proof = try await StoredMerkleNodes.build(store) { reader in
                try ConsistencyProof.generate(fromSize: Int(older.size), toSize: Int(newer.size), reader: reader)
            }
            consistency.append(["from_size": older.size, "to_size": newer.size, "proof": proof.path.map(\.hex)])
        }
        let stamp = ISO8601DateFormatter()
        var described: [String: Any] = contents.selection
        described["exported_at"] = stamp.string(from: now)
        let bundle: [String: Any] = [
            "format": "rampart-ledger-bundle-v2",
            "selection": described,
            "public_key": Data(publicKey.rawRepresentation).base64EncodedString(),
            "tree_heads": heads.map { head in
                [
                    "size": head.size, "root": head.root, "timestamp_ms": head.timestampMilliseconds,
                    "signature": Data(head.signature).base64EncodedString(),
                ] as [String: Any]
            },
            "entries": entries,
            "consistency": consistency,
        ]
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let json = try JSONSerialization.data(withJSONObject: bundle, options: [.prettyPrinted, .sortedKeys])
        try json.write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent("bundle.json")))
        let readme = Self.readme(contents, entries: covered.count, last: last, heads: heads.count, stamp: stamp, now: now)
        try Data(readme.utf8).write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent("README.md")))
        return Written(directory: directory, entries: covered.count, treeSize: last.size, leftOut: rows.count - covered.count)
    }

    private static func readme(
        _ contents: Contents, entries: Int, last: LedgerTreeHeadRow, heads: Int, stamp: ISO8601DateFormatter, now: Date
    ) -> String {
        """
        # Evidence bundle: \(contents.title)

        Exported \(stamp.string(from: now)) from a Rampart server's evidence ledger.

        - `bundle.json` holds \(entries) \(contents.entries).
        - Each entry comes with an inclusion proof (RFC 6962 / RFC 9162) to the root of the
          ledger's signed tree head of size \(last.size). The bundle holds the \(heads) tree
          head(s) the server has signed, each with an Ed25519 signature, and consistency proofs
          showing each head extends the one before: the log was only ever appended to.
        - `public_key` is the server's ledger key. Compare it with a key obtained
          independently (for example a tree head fetched earlier from `GET /ledger/tree-head`).

        ## How to check it

            python3 verify_ledger_bundle.py bundle.json

        The verifier (`tools/verify_ledger_bundle.py` in Rampart's source, Python 3 standard
        library only) checks every signature, every proof and every entry's encoding, prints
        the entries, and names the first item that does not check out. The format is
        described byte for byte in `docs/LEDGER-BUNDLE.md`.

        ## What it proves, and what it does not

        It proves that these entries are in the log the server signed, unchanged and in this
        order, and that the log was not rewritten between the signed heads. As a selection,
        it does not prove that no other entries concern it: a complete export of
        the log (all entries) does.

        """
    }
}
