import Foundation

/// What the engine remembers about one key (an account, a session, a device, an IP address,
/// a subnet): a fixed-size record of decaying counters, so memory per key is constant and
/// every update is O(1). Times are seconds since the reference date. A field added here is
/// added to ``AccountStanding`` too (its size test fails until it is).
struct KeyActivity {
    /// Time constants of the decaying counters: at a steady rate r, a counter with time
    /// constant τ settles at r·τ, so "per minute/hour/day" counters read as counts.
    static let minute = 60.0
    static let hour = 3_600.0
    static let day = 86_400.0
    /// Gaps longer than this are pauses between visits, not the rhythm of a visit.
    static let longestGap = 600.0

    var updatedAt = 0.0
    // Rates.
    var perMinute: Float = 0
    var perHour: Float = 0
    var perDay: Float = 0
    // Per-hour counters.
    var limitHits: Float = 0
    var profileViews: Float = 0
    var outsideViews: Float = 0
    var orphanViews: Float = 0
    var newProfilesHour: Float = 0
    /// Members seen for the first time in 24 hours, in any form (profiles, cards, lists).
    var reachHour: Float = 0
    var sequentialPages: Float = 0
    var listsWalked: Float = 0
    var forgedForwarding: Float = 0
    var registrations: Float = 0
    // Per-day counters.
    var newProfilesDay: Float = 0
    var reachDay: Float = 0
    var misuse: Float = 0
    // Inter-arrival times (exponentially weighted mean and variance).
    var gapMean: Float = 0
    var gapVariance: Float = 0
    var gaps: UInt16 = 0
    // Navigation.
    var lastListAt = -Double.infinity
    var lastSearchPage: Int16 = -1
    var pagesWithoutAssets: UInt16 = 0
    var sawAsset = false
    var fingerprintAnomalies: UInt8 = 0
    var registrationBurst = false
    // Exposure-budget pressure: hours with a refusal (decays per day), and bit i of the day
    // mask set when warned or refused i days before `lastBudgetDay`.
    var budgetRefusals: Float = 0
    var lastRefusalHour: Int32 = -1
    var budgetDayMask: UInt8 = 0
    var lastBudgetDay: Int32 = 0
    // Daily rhythm: bit i set when active i hours before `lastHour`.
    var hourMask: UInt64 = 0
    var lastHour: Int32 = 0
    // Risk and the ladder.
    var risk: Float = 0
    var riskAt = 0.0
    var passedChallengeAtRisk: Float = -1
    var rung: Rung = .allow
    var suspended = false
    // GCRA theoretical arrival times for the hard limits (per minute, per hour).
    var minuteArrival = 0.0
    var hourArrival = 0.0
    var throttledArrival = 0.0
    var smsArrival = 0.0
    // Recently opened profiles (low 32 bits of a hash), to count distinct ones.
    var recentTargets = RecentTargets()

    /// Whether forgetting this key loses nothing that protects anyone: no risk, no rung above
    /// allow, no suspension, no SMS sent, no misuse, hard-limit hits, registrations or
    /// budget refusals on record.
    var isExpendable: Bool {
        risk < 1 && rung == .allow && !suspended && smsArrival == 0 && misuse < 0.5 && limitHits < 0.5 && registrations < 0.5
            && budgetRefusals < 0.5 && !registrationBurst
    }

    /// Decays every counter to `now`.
    mutating func decay(to now: Double) {
        let elapsed = now - updatedAt
        guard elapsed > 0 else { return }
        updatedAt = now
        let seconds = Float(min(elapsed, 30 * Self.day))
        let minuteFactor = expf(-seconds / Float(Self.minute))
        let hourFactor = expf(-seconds / Float(Self.hour))
        let dayFactor = expf(-seconds / Float(Self.day))
        perMinute *= minuteFactor
        perHour *= hourFactor
        limitHits *= hourFactor
        profileViews *= hourFactor
        outsideViews *= hourFactor
        orphanViews *= hourFactor
        newProfilesHour *= hourFactor
        reachHour *= hourFactor
        sequentialPages *= hourFactor
        listsWalked *= hourFactor
        forgedForwarding *= hourFactor
        registrations *= hourFactor
        perDay *= dayFactor
        newProfilesDay *= dayFactor
        reachDay *= dayFactor
        misuse *= dayFactor
        budgetRefusals *= dayFactor
    }

    /// Notes where the exposure budget stood for a request at `now`: a refusal counts once
    /// per hour (five clicks at the limit are one), warnings and refusals mark the day.
    mutating func noteBudget(_ budget: GuardEvent.BudgetPressure, at now: Double) {
        let day = Int32(clamping: Int64((now / Self.day).rounded(.down)))
        let shift = Int64(day) - Int64(lastBudgetDay)
        if shift > 0 {
            budgetDayMask = shift >= 8 ? 0 : budgetDayMask << UInt8(shift)
            lastBudgetDay = day
        }
        guard budget != .none else { return }
        if budget != .paused { budgetDayMask |= 1 }
        let hour = Int32(clamping: Int64((now / Self.hour).rounded(.down)))
        if budget == .exhausted || budget == .paused, hour != lastRefusalHour {
            lastRefusalHour = hour
            budgetRefusals += 1
        }
    }

