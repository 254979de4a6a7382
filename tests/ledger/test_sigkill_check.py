"""Tests for the parts of tests/ledger/sigkill_check.py that need no server: reading the
ledger table, matching served views to entries, parsing `rampart unseal --json`.

    python3 -m pytest -q tests/ledger
"""

import collections
import json
import sqlite3
import stat
import sys

import pytest

import sigkill_check as crash_test
from test_verify_bundle import encode_entry, verifier

# The table as Sources/RampartStore/Migrations.swift (v8-ledger-bytes) leaves it.
SCHEMA = """
CREATE TABLE ledger_entries (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    account_id INTEGER,
    recorded_at INTEGER NOT NULL,
    entry BLOB NOT NULL,
    leaf_hash BLOB NOT NULL
)
"""

VIEWER = "5787908290788654141"


def make_ledger(path, entries, damage=None):
    """`entries`: [(kind, fields)], written as rows 0..n-1; `damage(seq, row)` may alter a row."""
    connection = sqlite3.connect(str(path))
    connection.execute(SCHEMA)
    for seq, (kind, fields) in enumerate(entries):
        data = encode_entry(seq, 1_800_000_000_000 + seq, kind, fields)
        row = [seq, kind, int(fields.get("viewer", 0)) or None, 1_800_000_000_000 + seq,
               data, verifier.leaf_hash(data)]
        if damage:
            row = damage(seq, row)
        connection.execute("INSERT INTO ledger_entries VALUES (?, ?, ?, ?, ?, ?)", row)
    connection.commit()
    connection.close()
    return path


def view(target, viewer=VIEWER, event="profileView"):
    return ("access", {"viewer": viewer, "target": target, "event": event, "categories": "identity"})


def test_read_ledger_counts_profile_views_per_pair(tmp_path):
    db = make_ledger(tmp_path / "rampart.sqlite", [
        ("login", {"account": VIEWER}),
        view("11"), view("12"), view("11"),
        view("13", event="search_page"), view("14", event="profile_view"), view("15", event="profileView"),
        ("access", {"viewer": VIEWER, "target": "16", "event": "profile_view", "decision": "refused"}),
        ("registration", {"account": "99"}),
    ])
    size, views, kinds, problems = crash_test.read_ledger(db)
    assert size == 9
    assert problems == []
    # Both spellings of the event; the refused view and the search page are not views served.
    assert views == collections.Counter({(VIEWER, "11"): 2, (VIEWER, "12"): 1, (VIEWER, "14"): 1, (VIEWER, "15"): 1})
    assert kinds == collections.Counter(
        {"access": 7, "login": 1, "registration": 1, "access (profile view, not served)": 1})


def test_read_ledger_reports_damaged_rows(tmp_path):
    def damage(seq, row):
        if seq == 1:
            row[5] = bytes(32)  # wrong leaf hash
        if seq == 2:
            row[1] = "login"  # kind column disagrees with the entry
        if seq == 3:
            row[4] = b"\x02junk"  # does not decode
        if seq >= 4:
            row[0] = seq + 1  # a gap
        return row

    db = make_ledger(tmp_path / "rampart.sqlite", [view(str(n)) for n in range(6)], damage)
    _, views, _, problems = crash_test.read_ledger(db)
    text = "\n".join(problems)
    assert "seq 1: leaf_hash" in text
    assert "seq 2: column kind 'login'" in text
    assert "seq 3: entry does not decode" in text
    assert "seq 5: expected seq 4" in text
    assert "seq 5: the entry says sequence 4" in text


def test_read_ledger_without_the_table_cannot_run(tmp_path):
    sqlite3.connect(str(tmp_path / "empty.sqlite")).close()
    with pytest.raises(crash_test.Abort, match="no table ledger_entries"):
        crash_test.read_ledger(tmp_path / "empty.sqlite")


def test_compare_counts_served_recorded_and_missing():
    opened = {"t1": ("11", VIEWER), "t2": ("12", VIEWER), "t3": ("13", VIEWER), "t4": ("11", VIEWER),
              "self": (VIEWER, VIEWER)}
    served = [("t1", 9.0), ("t2", 9.5), ("t3", 9.9), ("t4", 9.95), ("self", 9.0), ("unknown", 9.0)]
    views = collections.Counter({(VIEWER, "11"): 1, (VIEWER, "12"): 1, (VIEWER, "14"): 1, ("other", "13"): 1})
    result = crash_test.compare(served, opened, views, killed_at=10.0)
    # t1-t4; the own profile (which the server does not record) and the token that did not
    # unseal are left out.
    assert result.served == 4
    assert result.self_views == 1
    assert result.recorded == 3  # the viewer's entries: 11, 12, 14 (14: an answer lost to the kill)
    # 11 served twice, once in the ledger; 13 in the ledger for another viewer only.
    assert result.missing_pairs == {(VIEWER, "11"): 1, (VIEWER, "13"): 1}
    assert result.missing == 2
    assert result.unserved == 1
    assert sorted(result.served_at[(VIEWER, "13")]) == [(pytest.approx(0.1), "t3")]


def test_compare_all_recorded():
    opened = {f"t{n}": (str(n), VIEWER) for n in range(5)}
    views = collections.Counter({(VIEWER, str(n)): 1 for n in range(6)})
    result = crash_test.compare([(f"t{n}", 1.0) for n in range(5)], opened, views, killed_at=2.0)
    assert (result.served, result.recorded, result.missing, result.unserved) == (5, 6, 0, 1)


def test_unseal_parses_the_json_lines_in_batches(tmp_path):
    # A stand-in for `rampart unseal --data-dir DIR --json TOKEN...`: one line per token,
    # as SealedIDReport.json() writes them, recording how many tokens each call got.
    fake = tmp_path / "rampart"
    calls = tmp_path / "calls"
    fake.write_text(f"""#!{sys.executable}
import json, sys
args = sys.argv[1:]
assert args[:4] == ["unseal", "--data-dir", args[2], "--json"], args
with open({str(calls)!r}, "a") as f:
    f.write(str(len(args) - 4) + "\\n")
for token in args[4:]:
    if token.startswith("bad"):
        print(json.dumps({{"token": token, "error": "does not open: altered or made up"}}))
    elif token.startswith("acct"):
        print(json.dumps({{"token": token, "kind": "account", "id": 5, "issuedToAccount": 1}}))
    else:
        print(json.dumps({{"token": token, "kind": "profile", "id": 1000 + int(token[1:]),
                           "issuedToAccount": 5787908290788654141, "expired": False}}, sort_keys=True))
""")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    tokens = [f"t{n}" for n in range(450)] + ["bad1", "acct1"]
    opened, failures = crash_test.unseal(fake, tmp_path, tokens, batch=200)
    assert calls.read_text().split() == ["200", "200", "52"]
    assert opened["t7"] == ("1007", VIEWER)
    assert len(opened) == 450
    assert [token for token, _ in failures] == ["bad1", "acct1"]
    assert json.dumps(failures)
