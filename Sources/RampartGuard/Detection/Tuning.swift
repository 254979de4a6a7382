import Foundation

/// The policy in the shape the hot path wants: arrays indexed by signal and scope instead
/// of string-keyed dictionaries. Built once per engine.
struct Tuning: Sendable {
    struct Limit: Sendable {
        var minuteInterval: Double
        var minuteTolerance: Double
        var hourInterval: Double
        var hourTolerance: Double

        init(_ limit: DetectionPolicy.Limit) {
            minuteInterval = 60 / limit.perMinute
            minuteTolerance = minuteInterval * (limit.burst - 1)
            hourInterval = 3_600 / limit.perHour
            // Within the hour a quarter of the hourly allowance may come at once.
            hourTolerance = hourInterval * max(limit.burst - 1, limit.perHour / 4)
        }
    }

    private let scales: [DetectionPolicy.Scale]
    /// The signals that count on a member key (all) and on a shared address, with their scales.
    private let memberSignals: [(DetectionSignal, DetectionPolicy.Scale)]
    private let sharedSignals: [(DetectionSignal, DetectionPolicy.Scale)]
    /// By ``KeyScope`` raw value.
    let limits: [Limit]
    private let shares: [Double]
    private let ladder: DetectionPolicy.Ladder
    private let halfLife: Double

    init(_ policy: DetectionPolicy) {
        scales = DetectionSignal.allCases.map { policy.scale($0) }
        // Signals worth nothing are not measured at all.
        memberSignals = DetectionSignal.allCases.map { ($0, policy.scale($0)) }.filter { $0.1.weight > 0 }
        sharedSignals = memberSignals.filter(\.0.appliesToSharedAddresses)
        let member = Limit(policy.limits.member)
        limits = KeyScope.allCases.map {
            switch $0 {
            case .account, .session, .device, .cluster: member
            case .ip: Limit(policy.limits.ip)
            case .subnet: Limit(policy.limits.subnet)
            }
        }
        shares = KeyScope.allCases.map {
            switch $0 {
            case .account, .session, .device, .cluster: 1
            case .ip: policy.ipRiskShare
            case .subnet: policy.subnetRiskShare
            }
        }
        ladder = policy.ladder
        halfLife = policy.riskHalfLifeHours * 3_600
    }

    func share(_ scope: KeyScope) -> Double { shares[Int(scope.rawValue)] }

    func points(_ signal: DetectionSignal, _ value: Double) -> Double {
        let scale = scales[signalIndex(signal)]
        return scale.level(value) * scale.weight
    }

    /// Risk points from the key's current evidence, 0–100.
    func risk(of activity: KeyActivity, scope: KeyScope) -> Double {
        var total = 0.0
        for (signal, scale) in scope.isShared ? sharedSignals : memberSignals {
            total += scale.level(activity.value(of: signal)) * scale.weight
        }
        return min(100, total)
    }

    func decayed(_ risk: Double, since: Double, now: Double) -> Double {
        guard risk > 0, now > since else { return risk }
        return risk * exp2(-(now - since) / halfLife)
    }

    func rung(for risk: Double) -> Rung {
        if risk >= ladder.suspend { return .suspend }
        if risk >= ladder.degrade { return .degrade }
        if risk >= ladder.throttle { return .throttle }
        if risk >= ladder.challenge { return .challenge }
        return .allow
    }

    /// 1–3 across the degrade band, 0 below it.
    func degradeLevel(for risk: Double) -> Int {
        guard risk >= ladder.degrade else { return 0 }
        let band = max(1, ladder.suspend - ladder.degrade)
        return min(3, 1 + Int(3 * (risk - ladder.degrade) / band))
    }

    private func signalIndex(_ signal: DetectionSignal) -> Int {
        DetectionSignal.allCases.firstIndex(of: signal) ?? 0
    }
}
