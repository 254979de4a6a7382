"""Tests for tools/verify_ledger_bundle.py.

A small Python-side builder makes a good bundle (Merkle paths from the naive RFC 6962
reference in rfc6962_reference.py, Ed25519 signatures from the `cryptography` package);
each test then breaks one thing and expects the verifier to name it.

    python3 -m pytest -q tests/ledger
"""

import base64
import copy
import hashlib
import importlib.util
import json
import pathlib
import re
import struct
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TOOL = ROOT / "tools" / "verify_ledger_bundle.py"

sys.path.insert(0, str(HERE))
import rfc6962_reference as ref  # noqa: E402

_spec = importlib.util.spec_from_file_location("verify_ledger_bundle", TOOL)
verifier = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(verifier)

# RFC 8032 §7.1 test 1's key: a fixed key keeps every bundle byte-for-byte reproducible.
SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")


# --------------------------------------------------------------------------- builder


def encode_entry(sequence, timestamp_ms, kind, fields):
    """Canonical entry bytes, version 1 (docs/LEDGER-BUNDLE.md), fields sorted by UTF-8."""

    def string(text):
        raw = text.encode("utf-8")
        return struct.pack(">I", len(raw)) + raw

    items = sorted(fields.items(), key=lambda item: item[0].encode("utf-8"))
    out = bytes([1]) + struct.pack(">QQ", sequence, timestamp_ms) + string(kind)
    out += struct.pack(">I", len(items))
    for name, value in items:
        out += string(name) + string(value)
    return out


def sample_entries(count):
    kinds = verifier.KINDS
    return [
        encode_entry(
            i,
            1_700_000_000_000 + 1000 * i,
            kinds[i % len(kinds)],
            {"actor": f"m_{i % 3}", "subject": f"m_{(i * 7) % 11}", "note": "é ✓" if i % 4 == 0 else ""},
        )
        for i in range(count)
    ]


def signer():
    ed25519 = pytest.importorskip(
        "cryptography.hazmat.primitives.asymmetric.ed25519",
        reason="the `cryptography` package signs the test bundles; pip install cryptography",
    )
    return ed25519.Ed25519PrivateKey.from_private_bytes(SEED)


def public_key_bytes(key):
    from cryptography.hazmat.primitives import serialization

    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def build_bundle(entries, head_sizes, key=None, entry_tree_size=None):
    """A bundle with a tree head at each size, every entry proven against
    `entry_tree_size` (default: the last head), and consistency between consecutive heads."""
    key = key or signer()
    leaves = [ref.leaf_hash(e) for e in entries]

    def root(size):
        return ref.mth(entries[:size])

    heads = []
    for number, size in enumerate(head_sizes):
        timestamp = 1_700_000_100_000 + number
        message = b"RAMPART-STH-v1" + struct.pack(">QQ", size, timestamp) + root(size)
        heads.append({
            "size": size,
            "root": root(size).hex(),
            "timestamp_ms": timestamp,
            "signature": base64.b64encode(key.sign(message)).decode(),
        })
    tree_size = entry_tree_size or head_sizes[-1]
    bundle_entries = [
        {
            "index": i,
            "entry": base64.b64encode(entry).decode(),
            "proof": [h.hex() for h in ref.path(i, entries[:tree_size])],
            "tree_size": tree_size,
        }
        for i, entry in enumerate(entries)
    ]
    consistency = [
        {"from_size": a, "to_size": b, "proof": [h.hex() for h in ref.proof(a, entries[:b])]}
        for a, b in zip(head_sizes, head_sizes[1:])
    ]
    assert len(leaves) == len(entries)
    return {
        "format": "rampart-ledger-bundle-v1",
        "public_key": base64.b64encode(public_key_bytes(key)).decode(),
        "tree_heads": heads,
        "entries": bundle_entries,
        "consistency": consistency,
    }


@pytest.fixture(scope="module")
def good():
    return build_bundle(sample_entries(11), [3, 8, 11])


def run_tool(tmp_path, bundle, *args):
    (tmp_path / "bundle.json").write_text(json.dumps(bundle, indent=2))
    return subprocess.run(
        [sys.executable, str(TOOL), str(tmp_path), *args],
        capture_output=True, text=True, timeout=120,
    )


