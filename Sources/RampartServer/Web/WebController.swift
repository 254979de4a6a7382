import Foundation
import HTTPTypes
import RampartApp
import Hummingbird
import RampartCore
import RampartGuard

/// The server-rendered web UI: register, verify, log in, confirm a new device, the
/// agreement, settings (sessions, two-factor), log out. Works without JavaScript; every
/// form is CSRF-protected with a double-submit cookie, and sessions live in an HttpOnly,
/// SameSite cookie.
struct WebController {
    let accounts: AccountService
    let pages: PageRenderer
    let session: WebSession
    var cookies: WebCookies { session.cookies }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/", use: home)
        router.get("register", use: registerPage)
        router.post("register", use: register)
        router.get("register/verify", use: verifyPage)
        router.post("register/verify", use: verify)
        router.post("register/resend", use: resend)
        router.get("login", use: loginPage)
        router.post("login", use: login)
        router.get("login/confirm", use: confirmPage)
        router.post("login/confirm", use: confirm)
        router.get("agreement", use: agreementPage)
        router.post("agreement", use: acceptAgreement)
        router.get("settings", use: settingsPage)
        router.post("settings/sessions/revoke", use: revokeSession)
        router.post("settings/two-factor/start", use: startTwoFactor)
        router.post("settings/two-factor/confirm", use: confirmTwoFactor)
        router.post("settings/two-factor/disable", use: disableTwoFactor)
        router.post("logout", use: logout)
    }

    // MARK: Home

    @Sendable func home(_ request: Request, context: AppRequestContext) async throws -> Response {
        let csrf = cookies.csrf(request)
        guard let viewer = try await session.viewer(request, context) else {
            return csrf.apply(pages.page("home", ["layout": PageLayout(title: "Rampart", csrf: csrf.token, viewerName: nil)]))
        }
        if try await accounts.agreementStatus(of: viewer.account).acceptanceRequired {
            return redirect("/agreement")
        }
        return csrf.apply(pages.page("home", [
            "layout": PageLayout(title: "Rampart", csrf: csrf.token, viewerName: viewer.account.name),
            "member": ["name": viewer.account.name, "phone": viewer.account.phone.masked],
        ] as [String: Any]))
    }

    // MARK: Registration

    @Sendable func registerPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let csrf = cookies.csrf(request)
        return csrf.apply(registerForm(csrf: csrf.token, phone: "", error: nil))
    }

    private func registerForm(csrf: String, phone: String, error: RampartError?, status: HTTPResponse.Status = .ok) -> Response {
        var layout = PageLayout(title: "Join Rampart", csrf: csrf, viewerName: nil)
        layout.error = error?.message
        return pages.page("register", ["layout": layout, "phone": phone] as [String: Any], status: status)
    }

    @Sendable func register(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (form, csrf) = try await session.checkedForm(request)
        do {
            let pending = try await accounts.startRegistration(phone: form.text("phone"), client: context.client(request))
            return redirect("/register/verify?id=\(pending.token)")
        } catch let error as RampartError {
            return registerForm(csrf: csrf, phone: form.text("phone"), error: error, status: ErrorMiddleware.status(for: error))
        }
    }

    @Sendable func verifyPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let csrf = cookies.csrf(request)
        let id = request.uri.queryParameters["id"].map(String.init) ?? ""
        return csrf.apply(try await verifyForm(csrf: csrf.token, id: id, name: "", error: nil, notice: nil))
    }

    private func verifyForm(
        csrf: String, id: String, name: String, error: RampartError?, notice: String?, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let agreement = try await accounts.currentAgreement()
        var layout = PageLayout(title: "Confirm your phone", csrf: csrf, viewerName: nil)
        layout.error = error?.message
        layout.notice = notice
        return pages.page("verify", [
            "layout": layout, "id": id, "name": name, "agreementVersion": agreement.version,
            "agreementText": agreement.text,
        ] as [String: Any], status: status)
    }

    @Sendable func verify(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (form, csrf) = try await session.checkedForm(request)
        let id = form.text("id")
        do {
            guard form["accept"] == "yes" else {
                throw RampartError.invalid(.agreementNotAccepted, "Tick the box to accept the Service Agreement.")
            }
            let registration = AccountService.Registration(
                code: form.text("code").trimmingCharacters(in: .whitespaces), name: form.text("name"),
                password: form.text("password"), agreementVersion: Int(form.text("agreementVersion")) ?? 0,
                deviceToken: request.cookies[WebCookies.device]?.value, sessionKind: .web)
            let signedIn = try await accounts.completeRegistration(token: id, registration, client: context.client(request))
            return signIn(signedIn)
        } catch let error as RampartError {
            return try await verifyForm(
                csrf: csrf, id: id, name: form.text("name"), error: error, notice: nil, status: ErrorMiddleware.status(for: error))
        }
    }

    @Sendable func resend(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (form, csrf) = try await session.checkedForm(request)
        let id = form.text("id")
        do {
            let pending = try await accounts.resendRegistrationCode(token: id, client: context.client(request))
            return try await verifyForm(csrf: csrf, id: pending.token, name: "", error: nil, notice: "A new code is on its way.")
        } catch let error as RampartError {
            return try await verifyForm(csrf: csrf, id: id, name: "", error: error, notice: nil, status: ErrorMiddleware.status(for: error))
        }
    }

    // MARK: Login

    @Sendable func loginPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let csrf = cookies.csrf(request)
        return csrf.apply(loginForm(csrf: csrf.token, phone: "", needsTOTP: false, error: nil))
    }

    private func loginForm(csrf: String, phone: String, needsTOTP: Bool, error: RampartError?, status: HTTPResponse.Status = .ok) -> Response {
        var layout = PageLayout(title: "Log in", csrf: csrf, viewerName: nil)
        layout.error = error?.message
        return pages.page("login", ["layout": layout, "phone": phone, "needsTOTP": needsTOTP] as [String: Any], status: status)
    }

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (form, csrf) = try await session.checkedForm(request)
        let totp = form["totp"].flatMap { $0.isEmpty ? nil : $0 }
        do {
            let outcome = try await accounts.login(
                .init(
                    phone: form.text("phone"), password: form.text("password"), totp: totp,
                    deviceToken: request.cookies[WebCookies.device]?.value, sessionKind: .web),
                client: context.client(request))
            switch outcome {
            case .signedIn(let signedIn):
                return signIn(signedIn)
            case .deviceConfirmationRequired(let pending):
                return redirect("/login/confirm?id=\(pending.token)")
            }
        } catch let error as RampartError where error.code == .accountSuspended {
            return WebProtectionController.suspendedPage(error, csrf: csrf, pages: pages)
        } catch let error as RampartError {
            let needsTOTP = error.code == .twoFactorRequired || error.code == .twoFactorInvalid
            return loginForm(
                csrf: csrf, phone: form.text("phone"), needsTOTP: needsTOTP || totp != nil, error: error,
                status: ErrorMiddleware.status(for: error))
        }
    }

    @Sendable func confirmPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let csrf = cookies.csrf(request)
        let id = request.uri.queryParameters["id"].map(String.init) ?? ""
        return csrf.apply(confirmForm(csrf: csrf.token, id: id, error: nil))
    }

    private func confirmForm(csrf: String, id: String, error: RampartError?, status: HTTPResponse.Status = .ok) -> Response {
        var layout = PageLayout(title: "Confirm this device", csrf: csrf, viewerName: nil)
        layout.error = error?.message
        return pages.page("confirm", ["layout": layout, "id": id] as [String: Any], status: status)
    }

    @Sendable func confirm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (form, csrf) = try await session.checkedForm(request)
        let id = form.text("id")
        do {
            let signedIn = try await accounts.confirmDevice(
                token: id, code: form.text("code").trimmingCharacters(in: .whitespaces), client: context.client(request))
            return signIn(signedIn)
        } catch let error as RampartError {
            return confirmForm(csrf: csrf, id: id, error: error, status: ErrorMiddleware.status(for: error))
        }
    }

    // MARK: Agreement

    @Sendable func agreementPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let csrf = cookies.csrf(request)
        let viewer = try await session.viewer(request, context)
        let agreement = try await accounts.currentAgreement()
        var status: AccountService.AgreementStatus?
        if let viewer { status = try await accounts.agreementStatus(of: viewer.account) }
        return csrf.apply(pages.page("agreement", [
            "layout": PageLayout(title: "Service Agreement", csrf: csrf.token, viewerName: viewer?.account.name),
            "version": agreement.version, "sha256": agreement.sha256, "text": agreement.text,
            "publishedAt": Self.dateFormatter.string(from: agreement.publishedAt),
            "needsAcceptance": status?.acceptanceRequired ?? false,
            "acceptedVersion": status?.acceptedVersion ?? 0,
        ] as [String: Any]))
    }

    @Sendable func acceptAgreement(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (form, _) = try await session.checkedForm(request)
        let viewer = try await session.requireViewer(request, context)
        try await accounts.acceptAgreement(version: Int(form.text("version")) ?? 0, requester: viewer)
        return redirect("/")
    }

    // MARK: Settings

    @Sendable func settingsPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let viewer = try await session.viewer(request, context) else { return redirect("/login") }
        let csrf = cookies.csrf(request)
        return csrf.apply(try await settings(viewer, csrf: csrf.token, notice: nil, error: nil))
    }

    private func settings(_ viewer: Requester, csrf: String, notice: String?, error: RampartError?) async throws -> Response {
        guard let account = try await accounts.currentAccount(viewer.account.id) else { throw RampartError.unauthorized }
        let sessions = try await accounts.sessions(of: viewer).map { session -> [String: Any] in
            [
                "id": accounts.codec.seal(.session, session.id, for: viewer.account.id),
                "kind": session.kind == .web ? "Browser" : "API client",
                "createdAt": Self.dateFormatter.string(from: session.createdAt),
                "lastSeenAt": Self.dateFormatter.string(from: session.lastSeenAt),
                "ip": session.client.ip ?? "unknown address",
                "userAgent": session.client.userAgent ?? "unknown client",
                "current": session.id == viewer.session.id,
            ]
        }
        var layout = PageLayout(title: "Settings", csrf: csrf, viewerName: account.name)
        layout.notice = notice
        layout.error = error?.message
        var model: [String: Any] = [
            "layout": layout, "sessions": sessions, "twoFactorEnabled": account.twoFactorEnabled,
        ]
        if let setup = accounts.pendingSetup(of: account) {
            model["setup"] = ["secret": setup.secret, "uri": setup.otpauthURI]
        }
        return pages.page("settings", model, status: error.map(ErrorMiddleware.status(for:)) ?? .ok)
    }

    @Sendable func revokeSession(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await settingsAction(request, context) { form, viewer in
            try await accounts.revokeSession(token: form.text("id"), requester: viewer)
        }
    }

    @Sendable func startTwoFactor(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await settingsAction(request, context) { _, viewer in _ = try await accounts.startTwoFactor(viewer) }
    }

    @Sendable func confirmTwoFactor(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await settingsAction(request, context) { form, viewer in
            try await accounts.confirmTwoFactor(code: form.text("code").trimmingCharacters(in: .whitespaces), requester: viewer)
        }
    }

    @Sendable func disableTwoFactor(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await settingsAction(request, context) { form, viewer in
            try await accounts.disableTwoFactor(password: form.text("password"), requester: viewer)
        }
    }

    /// A settings form: checks CSRF and the session, runs `action`, and goes back to the
    /// settings page — with the failure's message on it if the action failed.
    private func settingsAction(
        _ request: Request, _ context: AppRequestContext,
        _ action: (FormFields, Requester) async throws -> Void
    ) async throws -> Response {
        let (form, csrf) = try await session.checkedForm(request)
        let viewer = try await session.requireViewer(request, context)
        do {
            try await action(form, viewer)
        } catch let error as RampartError {
            return try await settings(viewer, csrf: csrf, notice: nil, error: error)
        }
        return redirect("/settings")
    }

    @Sendable func logout(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try await session.checkedForm(request)
        if let viewer = try await session.viewer(request, context) {
            try await accounts.logout(viewer)
        }
        var response = redirect("/login")
        response.setCookie(cookies.expired(WebCookies.session))
        return response
    }

    // MARK: Helpers

    private func signIn(_ signedIn: AccountService.SignedIn) -> Response {
        var response = redirect("/")
        response.setCookie(cookies.session(signedIn.sessionToken))
        response.setCookie(cookies.device(signedIn.deviceToken))
        return response
    }

    private func redirect(_ location: String) -> Response {
        WebSession.redirect(location)
    }

    static let dateFormatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter
    }()
}
