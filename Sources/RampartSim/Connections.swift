import Foundation
import RampartCore

extension WorldGenerator {
    /// The world's connections: undirected edges `(i, j)` with `i < j`, sorted, without
    /// duplicates or self-loops.
    ///
    /// Degrees are heavy-tailed (median near 30 in large worlds, hubs — recruiters, senior
    /// people — in the hundreds; smaller in small worlds) and clustered: most edges join
    /// members who share a current or past employer (people of the same line of work and
    /// era first), a school (classmates first) or a city; a fifth are long-range.
    ///
    /// `progress` is called now and then with a count that rises to `members` when done.
    /// Memory: about 8 bytes per edge while building, plus the result.
    public func connections(progress: (Int) -> Void = { _ in }) -> [(Int, Int)] {
        let adjacency = upperAdjacency(progress: progress)
        var result: [(Int, Int)] = []
        result.reserveCapacity(adjacency.targets.count)
        adjacency.forEach { result.append(($0, $1)) }
        return result
    }

    /// The same edges as ``connections(progress:)``, handed over in batches of at most
    /// `batchSize`, in order — for storing them without holding a second copy.
    public func forEachConnectionBatch(
        batchSize: Int = 65_536, progress: (Int) -> Void = { _ in }, _ body: ([(Int, Int)]) throws -> Void
    ) rethrows {
        let adjacency = upperAdjacency(progress: progress)
        let size = max(1, batchSize)
        var batch: [(Int, Int)] = []
        batch.reserveCapacity(min(size, adjacency.targets.count))
        for i in 0..<(adjacency.offsets.count - 1) {
            for k in adjacency.offsets[i]..<adjacency.offsets[i + 1] {
                batch.append((i, Int(adjacency.targets[k])))
                if batch.count == size {
                    try body(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
        }
        if !batch.isEmpty { try body(batch) }
    }

    /// Median target degree: 24 in worlds of 600 members or more, less in smaller ones.
    var medianTargetDegree: Double { min(24, max(2, Double(members) / 25)) }

    /// The edges as rows: for each `i`, the sorted distinct `j > i` it is connected to.
    func upperAdjacency(progress: (Int) -> Void) -> UpperAdjacency {
        let n = members
        guard n > 1 else {
            progress(n)
            return UpperAdjacency(offsets: [Int](repeating: 0, count: n + 1), targets: [])
        }
        var reported = 0
        func report(_ fraction: Double) {
            let value = min(n, Int(Double(n) * fraction))
            if value > reported {
                reported = value
                progress(value)
            }
        }

        // Pass 1: grouping keys and target degrees.
        let median = medianTargetDegree
        let cap = Double(min(n - 1, Int(median * 20)))
        var degree = [UInt32](repeating: 0, count: n)
        let (employerCount, schoolCount, cityCount) = groupCounts
        var companies = GroupBuilder(members: n, groups: employerCount, perMember: 3)
        var schools = GroupBuilder(members: n, groups: schoolCount, perMember: 2)
        var cities = GroupBuilder(members: n, groups: cityCount, perMember: 1)
        for i in 0..<n {
            let skeleton = skeleton(i)
            var previous = -1
            var ordinal = 0
            for job in skeleton.jobs where job.employer != previous && ordinal < 7 {
                previous = job.employer
                // Colleagues of one line of work and era sort together.
                let era = max(0, min(127, job.start / 12 - 1950))
                companies.add(member: i, group: job.employer, secondary: (job.family & 0x3FF) << 7 | era, ordinal: ordinal)
                ordinal += 1
            }
            for (k, study) in skeleton.studies.enumerated() where k == 0 || study.school != skeleton.studies[k - 1].school {
                schools.add(member: i, group: study.school, secondary: max(0, min(127, study.endYear - 1950)), ordinal: k)
            }
            let current = skeleton.jobs[skeleton.jobs.count - 1]
            cities.add(member: i, group: skeleton.city, secondary: current.employer, ordinal: 0)

            var r = SeededGenerator(seed: seed, stream: Stream.degree, index: i)
            var target = median * exp(0.8 * r.gaussian())
            switch skeleton.tier {
            case .recruiter: target *= 6
            case .premium: target *= 1.6
            case .free: break
            }
            target *= 1 + 0.12 * Double(current.level)
            degree[i] = UInt32(max(1, min(cap, target)).rounded())
            if i & 0x1FFF == 0 { report(0.4 * Double(i) / Double(n)) }
        }
        let companyIndex = companies.build(degree: degree)
        let schoolIndex = schools.build(degree: degree)
        let cityIndex = cities.build(degree: degree)
        report(0.45)
        let everyone = AliasTable(weights: degree)
        let running = degree.reduce(into: UInt64(0)) { $0 += UInt64($1) }

        // Pass 2: each member reaches out for about half its target degree; being reached
        // (in proportion to degree) supplies the rest.
        var edges: [UInt64] = []
        edges.reserveCapacity(Int(running / 2 + running / 8))
        for i in 0..<n {
            var r = SeededGenerator(seed: seed, stream: Stream.edges, index: i)
            let half = Double(degree[i]) / 2
            var attempts = Int(half)
            if r.unit() < half - Double(attempts) { attempts += 1 }
            // Hubs cannot find hundreds of contacts among their nearest colleagues.
            let local = min(1, 40 / Double(max(1, attempts)))
            for _ in 0..<attempts {
                let u = r.unit()
                let j: Int
                if u < 0.46 {
                    j = companyIndex.contact(of: i, current: 0.7, near: 0.6 * local, team: 0.25 * local, r: &r)
                } else if u < 0.66 {
                    j = schoolIndex.contact(of: i, current: 0.5, near: 0.5 * local, team: 0.3 * local, r: &r)
                } else if u < 0.86 {
                    j = cityIndex.contact(of: i, current: 1, near: 0.4 * local, team: 0.3 * local, r: &r)
                } else {
                    j = everyone.sample(in: 0..<n, r: &r)
                }
                if j >= 0, j != i {
                    edges.append(i < j ? UInt64(i) << 32 | UInt64(j) : UInt64(j) << 32 | UInt64(i))
                }
            }
            if i & 0x1FFF == 0 { report(0.45 + 0.4 * Double(i) / Double(n)) }
        }
        report(0.85)

        // Rows by counting sort on i; then each short row sorted and deduplicated.
        var offsets = [Int](repeating: 0, count: n + 1)
        for edge in edges { offsets[Int(edge >> 32) + 1] += 1 }
        for i in 0..<n { offsets[i + 1] += offsets[i] }
        var fill = offsets
        var targets = [UInt32](repeating: 0, count: edges.count)
        for edge in edges {
            let i = Int(edge >> 32)
            targets[fill[i]] = UInt32(truncatingIfNeeded: edge)
            fill[i] += 1
        }
        edges = []
        var write = 0
        for i in 0..<n {
            let lo = offsets[i]
            let hi = offsets[i + 1]
            offsets[i] = write
            guard hi > lo else { continue }
            targets[lo..<hi].sort()
            var last: UInt32? = nil
            for k in lo..<hi where targets[k] != last {
                last = targets[k]
                targets[write] = targets[k]
                write += 1
            }
        }
        offsets[n] = write
        targets.removeLast(targets.count - write)
        report(1)
        return UpperAdjacency(offsets: offsets, targets: targets)
    }
}

/// Edges `(i, j)`, `i < j`, as rows: `targets[offsets[i]..<offsets[i + 1]]` are the sorted
/// `j` of row `i`.
struct UpperAdjacency {
    let offsets: [Int]
    let targets: [UInt32]

    func forEach(_ body: (Int, Int) -> Void) {
        for i in 0..<(offsets.count - 1) {
            for k in offsets[i]..<offsets[i + 1] { body(i, Int(targets[k])) }
        }
    }
}

/// Draws positions in proportion to weights in O(1) (Walker/Vose alias method). One table
/// can hold many independent ranges (groups), each normalised on its own.
struct AliasTable {
    private var probability: [Float]
    private var alias: [Int32]

    /// One range covering all weights.
    init(weights: [UInt32]) {
        self.init(weights: weights, ranges: [0..<weights.count])
    }

    /// Each range is its own distribution.
    init(weights: [UInt32], ranges: some Sequence<Range<Int>>) {
        probability = [Float](repeating: 1, count: weights.count)
        alias = [Int32](repeating: 0, count: weights.count)
        var scaled: [Double] = []
        var small: [Int] = []
        var large: [Int] = []
        for range in ranges where !range.isEmpty {
            let total = range.reduce(0.0) { $0 + Double(weights[$1]) }
            scaled.removeAll(keepingCapacity: true)
            small.removeAll(keepingCapacity: true)
            large.removeAll(keepingCapacity: true)
            for k in range {
                alias[k] = Int32(k)
                let p = total > 0 ? Double(weights[k]) * Double(range.count) / total : 1
                scaled.append(p)
                if p < 1 { small.append(k) } else { large.append(k) }
            }
            let base = range.lowerBound
            while let s = small.popLast(), let l = large.popLast() {
                probability[s] = Float(scaled[s - base])
                alias[s] = Int32(l)
                scaled[l - base] += scaled[s - base] - 1
                if scaled[l - base] < 1 { small.append(l) } else { large.append(l) }
            }
            // Leftovers are 1 up to rounding.
            for k in small + large { probability[k] = 1 }
        }
    }

    /// A position in `range`, which must be one of the ranges the table was built with.
    func sample(in range: Range<Int>, r: inout SeededGenerator) -> Int {
        let k = range.lowerBound + r.below(range.count)
        return r.unit() < Double(probability[k]) ? k : Int(alias[k])
    }
}

/// Bit layout of a group entry: group (20 bits) | secondary (17) | ordinal (3) | member (24).
private enum Entry {
    static let memberBits: UInt64 = 24
    static let ordinalShift: UInt64 = 24
    static let secondaryShift: UInt64 = 27
    static let groupShift: UInt64 = 44

    static func pack(member: Int, group: Int, secondary: Int, ordinal: Int) -> UInt64 {
        UInt64(group & 0xFFFFF) << groupShift | UInt64(secondary & 0x1FFFF) << secondaryShift
            | UInt64(ordinal & 0x7) << ordinalShift | UInt64(member & 0xFF_FFFF)
    }

    static func member(_ entry: UInt64) -> Int { Int(entry & 0xFF_FFFF) }
    static func ordinal(_ entry: UInt64) -> Int { Int((entry >> ordinalShift) & 0x7) }
    static func group(_ entry: UInt64) -> Int { Int(entry >> groupShift) }
}

/// Collects (member, group) memberships in member order.
private struct GroupBuilder {
    var entries: [UInt64] = []
    /// `slotStart[m]..<slotStart[m + 1]`: member m's memberships, in the order added.
    var slotStart: [Int32]
    let groups: Int
    private var member = 0

    init(members: Int, groups: Int, perMember: Int) {
        self.groups = groups
        entries.reserveCapacity(members * perMember)
        slotStart = [Int32](repeating: 0, count: members + 1)
    }

    mutating func add(member m: Int, group: Int, secondary: Int, ordinal: Int) {
        while member < m {
            member += 1
            slotStart[member] = Int32(entries.count)
        }
        entries.append(Entry.pack(member: m, group: group, secondary: secondary, ordinal: ordinal))
    }

    /// Sorts by group then secondary key, and indexes where each membership landed.
    consuming func build(degree: [UInt32]) -> GroupIndex {
        let members = slotStart.count - 1
        while member < members {
            member += 1
            slotStart[member] = Int32(entries.count)
        }
        // Ordinals restart per member; make them slot offsets within the member.
        for m in 0..<members {
            let lo = Int(slotStart[m])
            let hi = Int(slotStart[m + 1])
            for (k, e) in (lo..<hi).enumerated() {
                entries[e] = entries[e] & ~(UInt64(0x7) << Entry.ordinalShift) | UInt64(k & 0x7) << Entry.ordinalShift
            }
        }
        entries.sort()
        let groupCount = max(groups, (entries.last.map(Entry.group) ?? 0) + 1)
        var starts = [Int32](repeating: 0, count: groupCount + 1)
        for e in entries { starts[Entry.group(e) + 1] += 1 }
        for g in 0..<groupCount { starts[g + 1] += starts[g] }
        var positions = [Int32](repeating: 0, count: entries.count)
        var weights = [UInt32](repeating: 0, count: entries.count)
        for (p, e) in entries.enumerated() {
            let m = Entry.member(e)
            positions[Int(slotStart[m]) + Entry.ordinal(e)] = Int32(p)
            weights[p] = degree[m]
        }
        let ranges = (0..<groupCount).lazy.map { Int(starts[$0])..<Int(starts[$0 + 1]) }
        // Teams: runs of equal group and secondary key.
        var team = [Int32](repeating: 0, count: entries.count)
        var teamStarts: [Int32] = []
        for (p, e) in entries.enumerated() {
            if p == 0 || e >> Entry.secondaryShift != entries[p - 1] >> Entry.secondaryShift {
                teamStarts.append(Int32(p))
            }
            team[p] = Int32(teamStarts.count - 1)
        }
        teamStarts.append(Int32(entries.count))
        return GroupIndex(
            entries: entries, starts: starts, slotStart: slotStart, positions: positions, team: team,
            teamStarts: teamStarts, byDegree: AliasTable(weights: weights, ranges: ranges))
    }
}

/// Members sorted by group and secondary key, for finding contacts.
private struct GroupIndex {
    let entries: [UInt64]
    let starts: [Int32]
    let slotStart: [Int32]
    /// Position in `entries` of each member's memberships.
    let positions: [Int32]
    /// Team of each entry: entries with the same group and secondary key (same employer,
    /// line of work and start year; same school and class; same city and employer).
    let team: [Int32]
    /// `teamStarts[t]..<teamStarts[t + 1]`: the entries of team t.
    let teamStarts: [Int32]
    /// Draws within a group in proportion to target degree.
    let byDegree: AliasTable

    /// A contact for member `i` through one of its groups (the newest with probability
    /// `current`, else any): with probability `near` a close neighbour in sort order, with
    /// probability `team` anyone in the same team, else someone in the whole group drawn in
    /// proportion to degree. -1 if none.
    func contact(of i: Int, current: Double, near: Double, team teamShare: Double, r: inout SeededGenerator) -> Int {
        let lo = Int(slotStart[i])
        let hi = Int(slotStart[i + 1])
        guard hi > lo else { return -1 }
        let slot = r.chance(current) ? hi - 1 : lo + r.below(hi - lo)
        let p = Int(positions[slot])
        let g = Entry.group(entries[p])
        let first = Int(starts[g])
        let end = Int(starts[g + 1])
        let size = end - first
        guard size > 1 else { return -1 }
        let mode = r.unit()
        var local = mode < near
        if !local, mode < near + teamShare {
            let t = Int(team[p])
            let teamFirst = Int(teamStarts[t])
            let teamSize = Int(teamStarts[t + 1]) - teamFirst
            if teamSize > 2 {
                return Entry.member(entries[teamFirst + r.below(teamSize)])
            }
            local = true  // a team of one or two: the nearest in the group instead
        }
        if local {
            let offset = 1 + r.below(min(r.chance(0.75) ? 3 : 20, size - 1))
            var q = r.chance(0.5) ? p + offset : p - offset
            if q < first || q >= end { q = 2 * p - q }
            if q < first || q >= end { q = first + r.below(size) }
            return Entry.member(entries[q])
        }
        return Entry.member(entries[byDegree.sample(in: first..<end, r: &r)])
    }
}
