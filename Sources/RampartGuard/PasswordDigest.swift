import HummingbirdBcrypt

/// bcrypt password digests: pure and deliberately slow (run them off the request's task;
/// the application's `PasswordHasher` does). Wraps HummingbirdBcrypt, a C implementation
/// with no HTTP in it, so the layers above need not import it.
public enum PasswordDigest {
    /// A new salted digest of `password` at `cost` (log2 rounds).
    public static func make(_ password: String, cost: UInt8) -> String {
        Bcrypt.hash(password, cost: cost)
    }

    /// Whether `password` matches `digest` (false for a malformed digest).
    public static func matches(_ password: String, digest: String) -> Bool {
        Bcrypt.verify(password, hash: digest)
    }
}