    /// Days of the last seven marked by ``noteBudget(_:at:)``, as of `updatedAt`.
    var budgetDays: Int {
        let idle = Int64((updatedAt / Self.day).rounded(.down)) - Int64(lastBudgetDay)
        guard idle < 7 else { return 0 }
        return ((budgetDayMask << UInt8(max(0, idle))) & 0x7F).nonzeroBitCount
    }

    /// Counts a request at `now`: rates, inter-arrival time since `previous` (nil: not
    /// measured), hour of activity.
    mutating func countRequest(at now: Double, previous: Double?) {
        perMinute += 1
        perHour += 1
        perDay += 1
        if let previous, case let gap = now - previous, previous > 0, gap >= 0, gap <= Self.longestGap {
            let gap = Float(gap)
            if gaps == 0 {
                gapMean = gap
                gapVariance = 0
            } else {
                // Exponentially weighted, about the last 20 gaps.
                let alpha: Float = 0.1
                let deviation = gap - gapMean
                gapMean += alpha * deviation
                gapVariance = (1 - alpha) * (gapVariance + alpha * deviation * deviation)
            }
            if gaps < .max { gaps += 1 }
        }
        let hour = Int32(clamping: Int64((now / Self.hour).rounded(.down)))
        let shift = Int64(hour) - Int64(lastHour)
        if shift > 0 {
            hourMask = shift >= 64 ? 0 : hourMask << UInt64(shift)
            lastHour = hour
        }
        hourMask |= 1
    }

    /// Burstiness B = (σ − μ)/(σ + μ) of the inter-arrival times: −1 perfectly regular,
    /// 0 random (Poisson), toward +1 bursty, as people are. Nil until there are enough gaps.
    var burstiness: Double? {
        guard gaps >= 20 else { return nil }
        let sigma = Double(gapVariance).squareRoot()
        let mu = Double(gapMean)
        guard sigma + mu > 0 else { return -1 }
        return (sigma - mu) / (sigma + mu)
    }

    /// Hours of the last 24 with any activity.
    var activeHours: Int { (hourMask & 0xFF_FFFF).nonzeroBitCount }

    /// The measured value of a signal, on the scale its policy uses.
    func value(of signal: DetectionSignal) -> Double {
        switch signal {
        case .burstRate: return Double(perMinute)
        case .hourlyRate: return Double(perHour)
        case .dailyRate: return Double(perDay)
        case .rateLimitHits: return Double(limitHits)
        case .regularTiming: return burstiness.map { -$0 } ?? 0
        case .hourlyBreadth: return Double(newProfilesHour)
        case .dailyBreadth: return Double(newProfilesDay)
        case .hourlyReach: return Double(reachHour)
        case .dailyReach: return Double(reachDay)
        case .outOfNetwork: return profileViews >= 20 ? Double(outsideViews / profileViews) : 0
        case .searchPaging: return Double(sequentialPages)
        case .listWalking: return Double(listsWalked)
        case .roundTheClock: return Double(activeHours)
        case .detailWithoutList: return profileViews >= 10 ? Double(orphanViews / profileViews) : 0
        case .pagesWithoutAssets: return sawAsset ? 0 : Double(pagesWithoutAssets)
        case .clientFingerprint: return Double(fingerprintAnomalies)
        case .forgedForwarding: return Double(forgedForwarding)
        case .sealedIDMisuse: return Double(misuse)
        case .registrationBurst: return registrationBurst ? 1 : 0
        case .budgetRefusals: return Double(budgetRefusals)
        case .budgetDays: return Double(budgetDays)
        }
    }
}

/// A tiny ring of recently opened profiles, to tell a new profile from a revisit without
/// keeping a set per key.
struct RecentTargets {
    static let capacity = 16
    private var slots = InlineArray<16, UInt32>(repeating: 0)
    private var next = 0

    init() {}

    /// As ``contents`` gave them (``AccountStanding``).
    init(contents: [UInt32], next: Int) {
        for (index, tag) in contents.prefix(Self.capacity).enumerated() { slots[index] = tag }
        self.next = next % Self.capacity
    }

    /// The remembered tags and where the next goes.
    var contents: ([UInt32], Int) { ((0..<Self.capacity).map { slots[$0] }, next) }

    /// Remembers `target`; true when it was not among the last 16 remembered.
    mutating func insert(_ target: Int64) -> Bool {
        // 0 marks an empty slot.
        let tag = UInt32(truncatingIfNeeded: StableHash.combine(UInt64(bitPattern: target), 0x9E37_79B9)) | 1
        for index in slots.indices where slots[index] == tag { return false }
        slots[next] = tag
        next = (next + 1) % slots.count
        return true
    }
}
