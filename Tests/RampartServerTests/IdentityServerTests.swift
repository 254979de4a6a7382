import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import RampartCore
import RampartGuard
import RampartLedger
import RampartStore
import Testing

@testable import RampartApp
@testable import RampartForensics
@testable import RampartServer

/// The identity graph at work: farms are one cluster with one budget, a suspended person's
/// new account is stopped, a neighbour on the same network is not.
@Suite struct IdentityServerTests {
    static var card: [String: Any] { ["number": "4242 4242 4242 4242", "expMonth": 12, "expYear": 2031, "cvc": "123"] }

    /// An account with this phone number, straight into the store.
    private func account(_ server: TestServer, phone: String) async throws -> Account {
        let agreement = try #require(try await server.store.currentAgreement())
        let account = Account(id: .random(), phone: PhoneNumber(storedE164: phone), name: "Member \(phone)", passwordHash: "x", createdAt: server.clock.now())
        try await server.store.insertSeedMembers([SeedMember(account: account, profile: Profile(accountID: account.id, name: account.name))], agreement: agreement, at: server.clock.now())
        return account
    }

    /// Completes a registration sending `deviceId`; returns the raw answer.
    private func registerRaw(_ client: SigningTestClient, _ server: TestServer, deviceId: String) async throws -> (HTTPResponse.Status, [String: Any]) {
        let phone = "+86139" + String(Int.random(in: 10_000_000...99_999_999))
        let (id, code) = try await client.startRegistration(on: server, phone: phone)
        let (status, body, _) = try await client.json(
            .post, "/api/v1/registrations/\(id)/complete",
            ["code": code, "name": "Returning", "password": "correct horse battery", "agreementVersion": 1, "deviceId": deviceId])
        return (status, body)
    }

    @Test func accountsRegisteredFromOneDeviceAreOneClusterWithOneBudget() async throws {
        let server = try await TestServer.make()
        let profiles = try await server.addMembers(120)
        try await server.test { client in
            let first = try await client.register(on: server, name: "Farm One")
            let second = try await client.register(on: server, name: "Farm Two", deviceId: first.deviceId)
            let third = try await client.register(on: server, name: "Farm Three", deviceId: first.deviceId)
            #expect(server.dependencies.identity.clusterSize(of: first.account.rawValue) == 3)
            #expect(server.dependencies.identity.cluster(of: third.account.rawValue) == server.dependencies.identity.cluster(of: second.account.rawValue))
            // The free budget (60 units a day, ~66 strangers) is spent by the first two together.
            var served = 0
            for (index, profile) in profiles.enumerated() {
                let member = index % 2 == 0 ? first : second
                let (status, _, _) = try await client.json(.get, "/api/v1/profiles/\(server.link(to: profile, for: member))", token: member.token)
                if status != .ok { break }
                served += 1
                // Eleven an hour: within the hourly allowance; the day's is what runs out.
                server.clock.advance(by: 330)
            }
            #expect(served == 67)
            let (refused, body, _) = try await client.json(.get, "/api/v1/profiles/\(server.link(to: profiles[119], for: third))", token: third.token)
            #expect(refused == .tooManyRequests)
            #expect(body.errorCode == "budget_exhausted")
            let links = try await server.store.identityLinks(involving: [third.account])
            #expect(links.contains { $0.kind == "device_cookie" })
        }
    }

