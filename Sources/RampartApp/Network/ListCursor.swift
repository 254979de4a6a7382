import RampartCore
import RampartGuard

/// Where the next page of a list (search results, a connection list) starts, as the
/// 63-bit value a sealed `searchCursor` carries: the list it belongs to, how many results
/// were served before it, and the position in the store's raw results. Sealed for one
/// viewer and short-lived (``SealedIDCodec``); the list part makes a cursor useless for
/// another query or another member's list.
struct ListCursor: Equatable {
    /// 31 bits naming the list: a hash of the normalised query, or of the list's owner.
    var list: UInt32
    /// Results served before this page (≤ 2,047).
    var served: Int
    /// Position in the store's results, which may hold entries this viewer may not see.
    var raw: Int

    static let maxServed = (1 << 11) - 1
    static let maxRaw = (1 << 21) - 1

    init(list: UInt32, served: Int, raw: Int) {
        self.list = list & 0x7FFF_FFFF
        self.served = min(max(served, 0), Self.maxServed)
        self.raw = min(max(raw, 0), Self.maxRaw)
    }

    init(value: Int64) {
        let bits = UInt64(bitPattern: value)
        self.init(list: UInt32(truncatingIfNeeded: bits >> 32), served: Int((bits >> 21) & 0x7FF), raw: Int(bits & 0x1F_FFFF))
    }

    var value: Int64 { Int64(bitPattern: UInt64(list) << 32 | UInt64(served) << 21 | UInt64(raw)) }

    /// The list part for a search: the query's terms and filters, normalised.
    static func list(of query: ProfileQuery) -> UInt32 {
        let parts = [
            query.terms.map { $0.joined(separator: " ") }.joined(separator: "|"), query.company ?? "", query.title ?? "", query.school ?? "",
            query.location ?? "",
        ]
        return UInt32(truncatingIfNeeded: StableHash.of("search\u{1F}" + parts.joined(separator: "\u{1F}")) >> 33)
    }

    /// The list part for one member's connection list.
    static func list(connectionsOf owner: AccountID) -> UInt32 {
        UInt32(truncatingIfNeeded: StableHash.combine(0xC0_77EC_7105, UInt64(bitPattern: owner.rawValue)) >> 33)
    }
}
