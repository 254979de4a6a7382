import Foundation
import RampartApp
import Hummingbird
import RampartCore

/// The JSON API under `/api/v1`: registration, login, device confirmation, the member's
/// own account, agreement, sessions and two-factor. Bearer tokens only; cookies are ignored.
struct APIController {
    let accounts: AccountService
    let network: NetworkService
    let signing: RequestSigning
    let body: RequestBodyReader

    func addRoutes(to router: Router<AppRequestContext>) {
        let api = router.group("api/v1")
        api.post("registrations", use: startRegistration)
        api.post("registrations/:registrationId/resend", use: resendRegistrationCode)
        api.post("registrations/:registrationId/complete", use: completeRegistration)
        api.post("sessions", use: login)
        api.post("device-confirmations/:confirmationId", use: confirmDevice)
        api.get("agreement", use: getAgreement)
        api.post("appeals", use: fileAppeal)

        let member = api.group()
            .add(middleware: BearerAuthenticationMiddleware(accounts: accounts))
            .add(middleware: SignedRequestMiddleware(signing: signing, body: body))
        member.get("me", use: getMe)
        member.post("agreement/acceptances", use: acceptAgreement)
        member.get("sessions", use: listSessions)
        member.delete("sessions/:sessionId", use: revokeSession)
        member.post("logout", use: logout)
        member.post("challenge", use: startChallenge)
        member.post("challenge/verify", use: verifyChallenge)

        let agreed = member.group().add(middleware: AgreementGateMiddleware(accounts: accounts))
        agreed.post("me/two-factor", use: startTwoFactor)
        agreed.post("me/two-factor/confirm", use: confirmTwoFactor)
        agreed.post("me/two-factor/disable", use: disableTwoFactor)
    }

    // MARK: Step-up challenges and appeals

    @Sendable func startChallenge(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireViewer()
        let pending = try await accounts.startStepUp(viewer)
        return try JSONResponse.make(
            ChallengeResponse(challengeId: pending.token, phone: pending.maskedPhone, expiresAt: pending.expiresAt), status: .accepted)
    }

    @Sendable func verifyChallenge(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireViewer()
        let input = try await body.json(VerifyChallengeRequest.self, from: request)
        try await accounts.verifyStepUp(token: input.challengeId, code: input.code, requester: viewer)
        return Response(status: .noContent)
    }

    @Sendable func fileAppeal(_ request: Request, context: AppRequestContext) async throws -> Response {
        let input = try await body.json(AppealRequest.self, from: request)
        let appeal = try await accounts.appeal(token: input.appealToken, text: input.text, client: context.client(request))
        return try JSONResponse.make(AppealResponse(status: appeal.status.rawValue, filedAt: appeal.createdAt), status: .created)
    }

    // MARK: Registration and login

    @Sendable func startRegistration(_ request: Request, context: AppRequestContext) async throws -> Response {
        let input = try await body.json(StartRegistrationRequest.self, from: request)
        let pending = try await accounts.startRegistration(phone: input.phone, client: context.client(request))
        return try JSONResponse.make(RegistrationResponse(pending), status: .created)
    }

    @Sendable func resendRegistrationCode(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = try context.parameters.require("registrationId")
        let pending = try await accounts.resendRegistrationCode(token: token, client: context.client(request))
        return try JSONResponse.make(RegistrationResponse(pending))
    }