    @Test func aSuspendedPersonsNewAccountOnTheOldDeviceIsStoppedAtRegistration() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let banned = try await client.register(on: server, name: "Banned")
            try await OperatorActions(store: server.store, clock: server.clock, operatorName: "alice").suspend(banned.account, reason: "Scraping.")
            let (status, body) = try await registerRaw(client, server, deviceId: banned.deviceId)
            #expect(status == .forbidden)
            #expect(body.errorCode == "account_suspended")
            #expect((body["error"] as? [String: Any])?["token"] is String)
            let records = try await server.store.enforcementRecords(account: nil, limit: 10)
            let evasion = try #require(records.first { $0.action == .banEvasion })
            #expect(evasion.reason.contains("Ban evasion: linked to suspended account \(banned.account.rawValue) by device_cookie"))
            let entries = try await server.store.ledgerEntries(account: evasion.account, from: nil, to: nil)
            let fields = try entries.filter { $0.kind == "enforcement" }.map { try DetectionServerTests.fields($0) }
            #expect(fields.contains { $0["decision"] == "ban evasion stopped" && $0["continuesSuspendedAccount"] == String(banned.account.rawValue) })
        }
    }

    @Test func aSuspendedPersonsCardStopsThePurchaseOfANewAccount() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let banned = try await client.register(on: server, name: "Paid Scraper")
            let (bought, _, _) = try await client.json(.post, "/api/v1/premium", ["tier": "premium", "card": Self.card], token: banned.token)
            #expect(bought == .created || bought == .ok)
            try await OperatorActions(store: server.store, clock: server.clock, operatorName: "alice").suspend(banned.account, reason: "Scraping.")
            let fresh = try await client.register(on: server, name: "New Face")
            let (refused, body, _) = try await client.json(.post, "/api/v1/premium", ["tier": "premium", "card": Self.card], token: fresh.token)
            #expect(refused == .forbidden)
            #expect(body.errorCode == "account_suspended")
            #expect(try await server.store.suspension(of: fresh.account)?.reason.contains("payment_instrument") == true)
        }
    }

    @Test func aLoginFromASuspendedAccountsDeviceIsStopped() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let banned = try await client.register(on: server, name: "Old")
            let other = try await client.register(on: server, name: "Other")
            try await OperatorActions(store: server.store, clock: server.clock, operatorName: "alice").suspend(banned.account, reason: "Scraping.")
            let (status, body, _) = try await client.json(
                .post, "/api/v1/sessions", ["phone": other.phone, "password": other.password, "deviceId": banned.deviceId])
            #expect(status == .forbidden)
            #expect(body.errorCode == "account_suspended")
        }
    }

    @Test func aNeighbourOnTheSameSubnetIsNotStoppedAndNotMerged() async throws {
        let server = try await TestServer.make()
        let identity = server.services.identity
        let banned = try await self.account(server, phone: "+8613900000001")
        try await OperatorActions(store: server.store, clock: server.clock, operatorName: "alice").suspend(banned.id, reason: "Scraping.")
        let office = ClientInfo(ip: "203.0.113.10", userAgent: "Mozilla/5.0")
        _ = try await identity.registered(banned, deviceHash: "old-device", client: office)
        let neighbour = try await self.account(server, phone: "+8618612345678")
        let screening = try await identity.registered(neighbour, deviceHash: "new-device", client: ClientInfo(ip: "203.0.113.11", userAgent: "Mozilla/5.0"))
        #expect(screening == .clear)
        #expect(server.dependencies.identity.clusterSize(of: neighbour.id.rawValue) == 1)
        // The weak evidence is kept for the analyst; it just never merges on its own.
        #expect(try await server.store.identityLinks(involving: [neighbour.id]).map(\.kind) == ["same_client"])
    }

    @Test func aBurstFromOneSubnetWithNumbersFromOneBlockIsHeldForReview() async throws {
        let server = try await TestServer.make()
        let identity = server.services.identity
        let banned = try await self.account(server, phone: "+8613900000100")
        _ = try await identity.registered(banned, deviceHash: "d0", client: ClientInfo(ip: "198.51.100.1", userAgent: nil))
        try await OperatorActions(store: server.store, clock: server.clock, operatorName: "alice").suspend(banned.id, reason: "Scraping.")
        var last = IdentityService.Screening.clear
        for index in 1...6 {
            let account = try await self.account(server, phone: "+86139000001\(String(format: "%02d", index))")
            last = try await identity.registered(account, deviceHash: "d\(index)", client: ClientInfo(ip: "198.51.100.\(index + 1)", userAgent: nil))
        }
        guard case .hold(let suspended, let evidence) = last else {
            Issue.record("expected a hold, got \(last)")
            return
        }
        #expect(suspended == banned.id)
        #expect(evidence.strength == .medium)
    }

    @Test func aRegistrationContinuingAJustSuspendedAccountIsHeldForReviewAndCanAppeal() async throws {
        let server = try await TestServer.make()
        let identity = server.services.identity
        let script = ClientInfo(ip: "203.0.113.10", userAgent: "python-requests/2.32")
        let banned = try await self.account(server, phone: "+8613900000200")
        try await OperatorActions(store: server.store, clock: server.clock, operatorName: "alice").suspend(banned.id, reason: "Scraping.")
        // What Protection tells the identity service when the engine suspends an account.
        identity.noteSuspension(account: banned.id, client: script)
        server.clock.advance(by: 600)
        let fresh = try await self.account(server, phone: "+8618700000201")
        let client = ClientInfo(ip: "203.0.113.77", userAgent: "python-requests/2.32")
        let screening = try await identity.registered(fresh, deviceHash: "new-device", client: client)
        guard case .hold(let suspended, let evidence) = screening else {
            Issue.record("expected a hold, got \(screening)")
            return
        }
        #expect(suspended == banned.id)
        #expect(evidence.kind == .continuesSuspended)
        #expect(evidence.detail == "registered from 203.0.113.0/24 with the client of account \(banned.id.rawValue), suspended 10 minutes earlier")
        // One medium piece: held, never merged.
        #expect(server.dependencies.identity.clusterSize(of: fresh.id.rawValue) == 1)
        #expect(try await server.store.identityLinks(involving: [fresh.id]).map(\.kind) == ["continues_suspended"])
        let suspension = try #require(try await identity.enforce(screening, account: fresh.id, stage: .registration, client: client))
        #expect(suspension.reason.hasPrefix("Held for review: linked to suspended account \(banned.id.rawValue) by continues_suspended"))
        let entries = try await server.store.ledgerEntries(account: fresh.id, from: nil, to: nil)
        let fields = try entries.filter { $0.kind == "enforcement" }.map { try DetectionServerTests.fields($0) }
        #expect(fields.contains { $0["decision"] == "held for review" && $0["evidence"] == "continues_suspended" && $0["strength"] == "medium" })
        // The way back: an appeal, accepted by an operator, lifts the hold.
        try await server.store.insertAppeal(Appeal(account: fresh.id, text: "A new hire on the office network.", createdAt: server.clock.now()))
        let actions = OperatorActions(store: server.store, clock: server.clock, operatorName: "bob")
        let appeal = try #require(try await actions.appeals(includeResolved: false).first { $0.account == fresh.id })
        _ = try await actions.resolve(appeal.id, accept: true, note: "Checked: a colleague, not the same person.")
        #expect(try await server.store.suspension(of: fresh.id) == nil)
    }

    @Test func theGraphIsRebuiltFromTheStoreAndAnOperatorCanSeparateAccounts() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let first = try await client.register(on: server, name: "Twin One")
            let second = try await client.register(on: server, name: "Twin Two", deviceId: first.deviceId)
            let rebuilt = IdentityService(
                graph: IdentityGraph(), store: server.store, evidence: server.dependencies.evidence, clock: server.clock,
                policy: DetectionPolicy(), logger: Logger(label: "test"))
            #expect(try await rebuilt.load() == 1)
            #expect(rebuilt.graph.clusterSize(of: first.account.rawValue) == 2)
            try await OperatorActions(store: server.store, clock: server.clock, operatorName: "carol")
                .separate(first.account, second.account, reason: "Siblings sharing a laptop.")
            try await rebuilt.applySeparations()
            #expect(rebuilt.graph.clusterSize(of: first.account.rawValue) == 1)
        }
    }

    @Test func anAnalystSeesTheClusterWithEveryLinkAndItsEvidence() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let first = try await client.register(on: server, name: "Farm One")
            let second = try await client.register(on: server, name: "Farm Two", deviceId: first.deviceId)
            _ = try await client.register(on: server, name: "Stranger")
            try await OperatorActions(store: server.store, clock: server.clock, operatorName: "alice").suspend(first.account, reason: "Scraping.")
            let report = try await ClusterReport.make(for: second.account, graph: try await IdentityService.storedGraph(server.store), store: server.store)
            #expect(Set(report.members.map(\.id)) == [first.account, second.account])
            #expect(report.members.first { $0.id == first.account }?.suspended == true)
            #expect(report.links.count == 1)
            #expect(report.links.first?.kind == "device_cookie")
            #expect(report.links.first?.strength == "strong")
            #expect(report.text().contains("strong device_cookie: device "))
            #expect(report.json().contains("\"kind\" : \"device_cookie\""))
        }
    }
}
