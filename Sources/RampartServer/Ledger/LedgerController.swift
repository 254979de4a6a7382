import Foundation
import RampartApp
import Hummingbird
import RampartCore

/// `GET /ledger/tree-head`: the evidence ledger's newest signed tree head (signing one on
/// the spot if the ledger grew and the newest is ten seconds old), with the public key to
/// check it. Anyone may fetch it and keep it: a later export must be consistent with every
/// head published.
struct LedgerController {
    let treeHeads: TreeHeadPublisher

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("ledger/tree-head", use: treeHead)
    }

    struct TreeHeadResponse: Encodable {
        let size: Int64
        let root: String
        let timestampMs: Int64
        let signature: String
        let publicKey: String
        let algorithm: String
    }

    @Sendable func treeHead(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let head = try await treeHeads.latest() else {
            throw RampartError.notFound(.ledgerEmpty, "The evidence ledger has no entries yet.")
        }
        return try JSONResponse.make(TreeHeadResponse(
            size: head.size, root: head.root, timestampMs: head.timestampMilliseconds,
            signature: Data(head.signature).base64EncodedString(),
            publicKey: Data(treeHeads.publicKey.rawRepresentation).base64EncodedString(), algorithm: "Ed25519"))
    }
}
