import Foundation
import Hummingbird
import Logging
import Testing

@testable import RampartApp
@testable import RampartForensics
@testable import RampartServer

/// The OpenAPI document must describe every JSON route the server answers, with the
/// operation IDs clients rely on.
@Suite struct OpenAPIDocumentTests {
    static func document() throws -> [String: Any] {
        let bytes = try OperationsController.loadOpenAPIDocument()
        return try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func everyJSONRouteTheServerAnswersIsDocumented() async throws {
        let server = try await TestServer.make()
        let router = try await buildRouter(server.services, configuration: ServerConfiguration(), logger: Logger(label: "test"))
        let paths = try #require(try Self.document()["paths"] as? [String: [String: Any]])
        let jsonRoutes = router.routes.filter { route in
            let path = route.path.description
            return path.hasPrefix("/api/") || ["/healthz", "/readyz", "/metrics", "/openapi.json"].contains(path)
        }
        #expect(jsonRoutes.count >= 18)
        for route in jsonRoutes {
            let documentedPath = route.path.description
                .split(separator: "/", omittingEmptySubsequences: false)
                .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
                .joined(separator: "/")
            let operation = paths[documentedPath]?[route.method.rawValue.lowercased()]
            #expect(operation != nil, "\(route.method) \(documentedPath) is not in openapi.json")
        }
    }

    @Test func theOperationIDsClientsRelyOnArePresent() throws {
        let paths = try #require(try Self.document()["paths"] as? [String: [String: Any]])
        let ids = Set(paths.values.flatMap { $0.values.compactMap { ($0 as? [String: Any])?["operationId"] as? String } })
        for required in ["startRegistration", "completeRegistration", "login", "confirmDevice", "getMe"] {
            #expect(ids.contains(required))
        }
    }
}
