#!/usr/bin/env python3
"""Verify a Rampart evidence-ledger bundle, with nothing but Python's standard library.

    python3 tools/verify_ledger_bundle.py BUNDLE_DIR_OR_BUNDLE_JSON [--quiet]

The bundle format is documented byte for byte in docs/LEDGER-BUNDLE.md. There are two:
`rampart-ledger-bundle-v1`, a complete export of the log, and `rampart-ledger-bundle-v2`,
a selection (say, one account's entries). For v1 this tool checks, in this order, and
stops at the first failure, naming the item:

  1. the format name and the Ed25519 public key;
  2. every tree head: sizes strictly increasing, timestamps not decreasing, and the
     Ed25519 signature over its 62 canonical bytes;
  3. every entry: listed in index order with none missing (entries 0 .. N-1, N the size
     of the last tree head), canonical bytes that decode, a sequence equal to its index,
     and an RFC 9162 inclusion proof that leads to the root of the tree head whose size
     the entry names;
  4. every tree head's root recomputed from the entries themselves;
  5. an RFC 9162 consistency proof between each pair of consecutive tree heads (and any
     other consistency proof the bundle carries).

For v2 it checks the same, except that the entries are any subset of the log in strictly
increasing index order (possibly none), so step 4 cannot be done: a selection proves that
its entries are in the signed log, never that no other entry matches. The tool prints the
bundle's `selection` (the exporter's description of what was selected, neither signed nor
checked) and says so in its output.

It prints the tree heads and the decoded entries, then "OK ..." and exits 0; on the first
bad item it prints "FAIL: <item>: <reason>" and exits 1. A bundle it cannot read at all
(no such file, not JSON) exits 2.

Nothing here is shared with the Rampart server: the Merkle verification follows RFC 9162
§2.1.3.2 and §2.1.4.2, the Ed25519 verification RFC 8032 §6.
"""

import base64
import binascii
import datetime
import hashlib
import json
import pathlib
import struct
import sys

FORMAT = "rampart-ledger-bundle-v1"  # a complete export: entries 0 .. N-1
FORMAT_V2 = "rampart-ledger-bundle-v2"  # a selection: any subset of the entries
FORMATS = (FORMAT, FORMAT_V2)
# Said with every verified v2 bundle (docs/LEDGER-BUNDLE.md §7).
SELECTION_NOTE = (
    "a selection: proves these entries are in the signed log; "
    "it does not prove no other entries match"
)
STH_DOMAIN = b"RAMPART-STH-v1"
ENTRY_VERSION = 1
# LedgerEntryKind's raw values (Sources/RampartLedger/LedgerEntryKind.swift).
KINDS = (
    "access",
    "enforcement",
    "registration",
    "login",
    "agreementAcceptance",
    "purchase",
    "policyChange",
    "misuse",
)


class BundleError(Exception):
    """The first bad item: `item` names it (e.g. "entries[3]"), `reason` says why."""

    def __init__(self, item, reason):
        super().__init__(f"{item}: {reason}")
        self.item = item
        self.reason = reason


# --------------------------------------------------------------------------- Ed25519
# RFC 8032 §6 ("Ed25519 Python Illustrative Implementation"), verification only, with the
# RFC's names. Points are in extended homogeneous coordinates (X, Y, Z, T), x = X/Z,
# y = Y/Z, x*y = T/Z. It is not constant-time, which verification does not need: every
# input is public.

