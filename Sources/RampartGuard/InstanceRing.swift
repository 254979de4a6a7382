/// Which of several instances owns an account's Guard state (its detection evidence, its
/// place on the response ladder): rendezvous hashing over the live instances' names. Every
/// instance that sees the same live set names the same owner; when one leaves or joins,
/// only the accounts it owned (or comes to own) move.
public enum InstanceRing {
    /// The owner of `account` among `instances` (nil when there are none).
    public static func owner(of account: Int64, among instances: [String]) -> String? {
        instances.max { weight(account, $0) < weight(account, $1) }
    }

    static func weight(_ account: Int64, _ instance: String) -> UInt64 {
        StableHash.combine(StableHash.of(instance), UInt64(bitPattern: account))
    }
}
