/// An account's evidence in the detection engine (its ``KeyActivity``: decaying counters,
/// rung, suspension, challenge passed, recent targets) as bytes, for an account whose
/// state moves to another instance sharing the database: saved by the instance that owned
/// it (``DetectionEngine/standing(ofAccount:)``), taken up by the next owner
/// (``DetectionEngine/adopt(account:standing:)``). Every field is written by name order in
/// fixed width (little endian) behind a version byte; bytes of another version or length
/// are refused, never half read.
enum AccountStanding {
    static let version: UInt8 = 1

    static func encode(_ activity: KeyActivity) -> [UInt8] {
        var writer = LittleEndianWriter()
        writer.put(version)
        let a = activity
        for value in [a.updatedAt, a.lastListAt, a.riskAt, a.minuteArrival, a.hourArrival, a.throttledArrival, a.smsArrival] {
            writer.put(value.bitPattern)
        }
        for value in [
            a.perMinute, a.perHour, a.perDay, a.limitHits, a.profileViews, a.outsideViews, a.orphanViews, a.newProfilesHour, a.reachHour,
            a.sequentialPages, a.listsWalked, a.forgedForwarding, a.registrations, a.newProfilesDay, a.reachDay, a.misuse, a.gapMean,
            a.gapVariance, a.budgetRefusals, a.risk, a.passedChallengeAtRisk,
        ] {
            writer.put(value.bitPattern)
        }
        for value in [a.lastRefusalHour, a.lastBudgetDay, a.lastHour] { writer.put(value) }
        writer.put(a.hourMask)
        writer.put(a.gaps)
        writer.put(a.lastSearchPage)
        writer.put(a.pagesWithoutAssets)
        for byte: UInt8 in [
            a.sawAsset ? 1 : 0, a.fingerprintAnomalies, a.registrationBurst ? 1 : 0, a.budgetDayMask, a.rung.rawValue, a.suspended ? 1 : 0,
        ] {
            writer.put(byte)
        }
        let (targets, next) = a.recentTargets.contents
        for target in targets { writer.put(target) }
        writer.put(UInt8(next))
        return writer.bytes
    }

    static func decode(_ bytes: [UInt8]) -> KeyActivity? {
        guard bytes.count == encodedSize, bytes.first == version else { return nil }
        var reader = LittleEndianReader(bytes, from: 1)
        // The length is checked: every read below finds its bytes.
        func double() -> Double { Double(bitPattern: reader.read() ?? 0) }
        func float() -> Float { Float(bitPattern: reader.read() ?? 0) }
        func integer<Value: FixedWidthInteger>() -> Value { reader.read() ?? 0 }
        var a = KeyActivity()
        a.updatedAt = double()
        a.lastListAt = double()
        a.riskAt = double()
        a.minuteArrival = double()
        a.hourArrival = double()
        a.throttledArrival = double()
        a.smsArrival = double()
        a.perMinute = float()
        a.perHour = float()
        a.perDay = float()
        a.limitHits = float()
        a.profileViews = float()
        a.outsideViews = float()
        a.orphanViews = float()
        a.newProfilesHour = float()
        a.reachHour = float()
        a.sequentialPages = float()
        a.listsWalked = float()
        a.forgedForwarding = float()
        a.registrations = float()
        a.newProfilesDay = float()
        a.reachDay = float()
        a.misuse = float()
        a.gapMean = float()
        a.gapVariance = float()
        a.budgetRefusals = float()
        a.risk = float()
        a.passedChallengeAtRisk = float()
        a.lastRefusalHour = integer()
        a.lastBudgetDay = integer()
        a.lastHour = integer()
        a.hourMask = integer()
        a.gaps = integer()
        a.lastSearchPage = integer()
        a.pagesWithoutAssets = integer()
        a.sawAsset = integer() as UInt8 != 0
        a.fingerprintAnomalies = integer()
        a.registrationBurst = integer() as UInt8 != 0
        a.budgetDayMask = integer()
        guard let rung = Rung(rawValue: integer()) else { return nil }
        a.rung = rung
        a.suspended = integer() as UInt8 != 0
        let targets: [UInt32] = (0..<RecentTargets.capacity).map { _ in integer() }
        let next = Int(integer() as UInt8)
        guard next < RecentTargets.capacity else { return nil }
        a.recentTargets = RecentTargets(contents: targets, next: next)
        return a
    }

    /// 1 + 7 doubles + 21 floats + 3 Int32 + a UInt64 + 3 UInt16 + 6 bytes + the targets and their cursor.
    static let encodedSize = 1 + 7 * 8 + 21 * 4 + 3 * 4 + 8 + 3 * 2 + 6 + RecentTargets.capacity * 4 + 1
}
