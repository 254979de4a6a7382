import Foundation
import RampartCore

/// One generated member: phone to register with, profile, tier. The caller assigns the
/// real account ID (the profile carries `AccountID(rawValue: 0)`).
public struct GeneratedMember: Sendable, Hashable {
    /// Position in the world, `0..<members`.
    public let index: Int
    /// A mobile number valid for ``PhoneNumber/init(parsing:)``, unique within the world.
    public let phone: PhoneNumber
    /// Culture code, e.g. `zh_CN`.
    public let culture: String
    public let profile: Profile
    public let tier: Tier
}

/// The grouping keys of a member — where they work(ed), studied and live — without the
/// strings of a full profile: cheap to compute for millions of members. Identifiers are
/// world-wide indices (see ``WorldGenerator/employerName(_:)`` and friends).
public struct MemberKeys: Sendable, Hashable {
    /// Index into ``WorldLists/cultures``.
    public let culture: Int
    /// Global city index.
    public let city: Int
    /// Global school indices, oldest first (one or two).
    public let schools: [Int]
    /// Global employer indices, oldest first; an employer held twice in a row (a promotion)
    /// appears once.
    public let employers: [Int]
    /// Index into ``WorldLists/jobFamilies`` of the current job.
    public let jobFamily: Int
    /// Rung of the current title on its family's ladder (0 = entry level).
    public let seniority: Int
    public let tier: Tier

    /// The current employer.
    public var currentEmployer: Int { employers.last ?? -1 }
}

/// Builds a deterministic, realistic demo world: members with plausible names from several
/// cultures, coherent careers, fitting skills, and a clustered social graph.
///
/// Everything is a pure function of `(seed, index)`: ``member(_:)`` for one index does not
/// depend on any other, so callers can generate in batches, in any order, in parallel.
public struct WorldGenerator: Sendable {
    /// Phones and mail addresses are unique for indices below this.
    public static let maxMembers = 10_000_000
    /// No career date lies after this month; current jobs run to it.
    public static let latestMonth = YearMonth(year: 2026, month: 11)

    /// Number of members, clamped to `0...maxMembers`.
    public let members: Int
    public let seed: UInt64
    public let lists: WorldLists

    let cultureTable: WeightedTable
    let familyTable: WeightedTable
    let degreeTable: WeightedTable
    let bachelorDegree: Int
    let cultureModels: [CultureModel]
    let familyModels: [FamilyModel]
    /// World-wide employers: name, home city (index in its culture's list).
    let employerNames: [String]
    let employerHomeCity: [Int]
    let schoolNames: [String]
    let cityNames: [String]
    let recruiterShareInRecruiting: Double
    let recruiterShareElsewhere: Double

    /// RNG streams: each member has one per purpose so that purposes do not disturb each other.
    enum Stream {
        static let career: UInt64 = 1
        static let details: UInt64 = 2
        static let degree: UInt64 = 3
        static let edges: UInt64 = 4
        static let world: UInt64 = 5
    }

    static let latestAbsoluteMonth = latestMonth.year * 12 + latestMonth.month - 1
    static let premiumShare = 0.10
    static let recruiterShare = 0.02
    /// Share of recruiters who work in HR or recruiting.
    static let recruiterShareFromRecruiting = 0.75

