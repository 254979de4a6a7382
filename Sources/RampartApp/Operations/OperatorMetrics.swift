import Foundation
import Metrics
import RampartCore
import RampartEvidence
import RampartGuard
import RampartLedger

/// What trust & safety and SRE watch, beyond HTTP counts: the Guard's decisions, budgets,
/// misuse, held registrations, SMS, identity links, appeals and the evidence ledger. Every
/// label takes a value from a closed list (a rung, a signal, a tier, a kind), so a scraper
/// cannot grow the label set; every series is created at zero when the server starts, so
/// a dashboard sees each one before its first event. `docs/grafana/rampart-operations.json`
/// charts them (a test checks that each metric it names is exported).
public struct OperatorMetrics: Sendable {
    /// Every metric family, as Prometheus exports it.
    public static let names = [
        "rampart_guard_decisions_total", "rampart_budget_events_total", "rampart_misuse_signals_total",
        "rampart_registrations_held_total", "rampart_sms_total", "rampart_identity_changes_total", "rampart_appeals_total",
        "rampart_ledger_appends_total", "rampart_evidence_batch_records", "rampart_evidence_commit_seconds",
        "rampart_ledger_tree_heads_signed_total", "rampart_peer_observations_total", "rampart_honey_pool_unassigned",
    ]

    /// A budget event: a response that carried a warning, or a request refused for a spent budget.
    public enum BudgetEvent: String, Sendable, CaseIterable {
        case warning, refused
    }

    /// What became of the detection observations instances sharing a database exchange
    /// (``PeerSync``): published for the others, absorbed from them, or dropped because the
    /// journal was full between two syncs (a sign the sync is failing or far too slow).
    public enum PeerObservationFlow: String, Sendable, CaseIterable {
        case published, absorbed, dropped
    }

    /// What an SMS attempt came to: sent, refused by the per-number or per-address limits,
    /// or failed at the gateway.
    public enum SMSOutcome: String, Sendable, CaseIterable {
        case sent, refused, failed
    }

    /// A change to the identity graph: accounts linked as one person by the evidence, or
    /// by an operator's merge; a link an operator separated.
    public enum IdentityChange: String, Sendable, CaseIterable {
        case linked, merged, separated
    }

    /// An appeal opened by a member, or resolved by an operator.
    public enum AppealEvent: String, Sendable, CaseIterable {
        case opened, accepted, rejected
    }

    /// What a decision did, as the ledger names it (``EnforcementEntry``): an escalation that
    /// still allows is "allow".
    static let decisionNames = ["challenge", "throttle", "degrade", "suspend", "allow"]
    /// The top signal of a decision without an explanation.
    static let noSignal = "none"
    static let smsPurposes = VerificationChallenge.Purpose.allCases.map(\.rawValue)

    /// A series of a two-label family, found without building a string per event.
    private struct Pair: Hashable {
        var first: String
        var second: String
    }

    private let decisions: [Pair: Counter]
    private let budgets: [BudgetEvent: [Tier: Counter]]
    private let misuse: [MisuseSignal.Kind: Counter]
    private let held: [Bool: Counter]
    private let sms: [Pair: Counter]
    private let identity: [IdentityChange: Counter]
    private let appeals: [AppealEvent: Counter]
    private let appends: [String: Counter]
    private let batchRecords: Recorder
    private let commitSeconds: Timer
    private let treeHeads: Counter
    private let peerObservations: [PeerObservationFlow: Counter]
    private let honeyPool: Gauge

