/// The coordination of ``EvidenceRecorder``'s group commit, without the I/O: who leads the
/// next batch, which records it takes, which log it is prepared on, when it may go to the
/// store, and whom to wake when a write ends.
///
/// Each event is a mutating method that returns what the caller must do next (prepare a
/// batch, write it, wait, resume these waiters); the machine itself never touches the store
/// or resumes anything, so it runs under the recorder's lock and is tested synchronously.
/// (The shape is postgres-nio's `ConnectionStateMachine`.)
///
/// - `Record`: what a request wants written.
/// - `Waiter`: a suspended request, opaque here: the recorder's continuation, a test's ID.
///   It is handed back in an action when the request is to be resumed.
/// - `Log`: the log a batch is prepared on (the Merkle frontier; nil with the ledger off).
///
/// The rules:
/// - A request that arrives while nobody leads leads: its record heads the next batch
///   (``enqueue(_:waiter:)`` returns ``EnqueueAction/lead``). Others queue behind it.
/// - The leader takes up to `maxBatch` queued records (``takeBatch()``) and prepares them on
///   the log as it will be once the batch in the store (if any) commits.
/// - Two stages: at most one batch in the store, and one prepared batch waiting for it
///   (``batchPrepared(producing:waiter:)``).
/// - The moment a batch's write starts, the lead passes to the first queued request, so the
///   next batch is prepared while this one is written; with nothing queued, the next
///   arrival leads.
/// - When a write ends, its own requests are resumed (committed, or failed with the write's
///   error: nobody else's), and the store goes to the batch waiting for it. A batch
///   prepared on top of a write that failed is prepared again on the committed log before
///   it is written.
struct GroupCommitStateMachine<Record, Waiter, Log> {
    /// What a request that has just queued its record does.
    enum EnqueueAction: Equatable, Sendable {
        /// Lead the next batch: call ``GroupCommitStateMachine/takeBatch()`` (the request's
        /// own record heads it; its waiter is not kept).
        case lead
        /// Wait: the waiter is resumed as a leader or with its batch's outcome.
        case wait
    }

    /// Records to number and hash, and the log to append them to (nil: the committed log,
    /// not yet known here, or no ledger).
    struct Preparation {
        var records: [Record]
        var base: Log?
    }

    /// What the leader of a prepared batch does.
    enum StoreAction {
        /// The store is the batch's: write it, and resume `nextLeader` (if any) to lead the
        /// next batch. Report the outcome with ``GroupCommitStateMachine/writeSucceeded()``
        /// or ``GroupCommitStateMachine/writeFailed()``.
        case write(nextLeader: Waiter?)
        /// The write the batch was prepared on failed: prepare it again and report it again
        /// with ``GroupCommitStateMachine/batchPrepared(producing:waiter:)`` (nothing else
        /// can be written meanwhile: this is the only batch there is).
        case prepareAgain(Preparation)
        /// A batch is being written: wait. The waiter is handed back with `.write` or
        /// `.prepareAgain` when that write ends (``WriteEndAction/storeHandover``).
        case waitForStore
    }

    /// The store passed to the leader that waited for it, and what it is to do.
    struct Handover {
        var leader: Waiter
        /// `.write` or `.prepareAgain`, never `.waitForStore`.
        var action: StoreAction
    }

    /// What the writer does when its write ends.
    struct WriteEndAction {
        /// The written batch's requests (not its leader): resume them with the write's outcome.
        var waiters: [Waiter]
        /// The leader that waited with a prepared batch, to resume first.
        var storeHandover: Handover?
    }

    /// What the leader does when preparing its batch failed (nothing was written).
    struct PreparationFailedAction {
        /// The batch's requests (not its leader): resume them with the error.
        var waiters: [Waiter]
        /// Resume to lead the next batch.
        var nextLeader: Waiter?
    }

    private struct Queued {
        var record: Record
        /// Nil for the request that leads (or is about to lead) the batch this record heads.
        var waiter: Waiter?
    }

    /// The leader's batch, from when it is taken until its write starts.
    private struct Gathered {
        var records: [Record]
        var waiters: [Waiter]
        /// The log after this batch, once prepared.
        var log: Log?
        /// The write it was prepared on failed: it must be prepared again.
        var stale = false
        /// The leader, waiting with the prepared batch for the store.
        var storeWaiter: Waiter?
    }

    private struct Writing {
        var waiters: [Waiter]
        /// The log once this batch commits.
        var log: Log?
    }

    private let maxBatch: Int
    /// Records not yet taken; the first belongs to the leader when the lead was passed to it.
    private var queue: [Queued] = []
    /// A request holds the lead (about to take a batch, preparing it, or waiting with it for
    /// the store): arrivals queue.
    private var leading = false
    private var gathered: Gathered?
    /// The batch in the store.
    private var writing: Writing?
    /// The committed log (nil until loaded, and with the ledger off).
    private(set) var committedLog: Log?

    init(maxBatch: Int) {
        self.maxBatch = max(1, maxBatch)
    }

    /// A request queues its record.
    mutating func enqueue(_ record: Record, waiter: Waiter) -> EnqueueAction {
        if leading {
            queue.append(Queued(record: record, waiter: waiter))
            return .wait
        }
        assert(queue.isEmpty && gathered == nil)
        leading = true
        queue.append(Queued(record: record, waiter: nil))
        return .lead
    }