    /// A world of `members` members from `seed` and `lists`.
    public init(members: Int, seed: UInt64, lists: WorldLists) {
        self.members = max(0, min(members, Self.maxMembers))
        self.seed = seed
        self.lists = lists
        cultureTable = WeightedTable(weights: lists.cultures.map(\.weight))
        familyTable = WeightedTable(weights: lists.jobFamilies.map(\.weight))
        degreeTable = WeightedTable(weights: lists.degrees.map(\.weight))
        bachelorDegree = lists.degrees.firstIndex(where: { $0.name.lowercased().hasPrefix("bachelor") }) ?? 0

        // University focuses as small integers, for bit masks.
        var focusIDs: [String: Int] = [:]
        func focusID(_ focus: String?) -> Int {
            let key = focus ?? "general"
            if let id = focusIDs[key] { return id }
            let id = min(63, focusIDs.count)
            focusIDs[key] = id
            return id
        }
        var world = SeededGenerator(seed: seed, stream: Stream.world, index: 0)
        var models: [CultureModel] = []
        var employerNames: [String] = []
        var employerHomeCity: [Int] = []
        var schoolNames: [String] = []
        var cityNames: [String] = []
        for culture in lists.cultures {
            let cities = WeightedTable(zipf: culture.cities.count, exponent: 1.0)
            var bases: [Int] = []
            var pools: [RankedPool] = []
            for kind in WorldLists.EmployerKind.allCases {
                bases.append(employerNames.count)
                switch kind {
                case .company:
                    pools.append(RankedPool(count: culture.companies.count, exponent: 1.05, shuffledWith: &world))
                    for name in culture.companies {
                        employerNames.append(name)
                        employerHomeCity.append(cities.sample(&world))
                    }
                case .hospital, .secondarySchool, .university:
                    let institutions =
                        kind == .hospital
                        ? culture.hospitals : kind == .secondarySchool ? culture.secondarySchools : culture.universities
                    pools.append(RankedPool(count: institutions.count, exponent: 0.8, shuffledWith: &world))
                    for institution in institutions {
                        employerNames.append(institution.name)
                        employerHomeCity.append(institution.city)
                    }
                }
            }
            let schoolBase = schoolNames.count
            schoolNames += culture.universities.map(\.name)
            let cityBase = cityNames.count
            cityNames += culture.cities.map { "\($0.name), \(culture.country)" }
            models.append(
                CultureModel(
                    familyNames: WeightedTable(weights: culture.familyNames.map { $0.weight ?? 1 }),
                    givenNames: WeightedTable(weights: culture.givenNames.map { $0.weight ?? 1 }),
                    cities: cities,
                    universities: RankedPool(count: culture.universities.count, exponent: 0.9, shuffledWith: &world),
                    universityFocus: culture.universities.map { focusID($0.focus) },
                    employerPools: pools, employerBase: bases, schoolBase: schoolBase, cityBase: cityBase,
                    mailHosts: WeightedTable(zipf: culture.mailHosts.count, exponent: 1.1)))
        }
        cultureModels = models
        self.employerNames = employerNames
        self.employerHomeCity = employerHomeCity
        self.schoolNames = schoolNames
        self.cityNames = cityNames

        let familyIndex = Dictionary(
            lists.jobFamilies.enumerated().map { ($0.element.name, $0.offset) }, uniquingKeysWith: { first, _ in first })
        let degreeIndex = Dictionary(
            lists.degrees.enumerated().map { ($0.element.name, $0.offset) }, uniquingKeysWith: { first, _ in first })
        familyModels = lists.jobFamilies.map { family in
            let degrees = (family.degrees ?? []).compactMap { degreeIndex[$0] }
            let focusMask = (family.schoolFocus ?? []).reduce(UInt64(0)) { $0 | UInt64(1) << UInt64(focusID($1)) }
            return FamilyModel(
                kind: WorldLists.EmployerKind.allCases.firstIndex(of: family.employer) ?? 0,
                schoolFocus: focusMask,
                related: family.related.compactMap { familyIndex[$0] },
                degrees: degrees,
                recruiting: family.recruiting)
        }
        let totalWeight = lists.jobFamilies.map { max(0, $0.weight) }.reduce(0, +)
        let recruitingWeight = lists.jobFamilies.filter(\.recruiting).map { max(0, $0.weight) }.reduce(0, +)
        let h = totalWeight > 0 ? recruitingWeight / totalWeight : 0
        if h > 0 && h < 1 {
            let inside = min(0.6, Self.recruiterShare * Self.recruiterShareFromRecruiting / h)
            recruiterShareInRecruiting = inside
            recruiterShareElsewhere = max(0, (Self.recruiterShare - h * inside) / (1 - h))
        } else {
            recruiterShareInRecruiting = Self.recruiterShare
            recruiterShareElsewhere = Self.recruiterShare
        }
    }

