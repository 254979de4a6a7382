import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import RampartCore
import RampartGuard
import RampartLedger
import RampartStore
import Testing

@testable import RampartApp
@testable import RampartForensics
@testable import RampartServer

/// The detection engine at work in the server: the ladder as a client meets it, the
/// member's way back (challenge, appeal), the operator's actions, the evidence.
@Suite struct DetectionServerTests {
    /// A stored ledger entry's fields by name.
    static func fields(_ row: LedgerRow) throws -> [String: String] {
        Dictionary(try LedgerEntry.decode(row.entry).fields.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// The shipped policy with a budget large enough that only the engine stops a crawler.
    static func policy(_ change: (inout AccessPolicy) -> Void = { _ in }) throws -> AccessPolicy {
        var policy = try PolicyFile.shipped()
        policy.budgets.tiers["free"] = .init(day: 100_000, month: 1_000_000)
        change(&policy)
        return policy
    }

    @Test func aCrawlerIsChallengedThrottledAndSuspendedAndCanAppeal() async throws {
        let server = try await TestServer.make(policy: try Self.policy(), detection: .enforce)
        let profiles = try await server.addMembers(600)
        try await server.test { client in
            let crawler = try await client.register(on: server, name: "Crawler")
            var seen: [String: Int] = [:]
            var suspendedAt: Int?
            for (index, profile) in profiles.enumerated() {
                let (status, body, headers) = try await client.json(
                    .get, "/api/v1/profiles/\(server.link(to: profile, for: crawler))", token: crawler.token)
                let code = status == .ok ? "served" : body.errorCode ?? "?"
                seen[code, default: 0] += 1
                switch code {
                case "challenge_required":
                    // The crawler has the SIM card: it passes.
                    let (started, challenge, _) = try await client.json(.post, "/api/v1/challenge", token: crawler.token)
                    #expect(started == .accepted)
                    let id = try #require(challenge["challengeId"] as? String)
                    let sms = try #require(await server.sms.lastCode(to: crawler.phone, purpose: "step_up"))
                    let (verified, _, _) = try await client.json(
                        .post, "/api/v1/challenge/verify", ["challengeId": id, "code": sms], token: crawler.token)
                    #expect(verified == .noContent)
                case "throttled":
                    let retry = try #require(headers[.retryAfter].flatMap(Double.init))
                    server.clock.advance(by: retry)
                case "account_suspended":
                    suspendedAt = index
                default:
                    #expect(code == "served")
                }
                if suspendedAt != nil { break }
                server.clock.advance(by: 1)
            }
            let suspended = try #require(suspendedAt, "never suspended: \(seen) \(String(describing: server.dependencies.detection.explanation(account: crawler.account.rawValue)))")
            #expect(seen["challenge_required", default: 0] >= 1)
            #expect(seen["throttled", default: 0] >= 1)
            // Served at 4 a minute once throttled (most of them degraded); the budget is lifted
            // here. A new account has no network, so views outside it are no evidence.
            #expect(seen["served", default: 0] < 300, "served \(seen) before suspension at \(suspended)")
            // The session is gone; logging in again says why and how to appeal.
            let (after, _, _) = try await client.json(.get, "/api/v1/me", token: crawler.token)
            #expect(after == .unauthorized)
            let (login, refusal, _) = try await client.json(
                .post, "/api/v1/sessions", ["phone": crawler.phone, "password": crawler.password, "deviceId": crawler.deviceId])
            #expect(login == .forbidden)
            #expect(refusal.errorCode == "account_suspended")
            let appealToken = try #require((refusal["error"] as? [String: Any])?["token"] as? String)
            let (filed, _, _) = try await client.json(.post, "/api/v1/appeals", ["appealToken": appealToken, "text": "I was only reading."])
            #expect(filed == .created)
            let (again, twice, _) = try await client.json(.post, "/api/v1/appeals", ["appealToken": appealToken, "text": "Please, again."])
            #expect(again == .conflict)
            #expect(twice.errorCode == "appeal_pending")

            // The evidence: every rung with its signals, the suspension, the appeal.
            let entries = try await server.store.ledgerEntries(account: crawler.account, from: nil, to: nil)
            let fields = try entries.filter { $0.kind == "enforcement" }.map { try Self.fields($0) }
            let decisions = Set(fields.compactMap { $0["decision"] })
            #expect(decisions.isSuperset(of: ["challenge", "challenge passed", "throttle", "suspend", "appeal filed"]))
            #expect(fields.contains { ($0["signals"] ?? "").contains("regularTiming") })
            let records = try await server.store.enforcementRecords(account: crawler.account, limit: 50)
            #expect(records.first?.action == .suspend)
            #expect(records.first?.reason.contains("risk") == true)
            #expect(try await server.store.suspension(of: crawler.account)?.actor == "guard")
        }
    }

    @Test func anOrdinaryMemberBrowsingAtHumanPaceIsNeverStopped() async throws {
        let server = try await TestServer.make(policy: try Self.policy(), detection: .enforce)
        let profiles = try await server.addMembers(40)
        try await server.test { client in
            let member = try await client.register(on: server, name: "Reader")
            var pauses = [7.0, 45, 12, 180, 30, 9, 600, 25, 14, 95]
            for (index, profile) in profiles.prefix(30).enumerated() {
                if index % 3 == 0 {
                    let (search, _, _) = try await client.json(.get, "/api/v1/search?q=member", token: member.token)
                    #expect(search == .ok)
                }
                let (status, body, _) = try await client.json(.get, "/api/v1/profiles/\(server.link(to: profile, for: member))", token: member.token)
                #expect(status == .ok, "refused: \(body.errorCode ?? "?") at view \(index)")
                pauses.append(pauses.removeFirst())
                server.clock.advance(by: pauses[0])
            }
            #expect(try await server.store.enforcementRecords(account: member.account, limit: 5).isEmpty)
        }
    }

    @Test func recordModeRecordsDecisionsButServesEverything() async throws {
        let server = try await TestServer.make(policy: try Self.policy(), detection: .record)
        let profiles = try await server.addMembers(80)
        try await server.test { client in
            let crawler = try await client.register(on: server, name: "Shadowed")
            for profile in profiles {
                let (status, _, _) = try await client.json(.get, "/api/v1/profiles/\(server.link(to: profile, for: crawler))", token: crawler.token)
                #expect(status == .ok)
                server.clock.advance(by: 0.5)
            }
            let entries = try await server.store.ledgerEntries(account: crawler.account, from: nil, to: nil)
            let recorded = try entries.filter { $0.kind == "enforcement" }.map { try Self.fields($0) }
            #expect(!recorded.isEmpty)
            #expect(recorded.allSatisfy { $0["mode"] == "record (not acted on)" })
            #expect(try await server.store.suspension(of: crawler.account) == nil)
        }
    }

    @Test func theWebAsksForAnSMSCodeWithoutJavaScriptAndGoesBackWhereTheMemberWas() async throws {
        // Any request at all is enough evidence here, so the first search is challenged.
        let policy = try Self.policy { $0.detection.signals["burstRate"] = .init(start: 0, full: 1, weight: 40) }
        let server = try await TestServer.make(policy: policy, detection: .enforce)
        try await server.test { client in
            let member = try await client.register(on: server, name: "Web Member")
            let csrf = "Q" + String(repeating: "c", count: 42)
            let cookies = try await server.webCookie(for: member) + "; rampart_csrf=\(csrf)"
            let location = try await client.execute(uri: "/search?q=analyst", method: .get, headers: [.cookie: cookies]) { response in
                #expect(response.status == .seeOther)
                return try #require(response.headers[.location])
            }
            #expect(location == "/challenge?next=%2Fsearch%3Fq%3Danalyst")
            try await client.execute(uri: location, method: .get, headers: [.cookie: cookies]) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("Send me a code"))
            }
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .cookie: cookies]
            let sent = try await client.execute(
                uri: "/challenge/send", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(csrf)&next=%2Fsearch%3Fq%3Danalyst")
            ) { String(buffer: $0.body) }
            let id = try #require(sent.firstMatch(of: /name="id" value="([^"]+)"/)?.1)
            let code = try #require(await server.sms.lastCode(to: member.phone, purpose: "step_up"))
            let next = try await client.execute(
                uri: "/challenge/verify", method: .post, headers: form,
                body: ByteBuffer(string: "csrf=\(csrf)&id=\(id)&code=\(code)&next=%2Fsearch%3Fq%3Danalyst")
            ) { response in
                #expect(response.status == .seeOther)
                return response.headers[.location]
            }
            #expect(next == "/search?q=analyst")
            try await client.execute(uri: "/search?q=analyst", method: .get, headers: [.cookie: cookies]) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func aNextParameterNeverLeavesTheSite() {
        #expect(WebProtectionController.safeNext("/search?q=x") == "/search?q=x")
        // Browsers drop tabs and line breaks from URLs and read "\\" as "/".
        let hostile: [String?] = [
            "https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", "", nil, "/\t/evil.example", "/\n/evil.example",
            "/\r\n/evil.example", "/ /evil.example", "/\u{00A0}/evil.example",
        ]
        for hostile in hostile {
            #expect(WebProtectionController.safeNext(hostile) == "/")
        }
    }

    @Test func operatorActionsReachTheEngineAndTheLedger() async throws {
        let server = try await TestServer.make(policy: try Self.policy(), detection: .enforce)
        try await server.test { client in
            let member = try await client.register(on: server, name: "Suspect")
            let actions = OperatorActions(store: server.store, clock: server.clock, operatorName: "alice")
            let sync = EnforcementSync(
                store: server.store, engine: server.dependencies.detection, identity: server.services.identity,
                evidence: server.dependencies.evidence, logger: quietTestLogger)
            try await actions.suspend(member.account, reason: "Sold our members' data on a mirror site.")
            let (refused, _, _) = try await client.json(.get, "/api/v1/me", token: member.token)
            #expect(refused == .unauthorized)
            try await sync.tick()
            #expect(server.dependencies.detection.evaluate(GuardEvent(.other, account: member.account.rawValue)).action == .suspend)
            #expect(try await server.store.unledgeredEnforcement(limit: 5).isEmpty)

            #expect(try await actions.unsuspend(member.account, reason: "Mistaken identity."))
            #expect(try await actions.unsuspend(member.account, reason: "twice") == false)
            try await sync.tick()
            #expect(server.dependencies.detection.evaluate(GuardEvent(.other, account: member.account.rawValue)).action == .allow)
            let entries = try await server.store.ledgerEntries(account: member.account, from: nil, to: nil)
            let fields = try entries.filter { $0.kind == "enforcement" }.map { try Self.fields($0) }
            #expect(fields.map { $0["decision"] } == ["suspend", "unsuspend"])
            #expect(fields.allSatisfy { $0["actor"] == "alice" })
        }
    }

    @Test func anAcceptedAppealLiftsTheSuspension() async throws {
        let server = try await TestServer.make(policy: try Self.policy(), detection: .enforce)
        try await server.test { client in
            let member = try await client.register(on: server, name: "Appellant")
            let actions = OperatorActions(store: server.store, clock: server.clock, operatorName: "bob")
            try await actions.suspend(member.account, reason: "Automated collection.")
            let (_, refusal, _) = try await client.json(
                .post, "/api/v1/sessions", ["phone": member.phone, "password": member.password, "deviceId": member.deviceId])
            let token = try #require((refusal["error"] as? [String: Any])?["token"] as? String)
            let (short, tooShort, _) = try await client.json(.post, "/api/v1/appeals", ["appealToken": token, "text": "no"])
            #expect(short == .badRequest)
            #expect(tooShort.errorCode == "invalid_appeal")
            let (forged, _, _) = try await client.json(.post, "/api/v1/appeals", ["appealToken": "x" + token.dropFirst(), "text": "Let me back in, please."])
            #expect(forged == .notFound)
            _ = try await client.json(.post, "/api/v1/appeals", ["appealToken": token, "text": "I am a recruiter, not a robot."])
            let appeal = try #require(try await actions.appeals(includeResolved: false).first)
            server.clock.advance(by: 60)
            let resolved = try await actions.resolve(appeal.id, accept: true, note: "Checked the history: a person.")
            #expect(resolved.status == .accepted)
            await #expect(throws: RampartError.self) { try await actions.resolve(appeal.id, accept: false, note: "again") }
            #expect(try await server.store.suspension(of: member.account) == nil)
            let (login, _, _) = try await client.json(
                .post, "/api/v1/sessions", ["phone": member.phone, "password": member.password, "deviceId": member.deviceId])
            #expect(login == .ok)
            let flagged = try await actions.flagged(since: server.clock.now().addingTimeInterval(-3_600), limit: 10)
            #expect(flagged.first?.accountID == member.account)
            #expect(flagged.first?.latest.action == .appealAccepted)
        }
    }

    @Test func forwardingHeadersFromAnUntrustedClientAreIgnoredAndCounted() async throws {
        let server = try await TestServer.make(policy: try Self.policy(), detection: .enforce)
        try await server.test { client in
            let member = try await client.register(on: server, name: "Spoofer")
            var headers: HTTPFields = [.authorization: "Bearer \(member.token)"]
            headers[HTTPField.Name("X-Forwarded-For")!] = "203.0.113.99"
            _ = try await client.execute(uri: "/api/v1/search?q=member", method: .get, headers: headers) { $0.status }
            let explanation = try #require(server.dependencies.detection.explanation(account: member.account.rawValue))
            #expect(explanation.readings.map(\.signal).contains(.forgedForwarding))
        }
    }

    @Test(arguments: [true, false])
    func theClientAddressComesFromForwardingHeadersOnlyBehindATrustedProxy(_ trusted: Bool) async throws {
        let server = try await TestServer.make()
        var configuration = ServerConfiguration()
        configuration.trustedProxies = trusted ? [try #require(IPNetwork("127.0.0.0/8"))] : []
        try await server.test(live: true, configuration: configuration) { client in
            let member = try await client.register(on: server, name: "Behind A Balancer")
            server.clock.advance(by: 120)
            var headers: HTTPFields = [.authorization: "Bearer \(member.token)"]
            headers[HTTPField.Name("X-Forwarded-For")!] = "198.51.100.23, 127.0.0.9"
            let status = try await client.execute(uri: "/api/v1/me", method: .get, headers: headers) { $0.status }
            #expect(status == .ok)
            let session = try #require(try await server.store.sessions(of: member.account).first)
            #expect(session.client.ip == (trusted ? "198.51.100.23" : "127.0.0.1"))
        }
    }

    @Test func theSMSLimitsCoverANumberBlock() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            var refused: [String: Any]?
            for last in 0..<25 {
                let (status, body, _) = try await client.json(.post, "/api/v1/registrations", ["phone": "+861390000\(String(format: "%04d", last))"])
                if status == .tooManyRequests {
                    refused = body
                    break
                }
            }
            #expect(refused?.errorCode == "rate_limited")
        }
    }
}

let quietTestLogger: Logger = {
    var logger = Logger(label: "test")
    logger.logLevel = .error
    return logger
}()