ED_P = 2**255 - 19  # the field prime
ED_D = -121665 * pow(121666, ED_P - 2, ED_P) % ED_P  # the curve constant d
ED_Q = 2**252 + 27742317777372353535851937790883648493  # the group order (L)
ED_SQRT_M1 = pow(2, (ED_P - 1) // 4, ED_P)  # a square root of -1 mod p


def _ed_add(P, Q):
    """Point addition (RFC 8032 §5.1.4, "add-2008-hwcd-3")."""
    A = (P[1] - P[0]) * (Q[1] - Q[0]) % ED_P
    B = (P[1] + P[0]) * (Q[1] + Q[0]) % ED_P
    C = 2 * P[3] * Q[3] * ED_D % ED_P
    D = 2 * P[2] * Q[2] % ED_P
    E, F, G, H = B - A, D - C, D + C, B + A
    return (E * F % ED_P, G * H % ED_P, F * G % ED_P, E * H % ED_P)


def _ed_mul(s, P):
    """Scalar multiplication by double-and-add."""
    Q = (0, 1, 1, 0)  # the neutral element
    while s > 0:
        if s & 1:
            Q = _ed_add(Q, P)
        P = _ed_add(P, P)
        s >>= 1
    return Q


def _ed_equal(P, Q):
    """x1/z1 == x2/z2 and y1/z1 == y2/z2."""
    if (P[0] * Q[2] - Q[0] * P[2]) % ED_P != 0:
        return False
    return (P[1] * Q[2] - Q[1] * P[2]) % ED_P == 0


def _ed_recover_x(y, sign):
    """The x with the given low bit on the curve at y, or None (RFC 8032 §5.1.3)."""
    if y >= ED_P:
        return None
    x2 = (y * y - 1) * pow(ED_D * y * y + 1, ED_P - 2, ED_P)
    if x2 % ED_P == 0:
        return None if sign else 0
    x = pow(x2, (ED_P + 3) // 8, ED_P)
    if (x * x - x2) % ED_P != 0:
        x = x * ED_SQRT_M1 % ED_P
    if (x * x - x2) % ED_P != 0:
        return None
    if (x & 1) != sign:
        x = ED_P - x
    return x


def _ed_decompress(s):
    """A 32-byte encoded point, or None if it is not one."""
    if len(s) != 32:
        return None
    y = int.from_bytes(s, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _ed_recover_x(y, sign)
    if x is None:
        return None
    return (x, y, 1, x * y % ED_P)


_ED_GY = 4 * pow(5, ED_P - 2, ED_P) % ED_P
_ED_GX = _ed_recover_x(_ED_GY, 0)
ED_BASE = (_ED_GX, _ED_GY, 1, _ED_GX * _ED_GY % ED_P)  # the base point B


def ed25519_verify(public, message, signature):
    """RFC 8032 §5.1.7: True if `signature` is `public`'s signature over `message`.

    Checks [S]B == R + [k]A with k = SHA-512(R || A || M) mod L, and S < L.
    """
    if len(public) != 32 or len(signature) != 64:
        return False
    A = _ed_decompress(public)
    if A is None:
        return False
    R_bytes = signature[:32]
    R = _ed_decompress(R_bytes)
    if R is None:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= ED_Q:
        return False
    k = int.from_bytes(hashlib.sha512(R_bytes + public + message).digest(), "little") % ED_Q
    return _ed_equal(_ed_mul(s, ED_BASE), _ed_add(R, _ed_mul(k, A)))


# --------------------------------------------------------------------------- RFC 6962 / 9162

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(entry):
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_leaves(leaf_hashes):
    """MTH of a list of leaf hashes, bottom up: pair neighbours, carry an odd last one up.

    Carrying the last node up unchanged builds the same tree as RFC 6962's split at the
    largest power of two below n.
    """
    if not leaf_hashes:
        return EMPTY_ROOT
    level = list(leaf_hashes)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2 == 1:
            paired.append(level[-1])
        level = paired
    return level[0]


def inclusion_root(leaf_index, tree_size, leaf, path):
    """RFC 9162 §2.1.3.2 steps 1-5: the root `path` leads to from `leaf`, or None."""
    if leaf_index < 0 or leaf_index >= tree_size:
        return None
    fn, sn = leaf_index, tree_size - 1
    r = leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def verify_consistency(first, second, first_hash, second_hash, path):
    """RFC 9162 §2.1.4.2, with the cases it leaves to the caller: equal sizes need an empty
    proof and equal roots; size 0 needs an empty proof and the empty tree's root."""
    if first < 0 or first > second:
        return False
    if first == second:
        return not path and first_hash == second_hash
    if first == 0:
        return not path and first_hash == EMPTY_ROOT
    if not path:  # step 1
        return False
    path = list(path)
    if first & (first - 1) == 0:  # step 2: the old tree is a complete subtree
        path.insert(0, first_hash)
    fn, sn = first - 1, second - 1  # step 3
    while fn & 1:  # step 4
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]  # step 5
    for c in path[1:]:  # step 6
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_hash and sr == second_hash and sn == 0  # step 7


# --------------------------------------------------------------------------- canonical bytes


def tree_head_bytes(size, timestamp_ms, root):
    """The 62 bytes a tree head's signature covers."""
    return STH_DOMAIN + struct.pack(">QQ", size, timestamp_ms) + root


def decode_entry(data):
    """Decode an entry's canonical bytes (version 1) into a dict; ValueError if they are
    not exactly one canonical encoding."""
    offset = 0

    def take(count, what):
        nonlocal offset
        if len(data) - offset < count:
            raise ValueError(f"truncated at byte {offset} ({what})")
        chunk = data[offset:offset + count]
        offset += count
        return chunk

    def string(what):
        length = struct.unpack(">I", take(4, what + " length"))[0]
        raw = take(length, what)
        try:
            return raw.decode("utf-8", errors="strict"), raw
        except UnicodeDecodeError:
            raise ValueError(f"{what} is not UTF-8") from None

    version = take(1, "version")[0]
    if version != ENTRY_VERSION:
        raise ValueError(f"unsupported version {version}")
    sequence, timestamp_ms = struct.unpack(">QQ", take(16, "sequence and timestamp"))
    kind, _ = string("kind")
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    count = struct.unpack(">I", take(4, "field count"))[0]
    fields = []
    previous = None
    for number in range(count):
        name, raw_name = string(f"field {number} name")
        value, _ = string(f"field {number} value")
        if previous is not None and raw_name == previous:
            raise ValueError(f"field {name!r} appears twice")
        if previous is not None and raw_name < previous:
            raise ValueError(f"field {name!r} is out of order")
        previous = raw_name
        fields.append((name, value))
    if offset != len(data):
        raise ValueError(f"{len(data) - offset} bytes after the last field")
    return {"sequence": sequence, "timestamp_ms": timestamp_ms, "kind": kind, "fields": fields}


# --------------------------------------------------------------------------- the bundle


def _b64(text, item, what):
    if not isinstance(text, str):
        raise BundleError(item, f"{what} is not a base64 string")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise BundleError(item, f"{what} is not valid base64") from None


def _hash(text, item, what):
    if not isinstance(text, str) or len(text) != 64:
        raise BundleError(item, f"{what} is not 64 hex digits")
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise BundleError(item, f"{what} is not 64 hex digits") from None


def _uint(value, item, what):
    # bool is an int in Python; a JSON true is no size.
    if not isinstance(value, int) or isinstance(value, bool) or value < 0 or value >= 2**64:
        raise BundleError(item, f"{what} is not an unsigned 64-bit integer")
    return value


def _field(obj, key, item):
    if not isinstance(obj, dict) or key not in obj:
        raise BundleError(item, f"missing {key!r}")
    return obj[key]


def _list(obj, key, item):
    value = _field(obj, key, item)
    if not isinstance(value, list):
        raise BundleError(item, f"{key!r} is not a list")
    return value


def _shown(text):
    """A name or value as printed: bare if plain, else JSON-quoted, so a value cannot
    break the listing's lines or pass control characters to the terminal."""
    if text and text.isprintable() and not any(c.isspace() or c in '="\\' for c in text):
        return text
    return json.dumps(text, ensure_ascii=False)


def format_time(timestamp_ms):
    try:
        moment = datetime.datetime.fromtimestamp(timestamp_ms / 1000, tz=datetime.timezone.utc)
    except (OverflowError, OSError, ValueError):
        return f"{timestamp_ms} ms"
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{timestamp_ms % 1000:03d}Z"


def verify_bundle(bundle, out=None):
    """Check a parsed bundle.json; raise BundleError at the first bad item, else return a
    summary. Writes a readable listing to `out` (a file) if given."""

    def say(line):
        if out is not None:
            print(line, file=out)

    bundle_format = _field(bundle, "format", "bundle")
    if bundle_format not in FORMATS:
        raise BundleError("format", f"expected {FORMAT!r} or {FORMAT_V2!r}")
    selective = bundle_format == FORMAT_V2
    selection_text = None
    if selective:
        selection = _field(bundle, "selection", "bundle")
        if not isinstance(selection, dict):
            raise BundleError("selection", "is not a JSON object")
        # Printed as JSON on one line: a value cannot break the listing's lines or pass
        # control characters to the terminal.
        selection_text = json.dumps(selection, ensure_ascii=False)
        say(f"selection  {selection_text}  (the exporter's description; not signed, not checked)")
    public_key = _b64(_field(bundle, "public_key", "bundle"), "public_key", "public_key")
    if len(public_key) != 32 or _ed_decompress(public_key) is None:
        raise BundleError("public_key", "not a raw 32-byte Ed25519 public key")

    # Tree heads.
    heads = {}  # size -> root
    ordered = []
    raw_heads = _list(bundle, "tree_heads", "bundle")
    if not raw_heads:
        raise BundleError("tree_heads", "no tree head")
    for number, head in enumerate(raw_heads):
        item = f"tree_heads[{number}]"
        size = _uint(_field(head, "size", item), item, "size")
        root = _hash(_field(head, "root", item), item, "root")
        timestamp = _uint(_field(head, "timestamp_ms", item), item, "timestamp_ms")
        signature = _b64(_field(head, "signature", item), item, "signature")
        if ordered and size <= ordered[-1][0]:
            raise BundleError(item, f"size {size} does not follow size {ordered[-1][0]}")
        if ordered and timestamp < ordered[-1][2]:
            raise BundleError(item, "timestamp is earlier than the previous tree head's")
        if not ed25519_verify(public_key, tree_head_bytes(size, timestamp, root), signature):
            raise BundleError(item, f"bad signature on tree head of size {size}")
        heads[size] = root
        ordered.append((size, root, timestamp))
        say(f"tree head  size {size}  root {root.hex()}  signed {format_time(timestamp)}")

    # Entries: v1 a complete export, 0 .. N-1; v2 any subset, indices strictly increasing.
    last_size = ordered[-1][0]
    raw_entries = _list(bundle, "entries", "bundle")
    leaves = []
    previous_index = None
    for number, entry in enumerate(raw_entries):
        item = f"entries[{number}]"
        index = _uint(_field(entry, "index", item), item, "index")
        if selective:
            if previous_index is not None and index <= previous_index:
                raise BundleError(item, f"index {index} does not follow index {previous_index} (indices must strictly increase)")
            if index >= last_size:
                raise BundleError(item, f"index {index} is beyond the log of {last_size} entries")
            previous_index = index
        elif index != number:
            raise BundleError(item, f"index {index} where entry {number} belongs (missing, extra or out of order)")
        data = _b64(_field(entry, "entry", item), item, "entry")
        tree_size = _uint(_field(entry, "tree_size", item), item, "tree_size")
        path = [_hash(h, item, "proof hash") for h in _list(entry, "proof", item)]
        try:
            decoded = decode_entry(data)
        except ValueError as error:
            raise BundleError(item, f"entry bytes: {error}") from None
        if decoded["sequence"] != index:
            raise BundleError(item, f"entry says sequence {decoded['sequence']}, listed at index {index}")
        if tree_size not in heads:
            raise BundleError(item, f"no tree head of size {tree_size}")
        leaf = leaf_hash(data)
        if inclusion_root(index, tree_size, leaf, path) != heads[tree_size]:
            raise BundleError(item, f"inclusion proof does not lead to the root of tree head size {tree_size}")
        leaves.append(leaf)
        fields = "  ".join(f"{_shown(name)}={_shown(value)}" for name, value in decoded["fields"])
        say(f"entry {index:>6}  {format_time(decoded['timestamp_ms'])}  {decoded['kind']}  {fields}")
    if selective:
        # A subset cannot give any root back; only the empty tree's is known beforehand.
        for number, (size, root, _) in enumerate(ordered):
            if size == 0 and root != EMPTY_ROOT:
                raise BundleError(f"tree_heads[{number}]", "root is not the empty tree's root")
    else:
        if len(raw_entries) != last_size:
            raise BundleError("entries", f"{len(raw_entries)} entries for a log of {last_size}")

        # Every tree head's root, from the entries themselves.
        for number, (size, root, _) in enumerate(ordered):
            if root_from_leaves(leaves[:size]) != root:
                raise BundleError(f"tree_heads[{number}]", f"root is not the root of the first {size} entries")

    # Consistency: every consecutive pair, plus any other proof carried.
    proven = set()
    for number, proof in enumerate(_list(bundle, "consistency", "bundle")):
        item = f"consistency[{number}]"
        first = _uint(_field(proof, "from_size", item), item, "from_size")
        second = _uint(_field(proof, "to_size", item), item, "to_size")
        path = [_hash(h, item, "proof hash") for h in _list(proof, "proof", item)]
        if first not in heads or second not in heads:
            raise BundleError(item, f"no tree head of size {first if first not in heads else second}")
        if not verify_consistency(first, second, heads[first], heads[second], path):
            raise BundleError(item, f"tree of size {second} not proven consistent with size {first}")
        proven.add((first, second))
    for (first, _, _), (second, _, _) in zip(ordered, ordered[1:]):
        if (first, second) not in proven:
            raise BundleError("consistency", f"no proof from size {first} to size {second}")

    if selective:
        summary = (
            f"OK: selection {selection_text}: {len(raw_entries)} of the log's {last_size} entries, "
            f"{len(ordered)} tree heads, {len(proven)} consistency proofs verified\n"
            f"NOTE: {SELECTION_NOTE}"
        )
    else:
        summary = (
            f"OK: {len(ordered)} tree heads, {len(raw_entries)} entries, "
            f"{len(proven)} consistency proofs verified"
        )
    say(summary)
    return summary


def _no_duplicate_keys(pairs):
    """A JSON object, refusing a key given twice (which json would silently resolve)."""
    result = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"key {key!r} appears twice in one object")
        result[key] = value
    return result


def main(argv):
    args = [a for a in argv if a != "--quiet"]
    quiet = len(args) != len(argv)
    if len(args) != 1 or args[0] in ("-h", "--help"):
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    path = pathlib.Path(args[0])
    if path.is_dir():
        path = path / "bundle.json"
    try:
        bundle = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=_no_duplicate_keys)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        print(f"error: cannot read {path}: {error}", file=sys.stderr)
        return 2
    try:
        summary = verify_bundle(bundle, out=None if quiet else sys.stdout)
    except BundleError as error:
        print(f"FAIL: {error}")
        return 1
    if quiet:
        print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