    /// A world from the bundled lists.
    public static func load(members: Int, seed: UInt64) throws -> WorldGenerator {
        WorldGenerator(members: members, seed: seed, lists: try WorldLists.bundled())
    }

    // MARK: - Names of world-wide indices

    /// The name of a global employer index (see ``MemberKeys/employers``).
    public func employerName(_ employer: Int) -> String {
        employerNames.indices.contains(employer) ? employerNames[employer] : ""
    }

    /// The name of a global school index.
    public func schoolName(_ school: Int) -> String {
        schoolNames.indices.contains(school) ? schoolNames[school] : ""
    }

    /// "City, Country" for a global city index.
    public func cityName(_ city: Int) -> String {
        cityNames.indices.contains(city) ? cityNames[city] : ""
    }

    /// Number of global employer, school and city indices.
    public var groupCounts: (employers: Int, schools: Int, cities: Int) {
        (employerNames.count, schoolNames.count, cityNames.count)
    }

    // MARK: - Members

    /// The grouping keys of member `index`: the same as its full profile would show.
    public func memberKeys(_ index: Int) -> MemberKeys {
        let skeleton = skeleton(index)
        var employers: [Int] = []
        employers.reserveCapacity(skeleton.jobs.count)
        for job in skeleton.jobs where employers.last != job.employer {
            employers.append(job.employer)
        }
        let current = skeleton.jobs[skeleton.jobs.count - 1]
        return MemberKeys(
            culture: skeleton.culture, city: skeleton.city, schools: skeleton.studies.map(\.school), employers: employers,
            jobFamily: current.family, seniority: current.level, tier: skeleton.tier)
    }

    /// Member `index`: a pure function of the world's seed and `index`.
    public func member(_ index: Int) -> GeneratedMember {
        let skeleton = skeleton(index)
        var r = SeededGenerator(seed: seed, stream: Stream.details, index: index)
        let culture = lists.cultures[skeleton.culture]
        let model = cultureModels[skeleton.culture]

        // Name
        let given = culture.givenNames[model.givenNames.sample(&r)]
        var familyNames = [culture.familyNames[model.familyNames.sample(&r)]]
        if r.chance(culture.secondFamilyNameShare) {
            let second = culture.familyNames[model.familyNames.sample(&r)]
            if second.name != familyNames[0].name { familyNames.append(second) }
        }
        let family = familyNames.map(\.name).joined(separator: culture.familyNameJoiner)
        let name: String
        switch culture.nameOrder {
        case .familyFirst: name = family + culture.nameSeparator + given.name
        case .givenFirst: name = given.name + culture.nameSeparator + family
        }

        // Contact
        let phone = phoneNumber(index, culture: culture)
        let email = emailAddress(
            index, given: given.latin ?? given.name, family: familyNames.map { $0.latin ?? $0.name }.joined(),
            familyFirst: culture.nameOrder == .familyFirst, culture: culture, model: model, r: &r)

        // Career
        let jobs = skeleton.jobs
        let current = jobs[jobs.count - 1]
        let currentFamily = lists.jobFamilies[current.family]
        let headline = currentFamily.titles[current.level]
        let company = employerNames[current.employer]
        var experience: [Experience] = []
        experience.reserveCapacity(jobs.count)
        for job in jobs.reversed() {
            let family = lists.jobFamilies[job.family]
            var description = ""
            if r.chance(0.6) {
                let picked = pick(3, from: family.skills.count, r: &r).map { family.skills[$0] }
                description = "Worked with " + Self.list(picked) + "."
            }
            experience.append(
                Experience(
                    title: family.titles[job.level], company: employerNames[job.employer], start: Self.yearMonth(job.start),
                    end: job.end.map(Self.yearMonth), description: description))
        }
        let education = skeleton.studies.reversed().map { study in
            Education(
                school: schoolNames[study.school], degree: lists.degrees[study.degree].name, field: study.field,
                startYear: study.startYear, endYear: study.endYear)
        }
        let skills = skillList(skeleton, culture: culture, r: &r)
        let about = aboutText(skeleton, r: &r)

        // Privacy
        var privacy = PrivacySettings()
        if r.chance(0.10) {
            let categories: [DataCategory] = [.position, .experience, .education, .skills, .contact, .connections]
            for i in pick(r.between(1, 3), from: categories.count, r: &r) {
                let category = categories[i]
                privacy[category] = category == .contact || r.chance(0.3) ? .onlyMe : .connections
            }
        }
        let publicCard = r.chance(0.3)

        let profile = Profile(
            accountID: AccountID(rawValue: 0), name: name, headline: headline, company: company,
            location: cityNames[skeleton.city], about: about, experience: experience, education: education, skills: skills,
            email: email, contactPhone: phone.e164, privacy: privacy, publicCard: publicCard)
        return GeneratedMember(index: index, phone: phone, culture: culture.code, profile: profile, tier: skeleton.tier)
    }

