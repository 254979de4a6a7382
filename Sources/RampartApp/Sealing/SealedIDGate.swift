import Foundation
import RampartCore
import RampartGuard

/// Opens the sealed IDs that come back in requests, for one viewer, and turns every
/// refusal into a misuse signal. Whatever went wrong, the caller only learns "no".
///
/// A profile link sealed for someone else opens (`acceptShared`) while the member has
/// shared-link allowance left and is not under suspicion; it is recorded either way,
/// because the pair of accounts is a link between them.
public struct SealedIDGate: Sendable {
    public let codec: any IDCodec
    public let signals: MisuseRecorder

    public init(codec: any IDCodec, signals: MisuseRecorder) {
        self.codec = codec
        self.signals = signals
    }

    /// The ID inside `token`, or nil (after recording why) when this viewer may not use it.
    public func open(
        _ token: String, as kind: IDKind, for requester: Requester, acceptShared: Bool = false
    ) async -> Int64? {
        let account = requester.id
        do {
            return try codec.open(token, as: kind, for: account)
        } catch .foreign(let sealed) {
            let use = signals.foreignIDs.use(
                sealed.rawValue, issuedTo: sealed.issuedTo?.rawValue, by: account.rawValue, asSharedLink: acceptShared, at: codec.now())
            await signals.record(
                .foreignID, by: requester, client: requester.client, related: sealed.issuedTo, linksTheTwo: use.linksTheTwo,
                detail: "\(Self.name(kind)) sealed for another account" + (use.opens ? ", opened as a shared link" : ", refused"),
                countsAsMisuse: false)
            return use.opens ? sealed.rawValue : nil
        } catch .expired(let sealed) {
            if sealed.issuedTo != account {
                let use = signals.foreignIDs.use(
                    sealed.rawValue, issuedTo: sealed.issuedTo?.rawValue, by: account.rawValue, asSharedLink: false, at: codec.now())
                await signals.record(
                    .foreignID, by: requester, client: requester.client, related: sealed.issuedTo, linksTheTwo: use.linksTheTwo,
                    detail: "expired \(Self.name(kind)) sealed for another account")
            }
            await signals.record(.expiredID, by: requester, client: requester.client, detail: "expired \(Self.name(kind))", countsAsMisuse: false)
            return nil
        } catch {
            await signals.record(.forgedID, by: requester, client: requester.client, detail: "\(Self.name(kind)) that does not open (\(error))")
            return nil
        }
    }

    static func name(_ kind: IDKind) -> String {
        switch kind {
        case .account: "account ID"
        case .session: "session ID"
        case .registration: "registration ID"
        case .deviceConfirmation: "device confirmation ID"
        case .profile: "profile link"
        case .photo: "photo link"
        case .invitation: "invitation ID"
        case .searchCursor: "page cursor"
        }
    }
}
