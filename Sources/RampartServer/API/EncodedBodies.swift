import Foundation
import RampartApp
import RampartCore
import RampartGuard

/// The JSON of what members show, encoded once and reused: a profile's or a card's content
/// is the same for every viewer who may see the same fields. Each encoding is kept under the
/// member and the categories shown, with the ``VisibleProfile`` it was made from, and used
/// only while the content is equal to it (an edit, or a degraded view, encodes again; equal
/// values that share their storage compare in a few instructions, where hashing the content
/// cost more). Only the viewer's own fields (the sealed `id`, `degree`,
/// `connectionCount`, `pendingInvitation`, a list's cursor) are written per response.
///
/// Bounded: at most 20,000 profile bodies (about 1–2 KB each) and 80,000 card bodies
/// (about 200 bytes each).
struct EncodedBodies: Sendable {
    private let profiles = BoundedCache<ContentKey, Encoded>(generationSize: 10_000, maxAge: .seconds(3_600))
    private let cards = BoundedCache<ContentKey, Encoded>(generationSize: 40_000, maxAge: .seconds(3_600))

    private struct ContentKey: Hashable, Sendable {
        var member: AccountID
        var shown: CategorySet
    }

    private struct Encoded: Sendable {
        var visible: VisibleProfile
        var bytes: [UInt8]
    }

    /// `GET /profiles/{id}`: the viewer's fields, then the member's content.
    func profile(_ shown: NetworkService.ShownProfile, viewer: AccountID, invitationToken: (Invitation) -> String) throws -> [UInt8] {
        var json = JSONObjectWriter()
        if let count = shown.connectionCount { json.int("connectionCount", count) }
        json.string("degree", shown.degree.label)
        json.string("id", shown.token)
        if let pending = shown.pendingInvitation {
            var invitation = JSONObjectWriter()
            invitation.string("direction", pending.sender == viewer ? "sent" : "received")
            invitation.string("id", invitationToken(pending))
            json.raw("pendingInvitation", invitation.finish())
        }
        json.fields(try content(shown.visible, in: profiles) { ProfileContent($0) })
        return json.finish()
    }

    /// A search page: `{"nextCursor": …, "results": [card, …]}`.
    func searchPage(_ page: NetworkService.SearchPage) throws -> [UInt8] {
        var json = JSONObjectWriter()
        if let next = page.nextCursor { json.string("nextCursor", next) }
        json.raw("results", try cardList(page.results))
        return json.finish()
    }

    /// A connection list page: `{"connections": [card, …], "nextCursor": …, "owner": card, "total": …}`.
    func connectionPage(_ page: NetworkService.ConnectionPage) throws -> [UInt8] {
        var json = JSONObjectWriter()
        json.raw("connections", try cardList(page.connections))
        if let next = page.nextCursor { json.string("nextCursor", next) }
        json.raw("owner", try card(token: page.owner.token, page.owner.visible))
        if let total = page.owner.connectionCount { json.int("total", total) }
        return json.finish()
    }

    private func cardList(_ cards: [(token: String, card: VisibleProfile)]) throws -> [UInt8] {
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        for (index, entry) in cards.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes += try card(token: entry.token, entry.card)
        }
        bytes.append(UInt8(ascii: "]"))
        return bytes
    }

    /// `{"id": …, <card content>}`.
    private func card(token: String, _ card: VisibleProfile) throws -> [UInt8] {
        var json = JSONObjectWriter()
        json.string("id", token)
        json.fields(try content(card, in: cards) { CardContent($0) })
        return json.finish()
    }

    /// The content's JSON object without its braces, from the cache or encoded now.
    private func content<Body: Encodable>(_ visible: VisibleProfile, in cache: BoundedCache<ContentKey, Encoded>, _ body: (VisibleProfile) -> Body)
        throws -> ArraySlice<UInt8>
    {
        let key = ContentKey(member: visible.accountID, shown: visible.categories)
        if let cached = cache.value(key), cached.visible == visible { return cached.bytes.dropFirst().dropLast() }
        let encoded = [UInt8](try JSONResponse.encoder().encode(body(visible)))
        cache.insert(key, Encoded(visible: visible, bytes: encoded), ticket: cache.ticket())
        return encoded.dropFirst().dropLast()
    }
}

/// Writes one JSON object field by field, for responses assembled from encoded parts.
/// Strings are escaped as `JSONEncoder` escapes them (slashes left as they are).
struct JSONObjectWriter {
    private var bytes: [UInt8] = [UInt8(ascii: "{")]
    private var empty = true

    mutating func string(_ key: String, _ value: String) {
        self.key(key)
        Self.append(string: value, to: &bytes)
    }

    mutating func int(_ key: String, _ value: Int) {
        self.key(key)
        bytes += Array(String(value).utf8)
    }

    /// A value already encoded as JSON.
    mutating func raw(_ key: String, _ value: [UInt8]) {
        self.key(key)
        bytes += value
    }

    /// Fields already encoded (an object's inside, without braces).
    mutating func fields(_ encoded: ArraySlice<UInt8>) {
        guard !encoded.isEmpty else { return }
        if !empty { bytes.append(UInt8(ascii: ",")) }
        bytes += encoded
        empty = false
    }

    func finish() -> [UInt8] { bytes + [UInt8(ascii: "}")] }

    private mutating func key(_ key: String) {
        if !empty { bytes.append(UInt8(ascii: ",")) }
        empty = false
        Self.append(string: key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    static func append(string: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x08: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
            case 0x0C: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
            case 0..<0x20: bytes += Array(String(format: "\\u%04x", byte).utf8)
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
