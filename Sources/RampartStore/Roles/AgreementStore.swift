import Foundation
import RampartCore

/// The versioned service agreement and its acceptances: the account service and `rampart agreement`.
public protocol AgreementStore: Sendable {
    func currentAgreement() async throws -> Agreement?
    func agreement(version: Int) async throws -> Agreement?
    /// Publishes `text` as the next version, unless it is identical to the current one, in
    /// which case the current one is returned unchanged.
    func publishAgreement(text: String, sha256: String, at date: Date) async throws -> Agreement
    func recordAcceptance(_ acceptance: AgreementAcceptance) async throws
    func acceptances(of account: AccountID) async throws -> [AgreementAcceptance]
    /// The newest agreement version the account accepted (0 if none).
    func acceptedAgreementVersion(of account: AccountID) async throws -> Int
}