    /// Creates (and so exports at zero) every series.
    public init(factory: any MetricsFactory) {
        func counter(_ name: String, _ dimensions: [(String, String)] = []) -> Counter {
            Counter(label: name, dimensions: dimensions, factory: factory)
        }
        var decisions: [Pair: Counter] = [:]
        for rung in Self.decisionNames {
            for signal in DetectionSignal.allCases.map(\.rawValue) + [Self.noSignal] {
                decisions[Pair(first: rung, second: signal)] = counter("rampart_guard_decisions_total", [("rung", rung), ("signal", signal)])
            }
        }
        self.decisions = decisions
        budgets = Dictionary(uniqueKeysWithValues: BudgetEvent.allCases.map { event in
            (event, Dictionary(uniqueKeysWithValues: Tier.allCases.map { tier in
                (tier, counter("rampart_budget_events_total", [("event", event.rawValue), ("tier", tier.rawValue)]))
            }))
        })
        misuse = Dictionary(uniqueKeysWithValues: MisuseSignal.Kind.allCases.map { ($0, counter("rampart_misuse_signals_total", [("kind", $0.rawValue)])) })
        held = [false: counter("rampart_registrations_held_total", [("verdict", "hold")]), true: counter("rampart_registrations_held_total", [("verdict", "stop")])]
        var sms: [Pair: Counter] = [:]
        for purpose in Self.smsPurposes {
            for outcome in SMSOutcome.allCases {
                sms[Pair(first: purpose, second: outcome.rawValue)] = counter("rampart_sms_total", [("purpose", purpose), ("outcome", outcome.rawValue)])
            }
        }
        self.sms = sms
        identity = Dictionary(uniqueKeysWithValues: IdentityChange.allCases.map { ($0, counter("rampart_identity_changes_total", [("change", $0.rawValue)])) })
        appeals = Dictionary(uniqueKeysWithValues: AppealEvent.allCases.map { ($0, counter("rampart_appeals_total", [("event", $0.rawValue)])) })
        appends = Dictionary(uniqueKeysWithValues: LedgerEntryKind.allCases.map { ($0.rawValue, counter("rampart_ledger_appends_total", [("kind", $0.rawValue)])) })
        batchRecords = Recorder(label: "rampart_evidence_batch_records", dimensions: [], aggregate: true, factory: factory)
        commitSeconds = Timer(label: "rampart_evidence_commit_seconds", dimensions: [], factory: factory)
        treeHeads = counter("rampart_ledger_tree_heads_signed_total")
        honeyPool = Gauge(label: "rampart_honey_pool_unassigned", dimensions: [], factory: factory)
        peerObservations = Dictionary(
            uniqueKeysWithValues: PeerObservationFlow.allCases.map { ($0, counter("rampart_peer_observations_total", [("flow", $0.rawValue)])) })
    }

    /// Metrics that go nowhere (tests, CLI commands).
    public static let disabled = OperatorMetrics(factory: NOOPMetricsHandler.instance)

    /// A noteworthy decision, by what it did (the ledger's name: challenge, throttle, degrade,
    /// suspend) and its strongest signal.
    public func decided(_ decision: GuardDecision) {
        let rung = EnforcementEntry.name(of: decision)
        let signal = decision.explanation?.readings.first?.signal.rawValue ?? Self.noSignal
        decisions[Pair(first: rung, second: signal)]?.increment()
    }

    public func budget(_ event: BudgetEvent, tier: Tier) {
        budgets[event]?[tier]?.increment()
    }

    public func misuse(_ kind: MisuseSignal.Kind) {
        misuse[kind]?.increment()
    }

    /// A registration linked to a suspended account (ban evasion): held for review by medium
    /// evidence, or stopped by strong evidence.
    public func registrationHeld(stopped: Bool) {
        held[stopped]?.increment()
    }

    public func sms(purpose: String, _ outcome: SMSOutcome) {
        sms[Pair(first: purpose, second: outcome.rawValue)]?.increment()
    }

    public func identity(_ change: IdentityChange, count: Int = 1) {
        guard count > 0 else { return }
        identity[change]?.increment(by: count)
    }

    public func appeal(_ event: AppealEvent) {
        appeals[event]?.increment()
    }

    /// One committed evidence batch: its ledger entries by kind, its size and how long the
    /// store took.
    public func committed(_ commit: EvidenceCommit) {
        for kind in commit.ledgerKinds { appends[kind]?.increment() }
        batchRecords.record(commit.records)
        commitSeconds.recordNanoseconds(commit.duration.nanoseconds)
    }

    public func treeHeadSigned() {
        treeHeads.increment()
    }

    /// Honey profiles left to give to suspect accounts (``HoneyPool``): when it runs low,
    /// new suspects get none — mint more (`rampart honey mint`).
    public func honeyPoolUnassigned(_ count: Int) {
        honeyPool.record(count)
    }

    public func peerObservations(_ flow: PeerObservationFlow, count: Int) {
        guard count > 0 else { return }
        peerObservations[flow]?.increment(by: count)
    }
}

extension Duration {
    /// The whole duration in nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : scaled + attoseconds / 1_000_000_000
    }
}
