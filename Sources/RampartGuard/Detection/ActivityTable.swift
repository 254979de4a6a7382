/// The engine's memory: a fixed-capacity table of ``KeyActivity`` records with
/// least-recently-used eviction. Records live in one contiguous array; a dictionary maps
/// each 64-bit key to its slot, and a doubly linked list through the slots keeps the order
/// of use, so lookup, touch and eviction are all O(1) and memory never grows past capacity.
struct ActivityTable {
    private struct Slot {
        var key: UInt64
        var previous: Int32
        var next: Int32
        var activity: KeyActivity
    }

    private var index: [UInt64: Int32] = [:]
    private var slots: [Slot] = []
    /// Most recently used slot, and the least.
    private var head: Int32 = -1
    private var tail: Int32 = -1
    let capacity: Int
    private(set) var evictions = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        // Reserved, not touched: pages are committed as keys arrive, and a full table
        // never reallocates (and copies) under the engine's lock.
        slots.reserveCapacity(self.capacity)
        index.reserveCapacity(self.capacity)
    }

    var count: Int { slots.count }

    /// The slot for `key`, created (evicting the least recently used key when full) if
    /// needed, and marked most recently used.
    mutating func slot(for key: UInt64) -> Int32 {
        if let slot = index[key] {
            moveToFront(slot)
            return slot
        }
        let slot: Int32
        if slots.count < capacity {
            slot = Int32(slots.count)
            slots.append(Slot(key: key, previous: -1, next: -1, activity: KeyActivity()))
        } else {
            slot = evictionCandidate()
            unlink(slot)
            index.removeValue(forKey: slots[Int(slot)].key)
            slots[Int(slot)] = Slot(key: key, previous: -1, next: -1, activity: KeyActivity())
            evictions += 1
        }
        index[key] = slot
        pushFront(slot)
        return slot
    }

    /// Least recently used keys looked at for one that carries nothing worth keeping.
    static let evictionScan = 32

    /// The slot to forget: the least recently used key that carries no risk, no rung and no
    /// limit in force among the last ``evictionScan``, else the least recently used. A flood
    /// of new keys then pushes out idle keys before a challenged account, a suspended one
    /// or a number at its SMS limit.
    private func evictionCandidate() -> Int32 {
        var slot = tail
        for _ in 0..<Self.evictionScan where slot >= 0 {
            if slots[Int(slot)].activity.isExpendable { return slot }
            slot = slots[Int(slot)].previous
        }
        return tail
    }

    /// The slot for `key` if it is remembered, without touching its order.
    func existingSlot(for key: UInt64) -> Int32? { index[key] }

    subscript(slot: Int32) -> KeyActivity {
        _read { yield slots[Int(slot)].activity }
        _modify { yield &slots[Int(slot)].activity }
    }

    /// Every remembered key with its activity, most recently used first.
    func forEach(_ body: (UInt64, KeyActivity) -> Void) {
        var slot = head
        while slot >= 0 {
            body(slots[Int(slot)].key, slots[Int(slot)].activity)
            slot = slots[Int(slot)].next
        }
    }

    private mutating func moveToFront(_ slot: Int32) {
        guard slot != head else { return }
        unlink(slot)
        pushFront(slot)
    }

    private mutating func unlink(_ slot: Int32) {
        let previous = slots[Int(slot)].previous
        let next = slots[Int(slot)].next
        if previous >= 0 { slots[Int(previous)].next = next } else { head = next }
        if next >= 0 { slots[Int(next)].previous = previous } else { tail = previous }
        slots[Int(slot)].previous = -1
        slots[Int(slot)].next = -1
    }

    private mutating func pushFront(_ slot: Int32) {
        slots[Int(slot)].next = head
        slots[Int(slot)].previous = -1
        if head >= 0 { slots[Int(head)].previous = slot }
        head = slot
        if tail < 0 { tail = slot }
    }
}
