import Foundation
import RampartApp
import Hummingbird
import Prometheus
import RampartStore

/// What operators and orchestrators poll: liveness, readiness (the database answers),
/// Prometheus metrics, and the OpenAPI document.
struct OperationsController {
    /// Throws when the server cannot serve (the database does not answer).
    let ready: @Sendable () async throws -> Void
    let registry: PrometheusCollectorRegistry
    let openAPIDocument: [UInt8]
    /// This server's hold on its database; nil for a router built without one (tests).
    var claim: ServingClaim? = nil
    /// Its name when several instances share the database, and who holds the ledger's duties.
    var instance: String? = nil
    var duty: LedgerDuty = .sole

    /// The instance's role: "sole server" while it holds the serving claim alone,
    /// "instance NAME: ledger duties" or "instance NAME: standby" as one of several,
    /// "unclaimed" without a claim.
    var role: String {
        guard claim != nil else { return "unclaimed" }
        guard let instance else { return "sole server" }
        return "instance \(instance): \(duty.role)"
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("healthz") { _, _ in try JSONResponse.make(["status": "ok", "role": role]) }
        router.get("readyz", use: readiness)
        router.get("metrics", use: metrics)
        router.get("openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: openAPIDocument)))
        }
    }

    @Sendable func readiness(_ request: Request, context: AppRequestContext) async throws -> Response {
        do {
            try await ready()
            if let claim, !claim.isHeld { throw ServingClaimError.lost(claim.description) }
            return try JSONResponse.make(["status": "ready", "role": role])
        } catch {
            context.logger.warning("readiness check failed", metadata: ["error": "\(error)"])
            return try JSONResponse.make(["status": "unavailable"], status: .serviceUnavailable)
        }
    }

    @Sendable func metrics(_ request: Request, context: AppRequestContext) async throws -> Response {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
    }

    static func loadOpenAPIDocument() throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json", subdirectory: "Resources") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return Array(try Data(contentsOf: url))
    }
}
