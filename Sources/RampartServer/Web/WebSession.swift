import Foundation
import HTTPTypes
import RampartApp
import Hummingbird
import RampartCore
import RampartGuard

/// The common layout data every page template receives.
struct PageLayout {
    let title: String
    let csrf: String
    let viewerName: String?
    var error: String? = nil
    var notice: String? = nil
}

/// The web UI's sessions and forms in one place: who is signed in (session cookie), the
/// CSRF double-submit check on every form, and the gates pages share (signed in, current
/// agreement accepted).
struct WebSession: Sendable {
    let accounts: AccountService
    let body: RequestBodyReader
    let cookies: WebCookies

    /// A signed-in member on a page, with what the page needs to render forms.
    struct Member {
        var requester: Requester
        let csrf: String

        func layout(_ title: String) -> PageLayout {
            PageLayout(title: title, csrf: csrf, viewerName: requester.account.name)
        }
    }

    func viewer(_ request: Request, _ context: AppRequestContext) async throws -> Requester? {
        guard let token = request.cookies[WebCookies.session]?.value else { return nil }
        return try await accounts.authenticate(sessionToken: token, client: context.client(request), channel: .web)
    }

    /// The signed-in member, or a 401 that says the session ended.
    func requireViewer(_ request: Request, _ context: AppRequestContext) async throws -> Requester {
        guard let viewer = try await viewer(request, context) else {
            throw RampartError(.unauthorized, code: .unauthorized, message: "Your session has ended. Log in again.")
        }
        return viewer
    }

    /// A page for signed-in members who accepted the current agreement; everyone else is
    /// sent to log in (or to the agreement).
    func page(
        _ request: Request, _ context: AppRequestContext, _ render: (Member) async throws -> Response
    ) async throws -> Response {
        guard let viewer = try await viewer(request, context) else { return Self.redirect("/login") }
        return try await page(for: viewer, request, render)
    }

    /// As ``page(_:_:_:)`` for a member the handler has already authenticated (one
    /// authentication per request).
    func page(for viewer: Requester, _ request: Request, _ render: (Member) async throws -> Response) async throws -> Response {
        if try await accounts.agreementStatus(of: viewer.account).acceptanceRequired { return Self.redirect("/agreement") }
        let csrf = cookies.csrf(request)
        return csrf.apply(try await render(Member(requester: viewer, csrf: csrf.token)))
    }

    /// A form post from a signed-in member who accepted the current agreement.
    func form(
        _ request: Request, _ context: AppRequestContext, _ handle: (FormFields, Member) async throws -> Response
    ) async throws -> Response {
        let (form, csrf) = try await checkedForm(request)
        let viewer = try await requireViewer(request, context)
        if try await accounts.agreementStatus(of: viewer.account).acceptanceRequired { return Self.redirect("/agreement") }
        return try await handle(form, Member(requester: viewer, csrf: csrf))
    }

    /// Reads a form and checks its CSRF field against the CSRF cookie.
    func checkedForm(_ request: Request) async throws -> (FormFields, String) {
        let form = try await body.form(from: request)
        guard let cookie = request.cookies[WebCookies.csrf]?.value, let field = form["csrf"],
            SecretTokens.constantTimeEquals(cookie, field)
        else {
            throw RampartError(
                .forbidden, code: .csrfFailed,
                message: "This form has expired or did not come from Rampart. Go back, reload the page and try again.")
        }
        return (form, cookie)
    }

    /// A short page that says something and links back.
    func notice(_ message: String, back: String, pages: PageRenderer) -> Response {
        pages.page("notice", ["title": "Rampart", "message": message, "back": back], status: .conflict)
    }

    /// Whether a browser says this request is a navigation from another site
    /// (`Sec-Fetch-Site: cross-site` or `same-site`). A page on another site can walk a
    /// signed-in member's browser through forged links and bursts (the session cookie is
    /// `SameSite=Lax`); such a request must not count for or against the member.
    static func arrivedFromAnotherSite(_ request: Request) -> Bool {
        guard let site = request.headers[Self.fetchSite]?.lowercased() else { return false }
        return site == "cross-site" || site == "same-site"
    }

    private static let fetchSite = HTTPField.Name("Sec-Fetch-Site")!

    /// The page a navigation from another site gets instead of a page the Guard would
    /// count: nothing is read, charged or recorded, and one link continues — the member's
    /// own click, a same-origin request.
    static func continuePage(_ request: Request, pages: PageRenderer) -> Response {
        let target = WebProtectionController.safeNext(request.uri.string)
        return pages.page("notice", [
            "title": "Continue to Rampart", "linkText": "Continue",
            "message": "You followed a link from another site. Nothing was opened yet: continue if you meant to.", "back": target,
        ])
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}
