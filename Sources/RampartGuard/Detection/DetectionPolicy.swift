import Foundation

/// The detection engine's tuning, the `detection` section of the policy file: the rungs of
/// the response ladder, the hard rate limits per key, and for every signal where it starts
/// to count, where it counts in full, and how many risk points it is worth.
public struct DetectionPolicy: Sendable, Codable, Equatable {
    /// Risk (0–100) at which each rung of the ladder begins.
    public struct Ladder: Sendable, Codable, Equatable {
        public var challenge: Double
        public var throttle: Double
        public var degrade: Double
        public var suspend: Double
        /// After a passed challenge, the next one comes only when risk has risen this much.
        public var rechallengeMargin: Double
        /// Requests per minute an account on the throttle rung may still make.
        public var throttledPerMinute: Double

        public init(
            challenge: Double = 30, throttle: Double = 50, degrade: Double = 65, suspend: Double = 90, rechallengeMargin: Double = 15,
            throttledPerMinute: Double = 4
        ) {
            self.challenge = challenge
            self.throttle = throttle
            self.degrade = degrade
            self.suspend = suspend
            self.rechallengeMargin = rechallengeMargin
            self.throttledPerMinute = throttledPerMinute
        }
    }

    /// A hard GCRA limit: past it a request is throttled whatever the risk.
    public struct Limit: Sendable, Codable, Equatable {
        public var perMinute: Double
        public var perHour: Double
        /// Requests allowed at once above the steady rate.
        public var burst: Double

        public init(perMinute: Double, perHour: Double, burst: Double) {
            self.perMinute = perMinute
            self.perHour = perHour
            self.burst = burst
        }
    }

    public struct Limits: Sendable, Codable, Equatable {
        /// Per account, per session and per device.
        public var member: Limit
        /// Per IP address (an office or a carrier puts many people behind one).
        public var ip: Limit
        /// Per /24 (IPv4) or /64 (IPv6).
        public var subnet: Limit

        public init(
            member: Limit = Limit(perMinute: 60, perHour: 1_200, burst: 20),
            ip: Limit = Limit(perMinute: 600, perHour: 12_000, burst: 100),
            subnet: Limit = Limit(perMinute: 1_500, perHour: 30_000, burst: 300)
        ) {
            self.member = member
            self.ip = ip
            self.subnet = subnet
        }
    }

    /// One signal's scale: below `start` it is silent, at `full` and beyond it adds all of
    /// its `weight` to the risk, linearly in between.
    public struct Scale: Sendable, Codable, Equatable {
        public var start: Double
        public var full: Double
        public var weight: Double

        public init(start: Double, full: Double, weight: Double) {
            self.start = start
            self.full = full
            self.weight = weight
        }

        /// How strongly the signal is present, 0…1.
        @inlinable
        public func level(_ value: Double) -> Double {
            guard value > start else { return 0 }
            guard full > start else { return 1 }
            return min(1, (value - start) / (full - start))
        }
    }

    /// What the server does with the engine's decisions.
    public enum Mode: String, Sendable, Codable {
        /// Act on them: challenge, throttle, degrade, suspend.
        case enforce
        /// Shadow mode for tuning: record every decision above "allow" in the ledger, act on none.
        case record
        /// Do not run the engine (SMS limits and operators' suspensions still hold).
        case off
    }

    public var mode: Mode
    public var ladder: Ladder
    public var limits: Limits
    /// Keyed by ``DetectionSignal`` raw values; a signal missing here takes its default.
    public var signals: [String: Scale]
    /// How fast risk falls back once the evidence stops: it halves every this many hours.
    public var riskHalfLifeHours: Double
    /// Share of an IP address's and a subnet's risk that falls on each request from it.
    public var ipRiskShare: Double
    public var subnetRiskShare: Double
    /// Keys (accounts, sessions, devices, IPs, subnets) kept in memory; the least recently
    /// seen are forgotten first.
    public var maxTrackedKeys: Int
    public var sms: SMSLimits

    public init(
        mode: Mode = .enforce, ladder: Ladder = Ladder(), limits: Limits = Limits(), signals: [String: Scale] = DetectionSignal.defaultScales,
        riskHalfLifeHours: Double = 12, ipRiskShare: Double = 0.5, subnetRiskShare: Double = 0.25, maxTrackedKeys: Int = 1_000_000,
        sms: SMSLimits = SMSLimits()
    ) {
        self.mode = mode
        self.ladder = ladder
        self.limits = limits
        self.signals = signals
        self.riskHalfLifeHours = riskHalfLifeHours
        self.ipRiskShare = ipRiskShare
        self.subnetRiskShare = subnetRiskShare
        self.maxTrackedKeys = maxTrackedKeys
        self.sms = sms
    }

    private enum CodingKeys: String, CodingKey {
        case mode, ladder, limits, signals, riskHalfLifeHours, ipRiskShare, subnetRiskShare, maxTrackedKeys, sms
    }

