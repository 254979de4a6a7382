import Foundation
import HummingbirdTesting
import Logging
import Prometheus
import RampartStore
import Testing

@testable import RampartServer

/// The attack from issue 22: a second `rampart serve` on the database of a running one used
/// to start, number ledger entries over the first one's, and make the first registration
/// through either answer `500`. It is now refused at start, and the first keeps serving.
@Suite struct ServingClaimServerTests {
    @Test func aSecondServerOnTheSameDatabaseIsRefusedAndTheFirstKeepsServing() async throws {
        let directory = ServedDirectory.fresh("rampart-serve")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = ServerConfiguration(port: 0, dataDirectory: directory)

        let first = try await buildApplication(configuration, registry: PrometheusCollectorRegistry(), logger: ServedDirectory.logger)
        try await first.test(.router) { client in
            let (_, health, _) = try await client.json(.get, "/healthz")
            #expect(health["role"] as? String == "sole server")
            let refusal = await #expect(throws: ServingClaimError.self) {
                _ = try await buildApplication(configuration, registry: PrometheusCollectorRegistry(), logger: ServedDirectory.logger)
            }
            #expect(refusal?.description.contains("Another rampart serve is already serving \(directory)") == true)

            // The first registers a member: its ledger is still its own.
            let phone = "+8613900002222"
            let (started, body, _) = try await client.json(.post, "/api/v1/registrations", ["phone": phone])
            #expect(started == .created)
            let id = try #require(body["registrationId"] as? String)
            let code = try #require(ServedDirectory.lastCode(in: directory))
            let (completed, account, _) = try await client.json(
                .post, "/api/v1/registrations/\(id)/complete",
                ["code": code, "name": "Wang Fang", "password": "a long password", "agreementVersion": 1])
            #expect(completed == .created, "\(account)")
        }

        // Stopped, the first lets go: the next server starts.
        let next = try await buildApplication(configuration, registry: PrometheusCollectorRegistry(), logger: ServedDirectory.logger)
        try await next.test(.router) { client in
            let (status, _, _) = try await client.json(.get, "/readyz")
            #expect(status == .ok)
        }
    }

}
