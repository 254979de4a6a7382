import Crypto
import Foundation
import RampartCore
import Testing

@testable import RampartApp

/// The seal an instance puts on a request it forwards to the owner: the owner serves a
/// sealed request itself; a client cannot claim to be an instance (another key), nor reuse
/// a seal for another request or after its window.
@Suite struct InstanceDirectoryTests {
    @Test func onlyAFreshSealFromAnInstanceOfThisDatabaseForThisRequestCounts() {
        let clock = ManualWallClock(Date(timeIntervalSince1970: 1_800_000_000))
        let master = SymmetricKey(size: .bits256)
        let a = InstanceDirectory(name: "a1", address: "http://127.0.0.1:1", signingMaster: master, clock: clock)
        let b = InstanceDirectory(name: "a2", address: "http://127.0.0.1:2", signingMaster: master, clock: clock)
        let stranger = InstanceDirectory(name: "a1", address: "http://127.0.0.1:1", signingMaster: SymmetricKey(size: .bits256), clock: clock)
        let seal = a.seal(method: "GET", path: "/api/v1/profiles/x")
        #expect(b.isForwarded(seal, method: "GET", path: "/api/v1/profiles/x"))
        #expect(!b.isForwarded(seal, method: "GET", path: "/api/v1/profiles/y"))
        #expect(!b.isForwarded(seal, method: "POST", path: "/api/v1/profiles/x"))
        #expect(!b.isForwarded(stranger.seal(method: "GET", path: "/api/v1/profiles/x"), method: "GET", path: "/api/v1/profiles/x"))
        #expect(!b.isForwarded("a1 1800000000000 forged", method: "GET", path: "/api/v1/profiles/x"))
        clock.advance(by: 31)
        #expect(!b.isForwarded(seal, method: "GET", path: "/api/v1/profiles/x"))
    }

    @Test func anAccountBelongsToOneLiveInstanceAndAnUnreachableOneIsLeftOut() {
        let clock = ManualWallClock(Date(timeIntervalSince1970: 1_800_000_000))
        let a = InstanceDirectory(name: "a1", address: "http://127.0.0.1:1", signingMaster: SymmetricKey(size: .bits256), clock: clock)
        let accounts = (1...200).map { AccountID(rawValue: Int64($0) * 104_729) }
        #expect(accounts.allSatisfy { a.forwardingAddress(for: $0) == nil })
        a.update([(name: "a2", address: "http://127.0.0.1:2")])
        let forwarded = accounts.filter { a.forwardingAddress(for: $0) != nil }
        #expect(forwarded.count > 50 && forwarded.count < 150)
        #expect(forwarded.allSatisfy { a.forwardingAddress(for: $0)?.address == "http://127.0.0.1:2" })
        a.unreachable("a2")
        #expect(accounts.allSatisfy { a.forwardingAddress(for: $0) == nil })
    }
}
