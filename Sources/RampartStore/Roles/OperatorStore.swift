import Foundation
import RampartCore

/// The console's operators (``ConsoleOperator``): created from the command line, read at sign-in.
public protocol OperatorStore: Sendable {
    /// Adds an operator; ``StoreError/duplicate`` if the name is taken.
    func createOperator(_ consoleOperator: ConsoleOperator) async throws
    func consoleOperator(named name: String) async throws -> ConsoleOperator?
    /// Records `step` as the operator's last accepted TOTP step; false if it (or a later one)
    /// was accepted before, so a code works once.
    func claimOperatorTOTPStep(name: String, step: Int64) async throws -> Bool
}
