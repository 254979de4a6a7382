import RampartCore
import RampartSim
import Testing

@Suite("Generated members look like real professionals")
struct GeneratedMemberTests {
    @Test("phones are valid mobile numbers and unique over 20,000 members, and so are emails")
    func phonesUniqueAndValid() throws {
        let world = try WorldFixture.world(members: 20_000)
        var phones = Set<String>()
        var emails = Set<String>()
        for index in 0..<20_000 {
            let member = world.member(index)
            let parsed = try PhoneNumber(parsing: member.phone.e164)
            #expect(parsed == member.phone)
            #expect(member.profile.contactPhone == member.phone.e164)
            phones.insert(member.phone.e164)
            if let email = member.profile.email {
                #expect(email.contains("@"))
                #expect(email.allSatisfy { $0.isASCII })
                emails.insert(email)
            }
        }
        #expect(phones.count == 20_000)
        #expect(emails.count == 20_000)
    }

    @Test("phones stay valid and distinct at the top of the index range")
    func phonesAtHighIndices() throws {
        let world = try WorldFixture.world(members: WorldGenerator.maxMembers)
        let indices = Array(WorldGenerator.maxMembers - 2_000..<WorldGenerator.maxMembers) + Array(0..<2_000)
        var phones = Set<String>()
        for index in indices {
            let phone = world.member(index).phone
            _ = try PhoneNumber(parsing: phone.e164)
            phones.insert(phone.e164)
        }
        #expect(phones.count == indices.count)
    }

    @Test("experiences are newest first, never overlap, and end by 2026-11 with the current job open")
    func experiencesOrderedWithoutOverlap() throws {
        let world = try WorldFixture.world(members: 3_000)
        for index in 0..<3_000 {
            let profile = world.member(index).profile
            let jobs = profile.experience
            #expect((2...6).contains(jobs.count))
            #expect(jobs.first?.end == nil)
            #expect(jobs.dropFirst().allSatisfy { $0.end != nil })
            #expect(profile.headline == jobs.first?.title)
            #expect(profile.company == jobs.first?.company)
            for job in jobs {
                #expect(job.start <= WorldGenerator.latestMonth)
                if let end = job.end {
                    #expect(job.start <= end)
                    #expect(end <= WorldGenerator.latestMonth)
                }
            }
            for (newer, older) in zip(jobs, jobs.dropFirst()) {
                guard let olderEnd = older.end else { continue }
                #expect(olderEnd < newer.start, "member \(index): \(older.title) overlaps \(newer.title)")
            }
        }
    }

    @Test("titles move up the ladder within a job family")
    func titlesProgressWithinFamily() throws {
        let world = try WorldFixture.world(members: 3_000)
        let ladder = WorldFixture.ladderPositions(world.lists)
        var promotions = 0
        var switches = 0
        for index in 0..<3_000 {
            let chronological = world.member(index).profile.experience.reversed()
            var highest: [Int: Int] = [:]
            var families: [Int] = []
            for job in chronological {
                let position = try #require(ladder[job.title], "unknown title \(job.title)")
                if let before = highest[position.family] {
                    #expect(position.level >= before, "member \(index) went down in \(job.title)")
                    if position.level > before { promotions += 1 }
                }
                highest[position.family] = position.level
                if families.last != position.family { families.append(position.family) }
            }
            // A family, once left, is not returned to.
            #expect(Set(families).count == families.count)
            switches += families.count - 1
        }
        #expect(promotions > 3_000)
        #expect(switches > 100)
    }

    @Test("education ends before the first job starts")
    func educationBeforeFirstJob() throws {
        let world = try WorldFixture.world(members: 3_000)
        for index in 0..<3_000 {
            let profile = world.member(index).profile
            #expect((1...2).contains(profile.education.count))
            let firstJob = try #require(profile.experience.last)
            for study in profile.education {
                #expect(study.startYear < study.endYear)
                #expect(YearMonth(year: study.endYear, month: 6) < firstJob.start)
            }
            if profile.education.count == 2 {
                #expect(profile.education[1].endYear <= profile.education[0].startYear)
            }
        }
    }

