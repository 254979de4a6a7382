import Testing

@testable import RampartEvidence

/// The group commit's coordination, driven step by step: records are strings, waiters are
/// numbers, and a log is its size (a batch prepared on log `n` of `k` records makes `n + k`).
@Suite struct GroupCommitStateMachineTests {
    typealias Machine = GroupCommitStateMachine<String, Int, Int>

    /// A machine whose committed log (of `size` entries) is already known.
    static func machine(maxBatch: Int = 512, committed size: Int = 0) -> Machine {
        var machine = Machine(maxBatch: maxBatch)
        _ = machine.committedLogLoaded(size)
        return machine
    }

    /// The log after preparing `preparation`.
    static func log(after preparation: Machine.Preparation) -> Int {
        (preparation.base ?? 0) + preparation.records.count
    }

    /// Leads `record` (waiter `id`, not kept) and takes its batch.
    static func lead(_ record: String, id: Int, in machine: inout Machine) -> Machine.Preparation {
        #expect(machine.enqueue(record, waiter: id) == .lead)
        return machine.takeBatch()
    }

    @Test func aLoneRecordLeadsAndIsWrittenAlone() {
        var machine = Self.machine(committed: 5)
        let preparation = Self.lead("a", id: 1, in: &machine)
        #expect(preparation == Machine.Preparation(records: ["a"], base: 5))
        #expect(machine.batchPrepared(producing: 6, waiter: 101) == .write(nextLeader: nil))
        #expect(machine.writeSucceeded() == Machine.WriteEndAction(waiters: [], storeHandover: nil))
        #expect(machine.committedLog == 6)
    }

    @Test func recordsArrivingWhileABatchIsPreparedQueueAndTheNextLeaderTakesThemAllInOneBatch() {
        var machine = Self.machine()
        let first = Self.lead("a", id: 1, in: &machine)
        for (index, record) in ["b", "c", "d"].enumerated() {
            #expect(machine.enqueue(record, waiter: 2 + index) == .wait)
        }
        #expect(machine.batchPrepared(producing: Self.log(after: first), waiter: 101) == .write(nextLeader: 2))
        let second = machine.takeBatch()
        #expect(second == Machine.Preparation(records: ["b", "c", "d"], base: 1))
        #expect(machine.batchPrepared(producing: Self.log(after: second), waiter: 102) == .waitForStore)
        let firstEnd = machine.writeSucceeded()
        #expect(firstEnd.waiters.isEmpty)
        #expect(firstEnd.storeHandover == Machine.Handover(leader: 102, action: .write(nextLeader: nil)))
        // The leader's own request (2) is not among the waiters: it returns from its own write.
        #expect(machine.writeSucceeded().waiters == [3, 4])
        #expect(machine.committedLog == 4)
    }

    @Test func theLeadPassesToTheFirstQueuedRequestWhenAWriteStartsAndNotBefore() {
        var machine = Self.machine()
        _ = Self.lead("a", id: 1, in: &machine)
        #expect(machine.enqueue("b", waiter: 2) == .wait)
        #expect(machine.enqueue("c", waiter: 3) == .wait)
        // Until the write starts, arrivals keep queueing behind the leader.
        #expect(machine.enqueue("d", waiter: 4) == .wait)
        #expect(machine.batchPrepared(producing: 1, waiter: 101) == .write(nextLeader: 2))
        // The new leader has not taken its batch yet: still one leader, so arrivals queue.
        #expect(machine.enqueue("e", waiter: 5) == .wait)
        #expect(machine.takeBatch().records == ["b", "c", "d", "e"])
    }

    @Test func whenNothingIsQueuedAsAWriteStartsTheNextArrivalLeadsAndPreparesOnTopOfIt() {
        var machine = Self.machine(committed: 10)
        _ = Self.lead("a", id: 1, in: &machine)
        #expect(machine.batchPrepared(producing: 11, waiter: 101) == .write(nextLeader: nil))
        let next = Self.lead("b", id: 2, in: &machine)
        // Prepared on the log as it will be once "a" commits, which it has not yet.
        #expect(next.base == 11)
        #expect(machine.committedLog == 10)
    }

    @Test func atMostOneBatchIsInTheStoreAndOneWaitsForIt() {
        var machine = Self.machine()
        _ = Self.lead("a", id: 1, in: &machine)
        #expect(machine.enqueue("b", waiter: 2) == .wait)
        #expect(machine.batchPrepared(producing: 1, waiter: 101) == .write(nextLeader: 2))
        _ = machine.takeBatch()
        #expect(machine.batchPrepared(producing: 2, waiter: 102) == .waitForStore)
        // The second batch waits for the store with the lead: a third is not gathered yet.
        #expect(machine.enqueue("c", waiter: 3) == .wait)
        #expect(machine.enqueue("d", waiter: 4) == .wait)
        let end = machine.writeSucceeded()
        // The store goes to the waiting batch, whose write passes the lead on.
        #expect(end.storeHandover == Machine.Handover(leader: 102, action: .write(nextLeader: 3)))
        #expect(machine.takeBatch() == Machine.Preparation(records: ["c", "d"], base: 2))
    }

