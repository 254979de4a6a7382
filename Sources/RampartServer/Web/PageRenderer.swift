import Foundation
import HTTPTypes
import RampartApp
import Hummingbird
import Mustache
import RampartCore

/// Renders the web UI's Mustache templates (bundled resources) into HTML responses.
public struct PageRenderer: Sendable {
    private let library: MustacheLibrary

    public init() throws {
        guard let directory = Bundle.module.url(forResource: "templates", withExtension: nil, subdirectory: "Resources") else {
            throw RampartError(.internalFailure, code: .templatesMissing, message: "The web templates are missing from the build.")
        }
        var library = MustacheLibrary()
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path) where file.hasSuffix(".mustache") {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            try library.register(text, named: String(file.dropLast(".mustache".count)))
        }
        guard library.getTemplate(named: "error") != nil else {
            throw RampartError(.internalFailure, code: .templatesMissing, message: "The web templates are missing from the build.")
        }
        self.library = library
    }

    /// A page: `template` rendered with `model` inside the common layout.
    func page(_ template: String, _ model: some Any, status: HTTPResponse.Status = .ok) -> Response {
        let html = library.render(model, withTemplate: template)
            ?? "<!doctype html><title>Rampart</title><p>The page \(template) could not be rendered.</p>"
        return Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8",
                .cacheControl: "no-store",
                .xContentTypeOptions: "nosniff",
                .contentSecurityPolicy: "default-src 'self'; style-src 'self'; form-action 'self'; frame-ancestors 'none'",
            ],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    struct ErrorModel {
        let title: String
        let message: String
        let code: String
        let status: Int
    }

    func errorPage(_ error: RampartError, request: Request) -> Response {
        let status = ErrorMiddleware.status(for: error)
        let title: String
        switch error.kind {
        case .notFound: title = "Page not found"
        case .tooManyRequests: title = "Slow down"
        case .internalFailure, .unavailable: title = "Something went wrong"
        default: title = "That did not work"
        }
        var response = page("error", ErrorModel(title: title, message: error.message, code: error.code.rawValue, status: Int(status.code)), status: status)
        if let retry = error.retryAfter { response.headers[.retryAfter] = String(Int(retry.rounded(.up))) }
        return response
    }
}
