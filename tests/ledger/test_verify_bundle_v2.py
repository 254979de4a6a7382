"""Tests for tools/verify_ledger_bundle.py on `rampart-ledger-bundle-v2` bundles: a
selection of the log's entries (say, one account's, for counsel) rather than all of them.

The bundles are built with test_verify_bundle.py's builder (a complete v1 bundle), then cut
down to the selected entries, as the Swift exporter does: every entry proven against the
last tree head.

    python3 -m pytest -q tests/ledger
"""

import base64
import copy
import hashlib

import pytest

import test_verify_bundle as v1  # the builder, the tool, the Ed25519 test key
from test_verify_bundle import encode_entry, ref, rejected, run_tool, sample_entries, verifier

SELECTION = {"account": "123", "from": "2026-11-01T00:00:00Z", "to": None}
NOTE = ("NOTE: a selection: proves these entries are in the signed log; "
        "it does not prove no other entries match")


def build_selection(entries, head_sizes, indices, selection=SELECTION):
    """A v2 bundle holding `entries[i]` for i in `indices`, each proven against the last
    tree head, with every tree head and consistency proof of the full log."""
    bundle = v1.build_bundle(entries, head_sizes)
    bundle["format"] = "rampart-ledger-bundle-v2"
    bundle["selection"] = copy.deepcopy(selection)
    bundle["entries"] = [bundle["entries"][i] for i in indices]
    return bundle


@pytest.fixture(scope="module")
def entries():
    return sample_entries(11)


@pytest.fixture(scope="module")
def good(entries):
    return build_selection(entries, [3, 8, 11], [1, 4, 5, 10])


def entry_number(bundle, index):
    """Where the entry with log index `index` sits in the bundle's list."""
    return [e["index"] for e in bundle["entries"]].index(index)


# --------------------------------------------------------------------------- accepted


def test_a_good_selection_is_accepted_and_says_what_it_does_not_prove(tmp_path, good):
    result = run_tool(tmp_path, good)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0] == ('selection  {"account": "123", "from": "2026-11-01T00:00:00Z", "to": null}'
                        "  (the exporter's description; not signed, not checked)")
    assert "tree head  size 11" in result.stdout
    listed = [line.split()[1] for line in lines if line.startswith("entry ")]
    assert listed == ["1", "4", "5", "10"]
    assert lines[-2] == ('OK: selection {"account": "123", "from": "2026-11-01T00:00:00Z", "to": null}: '
                         "4 of the log's 11 entries, 3 tree heads, 2 consistency proofs verified")
    assert lines[-1] == NOTE


def test_quiet_still_says_it_is_a_selection(tmp_path, good):
    result = run_tool(tmp_path, good, "--quiet")
    assert result.returncode == 0, result.stdout
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith('OK: selection {"account": "123"')
    assert lines[1] == NOTE


def test_an_empty_selection_is_accepted(tmp_path, entries):
    bundle = build_selection(entries, [3, 8, 11], [], selection={"account": "999"})
    result = run_tool(tmp_path, bundle)
    assert result.returncode == 0, result.stdout
    assert "OK: selection {\"account\": \"999\"}: 0 of the log's 11 entries" in result.stdout
    assert NOTE in result.stdout


def test_the_whole_log_as_a_selection_is_accepted(entries):
    assert "11 of the log's 11 entries" in verifier.verify_bundle(build_selection(entries, [3, 8, 11], range(11)))


def test_a_single_head_and_the_first_and_last_entries_are_accepted(entries):
    bundle = build_selection(entries, [11], [0, 10])
    assert verifier.verify_bundle(bundle).startswith("OK: selection")


def test_entries_proven_against_an_earlier_head_are_accepted(entries):
    bundle = build_selection(entries, [3, 8, 11], [1, 6, 9])
    bundle["entries"][0]["tree_size"] = 3
    bundle["entries"][0]["proof"] = [h.hex() for h in ref.path(1, entries[:3])]
    assert verifier.verify_bundle(bundle).startswith("OK")


def test_the_selection_is_free_form_and_printed_safely(tmp_path, entries):
    selection = {"account": "7\n\x1b[2J", "note": "é", "range": [1, 2], "nested": {"to": None}}
    result = run_tool(tmp_path, build_selection(entries, [11], [3], selection=selection))
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines()[0].startswith(
        'selection  {"account": "7\\n\\u001b[2J", "note": "é", "range": [1, 2], "nested": {"to": null}}')


# --------------------------------------------------------------------------- rejected


