import RampartCore
import RampartSim
import Testing

@Suite("A seeded world is reproducible")
struct WorldDeterminismTests {
    @Test("the same seed gives identical members")
    func sameSeedSameMembers() throws {
        let a = try WorldFixture.world(members: 500, seed: 7)
        let b = try WorldFixture.world(members: 500, seed: 7)
        for index in 0..<500 {
            #expect(a.member(index) == b.member(index))
        }
    }

    @Test("the same seed gives identical connections")
    func sameSeedSameEdges() throws {
        let a = try WorldFixture.world(members: 3_000, seed: 7).connections()
        let b = try WorldFixture.world(members: 3_000, seed: 7).connections()
        #expect(a.count == b.count)
        #expect(a.elementsEqual(b, by: { $0 == $1 }))
    }

    @Test("a member does not depend on the other members or the order of generation")
    func memberIsIndependentOfOthers() throws {
        let small = try WorldFixture.world(members: 10, seed: 99)
        let large = try WorldFixture.world(members: 100_000, seed: 99)
        let late = large.member(77_777)
        for index in stride(from: 0, to: 10, by: 1).reversed() {
            #expect(small.member(index) == large.member(index))
        }
        #expect(large.member(77_777) == late)
    }

    @Test("member keys agree with the full profile")
    func keysMatchProfile() throws {
        let world = try WorldFixture.world(members: 300)
        for index in 0..<300 {
            let member = world.member(index)
            let keys = world.memberKeys(index)
            #expect(world.cityName(keys.city) == member.profile.location)
            #expect(world.employerName(keys.currentEmployer) == member.profile.company)
            #expect(Set(keys.employers.map(world.employerName)) == Set(member.profile.experience.map(\.company)))
            #expect(Set(keys.schools.map(world.schoolName)) == Set(member.profile.education.map(\.school)))
            #expect(keys.tier == member.tier)
        }
    }

    @Test("different seeds give different worlds")
    func differentSeedsDiffer() throws {
        let a = try WorldFixture.world(members: 2_000, seed: 1)
        let b = try WorldFixture.world(members: 2_000, seed: 2)
        let differing = (0..<200).filter { a.member($0).profile != b.member($0).profile }.count
        #expect(differing > 190)
        let edgesA = a.connections()
        let edgesB = b.connections()
        #expect(!edgesA.elementsEqual(edgesB, by: { $0 == $1 }))
    }
}