def rejected(bundle, item):
    with pytest.raises(verifier.BundleError) as failure:
        verifier.verify_bundle(bundle)
    assert failure.value.item == item, str(failure.value)
    return failure.value


def resign(bundle, number, key=None):
    """Signs tree head `number` again, as a log holding the private key could."""
    key = key or signer()
    head = bundle["tree_heads"][number]
    message = verifier.tree_head_bytes(head["size"], head["timestamp_ms"], bytes.fromhex(head["root"]))
    head["signature"] = base64.b64encode(key.sign(message)).decode()


# --------------------------------------------------------------------------- the tool


def test_a_good_bundle_is_accepted_and_listed(tmp_path, good):
    result = run_tool(tmp_path, good)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: 3 tree heads, 11 entries, 2 consistency proofs verified" in result.stdout
    assert "tree head  size 8" in result.stdout
    # Entries are decoded: time, kind, fields.
    assert re.search(r'entry +0  2023-11-14T22:13:20\.000Z  access  actor=m_0  note="é ✓"  subject=m_0', result.stdout)
    assert 'note=""' in result.stdout
    assert "entry     10" in result.stdout


def test_control_characters_in_values_are_quoted(tmp_path):
    entries = [encode_entry(0, 0, "login", {"agent": "evil\n\x1b[2J", "plain": "ok"})]
    result = run_tool(tmp_path, build_bundle(entries, [1]))
    assert result.returncode == 0, result.stdout
    assert 'agent="evil\\n\\u001b[2J"  plain=ok' in result.stdout


def test_quiet_prints_only_the_summary(tmp_path, good):
    result = run_tool(tmp_path, good, "--quiet")
    assert result.returncode == 0
    assert result.stdout.strip().splitlines() == ["OK: 3 tree heads, 11 entries, 2 consistency proofs verified"]


def test_a_changed_entry_byte_is_rejected(tmp_path, good):
    bundle = copy.deepcopy(good)
    data = bytearray(base64.b64decode(bundle["entries"][4]["entry"]))
    data[-1] ^= 0x01  # inside the last field's value: still decodes, no longer proven
    bundle["entries"][4]["entry"] = base64.b64encode(bytes(data)).decode()
    result = run_tool(tmp_path, bundle)
    assert result.returncode == 1
    assert result.stdout.strip().splitlines()[-1].startswith("FAIL: entries[4]: inclusion proof")


def test_a_deleted_entry_is_rejected(good):
    bundle = copy.deepcopy(good)
    del bundle["entries"][6]
    error = rejected(bundle, "entries[6]")
    assert "index 7" in error.reason


def test_the_last_entry_deleted_is_rejected(good):
    bundle = copy.deepcopy(good)
    del bundle["entries"][-1]
    rejected(bundle, "entries")


def test_a_reordered_pair_of_entries_is_rejected(good):
    bundle = copy.deepcopy(good)
    entries = bundle["entries"]
    entries[2], entries[3] = entries[3], entries[2]
    rejected(bundle, "entries[2]")


def test_swapped_entry_contents_are_rejected(good):
    # Indices left in order, the two entries' bytes and proofs exchanged.
    bundle = copy.deepcopy(good)
    entries = bundle["entries"]
    for key in ("entry", "proof"):
        entries[2][key], entries[3][key] = entries[3][key], entries[2][key]
    error = rejected(bundle, "entries[2]")
    assert "sequence 3" in error.reason


def test_a_wrong_tree_head_signature_is_rejected(tmp_path, good):
    bundle = copy.deepcopy(good)
    signature = bytearray(base64.b64decode(bundle["tree_heads"][1]["signature"]))
    signature[0] ^= 0x80
    bundle["tree_heads"][1]["signature"] = base64.b64encode(bytes(signature)).decode()
    result = run_tool(tmp_path, bundle)
    assert result.returncode == 1
    assert "FAIL: tree_heads[1]: bad signature" in result.stdout


