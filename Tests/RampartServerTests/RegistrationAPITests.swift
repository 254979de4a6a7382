import Foundation
import HummingbirdTesting
import RampartCore
import Testing

@testable import RampartApp
@testable import RampartForensics
@testable import RampartServer

@Suite struct RegistrationAPITests {
    @Test func aMemberRegistersWithTheSMSCodeAndAcceptsTheAgreement() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let member = try await client.register(on: server, name: "李娜")
            let (status, me, _) = try await client.json(.get, "/api/v1/me", token: member.token)
            #expect(status == .ok)
            #expect(me["name"] as? String == "李娜")
            #expect(me["phone"] as? String == member.phone)
            let agreement = try #require(me["agreement"] as? [String: Any])
            #expect(agreement["acceptanceRequired"] as? Bool == false)

            let account = try #require(try await server.store.account(phone: PhoneNumber(parsing: member.phone)))
            let acceptances = try await server.store.acceptances(of: account.id)
            #expect(acceptances.count == 1)
            #expect(acceptances.first?.sha256 == ShippedAgreement.sha256(try ShippedAgreement.text()))
            #expect(account.passwordHash.hasPrefix("$2"))
        }
    }

    @Test func theSMSOutboxMessageCarriesTheCodeAndTheNumber() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            _ = try await client.json(.post, "/api/v1/registrations", ["phone": "+1 (415) 555-2671"])
            let message = try #require(await server.sms.messages.last)
            #expect(message.to == "+14155552671")
            #expect(message.code.count == 6)
            #expect(message.body.contains(message.code))
            #expect(message.purpose == "registration")
        }
    }

    @Test func aWrongCodeCountsDownAndTheSixthGuessIsRefused() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let (id, real) = try await client.startRegistration(on: server, phone: "+8613900001111")
            let wrong = real == "000000" ? "111111" : "000000"
            let body: [String: Any] = ["code": wrong, "name": "A", "password": "long enough pw", "agreementVersion": 1]
            for attempt in 1...4 {
                let (status, error, _) = try await client.json(.post, "/api/v1/registrations/\(id)/complete", body)
                #expect(status == .badRequest)
                #expect(error.errorCode == "code_invalid")
                #expect((error["error"] as? [String: Any])?["message"] as? String == "That code is not right. \(5 - attempt) \(5 - attempt == 1 ? "try" : "tries") left.")
            }
            let (fifth, fifthError, _) = try await client.json(.post, "/api/v1/registrations/\(id)/complete", body)
            #expect(fifth == .tooManyRequests)
            #expect(fifthError.errorCode == "too_many_attempts")
            var right = body
            right["code"] = real
            let (sixth, sixthError, _) = try await client.json(.post, "/api/v1/registrations/\(id)/complete", right)
            #expect(sixth == .tooManyRequests)
            #expect(sixthError.errorCode == "too_many_attempts")
        }
    }

    @Test func aCodeExpiresAfterTenMinutes() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let (id, code) = try await client.startRegistration(on: server, phone: "+8613900002222")
            server.clock.advance(by: 601)
            let (status, error, _) = try await client.json(
                .post, "/api/v1/registrations/\(id)/complete",
                ["code": code, "name": "A", "password": "long enough pw", "agreementVersion": 1])
            #expect(status == .gone)
            #expect(error.errorCode == "code_expired")
        }
    }

    @Test func aNewCodeWaitsForTheCooldownAndReplacesTheOldOne() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let (_, started, _) = try await client.json(.post, "/api/v1/registrations", ["phone": "+8613900003333"])
            let id = try #require(started["registrationId"] as? String)
            let (early, earlyError, headers) = try await client.json(.post, "/api/v1/registrations/\(id)/resend")
            #expect(early == .tooManyRequests)
            #expect(earlyError.errorCode == "resend_too_soon")
            #expect(headers[.retryAfter] == "60")
            let first = try #require(await server.sms.lastCode(to: "+8613900003333", purpose: "registration"))
            server.clock.advance(by: 61)
            let (resent, _, _) = try await client.json(.post, "/api/v1/registrations/\(id)/resend")
            #expect(resent == .ok)
            let second = try #require(await server.sms.lastCode(to: "+8613900003333", purpose: "registration"))
            #expect(await server.sms.messages.count == 2)
            if first != second {
                let (status, error, _) = try await client.json(
                    .post, "/api/v1/registrations/\(id)/complete",
                    ["code": first, "name": "A", "password": "long enough pw", "agreementVersion": 1])
                #expect(status == .badRequest)
                #expect(error.errorCode == "code_invalid")
            }
        }
    }

    @Test func aRegisteredNumberCannotRegisterAgain() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let member = try await client.register(on: server)
            let (_, started, _) = try await client.json(.post, "/api/v1/registrations", ["phone": member.phone])
            let id = try #require(started["registrationId"] as? String)
            let code = try #require(await server.sms.lastCode(to: member.phone, purpose: "registration"))
            let (status, error, _) = try await client.json(
                .post, "/api/v1/registrations/\(id)/complete",
                ["code": code, "name": "Twin", "password": "another long pw", "agreementVersion": 1])
            #expect(status == .conflict)
            #expect(error.errorCode == "phone_taken")
        }
    }

    @Test func registrationRequiresTheCurrentAgreementVersion() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let (id, code) = try await client.startRegistration(on: server, phone: "+8613900004444")
            let (status, error, _) = try await client.json(
                .post, "/api/v1/registrations/\(id)/complete",
                ["code": code, "name": "A", "password": "long enough pw", "agreementVersion": 7])
            #expect(status == .conflict)
            #expect(error.errorCode == "agreement_outdated")
        }
    }

    @Test(arguments: [
        ("short", "weak_password"), ("aaaaaaaaaaaa", "weak_password"), ("1234567890", "weak_password"),
    ])
    func weakPasswordsAreRefusedWithoutSpendingTheCode(password: String, code expected: String) async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let (id, code) = try await client.startRegistration(on: server, phone: "+8613900005555")
            let (status, error, _) = try await client.json(
                .post, "/api/v1/registrations/\(id)/complete",
                ["code": code, "name": "A", "password": password, "agreementVersion": 1])
            #expect(status == .badRequest)
            #expect(error.errorCode == expected)
            let challenge = try #require(try await server.store.challenge(id: ChallengeID(rawValue: server.codec.inspect(id).rawValue)))
            #expect(challenge.attempts == 0)
        }
    }

    @Test func foreignOrForgedRegistrationIDsAreNotFound() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let sessionToken = server.codec.seal(.session, Int64(42), for: nil)
            for id in ["nope", sessionToken, String(repeating: "A", count: 51)] {
                let (status, error, _) = try await client.json(
                    .post, "/api/v1/registrations/\(id)/complete",
                    ["code": "123456", "name": "A", "password": "long enough pw", "agreementVersion": 1])
                #expect(status == .notFound)
                #expect(error.errorCode == "registration_not_found")
            }
        }
    }
}
