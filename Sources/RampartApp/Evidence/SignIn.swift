import RampartCore

/// Who signed in (or registered, accepted an agreement, passed a step-up): the account and
/// its phone, the session and device if there is one, the client. The part the sign-in
/// kinds of ledger entry share, encoded here once.
struct SignIn: Sendable {
    var account: Account
    /// Nil when no session was opened (a refused login).
    var session: Session?
    var client: ClientInfo

    init(_ account: Account, session: Session?, client: ClientInfo) {
        self.account = account
        self.session = session
        self.client = client
    }

    var fields: [String: String] {
        var fields = ["account": String(account.id.rawValue), "phone": account.phone.e164]
        fields["session"] = session.map { String($0.id.rawValue) }
        fields["sessionKind"] = session?.kind.rawValue
        fields["device"] = session?.deviceHash
        fields["ip"] = client.ip
        fields["userAgent"] = client.userAgent
        return fields
    }

    /// The sign-in's fields and the Service Agreement version it accepted.
    func fields(accepting agreement: Agreement) -> [String: String] {
        var fields = fields
        fields["agreementVersion"] = String(agreement.version)
        fields["agreementSha256"] = agreement.sha256
        return fields
    }
}