    @Test func aBatchTakesAtMostMaxBatchRecordsAndTheRestWaitForTheNextLeader() {
        var machine = Self.machine(maxBatch: 2)
        _ = Self.lead("a", id: 1, in: &machine)
        for (index, record) in ["b", "c", "d", "e", "f"].enumerated() {
            #expect(machine.enqueue(record, waiter: 2 + index) == .wait)
        }
        #expect(machine.batchPrepared(producing: 1, waiter: 101) == .write(nextLeader: 2))
        #expect(machine.takeBatch().records == ["b", "c"])
        #expect(machine.batchPrepared(producing: 3, waiter: 102) == .waitForStore)
        #expect(machine.writeSucceeded().storeHandover == Machine.Handover(leader: 102, action: .write(nextLeader: 4)))
        #expect(machine.takeBatch().records == ["d", "e"])
        #expect(machine.writeSucceeded().waiters == [3])
    }

    @Test func aRefusedWriteFailsOnlyItsOwnRequestsAndTheBatchWaitingOnItIsPreparedAgainOnTheCommittedLog() {
        var machine = Self.machine(committed: 7)
        #expect(machine.enqueue("a", waiter: 1) == .lead)
        #expect(machine.enqueue("x", waiter: 2) == .wait)
        #expect(machine.takeBatch() == Machine.Preparation(records: ["a", "x"], base: 7))
        #expect(machine.batchPrepared(producing: 9, waiter: 101) == .write(nextLeader: nil))
        #expect(machine.enqueue("b", waiter: 3) == .lead)
        #expect(machine.enqueue("c", waiter: 4) == .wait)
        let second = machine.takeBatch()
        #expect(second == Machine.Preparation(records: ["b", "c"], base: 9))
        #expect(machine.batchPrepared(producing: 11, waiter: 102) == .waitForStore)

        let refused = machine.writeFailed()
        #expect(refused.waiters == [2])
        // Prepared on a log that was never committed: prepared again on the one that was.
        #expect(refused.storeHandover == Machine.Handover(
            leader: 102, action: .prepareAgain(Machine.Preparation(records: ["b", "c"], base: 7))))
        #expect(machine.committedLog == 7)
        // The store stays the batch's while it is prepared again: the next write is its.
        #expect(machine.enqueue("d", waiter: 5) == .wait)
        #expect(machine.batchPrepared(producing: 9, waiter: 103) == .write(nextLeader: 5))
        #expect(machine.writeSucceeded().waiters == [4])
        #expect(machine.committedLog == 9)
    }

    /// Another instance appended to a shared ledger under a write: it committed, numbered
    /// again on the moved log, and the batch waiting on it is prepared again on that log.
    @Test func aWriteNumberedAgainOnAMovedLogCommitsAndTheBatchWaitingOnItIsPreparedAgainOnTheMovedLog() {
        var machine = Self.machine(committed: 7)
        #expect(machine.enqueue("a", waiter: 1) == .lead)
        #expect(machine.enqueue("x", waiter: 2) == .wait)
        #expect(machine.takeBatch() == Machine.Preparation(records: ["a", "x"], base: 7))
        #expect(machine.batchPrepared(producing: 9, waiter: 101) == .write(nextLeader: nil))
        #expect(machine.enqueue("b", waiter: 3) == .lead)
        #expect(machine.takeBatch() == Machine.Preparation(records: ["b"], base: 9))
        #expect(machine.batchPrepared(producing: 10, waiter: 102) == .waitForStore)

        // Other instances wrote entries 7...11: the batch went in as 12 and 13.
        let committed = machine.writeSucceeded(onMovedLog: 14)
        #expect(committed.waiters == [2])
        #expect(machine.committedLog == 14)
        #expect(committed.storeHandover == Machine.Handover(leader: 102, action: .prepareAgain(Machine.Preparation(records: ["b"], base: 14))))
        #expect(machine.batchPrepared(producing: 15, waiter: 103) == .write(nextLeader: nil))
        #expect(machine.writeSucceeded().waiters == [])
        #expect(machine.committedLog == 15)
    }

    @Test func aBatchStillBeingPreparedWhenTheWriteUnderItIsRefusedIsPreparedAgainBeforeItIsWritten() {
        var machine = Self.machine(committed: 3)
        _ = Self.lead("a", id: 1, in: &machine)
        #expect(machine.enqueue("b", waiter: 2) == .wait)
        #expect(machine.batchPrepared(producing: 4, waiter: 101) == .write(nextLeader: 2))
        #expect(machine.takeBatch().base == 4)
        // Refused while "b" is being prepared: nobody waits for the store yet.
        #expect(machine.writeFailed() == Machine.WriteEndAction(waiters: [], storeHandover: nil))
        #expect(machine.batchPrepared(producing: 5, waiter: 102) == .prepareAgain(Machine.Preparation(records: ["b"], base: 3)))
        #expect(machine.batchPrepared(producing: 4, waiter: 103) == .write(nextLeader: nil))
        #expect(machine.writeSucceeded().waiters.isEmpty)
        #expect(machine.committedLog == 4)
    }

    @Test func aBatchPreparedAfterARefusedWriteEndedIsWrittenAsItIs() {
        var machine = Self.machine(committed: 3)
        _ = Self.lead("a", id: 1, in: &machine)
        #expect(machine.batchPrepared(producing: 4, waiter: 101) == .write(nextLeader: nil))
        #expect(machine.writeFailed().waiters.isEmpty)
        // Taken after the refusal: prepared on the committed log, so nothing to do again.
        #expect(Self.lead("b", id: 2, in: &machine).base == 3)
        #expect(machine.batchPrepared(producing: 4, waiter: 102) == .write(nextLeader: nil))
    }

    @Test func aFailedPreparationFailsItsOwnRequestsAndPassesTheLead() {
        var machine = Self.machine()
        _ = Self.lead("a", id: 1, in: &machine)
        #expect(machine.enqueue("x", waiter: 2) == .wait)
        #expect(machine.enqueue("w", waiter: 3) == .wait)
        #expect(machine.batchPrepared(producing: 1, waiter: 101) == .write(nextLeader: 2))
        #expect(machine.takeBatch().records == ["x", "w"])
        #expect(machine.enqueue("y", waiter: 4) == .wait)
        #expect(machine.enqueue("z", waiter: 5) == .wait)
        // x's batch could not be prepared while a's write is still in the store.
        #expect(machine.preparationFailed() == Machine.PreparationFailedAction(waiters: [3], nextLeader: 4))
        let next = machine.takeBatch()
        #expect(next == Machine.Preparation(records: ["y", "z"], base: 1))
        #expect(machine.batchPrepared(producing: 3, waiter: 102) == .waitForStore)
        let firstEnd = machine.writeSucceeded()
        #expect(firstEnd == Machine.WriteEndAction(waiters: [], storeHandover: Machine.Handover(leader: 102, action: .write(nextLeader: nil))))
        #expect(machine.writeSucceeded().waiters == [5])
        #expect(machine.committedLog == 3)
    }

    @Test func aFailedPreparationWithNothingQueuedLetsTheNextArrivalLead() {
        var machine = Self.machine()
        #expect(machine.enqueue("a", waiter: 1) == .lead)
        #expect(machine.enqueue("b", waiter: 2) == .wait)
        _ = machine.takeBatch()
        #expect(machine.preparationFailed() == Machine.PreparationFailedAction(waiters: [2], nextLeader: nil))
        #expect(machine.enqueue("c", waiter: 3) == .lead)
    }

    @Test func aFailedPreparationAgainAfterARefusedWriteFreesTheStore() {
        var machine = Self.machine()
        _ = Self.lead("a", id: 1, in: &machine)
        #expect(machine.batchPrepared(producing: 1, waiter: 101) == .write(nextLeader: nil))
        _ = Self.lead("b", id: 2, in: &machine)
        #expect(machine.batchPrepared(producing: 2, waiter: 102) == .waitForStore)
        #expect(machine.writeFailed().storeHandover?.action == .prepareAgain(Machine.Preparation(records: ["b"], base: 0)))
        #expect(machine.preparationFailed().waiters.isEmpty)
        // Nothing holds the store any more: the next batch goes straight to it.
        _ = Self.lead("c", id: 3, in: &machine)
        #expect(machine.batchPrepared(producing: 1, waiter: 103) == .write(nextLeader: nil))
    }

    @Test func withoutALedgerTheCommittedLogIsNeverSet() {
        var machine = Machine(maxBatch: 8)
        #expect(Self.lead("a", id: 1, in: &machine).base == nil)
        #expect(machine.batchPrepared(producing: nil, waiter: 101) == .write(nextLeader: nil))
        #expect(Self.lead("b", id: 2, in: &machine).base == nil)
        #expect(machine.batchPrepared(producing: nil, waiter: 102) == .waitForStore)
        _ = machine.writeSucceeded()
        _ = machine.writeSucceeded()
        #expect(machine.committedLog == nil)
    }

    @Test func aCommittedLogAlreadyKnownWinsOverOneLoadedLater() {
        var machine = Machine(maxBatch: 8)
        #expect(machine.committedLogLoaded(4) == 4)
        _ = Self.lead("a", id: 1, in: &machine)
        #expect(machine.batchPrepared(producing: 5, waiter: 101) == .write(nextLeader: nil))
        _ = machine.writeSucceeded()
        // A read that began before the write committed returns the older log: it is not kept.
        #expect(machine.committedLogLoaded(4) == 5)
        #expect(machine.committedLog == 5)
    }
}
