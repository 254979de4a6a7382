import Foundation
import HTTPTypes
import RampartApp
import Hummingbird
import Logging
import RampartCore

/// Turns every error into a clear, stable answer: `{"error": {"code", "message"}}` for the
/// API and operations endpoints, a readable page for the web UI. Unexpected errors are
/// logged and answered with a 500 that reveals nothing.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let pages: PageRenderer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let failure = Self.rampartError(error)
            if failure.kind == .internalFailure {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            }
            if Self.wantsJSON(request) {
                return Self.jsonResponse(failure)
            }
            switch failure.code {
            case .challengeRequired:
                let next = request.method == .get ? request.uri.description : "/"
                let query = next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "%2F"
                return Response(status: .seeOther, headers: [.location: "/challenge?next=\(query)"])
            case .accountSuspended:
                return WebProtectionController.suspendedPage(failure, csrf: "", pages: pages)
            default:
                return pages.errorPage(failure, request: request)
            }
        }
    }

    static func wantsJSON(_ request: Request) -> Bool {
        let path = request.uri.path
        return path.hasPrefix("/api/") || path == "/api" || path == "/healthz" || path == "/readyz" || path == "/metrics"
            || path == "/openapi.json"
    }

    static func rampartError(_ error: any Error) -> RampartError {
        switch error {
        case let error as RampartError:
            return error
        case let error as any HTTPResponseError:
            switch error.status {
            case .notFound:
                return .notFound()
            case .methodNotAllowed:
                return RampartError(.invalidInput, code: .methodNotAllowed, message: "This method is not allowed here.")
            case .contentTooLarge:
                return RampartError(.invalidInput, code: .bodyTooLarge, message: "The body is too large.")
            case .unauthorized:
                return .unauthorized
            default:
                if error.status.code < 500 {
                    return RampartError(.invalidInput, code: .badRequest, message: error.status.reasonPhrase)
                }
                return internalError
            }
        default:
            return internalError
        }
    }

    static let internalError = RampartError(
        .internalFailure, code: .internal, message: "Something went wrong on our side. It has been logged.")

    static func status(for error: RampartError) -> HTTPResponse.Status {
        switch error.kind {
        case .invalidInput:
            switch error.code {
            case .bodyTooLarge: .contentTooLarge
            case .unsupportedMediaType: .unsupportedMediaType
            case .methodNotAllowed: .methodNotAllowed
            default: .badRequest
            }
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .conflict: .conflict
        case .gone: .gone
        case .tooManyRequests: .tooManyRequests
        case .paymentRequired: HTTPResponse.Status(code: 402, reasonPhrase: "Payment Required")
        case .unavailable: .serviceUnavailable
        case .internalFailure: .internalServerError
        }
    }

    static func jsonResponse(_ error: RampartError) -> Response {
        struct Body: Encodable {
            struct Detail: Encodable {
                let code: String
                let message: String
                let token: String?
            }
            let error: Detail
        }
        let data = (try? JSONEncoder().encode(Body(error: .init(code: error.code.rawValue, message: error.message, token: error.token)))) ?? Data()
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let retry = error.retryAfter { headers[.retryAfter] = String(Int(retry.rounded(.up))) }
        if error.kind == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        return Response(status: status(for: error), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
