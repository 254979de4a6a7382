import Crypto
import Foundation
import RampartGuard
import Testing

@Suite("Keyring")
struct KeyringTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    private func bytes(of key: SymmetricKey) -> [UInt8] {
        key.withUnsafeBytes { Array($0) }
    }

    @Test func aGeneratedKeyringHoldsOneFresh256BitKey() {
        let keyring = Keyring.generate(at: start)
        #expect(keyring.entries.count == 1)
        #expect(keyring.current.id == 1)
        #expect(keyring.current.createdAt == start)
        #expect(keyring.current.key.bitCount == 256)
        #expect(keyring.key(id: 1) != nil)
    }

    @Test func everyGeneratedKeyringHasItsOwnKey() {
        let keys = (0..<20).map { _ in bytes(of: Keyring.generate(at: start).current.key) }
        #expect(Set(keys).count == 20)
    }

    @Test func rotationAddsANewCurrentKeyAndKeepsTheOldOne() {
        var keyring = Keyring.generate(at: start)
        let first = keyring.current
        keyring.rotate(at: start.addingTimeInterval(60), retaining: 86_400)
        #expect(keyring.entries.count == 2)
        #expect(keyring.current.id == 2)
        #expect(keyring.current.createdAt == start.addingTimeInterval(60))
        #expect(bytes(of: keyring.current.key) != bytes(of: first.key))
        #expect(keyring.key(id: 1).map(bytes(of:)) == bytes(of: first.key))
        #expect(keyring.entries.last == keyring.current)
        #expect(keyring.entries.first == first)
    }

    @Test func aRetiredKeyIsKeptForTheRetentionPeriodThenDropped() {
        var keyring = Keyring.generate(at: start)
        keyring.rotate(at: start.addingTimeInterval(100), retaining: 1_000)
        keyring.rotate(at: start.addingTimeInterval(600), retaining: 1_000)
        // Key 1 retired at 100, key 2 at 600: both within 1,000 s.
        #expect(keyring.entries.map(\.id) == [1, 2, 3])
        keyring.prune(at: start.addingTimeInterval(1_100), retaining: 1_000)
        #expect(keyring.entries.map(\.id) == [1, 2, 3])
        keyring.prune(at: start.addingTimeInterval(1_101), retaining: 1_000)
        #expect(keyring.entries.map(\.id) == [2, 3])
        keyring.prune(at: start.addingTimeInterval(1_601), retaining: 1_000)
        #expect(keyring.entries.map(\.id) == [3])
        keyring.prune(at: start.addingTimeInterval(1_000_000), retaining: 0)
        #expect(keyring.entries.map(\.id) == [3], "the current key always stays")
    }

    @Test func keyIDsWrapAroundAfter255() {
        var keyring = Keyring.generate(at: start)
        for _ in 0..<254 { keyring.rotate(at: start, retaining: 86_400) }
        #expect(keyring.current.id == 255)
        keyring.rotate(at: start, retaining: 86_400)
        #expect(keyring.current.id == 1)
        keyring.rotate(at: start, retaining: 86_400)
        #expect(keyring.current.id == 2)
        #expect(keyring.entries.map(\.id).suffix(4) == [254, 255, 1, 2])
        #expect(Set(keyring.entries.map(\.id)).count == keyring.entries.count)
    }

    @Test func wrappingAroundReplacesTheKeyThatHadTheSameID() {
        var keyring = Keyring.generate(at: start)
        let original = bytes(of: keyring.current.key)
        for _ in 0..<255 { keyring.rotate(at: start, retaining: 86_400) }
        #expect(keyring.entries.count == 255)
        #expect(keyring.current.id == 1)
        #expect(keyring.key(id: 1).map(bytes(of:)) != original)
        #expect(keyring.key(id: 1).map(bytes(of:)) == bytes(of: keyring.current.key))
    }

    @Test func anUnknownKeyIDHasNoKey() {
        let keyring = Keyring.generate(at: start)
        #expect(keyring.key(id: 0) == nil)
        #expect(keyring.key(id: 2) == nil)
        #expect(keyring.key(id: 255) == nil)
    }

    @Test func anEmptyKeyringIsRefused() {
        #expect(throws: KeyringError.empty) { try Keyring(entries: []) }
    }

    @Test func duplicateKeyIDsAreRefused() {
        let a = Keyring.Entry(id: 3, key: SymmetricKey(size: .bits256), createdAt: start)
        let b = Keyring.Entry(id: 3, key: SymmetricKey(size: .bits256), createdAt: start)
        #expect(throws: KeyringError.duplicateKeyID) { try Keyring(entries: [a, b]) }
    }

    @Test func aKeyringBuiltFromEntriesUsesTheLastAsCurrent() throws {
        let entries = [5, 9, 2].map { Keyring.Entry(id: $0, key: SymmetricKey(size: .bits256), createdAt: start) }
        let keyring = try Keyring(entries: entries)
        #expect(keyring.current.id == 2)
        #expect(keyring.entries == entries)
        for entry in entries {
            #expect(keyring.key(id: entry.id).map(bytes(of:)) == bytes(of: entry.key))
        }
    }

    @Test func entriesAreEqualOnlyWithTheSameKeyBytes() {
        let key = SymmetricKey(size: .bits256)
        let a = Keyring.Entry(id: 1, key: key, createdAt: start)
        let same = Keyring.Entry(id: 1, key: SymmetricKey(data: bytes(of: key)), createdAt: start)
        let otherKey = Keyring.Entry(id: 1, key: SymmetricKey(size: .bits256), createdAt: start)
        let otherID = Keyring.Entry(id: 2, key: key, createdAt: start)
        let otherDate = Keyring.Entry(id: 1, key: key, createdAt: start.addingTimeInterval(1))
        #expect(a == same)
        #expect(a != otherKey)
        #expect(a != otherID)
        #expect(a != otherDate)
    }

    @Test func theDescriptionListsKeyIDsOnly() {
        var keyring = Keyring.generate(at: start)
        keyring.rotate(at: start, retaining: 86_400)
        keyring.rotate(at: start, retaining: 86_400)
        #expect(keyring.description == "Keyring(keys: [1, 2, 3], current: 3)")
        #expect("\(keyring)" == keyring.description)
    }

    @Test func theDescriptionNeverContainsKeyBytes() {
        var keyring = Keyring.generate(at: start)
        for _ in 0..<5 { keyring.rotate(at: start, retaining: 86_400) }
        let printed = [keyring.description, "\(keyring)", String(describing: keyring)]
        for entry in keyring.entries {
            let raw = bytes(of: entry.key)
            let base64 = Data(raw).base64EncodedString()
            let base64url = Base64URL.encode(raw)
            let hex = raw.map { String(format: "%02x", $0) }.joined()
            for text in printed {
                #expect(!text.contains(base64))
                #expect(!text.contains(String(base64.prefix(12))))
                #expect(!text.contains(base64url))
                #expect(!text.contains(hex))
                #expect(!text.contains(String(hex.prefix(16))))
            }
        }
    }
}
