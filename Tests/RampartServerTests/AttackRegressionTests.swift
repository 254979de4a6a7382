import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RampartCore
import RampartGuard
import RampartStore
import Testing

@testable import RampartApp
@testable import RampartForensics
@testable import RampartServer

/// The attacks a reviewer performed against a running server to turn detection against
/// members or to get around it, each performed again here. Every test failed on the
/// server before its fix.
@Suite struct AttackRegressionTests {
    private static let crossSite: HTTPFields = [HTTPField.Name("Sec-Fetch-Site")!: "cross-site"]

    // MARK: Framing innocent members

    @Test func aSharedLinkDoesNotMakeTheReceiverPayForTheSendersMisuse() async throws {
        let server = try await TestServer.make(detection: .enforce)
        _ = try await server.addMembers(30)
        try await server.test { client in
            let sender = try await client.register(on: server, name: "Sender")
            let receiver = try await client.register(on: server, name: "Receiver")
            let colleague = try await client.register(on: server, name: "Colleague")
            // The sender shares a link to a colleague's profile; the receiver opens it.
            let shared = server.link(to: colleague.account, for: sender)
            #expect(try await client.json(.get, "/api/v1/profiles/\(shared)", token: receiver.token).0 == .ok)
            // Then the sender misbehaves: six forged IDs.
            for index in 0..<6 {
                _ = try await client.json(.get, "/api/v1/profiles/\(String(repeating: "Q", count: 40 + index))", token: sender.token)
            }
            #expect(try await client.json(.get, "/api/v1/search?q=member", token: sender.token).1.errorCode == "challenge_required")
            // The receiver is a person of its own: not linked, not challenged.
            #expect(server.dependencies.identity.members(of: receiver.account.rawValue, limit: 10).count == 1)
            let (status, body, _) = try await client.json(.get, "/api/v1/search?q=member", token: receiver.token)
            #expect(status == .ok, "\(body)")
        }
    }

    @Test func aFarmHandingAroundManyIDsIsStillLinked() async throws {
        let server = try await TestServer.make()
        let others = try await server.addMembers(25)
        try await server.test { client in
            let harvester = try await client.register(on: server, name: "Harvester")
            let user = try await client.register(on: server, name: "User")
            let threshold = 2 * (try PolicyFile.shipped().sealing.sharedLinksPerDay)
            for (index, member) in others.prefix(threshold).enumerated() {
                #expect(server.dependencies.identity.members(of: user.account.rawValue, limit: 10).count == 1, "linked after \(index) IDs")
                _ = try await client.json(.get, "/api/v1/profiles/\(server.codec.seal(.profile, member, for: harvester.account))", token: user.token)
            }
            let cluster = Set(server.dependencies.identity.members(of: user.account.rawValue, limit: 10))
            #expect(cluster == [user.account.rawValue, harvester.account.rawValue])
            let links = try await server.store.identityLinks(involving: [user.account])
            #expect(links.contains { $0.kind == "sealed_id_handoff" && $0.detail.contains("\(threshold) distinct sealed IDs") })
        }
    }

