import Foundation
import HummingbirdTesting
import RampartCore
import Testing

@testable import RampartApp
@testable import RampartForensics
@testable import RampartServer

@Suite struct NetworkAPITests {
    static var profileBody: [String: Any] { [
        "headline": "Data Scientist", "company": "Quokka Analytics", "location": "Hangzhou, China",
        "about": "I model things.", "skills": ["Python", "SQL", "python"], "email": "fang@example.org",
        "experience": [["title": "Data Scientist", "company": "Quokka Analytics", "start": "2021-03"]],
        "education": [["school": "Zhejiang University", "degree": "MSc", "field": "Statistics", "startYear": 2017, "endYear": 2019]],
    ] }

    @Test func aMemberEditsTheirProfileAndOthersFindAndSeeIt() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let fang = try await client.register(on: server, name: "王芳")
            let li = try await client.register(on: server, name: "Li Lei")
            let (updated, own, _) = try await client.json(.put, "/api/v1/me/profile", Self.profileBody, token: fang.token)
            #expect(updated == .ok)
            #expect(own["skills"] as? [String] == ["Python", "SQL"])
            #expect((own["privacy"] as? [String: String])?["contact"] == "connections")

            let (searched, results, _) = try await client.json(.get, "/api/v1/search?q=%E8%8A%B3", token: li.token)
            #expect(searched == .ok)
            let hits = try #require(results["results"] as? [[String: Any]])
            #expect(hits.count == 1)
            #expect(hits.first?["name"] as? String == "王芳")
            #expect(hits.first?["headline"] as? String == "Data Scientist")
            let profileId = try #require(hits.first?["id"] as? String)

