import RampartCore
import RampartStore

/// Group commit for access events: concurrent requests' events are written in one
/// transaction, and each request returns only once its own event is committed — so no
/// record of served data is lost, yet the store sees one write per batch rather than one
/// per request.
///
/// There is no background task: a request that arrives while nothing is being written
/// leads, writing its event together with everything queued; requests arriving during that
/// write queue up, and when it ends the first of them is woken to lead the next batch.
public actor GroupCommitSink: AccessEventSink {
    private enum Turn {
        case committed
        case lead
    }

    /// A queued event and the request waiting for it (nil once that request was woken to lead).
    private struct Entry {
        let event: AccessEvent
        var waiter: CheckedContinuation<Turn, any Error>?
    }

    private let store: any Store
    private let maxBatch: Int
    private var queue: [Entry] = []
    private var writing = false

    public init(store: any Store, maxBatch: Int = 512) {
        self.store = store
        self.maxBatch = max(1, maxBatch)
    }

    public func record(_ event: AccessEvent) async throws {
        if writing {
            let turn = try await withCheckedThrowingContinuation { continuation in
                queue.append(Entry(event: event, waiter: continuation))
            }
            guard case .lead = turn else { return }
        } else {
            writing = true
            queue.insert(Entry(event: event, waiter: nil), at: 0)
        }
        try await writeBatch()
    }

    /// Writes the head of the queue (which holds the leader's own event) and wakes its
    /// waiters; then wakes the next leader, if anyone is queued.
    private func writeBatch() async throws {
        let batch = Array(queue.prefix(maxBatch))
        queue.removeFirst(batch.count)
        var failure: (any Error)?
        do {
            try await store.recordAccessEvents(batch.map(\.event))
        } catch {
            failure = error
        }
        for entry in batch {
            guard let waiter = entry.waiter else { continue }
            if let failure { waiter.resume(throwing: failure) } else { waiter.resume(returning: .committed) }
        }
        if queue.isEmpty {
            writing = false
        } else {
            queue[0].waiter?.resume(returning: .lead)
            queue[0].waiter = nil
        }
        if let failure { throw failure }
    }
}
