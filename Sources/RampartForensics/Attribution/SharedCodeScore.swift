import Foundation
import RampartCore
import RampartGuard

/// The shared honey code (``HoneyCode``) against one copy: every account offered the code
/// is scored (``HoneyCodeDecoder``) on the positions it was offered, given which of them the
/// copy holds; those whose score an innocent account would reach with a chance below
/// ``falseAccusation`` are named, the chance bounded over all the accounts scored.
struct SharedCodeScore {
    /// The chance of naming an innocent account that the code accepts (over all accounts).
    static let falseAccusation = 1e-3

    private let biases: [AccountID: Double]
    private let offers: [AccountID: [HoneyCodeOffer]]
    /// Accounts offered the code: each one scored.
    var accounts: Int { offers.count }

    /// `positions`: the honey profiles (those with a bias are the code's); `offers`: every
    /// position offered to an account.
    init(positions: [HoneyProfile], offers: [HoneyCodeOffer]) {
        let biases = Dictionary(positions.compactMap { honey in honey.codeBias.map { (honey.id, $0) } }, uniquingKeysWith: { first, _ in first })
        self.biases = biases
        self.offers = Dictionary(grouping: offers.filter { biases[$0.honey] != nil }, by: \.account)
    }

    /// The accounts the code names, with the evidence; `found` holds the code positions the
    /// copy holds, each with where it was found.
    func accused(found: [AccountID: MirrorAttribution.HoneyFound]) -> [(AccountID, MirrorAttribution.SharedCodeEvidence)] {
        guard !found.isEmpty else { return [] }
        let decoder = HoneyCodeDecoder(accounts: accounts, falseAccusation: Self.falseAccusation)
        return offers.sorted { $0.key.rawValue < $1.key.rawValue }.compactMap { account, offered -> (AccountID, MirrorAttribution.SharedCodeEvidence)? in
            let positions = offered.compactMap { offer in
                biases[offer.honey].map { HoneyCodeDecoder.Position(bias: $0, shown: offer.shown, inCopy: found[offer.honey] != nil) }
            }
            let verdict = decoder.judge(positions)
            guard verdict.accused else { return nil }
            let examples = offered.filter(\.shown).compactMap { found[$0.honey] }.prefix(10)
            return (account, MirrorAttribution.SharedCodeEvidence(verdict: verdict, examples: Array(examples)))
        }
    }
}
