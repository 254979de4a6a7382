import Foundation
import RampartApp
import Hummingbird
import NIOCore
import RampartCore

/// A JSON request body whose fields are known: anything else in the body is refused.
public protocol StrictDecodable: Decodable {
    static var allowedFields: Set<String> { get }
}

/// Reads request bodies safely: a size limit, the right content type, valid UTF-8, and —
/// for JSON — no unknown fields and a clear message naming the field that is wrong.
public struct RequestBodyReader: Sendable {
    public let limit: Int

    public init(limit: Int) {
        self.limit = limit
    }

    public func json<T: StrictDecodable>(_ type: T.Type, from request: Request) async throws -> T {
        guard let contentType = request.headers[.contentType], contentType.lowercased().hasPrefix("application/json") else {
            throw RampartError(.invalidInput, code: .unsupportedMediaType, message: "Send the body as application/json.")
        }
        let data = try await bytes(of: request)
        guard String(validating: data, as: UTF8.self) != nil else {
            throw RampartError.invalid(.invalidJSON, "The body is not valid UTF-8.")
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(data), options: [])
        } catch {
            throw RampartError.invalid(.invalidJSON, "The body is not valid JSON.")
        }
        guard let fields = object as? [String: Any] else {
            throw RampartError.invalid(.invalidRequest, "The body must be a JSON object.")
        }
        let unknown = Set(fields.keys).subtracting(T.allowedFields)
        guard unknown.isEmpty else {
            throw RampartError.invalid(.invalidRequest, "Unknown field: \(unknown.sorted().joined(separator: ", ")).")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(data))
        } catch let error as DecodingError {
            throw RampartError.invalid(.invalidRequest, Self.describe(error))
        }
    }

    /// An `application/x-www-form-urlencoded` body as fields.
    public func form(from request: Request) async throws -> FormFields {
        let data = try await bytes(of: request)
        guard let text = String(validating: data, as: UTF8.self) else {
            throw RampartError.invalid(.invalidForm, "The form was not valid UTF-8.")
        }
        guard let fields = FormFields(urlEncoded: text) else {
            throw RampartError.invalid(.invalidForm, "The form could not be read.")
        }
        return fields
    }

    /// Reads the whole body (within the limit) and keeps it in the request, so that the
    /// handler can read it again after a middleware has (to check its signature).
    public func collect(_ request: inout Request) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw Self.tooLarge(limit)
        }
        do {
            return try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw Self.tooLarge(limit)
        }
    }

    private func bytes(of request: Request) async throws -> [UInt8] {
        var request = request
        return Array(try await collect(&request).readableBytesView)
    }

    private static func tooLarge(_ limit: Int) -> RampartError {
        RampartError(.invalidInput, code: .bodyTooLarge, message: "The body is larger than \(limit / 1024) KiB.")
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let names = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return names.isEmpty ? "the body" : names.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, _):
            return "Missing field: \(key.stringValue)."
        case .typeMismatch(let type, let context):
            return "Field \(path(context)) must be \(describe(type))."
        case .valueNotFound(let type, let context):
            return "Field \(path(context)) must be \(describe(type)), not null."
        case .dataCorrupted(let context):
            return "Field \(path(context)) is not valid."
        @unknown default:
            return "The body does not match the expected shape."
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "an integer"
        case is Bool.Type: "true or false"
        default: "of type \(type)"
        }
    }
}

/// Fields of a submitted HTML form.
public struct FormFields: Sendable {
    private var values: [String: String]

    init?(urlEncoded text: String) {
        var values: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]) else { return nil }
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            guard let value else { return nil }
            if values[name] == nil { values[name] = value }
        }
        self.values = values
    }

    public subscript(_ name: String) -> String? { values[name] }

    /// The field, or empty if absent.
    public func text(_ name: String) -> String { values[name] ?? "" }

    private static func decode(_ component: Substring) -> String? {
        component.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
