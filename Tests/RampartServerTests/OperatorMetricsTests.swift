import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Prometheus
import RampartCore
import RampartStore
import Testing

@testable import RampartApp
@testable import RampartServer

/// The metrics trust & safety and SRE watch, on a server built as `rampart serve` builds it.
@Suite struct OperatorMetricsTests {
    @Test func everyMetricTheShippedDashboardChartsIsExported() async throws {
        let dashboard = try Data(contentsOf: URL(fileURLWithPath: BundleVerifier.packageRoot + "/docs/grafana/rampart-operations.json"))
        let names = Self.metricNames(in: String(decoding: dashboard, as: UTF8.self))
        #expect(names.count == OperatorMetrics.names.count + 2, "the dashboard charts \(names.sorted())")
        #expect(Set(OperatorMetrics.names).isSubset(of: names), "the dashboard leaves out \(Set(OperatorMetrics.names).subtracting(names).sorted())")

        try await Self.withServer { client, _ in
            // The HTTP series are created by the first request.
            _ = try await client.execute(uri: "/healthz", method: .get) { $0.status }
            let exported = try await Self.scrape(client)
            for name in names.sorted() {
                #expect(exported.contains { $0.hasPrefix(name + "{") || $0.hasPrefix(name + " ") || $0.hasPrefix(name + "_bucket") },
                    "\(name) is charted by docs/grafana/rampart-operations.json but not exported")
            }
        }
    }

    @Test func smsMisuseAndLedgerAppendsAreCounted() async throws {
        try await Self.withServer { client, directory in
            let before = try await Self.scrape(client)
            #expect(Self.value(before, #"rampart_ledger_appends_total{kind="policyChange"}"#) >= 1)
            #expect(Self.value(before, #"rampart_sms_total{purpose="registration",outcome="sent"}"#) == 0)

            let (started, body, _) = try await client.json(.post, "/api/v1/registrations", ["phone": "+8613900003333"])
            #expect(started == .created)
            let id = try #require(body["registrationId"] as? String)
            let code = try #require(ServedDirectory.lastCode(in: directory))
            let (completed, account, _) = try await client.json(
                .post, "/api/v1/registrations/\(id)/complete",
                ["code": code, "name": "Chen Jing", "password": "a long password", "agreementVersion": 1])
            #expect(completed == .created, "\(account)")
            let token = try #require(account["token"] as? String)
            // A request signed with a made-up signature: misuse, refused.
            var headers = HTTPFields()
            headers[.authorization] = "Bearer \(token)"
            headers[HTTPField.Name("Rampart-Timestamp")!] = String(Int(Date().timeIntervalSince1970))
            headers[HTTPField.Name("Rampart-Nonce")!] = "abcdefghijklmnopqrstuv"
            headers[HTTPField.Name("Rampart-Signature")!] = String(repeating: "0", count: 64)
            let status = try await client.execute(uri: "/api/v1/me", method: .get, headers: headers) { $0.status }
            #expect(status == .unauthorized)

            let after = try await Self.scrape(client)
            #expect(Self.value(after, #"rampart_sms_total{purpose="registration",outcome="sent"}"#) == 1)
            #expect(Self.value(after, #"rampart_misuse_signals_total{kind="signature_invalid"}"#) == 1)
            #expect(Self.value(after, #"rampart_ledger_appends_total{kind="registration"}"#) == 1)
            #expect(Self.value(after, #"rampart_ledger_appends_total{kind="misuse"}"#) == 1)
            #expect(Self.value(after, "rampart_evidence_batch_records_count") >= 3)
        }
    }

    /// Operators see the honey pool run down (and mint more before new suspects get none).
    @Test func theHoneyProfilesLeftToGiveAreExportedAndFallWithEachOneGiven() async throws {
        let registry = PrometheusCollectorRegistry()
        let store = SQLStore(driver: try SQLiteDriver.inMemory())
        try await store.migrate()
        try await store.insertHoneyProfiles(HoneyProfileTests.honey(3), at: Date())
        let pool = HoneyPool(
            store: store, prepare: { $0 }, clock: ManualWallClock(Date()), metrics: OperatorMetrics(factory: PrometheusMetricsFactory(registry: registry)),
            logger: quietTestLogger)
        func left() -> Double {
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            return Self.value(String(decoding: buffer, as: UTF8.self).split(separator: "\n").map(String.init), "rampart_honey_pool_unassigned")
        }
        try await pool.noteLevel()
        #expect(left() == 3)
        #expect(try await pool.honey(for: .random(), count: 1) { _ in true }.shown.count == 1)
        #expect(left() == 2)
    }

    // MARK: Helpers


    /// Every `rampart_…` metric a dashboard's queries name, without histogram suffixes.
    static func metricNames(in dashboard: String) -> Set<String> {
        let pattern = /rampart_[a-z_]+/
        return Set(dashboard.matches(of: pattern).map { match in
            var name = String(match.output)
            for suffix in ["_bucket", "_count", "_sum"] where name.hasSuffix(suffix) { name.removeLast(suffix.count) }
            return name
        }).subtracting(["rampart_operations"])
    }

    private static func withServer(_ body: @Sendable (any TestClientProtocol, String) async throws -> Void) async throws {
        let directory = ServedDirectory.fresh("rampart-metrics")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let app = try await buildApplication(
            ServerConfiguration(port: 0, dataDirectory: directory), registry: PrometheusCollectorRegistry(), logger: ServedDirectory.logger)
        try await app.test(.router) { client in try await body(client, directory) }
    }

    /// The exposition lines of `/metrics`, comments left out.
    private static func scrape(_ client: some TestClientProtocol) async throws -> [String] {
        try await client.execute(uri: "/metrics", method: .get) { response in
            String(buffer: response.body).split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
        }
    }

    /// The value of one series (0 when absent).
    private static func value(_ lines: [String], _ series: String) -> Double {
        lines.first { $0.hasPrefix(series + " ") }.flatMap { Double($0.dropFirst(series.count + 1)) } ?? 0
    }
}
