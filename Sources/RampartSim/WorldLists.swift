import Foundation

/// The word lists a demo world is built from: names, companies, cities and schools per
/// culture, job families with title ladders and skills, degrees.
///
/// Exported once from Faker and hand-written lists by `tools/export_world_lists.py` into
/// the bundled `Resources/world-lists.json` (sources and licence in `Resources/SOURCES.md`).
/// Every value has passed validation: lists the generator draws from are non-empty.
public struct WorldLists: Decodable, Sendable {
    /// One culture: how its members are named, where they live, work and study.
    public struct Culture: Decodable, Sendable {
        /// Faker locale code, e.g. `zh_CN`.
        public let code: String
        /// Relative share of members.
        public let weight: Double
        /// Country name in English, for the location line.
        public let country: String
        public let phone: Phone
        /// `familyFirst` (王伟, 佐藤 晃) or `givenFirst` (Anna Schmidt).
        public let nameOrder: NameOrder
        /// What goes between the name parts: "" for Chinese, " " otherwise.
        public let nameSeparator: String
        /// Share of members with two family names (Spanish naming).
        public let secondFamilyNameShare: Double
        /// What joins two family names: " " in Spain, "-" in Germany.
        public let familyNameJoiner: String
        public let familyNames: [Name]
        public let givenNames: [Name]
        /// Largest first.
        public let cities: [City]
        public let companies: [String]
        public let universities: [Institution]
        public let hospitals: [Institution]
        public let secondarySchools: [Institution]
        /// Mail hosts for addresses, most used first.
        public let mailHosts: [String]
        /// Languages members of this culture list among their skills.
        public let languages: [String]
    }

    /// The order of a name's parts.
    public enum NameOrder: String, Decodable, Sendable {
        case familyFirst
        case givenFirst
    }

    /// A family or given name in the script people write it in, with its Latin form when
    /// that differs (pinyin, romaji, ASCII without diacritics).
    public struct Name: Decodable, Sendable {
        public let name: String
        public let latin: String?
        public let weight: Double?
    }

    /// A city: English name for the location line, local spelling for institutions.
    public struct City: Decodable, Sendable {
        public let name: String
        public let local: String?
    }

    /// A university, hospital or school and the index of its city in the culture's list.
    public struct Institution: Decodable, Sendable {
        public let name: String
        public let city: Int
        /// For universities: what it mostly teaches (`engineering`, `medicine`, …).
        public let focus: String?
    }

    /// Mobile numbers for a culture: the country code and a national-number template whose
    /// seven `X` places the generator fills in.
    public struct Phone: Decodable, Sendable {
        public let countryCode: String
        public let template: String
    }

    /// Where members of a job family work.
    public enum EmployerKind: String, Decodable, Sendable, CaseIterable {
        case company
        case hospital
        case secondarySchool
        case university
    }

    /// A line of work: a title ladder from junior to senior, the skills it uses and the
    /// fields people in it studied.
    public struct JobFamily: Decodable, Sendable {
        public let name: String
        public let weight: Double
        public let employer: EmployerKind
        /// HR and recruiting: where most recruiter-tier members work.
        public let recruiting: Bool
        public let titles: [String]
        public let skills: [String]
        public let fields: [String]
        /// Families people in this one switch to.
        public let related: [String]
        /// Names of the degrees people in this family hold, when not the general mix.
        public let degrees: [String]?
        /// University focuses people in this family studied at (nil: any).
        public let schoolFocus: [String]?
    }

    /// A degree: its name, how common it is as a highest degree, and its length.
    public struct Degree: Decodable, Sendable {
        public let name: String
        public let weight: Double
        public let years: Int
        /// A fixed field (MBA: Business Administration), else the job family's.
        public let field: String?
    }

    public let cultures: [Culture]
    public let jobFamilies: [JobFamily]
    public let degrees: [Degree]
    public let generalSkills: [String]
    public let leadershipSkills: [String]

    private enum CodingKeys: String, CodingKey {
        case cultures, jobFamilies, degrees, generalSkills, leadershipSkills
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        cultures = try container.decode([Culture].self, forKey: .cultures)
        jobFamilies = try container.decode([JobFamily].self, forKey: .jobFamilies)
        degrees = try container.decode([Degree].self, forKey: .degrees)
        generalSkills = try container.decodeIfPresent([String].self, forKey: .generalSkills) ?? []
        leadershipSkills = try container.decodeIfPresent([String].self, forKey: .leadershipSkills) ?? []
        if let problem = validationProblem() {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "world lists: \(problem)"))
        }
    }

    /// Decodes and validates lists from JSON.
    public init(json: Data) throws {
        self = try JSONDecoder().decode(WorldLists.self, from: json)
    }

    /// The lists bundled with RampartSim.
    public static func bundled() throws -> WorldLists {
        guard let url = Bundle.module.url(forResource: "world-lists", withExtension: "json", subdirectory: "Resources")
        else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "world-lists.json is not in the RampartSim bundle"])
        }
        return try WorldLists(json: Data(contentsOf: url))
    }

    private func validationProblem() -> String? {
        if cultures.isEmpty { return "no cultures" }
        if jobFamilies.isEmpty { return "no job families" }
        if !degrees.contains(where: { $0.weight > 0 }) { return "no degree with a positive weight" }
        if !cultures.contains(where: { $0.weight > 0 }) { return "no culture with a positive weight" }
        if !jobFamilies.contains(where: { $0.weight > 0 }) { return "no job family with a positive weight" }
        for culture in cultures {
            let c = culture.code
            if culture.familyNames.isEmpty || culture.givenNames.isEmpty { return "\(c): no names" }
            if culture.cities.isEmpty { return "\(c): no cities" }
            if culture.companies.isEmpty { return "\(c): no companies" }
            if culture.universities.isEmpty { return "\(c): no universities" }
            if culture.mailHosts.isEmpty { return "\(c): no mail hosts" }
            let cities = 0..<culture.cities.count
            for institution in culture.universities + culture.hospitals + culture.secondarySchools
            where !cities.contains(institution.city) {
                return "\(c): \(institution.name) has no city \(institution.city)"
            }
            let template = culture.phone.template
            if template.filter({ $0 == "X" }).count != 7 || !template.allSatisfy({ $0 == "X" || $0.isASCII && $0.isNumber })
                || !culture.phone.countryCode.allSatisfy({ $0.isASCII && $0.isNumber }) || culture.phone.countryCode.isEmpty
            {
                return "\(c): phone template needs digits and exactly seven X"
            }
        }
        for family in jobFamilies where family.titles.isEmpty || family.skills.isEmpty || family.fields.isEmpty {
            return "\(family.name): needs titles, skills and fields"
        }
        return nil
    }
}
