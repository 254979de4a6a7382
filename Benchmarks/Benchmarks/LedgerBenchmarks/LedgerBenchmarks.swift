import Benchmark
import Foundation
import Logging
import RampartCore
import RampartEvidence
import RampartLedger
import RampartStore

/// Sustained evidence-ledger appends on SQLite (a WAL file, as `rampart serve` uses it):
/// 100 or 500 concurrent writers, each waiting for its own commit, group-committed by the
/// EvidenceRecorder. One iteration is 1,000 appends, so appends/s = 1,000 / time.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput], timeUnits: .milliseconds, maxDuration: .seconds(20), maxIterations: 200)

    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rampart-ledger-bench-\(UUID().uuidString)").path
    let fields: [String: String] = [
        "event": "profile_view", "id": "4499172242882923833", "decision": "served", "categories": "education,experience,identity,position,skills",
        "subjects": "8543641415437195269", "viewer": "5787908290788654141", "target": "8543641415437195269",
        "session": "3020827470623817952", "ip": "203.0.113.77", "userAgent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36",
        "device": "4393e8e528f9fa9350cc0939b7132cb30c55c4593725ca454111ed4d7dcb300f",
        "budget": "account:5787908290788654141 cost=0.9 day=12.6 month=80.1",
    ]

    // The same 1,000 appends from more writers at once: bigger group commits.
    for writers in [100, 500] {
        Benchmark("ledger: 1,000 appends, \(writers) concurrent writers, SQLite WAL file") { benchmark in
            let opened = try OpenedStore.open(.sqlite(dataDirectory: directory + "-\(writers)"), logger: Logger(label: "bench"))
            try await opened.store.migrate()
            let recorder = EvidenceRecorder(store: opened.store)
            _ = try await recorder.head()
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for writer in 0..<writers {
                        group.addTask {
                            for _ in 0..<(1_000 / writers) {
                                try await recorder.append(.access, account: AccountID(rawValue: Int64(writer + 1)), fields: fields)
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            benchmark.stopMeasurement()
        }
    }
}
