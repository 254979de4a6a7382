import Foundation
import RampartApp
import Hummingbird
import RampartGuard

/// The web UI's cookies, with their security attributes in one place: HttpOnly always,
/// SameSite always, Secure when serving over HTTPS.
struct WebCookies: Sendable {
    static let session = "rampart_session"
    static let device = "rampart_device"
    static let csrf = "rampart_csrf"

    let secure: Bool

    func session(_ token: String) -> Cookie {
        Cookie(name: Self.session, value: token, maxAge: 30 * 86_400, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    func device(_ token: String) -> Cookie {
        Cookie(name: Self.device, value: token, maxAge: 400 * 86_400, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    func expired(_ name: String) -> Cookie {
        Cookie(name: name, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    /// The CSRF token for a page: the existing cookie, or a new one to set with the page.
    struct CSRF {
        let token: String
        let cookie: Cookie?

        func apply(_ response: Response) -> Response {
            guard let cookie else { return response }
            var response = response
            response.setCookie(cookie)
            return response
        }
    }

    func csrf(_ request: Request) -> CSRF {
        if let existing = request.cookies[Self.csrf]?.value, existing.utf8.count == 43, Base64URL.decode(existing) != nil {
            return CSRF(token: existing, cookie: nil)
        }
        let token = SecretTokens.generate()
        return CSRF(
            token: token,
            cookie: Cookie(name: Self.csrf, value: token, path: "/", secure: secure, httpOnly: true, sameSite: .strict))
    }
}