    @Test func aPageOnAnotherSiteCannotWalkAMembersBrowserIntoAChallenge() async throws {
        let server = try await TestServer.make(detection: .enforce)
        _ = try await server.addMembers(30)
        try await server.test { client in
            let member = try await client.register(on: server, name: "Victim")
            var headers = Self.crossSite
            headers[.cookie] = try await server.webCookie(for: member)
            // The attacker's page navigates the member's browser through forged profile
            // links and a burst of searches, as fast as it can.
            for index in 0..<40 {
                let uri = index.isMultiple(of: 2) ? "/members/\(String(repeating: "Z", count: 40 + index % 7))" : "/search?q=member+\(index)"
                try await client.execute(uri: uri, method: .get, headers: headers) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body).contains("Continue"))
                }
            }
            // Nothing was counted: no signal, no charge, no risk.
            #expect(try await server.store.signals(involving: member.account, limit: 5).isEmpty)
            #expect(server.dependencies.detection.explanation(account: member.account.rawValue).map { $0.risk < 1 } ?? true)
            // The member's own click goes through.
            var own = headers
            own[HTTPField.Name("Sec-Fetch-Site")!] = "same-origin"
            try await client.execute(uri: "/search?q=member", method: .get, headers: own) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("Search"))
            }
        }
    }

    // MARK: Resetting or bypassing the Guard

    @Test func madeUpSessionCookiesOnTheStylesheetAddNoKeys() async throws {
        let server = try await TestServer.make(detection: .enforce)
        try await server.test { client in
            let before = server.dependencies.detection.trackedKeys.count
            for _ in 0..<300 {
                let cookie = "rampart_session=\(SecretTokens.generate())"
                try await client.execute(uri: "/static/style.css", method: .get, headers: [.cookie: cookie]) { #expect($0.status == .ok) }
            }
            #expect(server.dependencies.detection.trackedKeys.count == before)
        }
    }

    @Test func anAPITokenIsNoWebSessionAndAWebSessionNoAPIToken() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let member = try await client.register(on: server)
            // The captured API token as a cookie: signed out, so no unsigned way around signing.
            try await client.execute(uri: "/me", method: .get, headers: [.cookie: "rampart_session=\(member.token)"]) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/login")
            }
            let web = try await server.webCookie(for: member)
            let webToken = String(web.dropFirst("rampart_session=".count))
            #expect(try await client.json(.get, "/api/v1/me", token: webToken).0 == .unauthorized)
            try await client.execute(uri: "/me", method: .get, headers: [.cookie: web]) { #expect($0.status == .ok) }
        }
    }

    @Test func aSuspendedAccountCannotConfirmANewDevice() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let member = try await client.register(on: server)
            let (status, pending, _) = try await client.json(.post, "/api/v1/sessions", ["phone": member.phone, "password": member.password])
            #expect(status == .accepted)
            let confirmation = try #require(pending["confirmationId"] as? String)
            let code = try #require(await server.sms.lastCode(to: member.phone, purpose: "device"))
            try await OperatorActions(store: server.store, clock: server.clock, operatorName: "alice").suspend(member.account, reason: "Scraping.")
            let (confirmed, body, _) = try await client.json(.post, "/api/v1/device-confirmations/\(confirmation)", ["code": code])
            #expect(confirmed == .forbidden)
            #expect(body.errorCode == "account_suspended")
            #expect(body["token"] == nil)
        }
    }

    @Test func sessionsEndWhenIdleAndAfterNinetyDaysWhateverTheClientDoes() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let idle = try await client.register(on: server, name: "Idle")
            let busy = try await client.register(on: server, name: "Busy")
            let web = try await server.webCookie(for: idle)
            server.clock.advance(by: 15 * 86_400)
            try await client.execute(uri: "/me", method: .get, headers: [.cookie: web]) { #expect($0.status == .seeOther) }
            // The app's session lasts a month idle; used daily, it still ends at 90 days.
            for _ in 0..<76 {
                #expect(try await client.json(.get, "/api/v1/me", token: busy.token).0 == .ok)
                server.clock.advance(by: 86_400)
            }
            #expect(try await client.json(.get, "/api/v1/me", token: busy.token).0 == .unauthorized)
            #expect(try await client.json(.get, "/api/v1/me", token: idle.token).0 == .unauthorized)
        }
    }

    // MARK: Accounts

    @Test func aGuesserLocksOnlyItselfAndCannotTellRegisteredNumbersApart() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let member = try await client.register(on: server)
            let accounts = server.services.accounts
            func attempt(_ phone: String, _ password: String, from ip: String, device: String? = nil) async -> String {
                let credentials = AccountService.Credentials(phone: phone, password: password, totp: nil, deviceToken: device, sessionKind: .api)
                do {
                    _ = try await accounts.login(credentials, client: ClientInfo(ip: ip, userAgent: nil))
                    return "signed in"
                } catch let error as RampartError {
                    return error.code.rawValue
                } catch {
                    return "\(error)"
                }
            }
            var registered: [String] = []
            var unregistered: [String] = []
            for _ in 0..<8 { registered.append(await attempt(member.phone, "wrong password", from: "203.0.113.66")) }
            for _ in 0..<8 { unregistered.append(await attempt("+8613900000001", "wrong password", from: "203.0.113.67")) }
            // The same answers, attempt by attempt: no oracle.
            #expect(registered == unregistered)
            #expect(registered.last == "rate_limited")
            // The owner, from another address, is not locked out.
            #expect(await attempt(member.phone, member.password, from: "198.51.100.5", device: member.deviceId) == "signed in")
            // Twenty-odd addresses guessing slow the number a little for everyone else...
            for index in 0..<24 { _ = await attempt(member.phone, "wrong password", from: "192.0.2.\(index)") }
            #expect(await attempt(member.phone, member.password, from: "198.51.100.9") == "rate_limited")
            // ...but never the owner's known device.
            #expect(await attempt(member.phone, member.password, from: "198.51.100.9", device: member.deviceId) == "signed in")
        }
    }

    @Test func aStolenSessionCannotGuessThePasswordByDisablingTwoFactor() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let member = try await client.register(on: server)
            var answers: [HTTPResponse.Status] = []
            for guess in 0..<8 {
                answers.append(try await client.json(.post, "/api/v1/me/two-factor/disable", ["password": "guess \(guess)"], token: member.token).0)
            }
            #expect(answers.prefix(5).allSatisfy { $0 == .unauthorized })
            #expect(answers.last == .tooManyRequests)
            // Even the right password waits while the lock holds.
            #expect(try await client.json(.post, "/api/v1/me/two-factor/disable", ["password": member.password], token: member.token).0 == .tooManyRequests)
        }
    }

    @Test func aSuspensionDecidedOnMisuseIsStoredAndEndsTheSessions() async throws {
        var policy = try PolicyFile.shipped()
        // Misuse alone is enough to suspend, so the decision falls while handling misuse.
        policy.detection.signals[DetectionSignal.sealedIDMisuse.rawValue] = DetectionPolicy.Scale(start: 0, full: 5, weight: 95)
        let server = try await TestServer.make(policy: policy, detection: .enforce)
        try await server.test { client in
            let forger = try await client.register(on: server, name: "Forger")
            for index in 0..<6 {
                _ = try await client.json(.get, "/api/v1/profiles/\(String(repeating: "F", count: 40 + index))", token: forger.token)
            }
            #expect(try await server.store.suspension(of: forger.account) != nil)
            // Its sessions ended with it, and the appeal path is open (the login says so).
            #expect(try await client.json(.get, "/api/v1/me", token: forger.token).0 == .unauthorized)
            let (status, body, _) = try await client.json(
                .post, "/api/v1/sessions", ["phone": forger.phone, "password": forger.password, "deviceId": forger.deviceId])
            #expect(status == .forbidden)
            #expect(body.errorCode == "account_suspended")
        }
    }

    @Test func withoutAPaymentProcessorAValidLookingCardBuysNothing() async throws {
        #expect(RampartRuntime.Settings(
            dataDirectory: "/nonexistent", storeLocation: .sqlite(dataDirectory: "/nonexistent"), policyPath: nil, smsWebhookURL: nil, ledger: true,
            treeHeadInterval: .seconds(60)).payments == .off)
        let server = try await TestServer.make(payments: UnavailablePaymentProvider())
        try await server.test { client in
            let member = try await client.register(on: server)
            let card: [String: Any] = ["number": "4242 4242 4242 4242", "expMonth": 12, "expYear": 2031, "cvc": "123"]
            let (status, body, _) = try await client.json(.post, "/api/v1/premium", ["tier": "recruiter", "card": card], token: member.token)
            #expect(status == .serviceUnavailable)
            #expect(body.errorCode == "payments_unavailable")
            #expect(try await server.store.account(id: member.account)?.tier == .free)
        }
    }

    @Test func aClientsOwnForwardedHeaderPassedThroughAProxyIsNotBelieved() async throws {
        let server = try await TestServer.make()
        var configuration = ServerConfiguration()
        configuration.trustedProxies = [try #require(IPNetwork("127.0.0.0/8"))]
        try await server.test(live: true, configuration: configuration) { client in
            let member = try await client.register(on: server, name: "Behind nginx")
            server.clock.advance(by: 120)
            // nginx appends the real address to X-Forwarded-For and passes the client's own
            // Forwarded header through untouched.
            var headers: HTTPFields = [.authorization: "Bearer \(member.token)"]
            headers[HTTPField.Name("Forwarded")!] = "for=203.0.113.99"
            headers[HTTPField.Name("X-Forwarded-For")!] = "198.51.100.23"
            #expect(try await client.execute(uri: "/api/v1/me", method: .get, headers: headers) { $0.status } == .ok)
            let session = try #require(try await server.store.sessions(of: member.account).first)
            #expect(session.client.ip == "198.51.100.23")
        }
    }

    @Test func invitationsToStrangersStopAtTheTiersDailyCap() async throws {
        let server = try await TestServer.make()
        let strangers = try await server.addMembers(35)
        try await server.test { client in
            let inviter = try await client.register(on: server, name: "Networker")
            var statuses: [HTTPResponse.Status] = []
            var lastError: String?
            for stranger in strangers.prefix(32) {
                let (status, body, _) = try await client.json(
                    .post, "/api/v1/invitations", ["profileId": server.link(to: stranger, for: inviter), "message": "Hi"], token: inviter.token)
                statuses.append(status)
                lastError = body.errorCode
            }
            #expect(statuses.prefix(30).allSatisfy { $0 == .created })
            #expect(statuses.suffix(2).allSatisfy { $0 == .tooManyRequests })
            #expect(lastError == "invitation_limit")
            // A day later the allowance is back.
            server.clock.advance(by: 86_401)
            let (status, _, _) = try await client.json(
                .post, "/api/v1/invitations", ["profileId": server.link(to: strangers[34], for: inviter)], token: inviter.token)
            #expect(status == .created)
        }
    }

    @Test func askingForTreeHeadsSignsAtMostOneEveryTenSeconds() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            func size() async throws -> Int {
                try await client.execute(uri: "/ledger/tree-head", method: .get, headers: [:]) { response in
                    let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                    return body?["size"] as? Int ?? -1
                }
            }
            _ = try await client.register(on: server, name: "First")
            let first = try await size()
            #expect(first > 0)
            // The ledger grows and anyone asks again and again: no new signature yet.
            _ = try await client.register(on: server, name: "Second")
            for _ in 0..<20 { #expect(try await size() == first) }
            server.clock.advance(by: 11)
            #expect(try await size() > first)
        }
    }

    @Test func aCopyOfTheDatabaseHoldsNeitherTOTPSecretsNorReadableSMSCodes() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let member = try await client.register(on: server)
            let (_, setup, _) = try await client.json(.post, "/api/v1/me/two-factor", token: member.token)
            let secret = try #require(setup["secret"] as? String)
            let stored = try #require(try await server.store.account(id: member.account)?.totpSecret)
            #expect(!stored.contains(secret))
            #expect(stored.hasPrefix("v1."))
            // An SMS code as stored is keyed: not the SHA-256 of the challenge and the code.
            let phone = "+8613912340000"
            let (started, _) = try await client.startRegistration(on: server, phone: phone)
            let id = try server.codec.inspect(started).rawValue
            let challenge = try #require(try await server.store.challenge(id: ChallengeID(rawValue: id)))
            #expect(challenge.codeHash.hasPrefix("h1."))
            let code = try #require(await server.sms.lastCode(to: phone, purpose: "registration"))
            #expect(challenge.codeHash != SecretTokens.codeHash(challenge: id, code: code))
        }
    }

    @Test func visitorsCannotMakeTheServerStorePublicCardViewsWithoutLimit() async throws {
        let server = try await TestServer.make()
        let id = try #require(try await server.addMembers(1).first)
        var profile = try #require(try await server.store.profile(of: id))
        profile.publicCard = true
        try await server.store.saveProfile(profile, at: server.clock.now())
        let link = server.codec.seal(.profile, id, for: id)
        try await server.test { client in
            var shown = 0
            for _ in 0..<50 {
                try await client.execute(uri: "/members/\(link)", method: .get) { response in
                    if response.status == .ok { shown += 1 } else { #expect(response.headers[.location] == "/login") }
                }
            }
            // The burst of one address, then the login wall: nothing more is recorded.
            #expect((20...21).contains(shown), "\(shown) public cards shown")
        }
    }
}
