/// An entry encoded before its place in the log is known: its canonical bytes with the
/// sequence number left blank (bytes 1–8 of the encoding, see ``LedgerEntry``), written in
/// by ``encoded(sequence:)``. Requests build drafts concurrently, each on its own task, and
/// leave only the sequence number and the hash to the log's single writer.
public struct LedgerEntryDraft: Sendable {
    /// What the entry records.
    public let kind: LedgerEntryKind
    /// The canonical encoding with sequence number 0.
    private let template: [UInt8]

    /// Validates and sorts the fields as ``LedgerEntry`` does, and encodes them.
    public init(timestampMilliseconds: UInt64, kind: LedgerEntryKind, fields: [LedgerEntry.Field]) throws(LedgerEntryError) {
        self.kind = kind
        self.template = try LedgerEntry(sequence: 0, timestampMilliseconds: timestampMilliseconds, kind: kind, fields: fields).encoded()
    }

    /// A draft another process encoded (``template``: its canonical bytes at sequence 0),
    /// checked: bytes that do not decode as an entry at position 0 throw.
    public init(template: [UInt8]) throws(LedgerEntryError) {
        let entry = try LedgerEntry.decode(template)
        guard entry.sequence == 0 else { throw LedgerEntryError.sequenceTooLarge(UInt64(entry.sequence)) }
        self.kind = entry.kind
        self.template = template
    }

    /// Its canonical bytes at sequence 0, to hand to the process that numbers it.
    public var templateBytes: [UInt8] { template }

    /// The entry's canonical bytes at position `sequence` in the log: the same bytes
    /// `LedgerEntry(sequence: sequence, …).encoded()` gives.
    public func encoded(sequence: Int) throws(LedgerEntryError) -> [UInt8] {
        guard sequence >= 0 else { throw LedgerEntryError.negativeSequence(sequence) }
        var bytes = template
        bytes.replaceBigEndian(UInt64(sequence), at: LedgerEntry.sequenceOffset)
        return bytes
    }
}
