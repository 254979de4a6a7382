import Foundation
import RampartCore

/// The world a simulation runs in: the demo world's members (their employer, schools and
/// tier) and their connections, as compact arrays. Deterministic from the seed.
public struct SimWorld: Sendable {
    public let members: Int
    /// The generator's seed (the same members and honey for the same seed).
    public let seed: UInt64
    /// Current employer per member (-1 for none).
    let employer: [Int32]
    /// First school per member (-1 for none).
    let school: [Int32]
    let tier: [Tier]
    /// Members by current employer, and by first school.
    let staff: [Int32: [Int32]]
    let alumni: [Int32: [Int32]]
    /// Connections, both directions, as CSR: member i's are `neighbours[offsets[i]..<offsets[i+1]]`.
    let offsets: [Int32]
    let neighbours: [Int32]

    public init(members: Int, seed: UInt64, progress: (String, Int, Int) -> Void = { _, _, _ in }) throws {
        let generator = try WorldGenerator.load(members: members, seed: seed)
        self.members = members
        self.seed = seed
        var employer = [Int32](repeating: -1, count: members)
        var school = [Int32](repeating: -1, count: members)
        var tier = [Tier](repeating: .free, count: members)
        for index in 0..<members {
            let keys = generator.memberKeys(index)
            employer[index] = Int32(keys.currentEmployer)
            school[index] = Int32(keys.schools.first ?? -1)
            tier[index] = keys.tier
            if index % 10_000 == 0 { progress("members", index, members) }
        }
        progress("members", members, members)
        let upper = generator.upperAdjacency { progress("graph", $0, members) }
        var degree = [Int32](repeating: 0, count: members + 1)
        upper.forEach { degree[$0] += 1; degree[$1] += 1 }
        var offsets = [Int32](repeating: 0, count: members + 1)
        for index in 0..<members { offsets[index + 1] = offsets[index] + degree[index] }
        var fill = offsets
        var neighbours = [Int32](repeating: 0, count: Int(offsets[members]))
        upper.forEach { a, b in
            neighbours[Int(fill[a])] = Int32(b)
            fill[a] += 1
            neighbours[Int(fill[b])] = Int32(a)
            fill[b] += 1
        }
        self.employer = employer
        var staff: [Int32: [Int32]] = [:]
        for (member, company) in employer.enumerated() where company >= 0 { staff[company, default: []].append(Int32(member)) }
        self.staff = staff
        var alumni: [Int32: [Int32]] = [:]
        for (member, place) in school.enumerated() where place >= 0 { alumni[place, default: []].append(Int32(member)) }
        self.alumni = alumni
        self.school = school
        self.tier = tier
        self.offsets = offsets
        self.neighbours = neighbours
    }

    public var connectionCount: Int { neighbours.count / 2 }

    func connections(of member: Int) -> ArraySlice<Int32> {
        neighbours[Int(offsets[member])..<Int(offsets[member + 1])]
    }

    func areConnected(_ a: Int, _ b: Int) -> Bool {
        connections(of: a).contains(Int32(b))
    }

    /// The degree of `target` from a client: a new member has no connections yet.
    func degree(of target: Int, to client: SimClient) -> RelationshipDegree {
        let degree = proximity(of: target, to: client.member).degree
        return client.newMember && degree == .first ? .thirdOrMore : degree
    }

    /// Members who work at `member`'s employer or went to their school (up to `limit`, at
    /// random), for a new member looking for the people they know.
    func colleagues(of member: Int, limit: Int, rng: inout SeededGenerator) -> [Int32] {
        let groups = colleagueGroups(of: member)
        guard !groups.isEmpty else { return [] }
        return (0..<limit).map { _ in
            let group = groups[rng.below(groups.count)]
            return group[rng.below(group.count)]
        }.filter { $0 != Int32(member) }
    }

    /// Whether a member has colleagues or classmates to look for.
    func hasWorkplace(_ member: Int) -> Bool { !colleagueGroups(of: member).isEmpty }

    /// The staff of the member's employer and the alumni of their school, when they have
    /// anyone else in them.
    private func colleagueGroups(of member: Int) -> [[Int32]] {
        [employer[member] >= 0 ? staff[employer[member]] : nil, school[member] >= 0 ? alumni[school[member]] : nil]
            .compactMap { $0 }.filter { $0.count > 1 }
    }

    /// How close `target` is to `viewer`, as the detection engine weighs it.
    func proximity(of target: Int, to viewer: Int?) -> (degree: RelationshipDegree, sharesWork: Bool) {
        guard let viewer else { return (.thirdOrMore, false) }
        if viewer == target { return (.this, true) }
        if areConnected(viewer, target) { return (.first, true) }
        let work = (employer[viewer] >= 0 && employer[viewer] == employer[target]) || (school[viewer] >= 0 && school[viewer] == school[target])
        return (.thirdOrMore, work)
    }
}
