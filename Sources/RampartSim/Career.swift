import Foundation
import RampartCore

/// One position in a generated career. Months are absolute (`year * 12 + month - 1`).
struct Job: Sendable {
    var family: Int
    var level: Int
    /// Global employer index.
    var employer: Int
    var start: Int
    /// Nil for the current job.
    var end: Int?
}

/// One degree in a generated career.
struct Study: Sendable {
    /// Global school index.
    var school: Int
    var degree: Int
    var field: String
    var startYear: Int
    var endYear: Int
}

/// Everything numeric about a member: culture, city, studies, jobs, tier. Drawn from the
/// member's career stream only, so ``WorldGenerator/memberKeys(_:)`` and
/// ``WorldGenerator/member(_:)`` agree without building strings.
struct Skeleton: Sendable {
    var culture: Int
    /// Global city index.
    var city: Int
    /// Oldest first.
    var studies: [Study]
    /// Oldest first; never empty; the last has `end == nil`.
    var jobs: [Job]
    var tier: Tier
    var careerMonths: Int
}

extension WorldGenerator {
    func skeleton(_ index: Int) -> Skeleton {
        var r = SeededGenerator(seed: seed, stream: Stream.career, index: index)
        let cultureIndex = cultureTable.sample(&r)
        let culture = cultureModels[cultureIndex]
        var family = familyTable.sample(&r)

        // Length of the career: 1.5 to 34.5 years, young people more common.
        let u = r.unit()
        let careerMonths = 18 + Int(u * u * 396)
        let now = Self.latestAbsoluteMonth
        let firstStart = now - careerMonths

        // Education, all of it before the first job (graduation in June).
        let firstModel = familyModels[family]
        let topDegree =
            firstModel.degrees.isEmpty ? degreeTable.sample(&r) : firstModel.degrees[r.below(firstModel.degrees.count)]
        let degree = lists.degrees[topDegree]
        let fields = lists.jobFamilies[family].fields
        var graduation = firstStart % 12 + 1 >= 8 ? firstStart / 12 : firstStart / 12 - 1
        if r.chance(0.15) { graduation -= 1 }
        let topSchool = culture.schoolBase + pickSchool(culture: culture, focus: firstModel.schoolFocus, r: &r)
        let topField = degree.field ?? fields[r.below(fields.count)]
        let topStart = graduation - max(1, degree.years)
        var studies: [Study] = []
        // A bachelor's comes first unless this is the bachelor's, or a long first degree (MD).
        let needsBachelor = topDegree != bachelorDegree && degree.years < 6
        if needsBachelor {
            let school =
                r.chance(0.45) ? topSchool : culture.schoolBase + pickSchool(culture: culture, focus: firstModel.schoolFocus, r: &r)
            let field = degree.field != nil || !r.chance(0.7) ? fields[r.below(fields.count)] : topField
            let years = max(1, lists.degrees[bachelorDegree].years)
            studies.append(
                Study(school: school, degree: bachelorDegree, field: field, startYear: topStart - years, endYear: topStart))
        }
        studies.append(Study(school: topSchool, degree: topDegree, field: topField, startYear: topStart, endYear: graduation))

        // Positions: 2 to 6, more for longer careers; each at least 3 months; sometimes a
        // gap between them; the last runs to now.
        var count = Int((1 + Double(careerMonths) / 38 + (r.unit() * 2 - 1)).rounded())
        count = max(2, min(6, count, careerMonths / 6))
        let span = careerMonths + 1
        var gaps = [Int](repeating: 0, count: count)
        for k in 1..<count where r.chance(0.25) {
            gaps[k] = r.between(1, 5)
        }
        var budget = span - gaps.reduce(0, +)
        if budget < 4 * count {
            gaps = [Int](repeating: 0, count: count)
            budget = span
        }
        var weights: [Double] = []
        weights.reserveCapacity(count)
        for _ in 0..<count { weights.append(0.4 + r.unit()) }
        let weightSum = weights.reduce(0, +)
        let free = budget - 3 * count

        // Seniority: a rung every `perLevel` years, helped by a graduate degree; the top
        // rung of long ladders is for the few who lead.
        let perLevel = 2.6 + r.unit() * 2.0
        let bonus = needsBachelor ? Double(degree.years) * 0.5 : 0
        let minimumLevel = degree.name == "PhD" ? 1 : 0
        let leads = r.chance(0.3)
        var jobs: [Job] = []
        jobs.reserveCapacity(count)
        var start = firstStart
        var used = 0
        var levelInFamily = -1
        var switched = false
        var penalty = 0
        for k in 0..<count {
            let months = k == count - 1 ? budget - used : 3 + Int(Double(free) * weights[k] / weightSum)
            used += months
            if k > 0 {
                start += gaps[k]
                let related = familyModels[family].related
                if !switched, !related.isEmpty, r.chance(0.12) {
                    family = related[r.below(related.count)]
                    switched = true
                    penalty = 1
                    levelInFamily = max(0, jobs[k - 1].level - 1)
                }
            }
            let model = familyModels[family]
            let top = lists.jobFamilies[family].titles.count - 1
            let cap = leads || top < 3 ? top : top - 1
            let years = Double(start - firstStart) / 12 + bonus
            let target = max(minimumLevel, Int(years / perLevel + (r.unit() - 0.5) * 0.8) - penalty)
            let level = max(0, min(max(target, levelInFamily), cap))
            levelInFamily = level

            var employer: Int
            if let previous = jobs.last, previous.family == family, level > previous.level, r.chance(0.4) {
                employer = previous.employer  // promoted in place
            } else {
                employer = pickEmployer(kind: model.kind, culture: culture, r: &r)
                var tries = 0
                while employer == jobs.last?.employer, tries < 4 {
                    employer = pickEmployer(kind: model.kind, culture: culture, r: &r)
                    tries += 1
                }
            }
            let end: Int? = k == count - 1 ? nil : start + months - 1
            jobs.append(Job(family: family, level: level, employer: employer, start: start, end: end))
            start += months
        }

        // Where they live: mostly where their employer is.
        let current = jobs[jobs.count - 1]
        let localCity = r.chance(0.75) ? employerHomeCity[current.employer] : culture.cities.sample(&r)

        // Tier: recruiters mostly in HR and recruiting.
        let recruiterShare =
            familyModels[current.family].recruiting ? recruiterShareInRecruiting : recruiterShareElsewhere
        let t = r.unit()
        let tier: Tier = t < recruiterShare ? .recruiter : t < recruiterShare + Self.premiumShare ? .premium : .free

        return Skeleton(
            culture: cultureIndex, city: culture.cityBase + localCity, studies: studies, jobs: jobs, tier: tier,
            careerMonths: careerMonths)
    }

    /// A university of the culture, preferring the family's focuses (a few tries).
    private func pickSchool(culture: CultureModel, focus: UInt64, r: inout SeededGenerator) -> Int {
        var school = culture.universities.sample(&r)
        guard focus != 0 else { return school }
        var tries = 0
        while focus & (UInt64(1) << UInt64(culture.universityFocus[school])) == 0, tries < 12 {
            school = culture.universities.sample(&r)
            tries += 1
        }
        return school
    }

    private func pickEmployer(kind: Int, culture: CultureModel, r: inout SeededGenerator) -> Int {
        let usable = culture.employerPools.indices.contains(kind) && !culture.employerPools[kind].isEmpty ? kind : 0
        return culture.employerBase[usable] + culture.employerPools[usable].sample(&r)
    }
}