    // MARK: - Contact details

    /// A bijection of `0..<maxMembers` so numbers do not look sequential.
    private func scrambled(_ index: Int, multiplier: UInt64, salt: UInt64) -> UInt64 {
        let modulus = UInt64(Self.maxMembers)
        let i = UInt64(truncatingIfNeeded: index) % modulus
        return (i &* multiplier &+ (seed ^ salt) % modulus) % modulus
    }

    private func phoneNumber(_ index: Int, culture: WorldLists.Culture) -> PhoneNumber {
        // 7_654_321 is coprime with 10^7, so distinct indices get distinct digits.
        let value = scrambled(index, multiplier: 7_654_321, salt: 0x5048_4F4E_45)
        var digits = Array(String(value))
        digits = Array(repeating: "0", count: max(0, 7 - digits.count)) + digits
        var national = ""
        var next = 0
        for character in culture.phone.template {
            if character == "X", next < digits.count {
                national.append(digits[next])
                next += 1
            } else {
                national.append(character)
            }
        }
        return PhoneNumber(storedE164: "+" + culture.phone.countryCode + national)
    }

    private func emailAddress(
        _ index: Int, given: String, family: String, familyFirst: Bool, culture: WorldLists.Culture, model: CultureModel,
        r: inout SeededGenerator
    ) -> String {
        let g = Self.mailLetters(given)
        let f = Self.mailLetters(family)
        let local: String
        if g.isEmpty || f.isEmpty {
            local = g.isEmpty && f.isEmpty ? "member" : g + f
        } else {
            switch r.below(familyFirst ? 5 : 4) {
            case 0: local = g + "." + f
            case 1: local = g + f
            case 2: local = String(g.prefix(1)) + f
            case 3: local = f + "." + g
            default: local = f + g
            }
        }
        // The number is a bijection of the index: addresses are unique within a world.
        let number = scrambled(index, multiplier: 3_141_593, salt: 0x4D41_494C)
        let host = culture.mailHosts[model.mailHosts.sample(&r)]
        return "\(local)\(number)@\(host)"
    }

    /// Lowercase ASCII letters only.
    static func mailLetters(_ text: String) -> String {
        String(String.UnicodeScalarView(text.lowercased().unicodeScalars.filter { ("a"..."z").contains($0) }))
    }

    // MARK: - Skills and about

    private func skillList(_ skeleton: Skeleton, culture: WorldLists.Culture, r: inout SeededGenerator) -> [String] {
        let total = r.between(5, 15)
        var skills: [String] = []
        var seen = Set<String>()
        func add(_ skill: String) {
            if skills.count < total, seen.insert(skill).inserted { skills.append(skill) }
        }
        // Families held, current first.
        var families: [Int] = []
        for job in skeleton.jobs.reversed() where !families.contains(job.family) {
            families.append(job.family)
        }
        let current = skeleton.jobs[skeleton.jobs.count - 1]
        let extras = r.between(0, 2)
        let earlier = families.count > 1 ? r.between(2, 4) : 0
        let fromCurrent = max(3, total - extras - earlier)
        let currentSkills = lists.jobFamilies[current.family].skills
        for i in pick(fromCurrent, from: currentSkills.count, r: &r) { add(currentSkills[i]) }
        for family in families.dropFirst() {
            let list = lists.jobFamilies[family].skills
            for i in pick(earlier, from: list.count, r: &r) { add(list[i]) }
        }
        if current.level >= lists.jobFamilies[current.family].titles.count - 2, !lists.leadershipSkills.isEmpty,
            r.chance(0.6)
        {
            add(lists.leadershipSkills[r.below(lists.leadershipSkills.count)])
        }
        if !culture.languages.isEmpty, r.chance(0.35) {
            add(culture.languages[0])
            if culture.languages.count > 1, r.chance(0.6) { add(culture.languages[1 + r.below(culture.languages.count - 1)]) }
        }
        var guardCount = 0
        while skills.count < total, !lists.generalSkills.isEmpty, guardCount < 20 {
            add(lists.generalSkills[r.below(lists.generalSkills.count)])
            guardCount += 1
        }
        // Top up from the current family if the general list ran dry.
        for skill in currentSkills where skills.count < 5 { add(skill) }
        return skills
    }