            let (viewed, profile, _) = try await client.json(.get, "/api/v1/profiles/\(profileId)", token: li.token)
            #expect(viewed == .ok)
            #expect(profile["degree"] as? String == "3rd+")
            #expect(profile["email"] == nil)
            #expect(profile["experience"] != nil)
            #expect(profile["categoriesServed"] as? [String] == ["identity", "position", "experience", "education", "skills"])
        }
    }

    @Test func invitingAndAcceptingConnectsBothAndRevealsContactDetails() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let fang = try await client.register(on: server, name: "王芳")
            let li = try await client.register(on: server, name: "Li Lei")
            _ = try await client.json(.put, "/api/v1/me/profile", Self.profileBody, token: fang.token)
            let (_, me, _) = try await client.json(.get, "/api/v1/me", token: fang.token)
            #expect(me["profileId"] is String)
            let fangProfile = server.link(to: fang.account, for: li)

            let (sent, invitation, _) = try await client.json(.post, "/api/v1/invitations", ["profileId": fangProfile, "message": "Hi!"], token: li.token)
            #expect(sent == .created)
            let invitationId = try #require(invitation["id"] as? String)
            let (again, againError, _) = try await client.json(.post, "/api/v1/invitations", ["profileId": fangProfile], token: li.token)
            #expect(again == .conflict)
            #expect(againError.errorCode == "invitation_pending")

            // Only the recipient can accept.
            let (wrong, _, _) = try await client.json(.post, "/api/v1/invitations/\(invitationId)/accept", token: li.token)
            #expect(wrong == .notFound)
            let (_, lists, _) = try await client.json(.get, "/api/v1/invitations", token: fang.token)
            #expect((lists["received"] as? [[String: Any]])?.count == 1)
            // Fang answers with the ID her own list gave her: Li's is sealed for Li.
            let received = try #require(((lists["received"] as? [[String: Any]])?.first)?["id"] as? String)
            #expect(try await client.json(.post, "/api/v1/invitations/\(invitationId)/accept", token: fang.token).0 == .notFound)
            let (accepted, _, _) = try await client.json(.post, "/api/v1/invitations/\(received)/accept", token: fang.token)
            #expect(accepted == .noContent)
            let (closed, closedError, _) = try await client.json(.post, "/api/v1/invitations/\(received)/decline", token: fang.token)
            #expect(closed == .conflict)
            #expect(closedError.errorCode == "invitation_closed")

            let (_, profile, _) = try await client.json(.get, "/api/v1/profiles/\(fangProfile)", token: li.token)
            #expect(profile["degree"] as? String == "1st")
            #expect(profile["email"] as? String == "fang@example.org")
            for member in [fang, li] {
                let (_, list, _) = try await client.json(.get, "/api/v1/connections", token: member.token)
                #expect((list["connections"] as? [[String: Any]])?.count == 1)
                #expect(list["total"] as? Int == 1)
            }
            let (removed, _, _) = try await client.json(.delete, "/api/v1/connections/\(fangProfile)", token: li.token)
            #expect(removed == .noContent)
            let (_, after, _) = try await client.json(.get, "/api/v1/profiles/\(fangProfile)", token: li.token)
            #expect(after["degree"] as? String == "3rd+")
        }
    }

    @Test func aHiddenConnectionListIsRefused() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let fang = try await client.register(on: server, name: "王芳")
            let li = try await client.register(on: server, name: "Li Lei")
            let (_, own, _) = try await client.json(.put, "/api/v1/me/profile", ["privacy": ["connections": "only_me"]], token: fang.token)
            let profileId = try #require(own["id"] as? String)
            let (status, error, _) = try await client.json(
                .get, "/api/v1/connections?profileId=\(server.link(to: fang.account, for: li))", token: li.token)
            #expect(status == .forbidden)
            #expect(error.errorCode == "connections_hidden")
            let (ownStatus, _, _) = try await client.json(.get, "/api/v1/connections?profileId=\(profileId)", token: fang.token)
            #expect(ownStatus == .ok)
        }
    }

    @Test func everyDataAccessIsRecordedWithTheCategoriesServed() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let fang = try await client.register(on: server, name: "王芳")
            let li = try await client.register(on: server, name: "Li Lei")
            let (_, own, _) = try await client.json(.put, "/api/v1/me/profile", Self.profileBody, token: fang.token)
            #expect(own["id"] is String)
            let profileId = server.link(to: fang.account, for: li)
            _ = try await client.json(.get, "/api/v1/profiles/\(profileId)", token: li.token)
            _ = try await client.json(.get, "/api/v1/search?q=quokka", token: li.token)
            _ = try await client.json(.get, "/api/v1/connections?profileId=\(profileId)", token: li.token)
            let viewer = try #require(try await server.store.account(phone: .init(parsing: li.phone)))
            let target = try #require(try await server.store.account(phone: .init(parsing: fang.phone)))
            let events = try await server.store.accessEvents(viewer: viewer.id, limit: 10).sorted { $0.kind.rawValue < $1.kind.rawValue }
            #expect(events.map(\.kind) == [.connectionList, .profileView, .searchPage])
            #expect(events[1].target == target.id)
            #expect(events[1].categories == [.identity, .position, .experience, .education, .skills])
            #expect(events[2].subjects == [target.id])
            #expect(events[2].categories == [.identity, .position])
            #expect(events[0].categories.contains(.connections))
            #expect(events.allSatisfy { $0.session != nil && $0.deviceHash != nil })
        }
    }

    @Test func badProfileEditsAreRefusedAndChangeNothing() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let fang = try await client.register(on: server, name: "王芳")
            let bad: [[String: Any]] = [
                ["headline": String(repeating: "x", count: 121)],
                ["experience": [["title": "T", "company": "C", "start": "2021-13"]]],
                ["experience": [["title": "T", "company": "C", "start": "2021-05", "end": "2020-01"]]],
                ["education": [["school": "S", "degree": "D", "field": "F", "startYear": 2019, "endYear": 2017]]],
                ["privacy": ["contact": "everyone"]],
                ["email": "not an email"],
                ["photoUrl": "javascript:alert(1)"],
                ["about": "bell\u{07}"],
            ]
            for body in bad {
                let (status, error, _) = try await client.json(.put, "/api/v1/me/profile", body, token: fang.token)
                #expect(status == .badRequest, "\(body)")
                #expect(error.errorCode == "invalid_profile", "\(body)")
            }
            let (_, own, _) = try await client.json(.get, "/api/v1/me/profile", token: fang.token)
            #expect(own["headline"] as? String == "")
        }
    }

    @Test func premiumChargesTheCardAndRecordsItsFingerprint() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let fang = try await client.register(on: server, name: "王芳")
            let card: [String: Any] = ["number": "4242 4242 4242 4242", "expMonth": 12, "expYear": 2031, "cvc": "123"]
            var declined = card
            declined["number"] = "4000 0000 0000 0002"
            let (refused, refusedError, _) = try await client.json(.post, "/api/v1/premium", ["tier": "premium", "card": declined], token: fang.token)
            #expect(refused.code == 402)
            #expect(refusedError.errorCode == "card_declined")
            var invalid = card
            invalid["number"] = "4242 4242 4242 4241"
            let (bad, badError, _) = try await client.json(.post, "/api/v1/premium", ["tier": "premium", "card": invalid], token: fang.token)
            #expect(bad == .badRequest)
            #expect(badError.errorCode == "invalid_card")

            let (bought, purchase, _) = try await client.json(.post, "/api/v1/premium", ["tier": "recruiter", "card": card], token: fang.token)
            #expect(bought == .created)
            #expect(purchase["tier"] as? String == "recruiter")
            let (_, me, _) = try await client.json(.get, "/api/v1/me", token: fang.token)
            #expect(me["tier"] as? String == "recruiter")
            let account = try #require(try await server.store.account(phone: .init(parsing: fang.phone)))
            let purchases = try await server.store.purchases(of: account.id)
            #expect(purchases.count == 1)
            #expect(purchases.first?.instrumentFingerprint.hasPrefix("card_") == true)
            #expect(purchases.first?.instrumentFingerprint.contains("4242") == false)

            let (downgrade, downgradeError, _) = try await client.json(.post, "/api/v1/premium", ["tier": "premium", "card": card], token: fang.token)
            #expect(downgrade == .conflict)
            #expect(downgradeError.errorCode == "tier_downgrade")
        }
    }

    @Test func theSameCardGivesTheSameFingerprintOnEveryAccount() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let card: [String: Any] = ["number": "5555555555554444", "expMonth": 1, "expYear": 2031, "cvc": "999"]
            var fingerprints: [String] = []
            for name in ["A", "B"] {
                let member = try await client.register(on: server, name: name)
                _ = try await client.json(.post, "/api/v1/premium", ["tier": "premium", "card": card], token: member.token)
                let account = try #require(try await server.store.account(phone: .init(parsing: member.phone)))
                fingerprints += try await server.store.purchases(of: account.id).map(\.instrumentFingerprint)
            }
            #expect(fingerprints.count == 2)
            #expect(Set(fingerprints).count == 1)
        }
    }

    @Test func forgedProfileIDsAndCursorsAreNotFound() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let li = try await client.register(on: server, name: "Li Lei")
            let accountToken = server.codec.seal(.account, Int64(1), for: nil)
            for id in ["x", accountToken, String(repeating: "A", count: 51)] {
                let (status, error, _) = try await client.json(.get, "/api/v1/profiles/\(id)", token: li.token)
                #expect(status == .notFound)
                #expect(error.errorCode == "member_not_found")
            }
            let (cursor, cursorError, _) = try await client.json(.get, "/api/v1/search?q=li&cursor=\(accountToken)", token: li.token)
            #expect(cursor == .badRequest)
            #expect(cursorError.errorCode == "invalid_cursor")
            let (empty, emptyError, _) = try await client.json(.get, "/api/v1/search?q=%20", token: li.token)
            #expect(empty == .badRequest)
            #expect(emptyError.errorCode == "invalid_query")
        }
    }
}