    @Sendable func completeRegistration(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = try context.parameters.require("registrationId")
        let input = try await body.json(CompleteRegistrationRequest.self, from: request)
        let signedIn = try await accounts.completeRegistration(
            token: token,
            .init(
                code: input.code, name: input.name, password: input.password, agreementVersion: input.agreementVersion,
                deviceToken: input.deviceId, sessionKind: .api),
            client: context.client(request))
        return try JSONResponse.make(try await authResult(signedIn), status: .created)
    }

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        let input = try await body.json(LoginRequest.self, from: request)
        let outcome = try await accounts.login(
            .init(phone: input.phone, password: input.password, totp: input.totp, deviceToken: input.deviceId, sessionKind: .api),
            client: context.client(request))
        switch outcome {
        case .signedIn(let signedIn):
            return try JSONResponse.make(try await authResult(signedIn))
        case .deviceConfirmationRequired(let pending):
            return try JSONResponse.make(
                DeviceConfirmationResponse(confirmationId: pending.token, phone: pending.maskedPhone, expiresAt: pending.expiresAt),
                status: .accepted)
        }
    }

    @Sendable func confirmDevice(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = try context.parameters.require("confirmationId")
        let input = try await body.json(CodeRequest.self, from: request)
        let signedIn = try await accounts.confirmDevice(token: token, code: input.code, client: context.client(request))
        return try JSONResponse.make(try await authResult(signedIn))
    }

    @Sendable func getAgreement(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agreement = try await accounts.currentAgreement()
        return try JSONResponse.make(AgreementResponse(
            version: agreement.version, sha256: agreement.sha256, publishedAt: agreement.publishedAt, text: agreement.text))
    }

    // MARK: The signed-in member

    @Sendable func getMe(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireViewer()
        return try JSONResponse.make(try await me(viewer.account))
    }

    @Sendable func acceptAgreement(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireViewer()
        let input = try await body.json(AcceptAgreementRequest.self, from: request)
        try await accounts.acceptAgreement(version: input.version, requester: viewer)
        return try JSONResponse.make(try await me(viewer.account))
    }

    @Sendable func listSessions(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireViewer()
        let sessions = try await accounts.sessions(of: viewer).map { session in
            SessionInfoResponse(
                id: accounts.codec.seal(.session, session.id, for: viewer.account.id), kind: session.kind.rawValue, createdAt: session.createdAt,
                lastSeenAt: session.lastSeenAt, ip: session.client.ip, userAgent: session.client.userAgent,
                current: session.id == viewer.session.id)
        }
        return try JSONResponse.make(SessionListResponse(sessions: sessions))
    }

    @Sendable func revokeSession(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireViewer()
        try await accounts.revokeSession(token: try context.parameters.require("sessionId"), requester: viewer)
        return Response(status: .noContent)
    }

    @Sendable func logout(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await accounts.logout(try context.requireViewer())
        return Response(status: .noContent)
    }

    // MARK: Two-factor

    @Sendable func startTwoFactor(_ request: Request, context: AppRequestContext) async throws -> Response {
        let setup = try await accounts.startTwoFactor(try context.requireViewer())
        return try JSONResponse.make(TwoFactorSetupResponse(secret: setup.secret, otpauthUri: setup.otpauthURI))
    }

    @Sendable func confirmTwoFactor(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireViewer()
        let input = try await body.json(CodeRequest.self, from: request)
        try await accounts.confirmTwoFactor(code: input.code, requester: viewer)
        return try JSONResponse.make(try await me(viewer.account.id))
    }

    @Sendable func disableTwoFactor(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireViewer()
        let input = try await body.json(PasswordRequest.self, from: request)
        try await accounts.disableTwoFactor(password: input.password, requester: viewer)
        return try JSONResponse.make(try await me(viewer.account.id))
    }

    // MARK: Helpers

    private func me(_ account: Account) async throws -> MeResponse {
        MeResponse(
            account: account, status: try await accounts.agreementStatus(of: account), codec: accounts.codec,
            profileId: network.token(for: account.id, viewer: account.id), now: accounts.now())
    }

    private func me(_ id: AccountID) async throws -> MeResponse {
        guard let account = try await accounts.currentAccount(id) else { throw RampartError.unauthorized }
        return try await me(account)
    }

    private func authResult(_ signedIn: AccountService.SignedIn) async throws -> AuthResultResponse {
        AuthResultResponse(
            token: signedIn.sessionToken, signingKey: signing.keys.hexKey(for: signedIn.session.id), deviceId: signedIn.deviceToken,
            account: try await me(signedIn.account))
    }
}

extension AppRequestContext {
    func requireViewer() throws -> Requester {
        guard let viewer else { throw RampartError.unauthorized }
        return viewer
    }
}

/// Resolves `Authorization: Bearer <token>` to the signed-in member, or answers 401.
struct BearerAuthenticationMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let accounts: AccountService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw RampartError.unauthorized
        }
        var token = header.dropFirst("Bearer ".count)
        while token.first == " " || token.first == "\t" { token.removeFirst() }
        while token.last == " " || token.last == "\t" { token.removeLast() }
        guard let viewer = try await accounts.authenticate(sessionToken: String(token), client: context.client(request), channel: .api) else {
            throw RampartError.unauthorized
        }
        var context = context
        context.viewer = viewer
        return try await next(request, context)
    }
}

/// Refuses member features until the current Service Agreement is accepted.
struct AgreementGateMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let accounts: AccountService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let viewer = try context.requireViewer()
        let status = try await accounts.agreementStatus(of: viewer.account)
        if status.acceptanceRequired {
            throw RampartError(
                .forbidden, code: .agreementRequired,
                message: "Version \(status.current.version) of the Service Agreement must be accepted first (POST /api/v1/agreement/acceptances).")
        }
        return try await next(request, context)
    }
}