    private func aboutText(_ skeleton: Skeleton, r: inout SeededGenerator) -> String {
        let jobs = skeleton.jobs
        let current = jobs[jobs.count - 1]
        let family = lists.jobFamilies[current.family]
        let title = family.titles[current.level]
        let company = employerNames[current.employer]
        let years = max(1, skeleton.careerMonths / 12)
        let span = years == 1 ? "one year" : "\(years) years"
        var text: String
        switch r.below(3) {
        case 0: text = "\(title) at \(company) with \(span) of experience in \(family.name)."
        case 1: text = Self.sentence("\(family.name) professional with \(span) of experience, currently \(title) at \(company)")
        default: text = Self.sentence("\(span.prefix(1).uppercased() + span.dropFirst()) in \(family.name); now \(title) at \(company)")
        }
        if r.chance(0.7) {
            if let previous = jobs.dropLast().last(where: { $0.employer != current.employer }) {
                let previousTitle = lists.jobFamilies[previous.family].titles[previous.level]
                text += " " + Self.sentence("Previously \(previousTitle) at \(employerNames[previous.employer])")
            } else if let study = skeleton.studies.last {
                text += " " + Self.sentence("Studied \(study.field) at \(schoolNames[study.school])")
            }
        }
        return text
    }

    /// Up to `count` distinct indices of `0..<size`, in random order.
    private func pick(_ count: Int, from size: Int, r: inout SeededGenerator) -> [Int] {
        let k = min(count, size)
        guard k > 0 else { return [] }
        var pool = Array(0..<size)
        for i in 0..<k {
            pool.swapAt(i, i + r.below(size - i))
        }
        return Array(pool[0..<k])
    }

    /// Ends `text` with one full stop ("… S.A." stays "… S.A.").
    static func sentence(_ text: String) -> String {
        text.hasSuffix(".") ? text : text + "."
    }

    static func list(_ items: [String]) -> String {
        switch items.count {
        case 0: return ""
        case 1: return items[0]
        default: return items.dropLast().joined(separator: ", ") + " and " + (items.last ?? "")
        }
    }

    static func yearMonth(_ absoluteMonth: Int) -> YearMonth {
        YearMonth(year: absoluteMonth / 12, month: absoluteMonth % 12 + 1)
    }
}

struct CultureModel: Sendable {
    let familyNames: WeightedTable
    let givenNames: WeightedTable
    /// By size rank (the lists are largest first).
    let cities: WeightedTable
    let universities: RankedPool
    /// Focus ID of each university.
    let universityFocus: [Int]
    /// Per ``WorldLists/EmployerKind`` (in `allCases` order).
    let employerPools: [RankedPool]
    /// Global employer index of each kind's first entry.
    let employerBase: [Int]
    let schoolBase: Int
    let cityBase: Int
    let mailHosts: WeightedTable
}

struct FamilyModel: Sendable {
    /// Employer kind index.
    let kind: Int
    /// Bit mask of university focus IDs people in this family studied at; 0: any.
    let schoolFocus: UInt64
    let related: [Int]
    /// Degree indices people in this family hold; empty: the general mix.
    let degrees: [Int]
    let recruiting: Bool
}
