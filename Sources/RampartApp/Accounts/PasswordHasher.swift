import NIOPosix
import RampartGuard

/// Hashes and checks passwords with bcrypt (``PasswordDigest``), off the request's task:
/// bcrypt is deliberately slow and would otherwise stall the event loop.
public struct PasswordHasher: Sendable {
    public let cost: UInt8
    private let threadPool: NIOThreadPool

    public init(cost: UInt8 = 12, threadPool: NIOThreadPool = .singleton) {
        self.cost = cost
        self.threadPool = threadPool
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await threadPool.runIfActive { PasswordDigest.make(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await threadPool.runIfActive { PasswordDigest.matches(password, digest: hash) }
    }
}