    @Test("skills are present and fit the job families held")
    func skillsFitTheJobs() throws {
        let world = try WorldFixture.world(members: 2_000)
        let ladder = WorldFixture.ladderPositions(world.lists)
        let lists = world.lists
        let general = Set(lists.generalSkills + lists.leadershipSkills + lists.cultures.flatMap(\.languages))
        for index in 0..<2_000 {
            let profile = world.member(index).profile
            #expect((5...15).contains(profile.skills.count))
            #expect(Set(profile.skills).count == profile.skills.count)
            let families = profile.experience.compactMap { ladder[$0.title]?.family }
            let fitting = Set(families.flatMap { lists.jobFamilies[$0].skills })
            for skill in profile.skills {
                #expect(fitting.contains(skill) || general.contains(skill), "\(skill) does not fit \(profile.headline)")
            }
            #expect(profile.skills.filter(fitting.contains).count >= 3)
        }
    }

    @Test("profiles carry a name, location, about text and mostly default privacy")
    func profileFields() throws {
        let world = try WorldFixture.world(members: 5_000)
        var restricted = 0
        var publicCards = 0
        for index in 0..<5_000 {
            let profile = world.member(index).profile
            #expect(!profile.name.isEmpty)
            #expect(profile.location.contains(", "))
            #expect(profile.about.contains(profile.headline))
            #expect(profile.accountID == AccountID(rawValue: 0))
            if !profile.privacy.audiences.isEmpty { restricted += 1 }
            if profile.publicCard { publicCards += 1 }
        }
        #expect((300...700).contains(restricted))
        #expect((1_250...1_750).contains(publicCards))
    }

    @Test("some Chinese members are named in Chinese characters")
    func chineseNamesInHanzi() throws {
        let world = try WorldFixture.world(members: 2_000)
        let chinese = (0..<2_000).map(world.member).filter { $0.culture == "zh_CN" }
        #expect(chinese.count > 400)
        let hanzi = chinese.filter { member in
            member.profile.name.unicodeScalars.allSatisfy { (0x4E00...0x9FFF).contains($0.value) }
        }
        #expect(hanzi.count == chinese.count)
        #expect(Set(hanzi.map(\.profile.name)).count > 200)
        #expect(chinese.allSatisfy { $0.phone.e164.hasPrefix("+86") })
    }

    @Test("several cultures appear in roughly their weights")
    func culturesMixed() throws {
        let world = try WorldFixture.world(members: 5_000)
        var counts: [String: Int] = [:]
        for index in 0..<5_000 { counts[world.member(index).culture, default: 0] += 1 }
        let total = world.lists.cultures.map(\.weight).reduce(0, +)
        for culture in world.lists.cultures {
            let expected = 5_000 * culture.weight / total
            let seen = Double(counts[culture.code] ?? 0)
            #expect(abs(seen - expected) < expected * 0.2 + 20, "\(culture.code): \(seen) vs \(expected)")
        }
    }

    @Test("tiers follow the weights and recruiters mostly work in recruiting")
    func tiersMatchWeights() throws {
        let world = try WorldFixture.world(members: 20_000)
        var counts: [Tier: Int] = [:]
        var recruitersInRecruiting = 0
        for index in 0..<20_000 {
            let keys = world.memberKeys(index)
            counts[keys.tier, default: 0] += 1
            if keys.tier == .recruiter, world.lists.jobFamilies[keys.jobFamily].recruiting { recruitersInRecruiting += 1 }
        }
        let free = counts[.free] ?? 0
        let premium = counts[.premium] ?? 0
        let recruiter = counts[.recruiter] ?? 0
        #expect((17_200...18_000).contains(free))
        #expect((1_700...2_300).contains(premium))
        #expect((280...520).contains(recruiter))
        #expect(Double(recruitersInRecruiting) > 0.5 * Double(recruiter))
    }

    @Test("big employers and schools recur across many members")
    func employersRecur() throws {
        let world = try WorldFixture.world(members: 10_000)
        var employees: [Int: Int] = [:]
        var alumni: [Int: Int] = [:]
        for index in 0..<10_000 {
            let keys = world.memberKeys(index)
            for employer in keys.employers { employees[employer, default: 0] += 1 }
            for school in keys.schools { alumni[school, default: 0] += 1 }
        }
        let biggest = employees.values.max() ?? 0
        #expect(biggest > 200)
        #expect(WorldFixture.median(Array(employees.values)) < biggest / 10)
        #expect((alumni.values.max() ?? 0) > 100)
    }
}