    /// Every field is optional in the file: what is missing takes the shipped default.
    public init(from decoder: any Decoder) throws {
        let defaults = DetectionPolicy()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        mode = try container.decodeIfPresent(Mode.self, forKey: .mode) ?? defaults.mode
        ladder = try container.decodeIfPresent(Ladder.self, forKey: .ladder) ?? defaults.ladder
        limits = try container.decodeIfPresent(Limits.self, forKey: .limits) ?? defaults.limits
        signals = defaults.signals.merging(try container.decodeIfPresent([String: Scale].self, forKey: .signals) ?? [:]) { $1 }
        riskHalfLifeHours = try container.decodeIfPresent(Double.self, forKey: .riskHalfLifeHours) ?? defaults.riskHalfLifeHours
        ipRiskShare = try container.decodeIfPresent(Double.self, forKey: .ipRiskShare) ?? defaults.ipRiskShare
        subnetRiskShare = try container.decodeIfPresent(Double.self, forKey: .subnetRiskShare) ?? defaults.subnetRiskShare
        maxTrackedKeys = try container.decodeIfPresent(Int.self, forKey: .maxTrackedKeys) ?? defaults.maxTrackedKeys
        sms = try container.decodeIfPresent(SMSLimits.self, forKey: .sms) ?? defaults.sms
    }

    /// The problems with these values, as `field: reason` messages (empty when fine).
    public func problems() -> [String] {
        var problems: [String] = []
        let rungs = [ladder.challenge, ladder.throttle, ladder.degrade, ladder.suspend]
        if !(rungs.allSatisfy { $0 > 0 && $0.isFinite }) || rungs != rungs.sorted() {
            problems.append("detection.ladder: challenge ≤ throttle ≤ degrade ≤ suspend, all > 0")
        }
        if !(ladder.rechallengeMargin >= 0) || !(ladder.throttledPerMinute > 0) {
            problems.append("detection.ladder: rechallengeMargin ≥ 0 and throttledPerMinute > 0")
        }
        for (name, limit) in [("member", limits.member), ("ip", limits.ip), ("subnet", limits.subnet)]
        where !(limit.perMinute > 0 && limit.perHour > 0 && limit.burst >= 1) {
            problems.append("detection.limits.\(name): perMinute and perHour > 0, burst ≥ 1")
        }
        for key in signals.keys.sorted() where DetectionSignal(rawValue: key) == nil {
            problems.append("detection.signals: unknown signal \(key)")
        }
        for (key, scale) in signals.sorted(by: { $0.key < $1.key })
        where !(scale.start >= 0 && scale.full >= scale.start && scale.weight >= 0 && scale.full.isFinite && scale.weight.isFinite) {
            problems.append("detection.signals.\(key): 0 ≤ start ≤ full and weight ≥ 0")
        }
        if !(riskHalfLifeHours > 0 && riskHalfLifeHours <= 24 * 90) { problems.append("detection.riskHalfLifeHours must be > 0") }
        if !((0...1).contains(ipRiskShare) && (0...1).contains(subnetRiskShare)) {
            problems.append("detection.ipRiskShare and subnetRiskShare must be between 0 and 1")
        }
        if !(1_000...50_000_000).contains(maxTrackedKeys) { problems.append("detection.maxTrackedKeys must be between 1,000 and 50,000,000") }
        problems += sms.problems()
        return problems
    }

    /// The scale for one signal (the default when the file leaves it out).
    public func scale(_ signal: DetectionSignal) -> Scale {
        signals[signal.rawValue] ?? DetectionSignal.defaultScales[signal.rawValue] ?? Scale(start: 0, full: 1, weight: 0)
    }
}

/// Limits on sending verification codes by SMS: each message costs money, and SMS-pumping
/// fraud sends thousands to premium numbers in one block.
public struct SMSLimits: Sendable, Codable, Equatable {
    public var perPhonePerHour: Int
    public var perIPPerHour: Int
    public var perSubnetPerHour: Int
    /// Numbers that agree in all but their last `blockDigits` digits form one block.
    public var perBlockPerHour: Int
    public var blockDigits: Int
    /// Registrations from one subnet within an hour past which the new accounts start with
    /// the `registrationBurst` signal.
    public var registrationBurstPerSubnetPerHour: Int

    public init(
        perPhonePerHour: Int = 5, perIPPerHour: Int = 20, perSubnetPerHour: Int = 60, perBlockPerHour: Int = 20, blockDigits: Int = 3,
        registrationBurstPerSubnetPerHour: Int = 5
    ) {
        self.perPhonePerHour = perPhonePerHour
        self.perIPPerHour = perIPPerHour
        self.perSubnetPerHour = perSubnetPerHour
        self.perBlockPerHour = perBlockPerHour
        self.blockDigits = blockDigits
        self.registrationBurstPerSubnetPerHour = registrationBurstPerSubnetPerHour
    }

    func problems() -> [String] {
        var problems: [String] = []
        if ![perPhonePerHour, perIPPerHour, perSubnetPerHour, perBlockPerHour, registrationBurstPerSubnetPerHour].allSatisfy({ $0 >= 1 }) {
            problems.append("detection.sms: every limit must be ≥ 1")
        }
        if !(1...6).contains(blockDigits) { problems.append("detection.sms.blockDigits must be between 1 and 6") }
        return problems
    }
}
