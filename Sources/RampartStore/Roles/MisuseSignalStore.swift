import Foundation
import RampartCore

/// Misuse signals (foreign or stale sealed IDs, bad request signatures): the misuse recorder.
public protocol MisuseSignalStore: Sendable {
    func recordSignal(_ signal: MisuseSignal) async throws
    /// Signals sent by an account or naming it as the owner of a foreign ID, newest first.
    func signals(involving account: AccountID, limit: Int) async throws -> [MisuseSignal]
}