def test_a_tree_head_with_a_changed_size_or_time_is_rejected(good):
    for key, value in (("size", 9), ("timestamp_ms", good["tree_heads"][1]["timestamp_ms"] + 1)):
        bundle = copy.deepcopy(good)
        bundle["tree_heads"][1][key] = value
        rejected(bundle, "tree_heads[1]")


def test_another_public_key_is_rejected(good):
    bundle = copy.deepcopy(good)
    other = hashlib.sha256(b"another key").digest()
    ed25519 = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.ed25519")
    bundle["public_key"] = base64.b64encode(
        public_key_bytes(ed25519.Ed25519PrivateKey.from_private_bytes(other))).decode()
    rejected(bundle, "tree_heads[0]")


def test_a_truncated_tree_head_list_is_rejected(good):
    # Without the last head, the entries name a size no head has.
    bundle = copy.deepcopy(good)
    del bundle["tree_heads"][-1]
    error = rejected(bundle, "entries[0]")
    assert "no tree head of size 11" in error.reason
    # Without a middle head, its consistency proof names a size no head has.
    bundle = copy.deepcopy(good)
    del bundle["tree_heads"][1]
    rejected(bundle, "consistency[0]")
    # With no head at all.
    bundle = copy.deepcopy(good)
    bundle["tree_heads"] = []
    rejected(bundle, "tree_heads")


def test_a_missing_consistency_proof_is_rejected(good):
    bundle = copy.deepcopy(good)
    del bundle["consistency"][1]
    error = rejected(bundle, "consistency")
    assert "size 8 to size 11" in error.reason


def test_a_tampered_consistency_proof_is_rejected(good):
    bundle = copy.deepcopy(good)
    proof = bundle["consistency"][0]["proof"]
    proof[0] = ("0" if proof[0][0] != "0" else "1") + proof[0][1:]
    rejected(bundle, "consistency[0]")


def test_a_forked_history_signed_with_the_real_key_is_caught(good):
    # The log rewrote entry 1 after signing the head of size 3, and signed new heads over
    # the rewritten log. Every signature is good; the first head's root no longer matches
    # the entries and no consistency proof can link the two histories.
    entries = sample_entries(11)
    forked_entries = list(entries)
    forked_entries[1] = encode_entry(1, 1_700_000_001_000, "enforcement", {"actor": "someone else"})
    forked = build_bundle(forked_entries, [3, 8, 11])
    honest = build_bundle(entries, [3, 8, 11])
    forked["tree_heads"][0] = honest["tree_heads"][0]  # the head published before the fork
    forked["consistency"][0]["proof"] = [h.hex() for h in ref.proof(3, forked_entries[:8])]
    rejected(forked, "tree_heads[0]")


def test_a_head_whose_root_is_not_the_entries_root_is_rejected(good):
    # A head (validly signed) over a root that no prefix of these entries has.
    bundle = copy.deepcopy(good)
    bundle["tree_heads"][0]["root"] = hashlib.sha256(b"elsewhere").hexdigest()
    resign(bundle, 0)
    rejected(bundle, "tree_heads[0]")


def test_tree_heads_out_of_order_are_rejected(good):
    bundle = copy.deepcopy(good)
    heads = bundle["tree_heads"]
    heads[0], heads[1] = heads[1], heads[0]
    rejected(bundle, "tree_heads[1]")


def test_entries_proven_against_an_earlier_head_are_accepted():
    # Entries 0-2 proven against the head of size 3, the rest against size 8.
    entries = sample_entries(8)
    bundle = build_bundle(entries, [3, 8])
    for i in range(3):
        bundle["entries"][i]["tree_size"] = 3
        bundle["entries"][i]["proof"] = [h.hex() for h in ref.path(i, entries[:3])]
    assert verifier.verify_bundle(bundle).startswith("OK")
    bundle["entries"][5]["tree_size"] = 3  # entry 5 is not in the tree of size 3
    rejected(bundle, "entries[5]")


