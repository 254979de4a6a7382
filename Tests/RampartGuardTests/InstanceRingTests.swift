import RampartGuard
import Testing

/// Rendezvous hashing of accounts over instances: every instance names the same owner, the
/// accounts spread, and when one instance leaves only the accounts it owned move.
@Suite struct InstanceRingTests {
    @Test func onlyTheLeavingInstancesAccountsMove() throws {
        let accounts = (1...3_000).map { Int64($0) * 7_919 }
        let three = ["a1", "a2", "a3"]
        let before = accounts.map { InstanceRing.owner(of: $0, among: three) }
        #expect(before == accounts.map { InstanceRing.owner(of: $0, among: three.reversed()) })
        for name in three { #expect(before.filter { $0 == name }.count > 800) }
        let after = accounts.map { InstanceRing.owner(of: $0, among: ["a1", "a3"]) }
        for (old, new) in zip(before, after) {
            if old != "a2" { #expect(new == old) } else { #expect(new != "a2") }
        }
        #expect(InstanceRing.owner(of: 1, among: []) == nil)
    }
}
