import Benchmark
import Foundation
import RampartCore
import RampartEvidence
import RampartLedger
import RampartStore

/// Sustained evidence-ledger appends on SQLite (a WAL file, as `rampart serve` uses it):
/// 100 or 500 concurrent writers, each waiting for its own commit, group-committed by the
/// EvidenceRecorder. One iteration is 1,000 appends, so appends/s = 1,000 / time.
///
/// Each benchmark writes to one store for all its iterations, as a running server does:
/// the log grows by 1,000 entries per iteration, the connection's statements stay
/// prepared, and a passive WAL checkpoint runs every `SQLiteCheckpointer.interval` (50 ms) beside the writers (the
/// server's `WALCheckpointService`), so the checkpoint's cost is in the figures.
///
/// The profile-view benchmarks record what a profile view records (`EvidenceRecorder.record`):
/// its access event, with its ledger entry and without (`--no-ledger`), side by side: 1,000
/// from 100 writers (throughput), and one at a time from a single writer (the latency a
/// view waits for its record, the part of a view's latency the ledger can add to; its p99
/// on against off is the ledger's added p99 without the HTTP stack's noise).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput], timeUnits: .milliseconds, maxDuration: .seconds(20), maxIterations: 200)

    let fields: [String: String] = [
        "event": "profile_view", "id": "4499172242882923833", "decision": "served", "categories": "education,experience,identity,position,skills",
        "subjects": "8543641415437195269", "viewer": "5787908290788654141", "target": "8543641415437195269",
        "session": "3020827470623817952", "ip": "203.0.113.77", "userAgent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36",
        "device": "4393e8e528f9fa9350cc0939b7132cb30c55c4593725ca454111ed4d7dcb300f",
        "budget": "account:5787908290788654141 cost=0.9 day=12.6 month=80.1",
    ]

    /// Registers a benchmark whose iterations all write through one recorder on a fresh
    /// SQLite data directory, opened in setup and removed in teardown.
    func ledgerBenchmark(
        _ name: String, ledger: Bool, configuration: Benchmark.Configuration = Benchmark.defaultConfiguration,
        _ body: @escaping @Sendable (EvidenceRecorder) async throws -> Void
    ) {
        let bench = BenchmarkStore()
        Benchmark(name, configuration: configuration) { benchmark in
            let recorder = try bench.recorder()
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { try await body(recorder) }
            benchmark.stopMeasurement()
        } setup: {
            try await bench.open(ledger: ledger)
        } teardown: {
            await bench.close()
        }
    }

    /// 1,000 calls of `append` spread over `writers` concurrent tasks.
    @Sendable func concurrently(_ writers: Int, _ append: @escaping @Sendable (Int) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    for _ in 0..<(1_000 / writers) { try await append(writer) }
                }
            }
            try await group.waitForAll()
        }
    }

    // The same 1,000 appends from more writers at once: bigger group commits.
    for writers in [100, 500] {
        ledgerBenchmark("ledger: 1,000 appends, \(writers) concurrent writers, SQLite WAL file", ledger: true) { recorder in
            try await concurrently(writers) { writer in
                try await recorder.append(.access, account: AccountID(rawValue: Int64(writer + 1)), fields: fields)
            }
        }
    }

    /// What a signed-in profile view records, by `writer`'s account.
    @Sendable func profileView(writer: Int) -> AccessEvent {
        AccessEvent(
            viewer: AccountID(rawValue: Int64(writer + 1)), target: .random(), kind: .profileView,
            categories: [.identity, .position, .experience, .education, .skills], subjects: [], occurredAt: Date(),
            client: ClientInfo(ip: "203.0.113.77", userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36"),
            deviceHash: "4393e8e528f9fa9350cc0939b7132cb30c55c4593725ca454111ed4d7dcb300f", session: .random(),
            budget: BudgetMark(holder: "account:\(writer + 1)", key: "profile:1", cost: 0.9, dayUsed: 12.6, monthUsed: 80.1))
    }

    for ledger in [true, false] {
        ledgerBenchmark("ledger: 1,000 profile-view records, 100 concurrent writers, ledger \(ledger ? "on" : "off")", ledger: ledger) { recorder in
            try await concurrently(100) { writer in try await recorder.record(profileView(writer: writer)) }
        }
    }

    for ledger in [true, false] {
        ledgerBenchmark(
            "ledger: one profile-view record, 1 writer, ledger \(ledger ? "on" : "off")", ledger: ledger,
            configuration: .init(metrics: [.wallClock], timeUnits: .microseconds, maxDuration: .seconds(10), maxIterations: 20_000)
        ) { recorder in
            try await recorder.record(profileView(writer: 0))
        }
    }
}
