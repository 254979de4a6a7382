import Foundation

/// Draws indices with given relative weights (binary search over the cumulative weights).
struct WeightedTable: Sendable {
    private let cumulative: [Double]

    var count: Int { cumulative.count }

    /// Non-positive or non-finite weights count as zero; all zero means uniform.
    init(weights: [Double]) {
        let clean = weights.map { $0.isFinite && $0 > 0 ? $0 : 0 }
        let total = clean.reduce(0, +)
        let used = total > 0 ? clean : Array(repeating: 1.0, count: clean.count)
        let sum = used.reduce(0, +)
        var running = 0.0
        var cumulative: [Double] = []
        cumulative.reserveCapacity(used.count)
        for weight in used {
            running += weight
            cumulative.append(running / sum)
        }
        self.cumulative = cumulative
    }

    /// Zipf-like weights 1 / (rank + 1)^exponent for `count` ranks.
    init(zipf count: Int, exponent: Double) {
        self.init(weights: (0..<count).map { 1 / pow(Double($0 + 1), exponent) })
    }

    /// An index in `0..<count` (0 when empty).
    func sample(_ generator: inout SeededGenerator) -> Int {
        let u = generator.unit()
        var low = 0
        var high = cumulative.count - 1
        guard high > 0 else { return 0 }
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] > u { high = mid } else { low = mid + 1 }
        }
        return low
    }
}

/// A Zipf-ranked pool whose ranking is shuffled per world: in one world "Carroll Inc" is
/// the biggest employer, in another some other company is.
struct RankedPool: Sendable {
    /// `order[rank]` is the list index at that rank.
    let order: [Int]
    let table: WeightedTable

    init(count: Int, exponent: Double, shuffledWith generator: inout SeededGenerator) {
        var order = Array(0..<count)
        if count > 1 {
            for i in stride(from: count - 1, to: 0, by: -1) {
                order.swapAt(i, generator.below(i + 1))
            }
        }
        self.order = order
        table = WeightedTable(zipf: count, exponent: exponent)
    }

    var isEmpty: Bool { order.isEmpty }

    func sample(_ generator: inout SeededGenerator) -> Int {
        order.isEmpty ? 0 : order[table.sample(&generator)]
    }
}
