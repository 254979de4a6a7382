import RampartCore
import RampartEvidence
import RampartLedger

/// The ledger's record of a member reaching out to a honey profile (an invitation): only
/// an account the Guard suspected was ever shown one, so reaching out to it is evidence
/// of what that account took, and of someone testing which cards are real. Recorded, not
/// refused: the answer is the one any invitation gets.
struct HoneyContactEntry: EvidenceEntry {
    static let kind = LedgerEntryKind.misuse

    var sender: AccountID
    var honey: AccountID
    var invitation: InvitationID
    var session: SessionID?
    var client: ClientInfo

    var fields: [String: String] {
        var fields = [
            "decision": "recorded", "signal": "honey_invitation", "viewer": String(sender.rawValue), "honey": String(honey.rawValue),
            "invitation": String(invitation.rawValue),
        ]
        fields["session"] = session.map { String($0.rawValue) }
        fields["ip"] = client.ip
        fields["userAgent"] = client.userAgent
        return fields
    }
}
