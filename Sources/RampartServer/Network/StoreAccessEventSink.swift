import RampartCore
import RampartStore

/// Keeps access events in the store's `access_events` table (the evidence ledger replaces it).
public struct StoreAccessEventSink: AccessEventSink {
    private let store: any Store

    public init(store: any Store) {
        self.store = store
    }

    public func record(_ event: AccessEvent) async throws {
        try await store.recordAccessEvents([event])
    }
}
