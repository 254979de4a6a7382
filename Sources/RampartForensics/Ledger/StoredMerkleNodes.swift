import RampartCore
import RampartLedger
import RampartStore

/// Reads the Merkle nodes a proof needs from the store in one query: proof generation
/// reads the same nodes whatever their hashes are, so a first pass records which nodes it
/// asks for, the store is asked for exactly those, and a second pass builds the proof.
/// O(log n) nodes per proof, never a rehash of the log.
enum StoredMerkleNodes {
    /// Builds `make` over the store's nodes.
    static func build<Proof>(_ store: any LedgerStore, _ make: (any MerkleNodeReader) throws -> Proof) async throws -> Proof {
        let recorder = Recorder()
        _ = try make(recorder)
        let rows = try await store.ledgerNodes(recorder.keys.map { LedgerNodeRow.Key(level: $0.level, index: Int64($0.index)) })
        var nodes: [NodeKey: Digest32] = [:]
        for row in rows {
            if let hash = Digest32(bytes: row.hash) { nodes[NodeKey(level: row.level, index: Int(row.index))] = hash }
        }
        return try make(Loaded(nodes: nodes))
    }

    struct NodeKey: Hashable {
        var level: Int
        var index: Int
    }

    /// Answers every read with a placeholder and remembers the key.
    private final class Recorder: MerkleNodeReader {
        var keys: [NodeKey] = []
        private var seen: Set<NodeKey> = []

        func node(level: Int, index: Int) throws -> Digest32 {
            let key = NodeKey(level: level, index: index)
            if seen.insert(key).inserted { keys.append(key) }
            return MerkleHash.emptyTree
        }
    }

    private struct Loaded: MerkleNodeReader {
        let nodes: [NodeKey: Digest32]

        func node(level: Int, index: Int) throws -> Digest32 {
            guard let hash = nodes[NodeKey(level: level, index: index)] else { throw MerkleError.missingNode(level: level, index: index) }
            return hash
        }
    }
}
