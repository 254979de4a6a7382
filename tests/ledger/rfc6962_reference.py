"""A deliberately naive RFC 6962 reference: the recursive definitions of §2.1, nothing clever.

It shares no code with the Swift implementation or with tools/verify_ledger_bundle.py, so
test vectors printed from it (``python3 tests/ledger/rfc6962_reference.py``) are an
independent check of both. The Swift tests hard-code the hex this script prints.
"""

import hashlib


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(entries: list) -> bytes:
    """MTH(D[n]), RFC 6962 §2.1."""
    n = len(entries)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaf_hash(entries[0])
    k = _split(n)
    return node_hash(mth(entries[:k]), mth(entries[k:]))


def path(m: int, entries: list) -> list:
    """PATH(m, D[n]), RFC 6962 §2.1.1."""
    n = len(entries)
    if n == 1:
        return []
    k = _split(n)
    if m < k:
        return path(m, entries[:k]) + [mth(entries[k:])]
    return path(m - k, entries[k:]) + [mth(entries[:k])]


def proof(m: int, entries: list) -> list:
    """PROOF(m, D[n]), RFC 6962 §2.1.2 (empty for m == n and for m == 0)."""
    if m == 0:
        return []
    return _subproof(m, entries, True)


def _subproof(m: int, entries: list, whole: bool) -> list:
    n = len(entries)
    if m == n:
        return [] if whole else [mth(entries)]
    k = _split(n)
    if m <= k:
        return _subproof(m, entries[:k], whole) + [mth(entries[k:])]
    return _subproof(m - k, entries[k:], False) + [mth(entries[:k])]


# The 8 leaves of the certificate-transparency reference tree.
REFERENCE_LEAVES = [
    b"",
    bytes.fromhex("00"),
    bytes.fromhex("10"),
    bytes.fromhex("2021"),
    bytes.fromhex("3031"),
    bytes.fromhex("40414243"),
    bytes.fromhex("5051525354555657"),
    bytes.fromhex("606162636465666768696a6b6c6d6e6f"),
]


if __name__ == "__main__":
    leaves = REFERENCE_LEAVES
    for n in range(1, 9):
        print(f"root {n}: {mth(leaves[:n]).hex()}")
    for m, n in [(0, 1), (0, 8), (5, 8), (2, 3), (1, 5), (3, 7), (6, 8), (7, 8)]:
        print(f"path leaf {m} size {n}: {[h.hex() for h in path(m, leaves[:n])]}")
    for m, n in [(1, 1), (1, 8), (6, 8), (2, 5), (3, 7), (4, 7), (5, 7), (7, 8)]:
        print(f"proof {m} -> {n}: {[h.hex() for h in proof(m, leaves[:n])]}")
    # Longest proofs for a range of sizes (the bounds the Swift tests assert).
    worst_path = max(len(path(m, [bytes([i]) for i in range(n)])) for n in range(1, 71) for m in range(n))
    print("longest inclusion path for n <= 70:", worst_path)
    for n in (2, 3, 5, 7, 8, 9, 17, 33, 63, 64, 65, 70):
        ls = [bytes([i]) for i in range(n)]
        print(f"n={n}: longest consistency proof", max(len(proof(m, ls)) for m in range(1, n + 1)))
