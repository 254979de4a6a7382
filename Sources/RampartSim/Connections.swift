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
        let packed = packedConnections(progress: progress)
        var result: [(Int, Int)] = []
        result.reserveCapacity(packed.count)
        for edge in packed {
            result.append((Int(edge >> 32), Int(edge & 0xFFFF_FFFF)))
        }
        return result
    }

    /// The same edges as ``connections(progress:)``, handed over in batches of at most
    /// `batchSize`, in order — for storing without holding two copies.
    public func forEachConnectionBatch(
        batchSize: Int = 65_536, progress: (Int) -> Void = { _ in }, _ body: ([(Int, Int)]) throws -> Void
    ) rethrows {
        let packed = packedConnections(progress: progress)
        let size = max(1, batchSize)
        var batch: [(Int, Int)] = []
        batch.reserveCapacity(min(size, packed.count))
        for edge in packed {
            batch.append((Int(edge >> 32), Int(edge & 0xFFFF_FFFF)))
            if batch.count == size {
                try body(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { try body(batch) }
    }

    /// Median target degree: 30 in worlds of 600 members or more, less in smaller ones.
    var medianTargetDegree: Double { min(30, max(2, Double(members) / 20)) }

    /// Edges packed as `i << 32 | j`, sorted and unique.
    func packedConnections(progress: (Int) -> Void) -> [UInt64] {
        let n = members
        guard n > 1 else {
            progress(n)
            return []
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
        var globalCumulative = [UInt64](repeating: 0, count: n)
        var running: UInt64 = 0
        for i in 0..<n {
            running += UInt64(degree[i])
            globalCumulative[i] = running
        }

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
                if u < 0.42 {
                    j = companyIndex.contact(of: i, current: 0.5, localShare: 0.65 * local, r: &r)
                } else if u < 0.60 {
                    j = schoolIndex.contact(of: i, current: 0.5, localShare: 0.6 * local, r: &r)
                } else if u < 0.80 {
                    j = cityIndex.contact(of: i, current: 1, localShare: 0.5 * local, r: &r)
                } else {
                    j = Self.weightedPick(globalCumulative, in: 0..<n, r: &r)
                }
                if j >= 0, j != i {
                    edges.append(i < j ? UInt64(i) << 32 | UInt64(j) : UInt64(j) << 32 | UInt64(i))
                }
            }
            if i & 0x1FFF == 0 { report(0.45 + 0.4 * Double(i) / Double(n)) }
        }
        report(0.85)
        edges.sort()
        var write = 0
        for read in edges.indices where read == 0 || edges[read] != edges[read - 1] {
            edges[write] = edges[read]
            write += 1
        }
        edges.removeLast(edges.count - write)
        report(1)
        return edges
    }

    /// An index in `range` drawn in proportion to `cumulative[k] - cumulative[k - 1]`, where
    /// `cumulative` is a running sum that starts from zero at `range.lowerBound`.
    static func weightedPick<C: RandomAccessCollection>(_ cumulative: C, in range: Range<Int>, r: inout SeededGenerator)
        -> Int
    where C.Element: BinaryInteger, C.Index == Int {
        guard !range.isEmpty else { return -1 }
        let total = UInt64(cumulative[range.upperBound - 1])
        guard total > 0 else { return range.lowerBound + r.below(range.count) }
        let t = r.next().multipliedFullWidth(by: total).high
        var low = range.lowerBound
        var high = range.upperBound - 1
        while low < high {
            let mid = (low + high) / 2
            if UInt64(cumulative[mid]) > t { high = mid } else { low = mid + 1 }
        }
        return low
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
        var cumulative = [UInt32](repeating: 0, count: entries.count)
        var running: UInt32 = 0
        var currentGroup = -1
        for (p, e) in entries.enumerated() {
            let m = Entry.member(e)
            positions[Int(slotStart[m]) + Entry.ordinal(e)] = Int32(p)
            let g = Entry.group(e)
            if g != currentGroup {
                currentGroup = g
                running = 0
            }
            running &+= degree[m]
            cumulative[p] = running
        }
        return GroupIndex(entries: entries, starts: starts, slotStart: slotStart, positions: positions, cumulative: cumulative)
    }
}

/// Members sorted by group and secondary key, for finding contacts.
private struct GroupIndex {
    let entries: [UInt64]
    let starts: [Int32]
    let slotStart: [Int32]
    /// Position in `entries` of each member's memberships.
    let positions: [Int32]
    /// Running sum of target degrees within each group.
    let cumulative: [UInt32]

    /// A contact for member `i` through one of its groups (the newest with probability
    /// `current`, else any): a near neighbour in sort order with probability `localShare`,
    /// else someone in the group drawn in proportion to degree. -1 if none.
    func contact(of i: Int, current: Double, localShare: Double, r: inout SeededGenerator) -> Int {
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
        if r.chance(localShare) {
            let offset = 1 + r.below(min(30, size - 1))
            var q = r.chance(0.5) ? p + offset : p - offset
            if q < first || q >= end { q = 2 * p - q }
            if q < first || q >= end { q = first + r.below(size) }
            return Entry.member(entries[q])
        }
        return Entry.member(entries[WorldGenerator.weightedPick(cumulative, in: first..<end, r: &r)])
    }
}
