import Foundation
import HTTPTypes
import RampartApp
import Hummingbird

/// Encodes API responses: RFC 3339 dates, stable key order (sorted; in responses assembled
/// by ``EncodedBodies``, the viewer's own fields first), UTF-8 JSON.
enum JSONResponse {
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        make(encoded: try encoder().encode(value), status: status)
    }

    /// A response of JSON already encoded (``EncodedBodies``).
    static func make(encoded bytes: some Sequence<UInt8>, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
