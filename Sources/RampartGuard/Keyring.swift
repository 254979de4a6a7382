import Crypto
import Foundation

/// A set of symmetric keys identified by a one-byte key ID: the newest seals, all of them open.
///
/// Rotation adds a key and makes it current; retired keys keep opening what they sealed
/// until they are dropped. The keyring never prints its keys.
public struct Keyring: Sendable, Equatable, CustomStringConvertible {
    public struct Entry: Sendable, Equatable {
        public let id: UInt8
        public let key: SymmetricKey
        public let createdAt: Date

        public init(id: UInt8, key: SymmetricKey, createdAt: Date) {
            self.id = id
            self.key = key
            self.createdAt = createdAt
        }

        public static func == (lhs: Entry, rhs: Entry) -> Bool {
            lhs.id == rhs.id && lhs.createdAt == rhs.createdAt
                && lhs.key.withUnsafeBytes { l in rhs.key.withUnsafeBytes { r in l.elementsEqual(r) } }
        }
    }

    /// Oldest first; the last entry is the current key.
    public private(set) var entries: [Entry]

    public init(entries: [Entry]) throws(KeyringError) {
        guard !entries.isEmpty else { throw .empty }
        guard Set(entries.map(\.id)).count == entries.count else { throw .duplicateKeyID }
        self.entries = entries
    }

    /// A keyring with one fresh random 256-bit key.
    public static func generate(at date: Date) -> Keyring {
        Keyring(unchecked: [Entry(id: 1, key: SymmetricKey(size: .bits256), createdAt: date)])
    }

    private init(unchecked entries: [Entry]) {
        self.entries = entries
    }

    public var current: Entry { entries[entries.count - 1] }

    public func key(id: UInt8) -> SymmetricKey? {
        entries.last(where: { $0.id == id })?.key
    }

    /// Adds a fresh key and makes it current. A retired key is kept while tokens it sealed
    /// can still be valid: until `retaining` seconds after its successor took over.
    public mutating func rotate(at date: Date, retaining: TimeInterval) {
        let nextID = current.id == UInt8.max ? 1 : current.id + 1
        entries.removeAll { $0.id == nextID }
        entries.append(Entry(id: nextID, key: SymmetricKey(size: .bits256), createdAt: date))
        prune(at: date, retaining: retaining)
    }

    /// Drops keys retired more than `retaining` seconds ago; the current key always stays.
    public mutating func prune(at date: Date, retaining: TimeInterval) {
        var kept: [Entry] = []
        for (index, entry) in entries.enumerated() {
            let retiredAt = index + 1 < entries.count ? entries[index + 1].createdAt : nil
            if let retiredAt, date.timeIntervalSince(retiredAt) > retaining { continue }
            kept.append(entry)
        }
        entries = kept
    }

    /// When the current key was made: rotation schedules count from here.
    public var currentSince: Date { current.createdAt }

    /// Key IDs only: safe to log.
    public var description: String {
        "Keyring(keys: \(entries.map(\.id)), current: \(current.id))"
    }
}

public enum KeyringError: Error, Equatable, Sendable {
    case empty
    case duplicateKeyID
    case malformed(String)
}