def test_a_changed_entry_byte_is_rejected(tmp_path, good):
    bundle = copy.deepcopy(good)
    number = entry_number(bundle, 5)
    data = bytearray(base64.b64decode(bundle["entries"][number]["entry"]))
    data[-1] ^= 0x01  # inside the last field's value: still decodes, no longer proven
    bundle["entries"][number]["entry"] = base64.b64encode(bytes(data)).decode()
    result = run_tool(tmp_path, bundle)
    assert result.returncode == 1
    assert result.stdout.strip().splitlines()[-1] == (
        f"FAIL: entries[{number}]: inclusion proof does not lead to the root of tree head size 11")
    assert NOTE not in result.stdout


def test_a_made_up_entry_with_a_matching_sequence_is_rejected(good):
    # Index and sequence agree, the bytes decode: only the proof can tell it is not in the log.
    bundle = copy.deepcopy(good)
    forged = encode_entry(4, 1_700_000_004_000, "access", {"viewer": "1", "target": "2", "event": "profileView"})
    bundle["entries"][1]["entry"] = base64.b64encode(forged).decode()
    error = rejected(bundle, "entries[1]")
    assert "inclusion proof" in error.reason


def test_a_wrong_index_is_rejected(good):
    # Another index, still increasing: the bytes say another sequence.
    bundle = copy.deepcopy(good)
    bundle["entries"][1]["index"] = 3
    error = rejected(bundle, "entries[1]")
    assert "sequence 4" in error.reason


def test_a_wrong_index_with_the_entry_re_encoded_is_rejected(entries, good):
    # Index and the entry's own sequence both changed to 3: its proof is for leaf 4.
    bundle = copy.deepcopy(good)
    decoded = verifier.decode_entry(entries[4])
    moved = encode_entry(3, decoded["timestamp_ms"], decoded["kind"], dict(decoded["fields"]))
    bundle["entries"][1]["index"] = 3
    bundle["entries"][1]["entry"] = base64.b64encode(moved).decode()
    error = rejected(bundle, "entries[1]")
    assert "inclusion proof" in error.reason


def test_indices_out_of_order_or_repeated_are_rejected(good):
    bundle = copy.deepcopy(good)
    bundle["entries"][1], bundle["entries"][2] = bundle["entries"][2], bundle["entries"][1]
    error = rejected(bundle, "entries[2]")
    assert "index 4 does not follow index 5" in error.reason
    bundle = copy.deepcopy(good)
    bundle["entries"].insert(2, copy.deepcopy(bundle["entries"][1]))
    error = rejected(bundle, "entries[2]")
    assert "index 4 does not follow index 4" in error.reason


def test_an_index_beyond_the_log_is_rejected(good):
    bundle = copy.deepcopy(good)
    bundle["entries"][-1]["index"] = 11
    error = rejected(bundle, "entries[3]")
    assert "beyond the log of 11 entries" in error.reason


def test_a_proof_to_the_wrong_head_is_rejected(entries, good):
    # The proof leads to the root of size 11, the entry names the head of size 8.
    bundle = copy.deepcopy(good)
    bundle["entries"][1]["tree_size"] = 8
    error = rejected(bundle, "entries[1]")
    assert error.reason == "inclusion proof does not lead to the root of tree head size 8"
    # A proof to the head of size 8, named as one to size 11.
    bundle = copy.deepcopy(good)
    bundle["entries"][1]["proof"] = [h.hex() for h in ref.path(4, entries[:8])]
    rejected(bundle, "entries[1]")
    # Entry 10 cannot be in the tree of size 8 at all.
    bundle = copy.deepcopy(good)
    bundle["entries"][3]["tree_size"] = 8
    rejected(bundle, "entries[3]")
    # A size no tree head has.
    bundle = copy.deepcopy(good)
    bundle["entries"][1]["tree_size"] = 9
    error = rejected(bundle, "entries[1]")
    assert "no tree head of size 9" in error.reason


def test_a_proof_to_another_logs_head_is_rejected(entries, good):
    # A proof that is valid in a different log of the same size.
    other = list(entries)
    other[0] = encode_entry(0, 1, "login", {"account": "someone"})
    bundle = copy.deepcopy(good)
    bundle["entries"][1]["proof"] = [h.hex() for h in ref.path(4, other)]
    rejected(bundle, "entries[1]")


def test_a_bad_signature_is_rejected(tmp_path, good):
    for number in range(3):
        bundle = copy.deepcopy(good)
        signature = bytearray(base64.b64decode(bundle["tree_heads"][number]["signature"]))
        signature[5] ^= 0x04
        bundle["tree_heads"][number]["signature"] = base64.b64encode(bytes(signature)).decode()
        result = run_tool(tmp_path, bundle)
        assert result.returncode == 1
        assert f"FAIL: tree_heads[{number}]: bad signature on tree head of size" in result.stdout


