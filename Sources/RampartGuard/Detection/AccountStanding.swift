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
        var writer = Writer()
        writer.bytes.append(version)
        let a = activity
        for value in [a.updatedAt, a.lastListAt, a.riskAt, a.minuteArrival, a.hourArrival, a.throttledArrival, a.smsArrival] {
            writer.put(value.bitPattern)
        }
        for value in [
            a.perMinute, a.perHour, a.perDay, a.limitHits, a.profileViews, a.outsideViews, a.orphanViews, a.newProfilesHour, a.reachHour,
            a.sequentialPages, a.listsWalked, a.forgedForwarding, a.registrations, a.newProfilesDay, a.reachDay, a.misuse, a.gapMean,
            a.gapVariance, a.budgetRefusals, a.risk, a.passedChallengeAtRisk,
        ] {
            writer.put32(value.bitPattern)
        }
        for value in [a.lastRefusalHour, a.lastBudgetDay, a.lastHour] { writer.put32(UInt32(bitPattern: value)) }
        writer.put(a.hourMask)
        writer.put16(a.gaps)
        writer.put16(UInt16(bitPattern: a.lastSearchPage))
        writer.put16(a.pagesWithoutAssets)
        writer.bytes += [
            a.sawAsset ? 1 : 0, a.fingerprintAnomalies, a.registrationBurst ? 1 : 0, a.budgetDayMask, a.rung.rawValue, a.suspended ? 1 : 0,
        ]
        let (targets, next) = a.recentTargets.contents
        for target in targets { writer.put32(target) }
        writer.bytes.append(UInt8(next))
        return writer.bytes
    }

    static func decode(_ bytes: [UInt8]) -> KeyActivity? {
        guard bytes.count == encodedSize, bytes.first == version else { return nil }
        var reader = Reader(bytes: bytes, position: 1)
        var a = KeyActivity()
        a.updatedAt = Double(bitPattern: reader.word())
        a.lastListAt = Double(bitPattern: reader.word())
        a.riskAt = Double(bitPattern: reader.word())
        a.minuteArrival = Double(bitPattern: reader.word())
        a.hourArrival = Double(bitPattern: reader.word())
        a.throttledArrival = Double(bitPattern: reader.word())
        a.smsArrival = Double(bitPattern: reader.word())
        func float() -> Float { Float(bitPattern: reader.word32()) }
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
        a.lastRefusalHour = Int32(bitPattern: reader.word32())
        a.lastBudgetDay = Int32(bitPattern: reader.word32())
        a.lastHour = Int32(bitPattern: reader.word32())
        a.hourMask = reader.word()
        a.gaps = reader.word16()
        a.lastSearchPage = Int16(bitPattern: reader.word16())
        a.pagesWithoutAssets = reader.word16()
        a.sawAsset = reader.byte() != 0
        a.fingerprintAnomalies = reader.byte()
        a.registrationBurst = reader.byte() != 0
        a.budgetDayMask = reader.byte()
        guard let rung = Rung(rawValue: reader.byte()) else { return nil }
        a.rung = rung
        a.suspended = reader.byte() != 0
        var targets: [UInt32] = []
        for _ in 0..<RecentTargets.capacity { targets.append(reader.word32()) }
        let next = Int(reader.byte())
        guard next < RecentTargets.capacity else { return nil }
        a.recentTargets = RecentTargets(contents: targets, next: next)
        return a
    }

    /// 1 + 7 doubles + 21 floats + 3 Int32 + a UInt64 + 3 UInt16 + 6 bytes + the targets and their cursor.
    static let encodedSize = 1 + 7 * 8 + 21 * 4 + 3 * 4 + 8 + 3 * 2 + 6 + RecentTargets.capacity * 4 + 1

    private struct Writer {
        var bytes: [UInt8] = []
        mutating func put(_ word: UInt64) { for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) } }
        mutating func put32(_ word: UInt32) { for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt32(shift))) } }
        mutating func put16(_ word: UInt16) { bytes += [UInt8(truncatingIfNeeded: word), UInt8(truncatingIfNeeded: word >> 8)] }
    }

    /// Reads fixed-width fields; the caller checked the length first.
    private struct Reader {
        let bytes: [UInt8]
        var position: Int
        mutating func byte() -> UInt8 {
            defer { position += 1 }
            return bytes[position]
        }
        mutating func word() -> UInt64 {
            var word: UInt64 = 0
            for index in 0..<8 { word |= UInt64(bytes[position + index]) << UInt64(8 * index) }
            position += 8
            return word
        }
        mutating func word32() -> UInt32 {
            var word: UInt32 = 0
            for index in 0..<4 { word |= UInt32(bytes[position + index]) << UInt32(8 * index) }
            position += 4
            return word
        }
        mutating func word16() -> UInt16 {
            defer { position += 2 }
            return UInt16(bytes[position]) | UInt16(bytes[position + 1]) << 8
        }
    }
}
