import Foundation
import HTTPTypes
import RampartApp
import Hummingbird
import RampartCore
import RampartGuard

/// The web side of the response ladder, without JavaScript: the step-up challenge page
/// (a code by SMS), the suspended member's appeal, and the stylesheet — whose fetch tells
/// the detection engine that a real browser rendered the page.
struct WebProtectionController {
    let accounts: AccountService
    let protection: Protection
    let pages: PageRenderer
    let session: WebSession
    var cookies: WebCookies { session.cookies }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("challenge", use: challengePage)
        router.post("challenge/send", use: sendChallenge)
        router.post("challenge/verify", use: verifyChallenge)
        router.post("appeal", use: appeal)
        router.get("static/style.css", use: stylesheet)
    }

    @Sendable func challengePage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let csrf = cookies.csrf(request)
        guard let viewer = try await session.viewer(request, context) else { return WebSession.redirect("/login") }
        let next = Self.safeNext(request.uri.queryParameters["next"].map(String.init))
        return csrf.apply(challengeForm(viewer, csrf: csrf.token, next: next, pending: nil, error: nil))
    }

    @Sendable func sendChallenge(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (form, csrf) = try await session.checkedForm(request)
        let viewer = try await session.requireViewer(request, context)
        let next = Self.safeNext(form["next"])
        do {
            let pending = try await accounts.startStepUp(viewer)
            return challengeForm(viewer, csrf: csrf, next: next, pending: pending, error: nil)
        } catch let error as RampartError {
            return challengeForm(viewer, csrf: csrf, next: next, pending: nil, error: error)
        }
    }

    @Sendable func verifyChallenge(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (form, csrf) = try await session.checkedForm(request)
        let viewer = try await session.requireViewer(request, context)
        let next = Self.safeNext(form["next"])
        let token = form.text("id")
        do {
            try await accounts.verifyStepUp(token: token, code: form.text("code"), requester: viewer)
            return WebSession.redirect(next)
        } catch let error as RampartError {
            let pending = AccountService.PendingStepUp(token: token, maskedPhone: viewer.account.phone.masked, expiresAt: accounts.now())
            return challengeForm(viewer, csrf: csrf, next: next, pending: pending, error: error)
        }
    }

    @Sendable func appeal(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (form, csrf) = try await session.checkedForm(request)
        do {
            _ = try await accounts.appeal(token: form.text("token"), text: form.text("text"), client: context.client(request))
            return pages.page("notice", [
                "title": "Appeal received", "message": "Thank you. A person will review your appeal and answer by SMS.", "back": "/",
            ])
        } catch let error as RampartError {
            var failed = error
            failed.token = form["token"]
            return Self.suspendedPage(failed, csrf: csrf, pages: pages)
        }
    }

    @Sendable func stylesheet(_ request: Request, context: AppRequestContext) async throws -> Response {
        // Credits the member's account and device, not only the session: the engine counts
        // pages on all three. Only a live web session counts (no keys for made-up cookies).
        if let token = request.cookies[WebCookies.session]?.value,
            let member = try? await accounts.authenticate(sessionToken: token, client: context.client(request), channel: .web)
        {
            protection.notePageAsset(member)
        }
        guard let data = Self.stylesheetData else { throw RampartError.notFound() }
        // Revalidated on every page (a 304 when unchanged), so every rendered page fetches it.
        if request.headers[.ifNoneMatch] == Self.stylesheetTag {
            return Response(status: .notModified, headers: [.eTag: Self.stylesheetTag, .cacheControl: "no-cache"])
        }
        return Response(
            status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "no-cache", .eTag: Self.stylesheetTag],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    private static let stylesheetData: Data? = Bundle.module.url(forResource: "style", withExtension: "css", subdirectory: "Resources/static")
        .flatMap { try? Data(contentsOf: $0) }
    private static let stylesheetTag = "\"" + String(SecretTokens.sha256Hex(String(decoding: stylesheetData ?? Data(), as: UTF8.self)).prefix(16)) + "\""

    private func challengeForm(
        _ viewer: Requester, csrf: String, next: String, pending: AccountService.PendingStepUp?, error: RampartError?
    ) -> Response {
        var layout = PageLayout(title: "Confirm it is you", csrf: csrf, viewerName: viewer.account.name)
        layout.error = error?.message
        var model: [String: Any] = ["layout": layout, "next": next]
        if let pending {
            model["id"] = pending.token
            model["phone"] = pending.maskedPhone
        }
        return pages.page("challenge", model, status: error.map(ErrorMiddleware.status(for:)) ?? .ok)
    }

    /// The suspension page, with the appeal form when the error carries an appeal token.
    static func suspendedPage(_ error: RampartError, csrf: String, pages: PageRenderer) -> Response {
        var model: [String: Any] = [
            "layout": PageLayout(title: "Account suspended", csrf: csrf, viewerName: nil), "message": error.message,
        ]
        model["token"] = error.token
        return pages.page("suspended", model, status: ErrorMiddleware.status(for: error))
    }

    /// Only a path on this site, never another origin.
    /// `next` when it is a path on this site, else "/". Browsers drop tabs and line breaks
    /// from URLs and read a backslash as a slash, so `/\t/example.com` would leave the site:
    /// only printable ASCII without a backslash is kept, and never `//` at the start.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.utf8.count < 2_000, next.utf8.first == UInt8(ascii: "/"),
            next.utf8.allSatisfy({ (0x21...0x7E).contains($0) && $0 != UInt8(ascii: "\\") }),
            !next.hasPrefix("//")
        else { return "/" }
        return next
    }
}