def test_malformed_items_are_named(good):
    cases = [
        (lambda b: b.__setitem__("format", "rampart-ledger-bundle-v3"), "format"),
        (lambda b: b.__setitem__("format", "rampart-ledger-bundle-v2"), "bundle"),  # v2 needs a selection
        (lambda b: b.__setitem__("public_key", "not base64!"), "public_key"),
        (lambda b: b.__setitem__("public_key", base64.b64encode(b"short").decode()), "public_key"),
        (lambda b: b["tree_heads"][2].__setitem__("root", "ab"), "tree_heads[2]"),
        (lambda b: b["tree_heads"][2].__setitem__("size", -1), "tree_heads[2]"),
        (lambda b: b["tree_heads"][2].__setitem__("size", True), "tree_heads[2]"),
        (lambda b: b["entries"][1].pop("proof"), "entries[1]"),
        (lambda b: b["entries"][1].__setitem__("entry", "AAAA"), "entries[1]"),
        (lambda b: b["entries"][1]["proof"].append("zz" * 32), "entries[1]"),
    ]
    for change, item in cases:
        bundle = copy.deepcopy(good)
        change(bundle)
        rejected(bundle, item)


def test_an_unreadable_bundle_exits_two(tmp_path):
    (tmp_path / "bundle.json").write_text("{not json")
    result = subprocess.run([sys.executable, str(TOOL), str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 2
    duplicate = '{"format": "rampart-ledger-bundle-v1", "format": "x"}'
    (tmp_path / "bundle.json").write_text(duplicate)
    result = subprocess.run([sys.executable, str(TOOL), str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 2
    assert "twice" in result.stderr


# --------------------------------------------------------------------------- the pieces


def test_entry_decoding_matches_the_swift_golden_bytes():
    # The same bytes LedgerEntryEncodingTests.anEntryEncodesToTheDocumentedBytes asserts.
    golden = bytes.fromhex(
        "0100000000000000050000018bcfe5687b00000006616363657373000000030000000863617465676f7279"
        "00000007636f6e74616374000000077375626a656374000000036d5f3200000006766965776572000000036d5f31")
    assert verifier.decode_entry(golden) == {
        "sequence": 5, "timestamp_ms": 1_700_000_000_123, "kind": "access",
        "fields": [("category", "contact"), ("subject", "m_2"), ("viewer", "m_1")],
    }
    assert encode_entry(5, 1_700_000_000_123, "access",
                        {"viewer": "m_1", "subject": "m_2", "category": "contact"}) == golden
    assert verifier.leaf_hash(golden).hex() == "1e7ae1de4e71aa7e54adc56dee1418cc0fa49d18b1ab4fe6ee15e6dfd5423bb9"
    for cut in range(len(golden)):
        with pytest.raises(ValueError):
            verifier.decode_entry(golden[:cut])
    with pytest.raises(ValueError, match="after the last field"):
        verifier.decode_entry(golden + b"\x00")


def test_entry_decoding_rejects_unsorted_and_duplicate_fields():
    def raw(fields):
        out = bytes([1]) + struct.pack(">QQ", 0, 0) + struct.pack(">I", 5) + b"login"
        out += struct.pack(">I", len(fields))
        for name, value in fields:
            out += struct.pack(">I", len(name)) + name + struct.pack(">I", len(value)) + value
        return out

    with pytest.raises(ValueError, match="out of order"):
        verifier.decode_entry(raw([(b"b", b"1"), (b"a", b"2")]))
    with pytest.raises(ValueError, match="twice"):
        verifier.decode_entry(raw([(b"a", b"1"), (b"a", b"2")]))
    with pytest.raises(ValueError, match="not UTF-8"):
        verifier.decode_entry(raw([(b"a", b"\xc3\x28")]))
    with pytest.raises(ValueError, match="unknown kind"):
        verifier.decode_entry(bytes([1]) + bytes(16) + struct.pack(">I", 4) + b"open" + bytes(4))
    assert verifier.decode_entry(raw([(b"Z", b""), (b"a", b""), (b"\xc3\xa9", b"")]))["fields"][2] == ("é", "")


def test_the_kinds_match_the_swift_enum():
    source = (ROOT / "Sources" / "RampartLedger" / "LedgerEntryKind.swift").read_text()
    assert tuple(re.findall(r"^\s*case (\w+)$", source, re.MULTILINE)) == verifier.KINDS


def test_the_reference_tree_roots_and_proofs_verify():
    leaves = [ref.leaf_hash(x) for x in ref.REFERENCE_LEAVES]
    expected_root_8 = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
    assert verifier.root_from_leaves(leaves).hex() == expected_root_8
    for n in range(0, 9):
        assert verifier.root_from_leaves(leaves[:n]) == ref.mth(ref.REFERENCE_LEAVES[:n])
    for n in range(1, 9):
        root = ref.mth(ref.REFERENCE_LEAVES[:n])
        for m in range(n):
            path = ref.path(m, ref.REFERENCE_LEAVES[:n])
            assert verifier.inclusion_root(m, n, leaves[m], path) == root
            assert verifier.inclusion_root(m, n + 1, leaves[m], path) != ref.mth(ref.REFERENCE_LEAVES[:n + 1])
        for m in range(0, n + 1):
            proof = ref.proof(m, ref.REFERENCE_LEAVES[:n])
            assert verifier.verify_consistency(m, n, ref.mth(ref.REFERENCE_LEAVES[:m]), root, proof)


def test_proofs_verify_for_every_size_and_fail_when_tampered():
    entries = [f"leaf {i}".encode() for i in range(40)]
    leaves = [ref.leaf_hash(e) for e in entries]
    roots = [ref.mth(entries[:n]) for n in range(41)]
    flip = lambda h: bytes([h[0] ^ 1]) + h[1:]  # noqa: E731
    for n in range(1, 41):
        for m in range(n):
            path = ref.path(m, entries[:n])
            assert verifier.inclusion_root(m, n, leaves[m], path) == roots[n]
            assert verifier.inclusion_root(m, n, flip(leaves[m]), path) != roots[n]
            for i in range(len(path)):
                bad = path[:i] + [flip(path[i])] + path[i + 1:]
                assert verifier.inclusion_root(m, n, leaves[m], bad) != roots[n]
        for m in range(1, n):
            proof = ref.proof(m, entries[:n])
            if (m, n) == (1, 2):  # too short for a claimed size 4: step 7's sn == 0 check
                assert not verifier.verify_consistency(1, 4, roots[1], roots[2], proof)
            assert verifier.verify_consistency(m, n, roots[m], roots[n], proof)
            assert not verifier.verify_consistency(m, n, flip(roots[m]), roots[n], proof)
            assert not verifier.verify_consistency(m, n, roots[m], roots[n], proof[:-1])
            for i in range(len(proof)):
                bad = proof[:i] + [flip(proof[i])] + proof[i + 1:]
                assert not verifier.verify_consistency(m, n, roots[m], roots[n], bad)


# RFC 8032 §7.1 tests 1-3: (public key, message, signature).
RFC8032_VECTORS = [
    ("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
    ("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
    ("fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"),
]


@pytest.mark.parametrize("public, message, signature", RFC8032_VECTORS)
def test_pure_python_ed25519_accepts_the_rfc8032_vectors(public, message, signature):
    public, message, signature = bytes.fromhex(public), bytes.fromhex(message), bytes.fromhex(signature)
    assert verifier.ed25519_verify(public, message, signature)
    assert not verifier.ed25519_verify(public, message + b"x", signature)
    assert not verifier.ed25519_verify(public, message, signature[:-1] + bytes([signature[-1] ^ 1]))
    assert not verifier.ed25519_verify(public, message, signature[:63])


def test_pure_python_ed25519_rejects_a_malleated_signature():
    public, _, signature = (bytes.fromhex(x) for x in RFC8032_VECTORS[0])
    s = int.from_bytes(signature[32:], "little") + verifier.ED_Q  # same point, S >= L
    assert not verifier.ed25519_verify(public, b"", signature[:32] + s.to_bytes(32, "little"))


def test_pure_python_ed25519_agrees_with_cryptography():
    key = signer()
    public = public_key_bytes(key)
    for length in (0, 1, 62, 200):
        message = hashlib.sha256(bytes([length])).digest() * (length // 32 + 1)
        message = message[:length]
        assert verifier.ed25519_verify(public, message, key.sign(message))