def test_a_head_root_changed_and_signed_is_caught_by_consistency(good):
    # The log holding the key signs a head over another root: no entry can expose it in a
    # selection, the consistency proof to the next head does.
    bundle = copy.deepcopy(good)
    bundle["tree_heads"][0]["root"] = hashlib.sha256(b"elsewhere").hexdigest()
    v1.resign(bundle, 0)
    rejected(bundle, "consistency[0]")


def test_a_forked_history_signed_with_the_real_key_is_caught(entries):
    forked_entries = list(entries)
    forked_entries[1] = encode_entry(1, 1_700_000_001_000, "enforcement", {"actor": "someone else"})
    forked = build_selection(forked_entries, [3, 8, 11], [5, 6])
    honest = build_selection(entries, [3, 8, 11], [5, 6])
    forked["tree_heads"][0] = honest["tree_heads"][0]
    forked["consistency"][0]["proof"] = [h.hex() for h in ref.proof(3, forked_entries[:8])]
    rejected(forked, "consistency[0]")


def test_a_missing_consistency_proof_is_rejected(good):
    bundle = copy.deepcopy(good)
    del bundle["consistency"][0]
    error = rejected(bundle, "consistency")
    assert "size 3 to size 8" in error.reason


def test_a_head_of_size_zero_must_have_the_empty_root(entries):
    bundle = build_selection(entries, [11], [])
    key = v1.signer()
    root = hashlib.sha256(b"not empty").digest()
    message = verifier.tree_head_bytes(0, 1_600_000_000_000, root)
    bundle["tree_heads"].insert(0, {"size": 0, "root": root.hex(), "timestamp_ms": 1_600_000_000_000,
                                    "signature": base64.b64encode(key.sign(message)).decode()})
    rejected(bundle, "tree_heads[0]")
    bundle["tree_heads"][0]["root"] = verifier.EMPTY_ROOT.hex()
    v1.resign(bundle, 0)
    bundle["consistency"].append({"from_size": 0, "to_size": 11, "proof": []})
    assert verifier.verify_bundle(bundle).startswith("OK")


def test_the_selection_must_be_an_object(good):
    bundle = copy.deepcopy(good)
    del bundle["selection"]
    error = rejected(bundle, "bundle")
    assert "selection" in error.reason
    for value in (None, "account 123", ["123"], 123):
        bundle = copy.deepcopy(good)
        bundle["selection"] = value
        rejected(bundle, "selection")


def test_a_selection_labelled_v1_is_rejected(good):
    # A complete export must be complete: a v1 bundle cannot leave entries out.
    bundle = copy.deepcopy(good)
    bundle["format"] = "rampart-ledger-bundle-v1"
    error = rejected(bundle, "entries[0]")
    assert "index 1 where entry 0 belongs" in error.reason


def test_malformed_items_are_named(good):
    cases = [
        (lambda b: b["entries"][0].pop("tree_size"), "entries[0]"),
        (lambda b: b["entries"][0].__setitem__("index", -1), "entries[0]"),
        (lambda b: b["entries"][0].__setitem__("index", "1"), "entries[0]"),
        (lambda b: b["entries"][0].__setitem__("entry", "AAAA"), "entries[0]"),
        (lambda b: b["entries"][0]["proof"].append("zz" * 32), "entries[0]"),
        (lambda b: b.__setitem__("entries", {}), "bundle"),
        (lambda b: b.__setitem__("tree_heads", []), "tree_heads"),
    ]
    for change, item in cases:
        bundle = copy.deepcopy(good)
        change(bundle)
        rejected(bundle, item)


# --------------------------------------------------------------------------- v1 unchanged


def test_v1_output_is_unchanged(tmp_path):
    bundle = v1.build_bundle(sample_entries(11), [3, 8, 11])
    result = run_tool(tmp_path, bundle)
    assert result.returncode == 0
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("tree head  size 3  root ")
    assert lines[-1] == "OK: 3 tree heads, 11 entries, 2 consistency proofs verified"
    assert "selection" not in result.stdout and "NOTE" not in result.stdout
    # A v1 bundle carrying a `selection` key ignores it (unknown keys are ignored).
    bundle["selection"] = {"account": "1"}
    assert verifier.verify_bundle(bundle) == "OK: 3 tree heads, 11 entries, 2 consistency proofs verified"