    /// The leader takes the head of the queue (which holds its own record) as its batch.
    mutating func takeBatch() -> Preparation {
        precondition(leading && gathered == nil && !queue.isEmpty, "takeBatch() without the lead")
        let count = min(queue.count, maxBatch)
        var records: [Record] = []
        var waiters: [Waiter] = []
        records.reserveCapacity(count)
        waiters.reserveCapacity(count)
        for queued in queue[..<count] {
            records.append(queued.record)
            if let waiter = queued.waiter { waiters.append(waiter) }
        }
        queue.removeFirst(count)
        gathered = Gathered(records: records, waiters: waiters)
        return Preparation(records: records, base: logAfterStore)
    }

    /// The leader prepared its batch (`log`: the log after it) and wants the store.
    /// `waiter` is the leader itself, kept only with ``StoreAction/waitForStore``.
    mutating func batchPrepared(producing log: Log?, waiter: Waiter) -> StoreAction {
        precondition(gathered != nil && gathered?.storeWaiter == nil, "batchPrepared without a batch")
        gathered?.log = log
        if writing != nil {
            gathered?.storeWaiter = waiter
            return .waitForStore
        }
        return grantStore()
    }

    /// Preparing the leader's batch failed: its requests fail, nothing was written.
    mutating func preparationFailed() -> PreparationFailedAction {
        guard let batch = gathered.take() else { preconditionFailure("preparationFailed() without a batch") }
        assert(batch.storeWaiter == nil)
        return PreparationFailedAction(waiters: batch.waiters, nextLeader: passLead())
    }

    /// The batch in the store committed.
    mutating func writeSucceeded() -> WriteEndAction {
        let written = endWrite()
        if let log = written.log { committedLog = log }
        return WriteEndAction(waiters: written.waiters, storeHandover: handOverStore())
    }

    /// The batch in the store committed, but numbered again on `log` (other instances had
    /// appended to a shared ledger): the committed log is `log`, and a batch prepared on
    /// the log this one was first numbered for is prepared again.
    mutating func writeSucceeded(onMovedLog log: Log) -> WriteEndAction {
        let written = endWrite()
        committedLog = log
        gathered?.stale = true
        return WriteEndAction(waiters: written.waiters, storeHandover: handOverStore())
    }

    /// The store refused the batch being written: only its requests fail, and a batch
    /// prepared on top of it is prepared again.
    mutating func writeFailed() -> WriteEndAction {
        let written = endWrite()
        // A gathered batch was taken after this write started, so on the log it would make.
        gathered?.stale = true
        return WriteEndAction(waiters: written.waiters, storeHandover: handOverStore())
    }

    /// The committed log was read from the store; returns the one to use (a log already
    /// known wins: it may have advanced since the read began).
    mutating func committedLogLoaded(_ log: Log) -> Log {
        if let committedLog { return committedLog }
        committedLog = log
        return log
    }

    /// The log as it will be once the batch in the store (if any) commits.
    private var logAfterStore: Log? {
        writing?.log ?? committedLog
    }

    private mutating func endWrite() -> Writing {
        guard let written = writing.take() else { preconditionFailure("a write ended that never started") }
        return written
    }

    /// Gives the free store to the leader waiting for it, if any.
    private mutating func handOverStore() -> Handover? {
        guard let leader = gathered?.storeWaiter else { return nil }
        gathered?.storeWaiter = nil
        return Handover(leader: leader, action: grantStore())
    }

    /// The store is free for the gathered batch: prepare it again if the write it was
    /// prepared on failed, else start its write and pass the lead.
    private mutating func grantStore() -> StoreAction {
        guard let batch = gathered else { preconditionFailure("no batch for the store") }
        if batch.stale {
            gathered?.stale = false
            return .prepareAgain(Preparation(records: batch.records, base: committedLog))
        }
        gathered = nil
        writing = Writing(waiters: batch.waiters, log: batch.log)
        return .write(nextLeader: passLead())
    }

    /// Hands the lead to the first queued request, or frees it for the next arrival.
    private mutating func passLead() -> Waiter? {
        guard !queue.isEmpty else {
            leading = false
            return nil
        }
        // Its record stays at the head of the queue, now as the leader's own.
        defer { queue[0].waiter = nil }
        return queue[0].waiter
    }
}

extension GroupCommitStateMachine.Preparation: Equatable where Record: Equatable, Log: Equatable {}
extension GroupCommitStateMachine.StoreAction: Equatable where Record: Equatable, Waiter: Equatable, Log: Equatable {}
extension GroupCommitStateMachine.Handover: Equatable where Record: Equatable, Waiter: Equatable, Log: Equatable {}
extension GroupCommitStateMachine.WriteEndAction: Equatable where Record: Equatable, Waiter: Equatable, Log: Equatable {}
extension GroupCommitStateMachine.PreparationFailedAction: Equatable where Waiter: Equatable {}

extension GroupCommitStateMachine.Preparation: Sendable where Record: Sendable, Log: Sendable {}
extension GroupCommitStateMachine.StoreAction: Sendable where Record: Sendable, Waiter: Sendable, Log: Sendable {}
extension GroupCommitStateMachine.Handover: Sendable where Record: Sendable, Waiter: Sendable, Log: Sendable {}
extension GroupCommitStateMachine.WriteEndAction: Sendable where Record: Sendable, Waiter: Sendable, Log: Sendable {}
extension GroupCommitStateMachine.PreparationFailedAction: Sendable where Waiter: Sendable {}
