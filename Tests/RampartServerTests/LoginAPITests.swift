import Foundation
import HummingbirdOTP
import HummingbirdTesting
import RampartCore
import Testing

@testable import RampartApp
@testable import RampartForensics
@testable import RampartServer

@Suite struct LoginAPITests {
    @Test func aKnownDeviceLogsInDirectly() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let member = try await client.register(on: server)
            let (status, body, _) = try await client.json(
                .post, "/api/v1/sessions", ["phone": member.phone, "password": member.password, "deviceId": member.deviceId])
            #expect(status == .ok)
            #expect(body["deviceId"] as? String == member.deviceId)
            let token = try #require(body["token"] as? String)
            #expect(token != member.token)
            #expect(await server.sms.messages.filter { $0.purpose == "device" }.isEmpty)
        }
    }

    @Test func aNewDeviceMustConfirmWithAnSMSCode() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let member = try await client.register(on: server)
            let (status, pending, _) = try await client.json(
                .post, "/api/v1/sessions", ["phone": member.phone, "password": member.password])
            #expect(status == .accepted)
            let confirmation = try #require(pending["confirmationId"] as? String)
            #expect((pending["phone"] as? String)?.hasSuffix(String(member.phone.suffix(4))) == true)
            #expect((pending["phone"] as? String)?.contains(member.phone.dropFirst(3).prefix(4)) == false)
            let code = try #require(await server.sms.lastCode(to: member.phone, purpose: "device"))
            let (confirmed, body, _) = try await client.json(.post, "/api/v1/device-confirmations/\(confirmation)", ["code": code])
            #expect(confirmed == .ok)
            let newDevice = try #require(body["deviceId"] as? String)
            #expect(newDevice != member.deviceId)

            // The confirmed device is now known; the code cannot be used twice.
            let (again, _, _) = try await client.json(
                .post, "/api/v1/sessions", ["phone": member.phone, "password": member.password, "deviceId": newDevice])
            #expect(again == .ok)
            let (replay, replayError, _) = try await client.json(.post, "/api/v1/device-confirmations/\(confirmation)", ["code": code])
            #expect(replay == .gone)
            #expect(replayError.errorCode == "code_expired")
        }
    }

    @Test func wrongPasswordsBackOffPerAccount() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let member = try await client.register(on: server)
            for _ in 1...5 {
                let (status, error, _) = try await client.json(
                    .post, "/api/v1/sessions", ["phone": member.phone, "password": "wrong password", "deviceId": member.deviceId])
                #expect(status == .unauthorized)
                #expect(error.errorCode == "invalid_credentials")
            }
            _ = try await client.json(.post, "/api/v1/sessions", ["phone": member.phone, "password": "wrong password", "deviceId": member.deviceId])
            let (locked, error, headers) = try await client.json(
                .post, "/api/v1/sessions", ["phone": member.phone, "password": member.password, "deviceId": member.deviceId])
            #expect(locked == .tooManyRequests)
            #expect(error.errorCode == "rate_limited")
            #expect(headers[.retryAfter] != nil)
            server.clock.advance(by: 3)
            let (after, _, _) = try await client.json(
                .post, "/api/v1/sessions", ["phone": member.phone, "password": member.password, "deviceId": member.deviceId])
            #expect(after == .ok)
        }
    }

    @Test func unknownPhoneNumbersGetTheSameAnswerAsWrongPasswords() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let (status, error, _) = try await client.json(.post, "/api/v1/sessions", ["phone": "+8613911112222", "password": "whatever pw"])
            #expect(status == .unauthorized)
            #expect(error.errorCode == "invalid_credentials")
        }
    }

    @Test func twoFactorIsRequiredOnceEnabledAndACodeWorksOnlyOnce() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let member = try await client.register(on: server)
            let (started, setup, _) = try await client.json(.post, "/api/v1/me/two-factor", token: member.token)
            #expect(started == .ok)
            let secret = try #require(setup["secret"] as? String)
            #expect((setup["otpauthUri"] as? String)?.hasPrefix("otpauth://totp/") == true)
            let code = String(format: "%06d", HummingbirdOTP.TOTP(secret: secret).compute(date: server.clock.now()))
            let (confirmed, me, _) = try await client.json(.post, "/api/v1/me/two-factor/confirm", ["code": code], token: member.token)
            #expect(confirmed == .ok)
            #expect(me["twoFactorEnabled"] as? Bool == true)

            let login: [String: Any] = ["phone": member.phone, "password": member.password, "deviceId": member.deviceId]
            let (needed, neededError, _) = try await client.json(.post, "/api/v1/sessions", login)
            #expect(needed == .unauthorized)
            #expect(neededError.errorCode == "two_factor_required")

            // The code used to confirm setup cannot be replayed; the next time step's can.
            var withReplayed = login
            withReplayed["totp"] = code
            let (replayed, replayError, _) = try await client.json(.post, "/api/v1/sessions", withReplayed)
            #expect(replayed == .unauthorized)
            #expect(replayError.errorCode == "two_factor_invalid")
            server.clock.advance(by: 30)
            var withFresh = login
            withFresh["totp"] = String(format: "%06d", HummingbirdOTP.TOTP(secret: secret).compute(date: server.clock.now()))
            let (ok, _, _) = try await client.json(.post, "/api/v1/sessions", withFresh)
            #expect(ok == .ok)

            let (disabled, after, _) = try await client.json(
                .post, "/api/v1/me/two-factor/disable", ["password": member.password], token: member.token)
            #expect(disabled == .ok)
            #expect(after["twoFactorEnabled"] as? Bool == false)
        }
    }

    @Test func membersListAndRevokeTheirSessions() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let member = try await client.register(on: server)
            let (_, second, _) = try await client.json(
                .post, "/api/v1/sessions", ["phone": member.phone, "password": member.password, "deviceId": member.deviceId])
            let secondToken = try #require(second["token"] as? String)
            let (listed, list, _) = try await client.json(.get, "/api/v1/sessions", token: member.token)
            #expect(listed == .ok)
            let sessions = try #require(list["sessions"] as? [[String: Any]])
            #expect(sessions.count == 2)
            #expect(sessions.filter { $0["current"] as? Bool == true }.count == 1)
            let other = try #require(sessions.first { $0["current"] as? Bool == false }?["id"] as? String)

            let (revoked, _, _) = try await client.json(.delete, "/api/v1/sessions/\(other)", token: member.token)
            #expect(revoked == .noContent)
            let (gone, goneError, _) = try await client.json(.get, "/api/v1/me", token: secondToken)
            #expect(gone == .unauthorized)
            #expect(goneError.errorCode == "unauthorized")

            let (loggedOut, _, _) = try await client.json(.post, "/api/v1/logout", token: member.token)
            #expect(loggedOut == .noContent)
            let (after, _, _) = try await client.json(.get, "/api/v1/me", token: member.token)
            #expect(after == .unauthorized)
        }
    }

    @Test func aNewAgreementMustBeAcceptedBeforeMemberFeatures() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let member = try await client.register(on: server)
            let published = try await server.store.publishAgreement(text: "Version two", sha256: "v2", at: server.clock.now())
            server.clock.advance(by: 6)  // the server sees a new version within 5 seconds
            let (_, me, _) = try await client.json(.get, "/api/v1/me", token: member.token)
            #expect((me["agreement"] as? [String: Any])?["acceptanceRequired"] as? Bool == true)
            let (blocked, error, _) = try await client.json(.post, "/api/v1/me/two-factor", token: member.token)
            #expect(blocked == .forbidden)
            #expect(error.errorCode == "agreement_required")

            let (stale, staleError, _) = try await client.json(.post, "/api/v1/agreement/acceptances", ["version": 1], token: member.token)
            #expect(stale == .conflict)
            #expect(staleError.errorCode == "agreement_outdated")
            let (accepted, after, _) = try await client.json(
                .post, "/api/v1/agreement/acceptances", ["version": published.version], token: member.token)
            #expect(accepted == .ok)
            #expect((after["agreement"] as? [String: Any])?["acceptanceRequired"] as? Bool == false)
            let (allowed, _, _) = try await client.json(.post, "/api/v1/me/two-factor", token: member.token)
            #expect(allowed == .ok)
        }
    }
}
