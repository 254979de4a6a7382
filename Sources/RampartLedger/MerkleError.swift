/// Why a Merkle log operation could not be carried out: a size or index outside the log,
/// or a stored node that a reader does not have.
public enum MerkleError: Error, Equatable, Sendable {
    /// A tree size below zero.
    case invalidTreeSize(Int)
    /// A tree size larger than the log holds.
    case treeSizeBeyondLog(treeSize: Int, logSize: Int)
    /// A leaf index outside `0..<treeSize`.
    case leafIndexOutOfRange(leafIndex: Int, treeSize: Int)
    /// A consistency proof asked between sizes that are not `0 <= from <= to`.
    case invalidConsistencyRange(from: Int, to: Int)
    /// A reader was asked for a complete subtree it does not hold.
    case missingNode(level: Int, index: Int)
}
