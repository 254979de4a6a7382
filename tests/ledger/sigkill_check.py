#!/usr/bin/env python3
"""Crash test for the evidence ledger: no profile view is served without its ledger entry.

    python3 tests/ledger/sigkill_check.py --bin PATH_TO_rampart [--seconds-before-kill 4] [--keep]

1. Starts `rampart serve` on a fresh temporary data directory with a demo world and the
   budgets lifted and the detection engine off (bench/wrk/policy-unlimited.json: this load
   is a crawler, and the engine would stop it), and waits for GET /readyz.
2. Logs in the demo member (phone from the server's output, device code from the SMS
   outbox) with the reference client (clients/python/rampart_client.py).
3. Collects profile IDs from signed searches, following `nextCursor`.
4. Views those profiles from 8 threads, each profile once, recording every ID answered 200.
5. SIGKILLs the server while the threads are still sending, then stops them.
6. Opens every served ID with `rampart unseal --json` (internal viewer and target IDs),
   reads the ledger straight from <data-dir>/rampart.sqlite (table `ledger_entries`,
   decoded with tools/verify_ledger_bundle.py's canonical decoder) and checks that every
   (viewer, target) served with 200 has an `access` entry with event `profile_view` (or
   `profileView`) and no `decision` other than `served`, as many entries as it was
   served; then runs `rampart ledger verify`.

Exits 0 only if something was served, nothing served is missing from the ledger, the
ledger rows are intact and `rampart ledger verify` exits 0; 1 if the check fails; 2 if
the test could not run (server did not start, login failed...). Python 3 standard library
only. The temporary directory is removed at the end unless --keep is given.
"""

import argparse
import collections
import importlib.util
import json
import os
import pathlib
import queue
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
POLICY = ROOT / "bench" / "wrk" / "policy-unlimited.json"
DEMO_PASSWORD = "rampart-demo"
# The `event` of a profile view's access entry: AccessEvent.Kind.profileView, whose raw
# value (what the server writes today) is "profile_view"; the case name is accepted too.
PROFILE_VIEW_EVENTS = ("profile_view", "profileView")

sys.path.insert(0, str(ROOT / "clients" / "python"))
import rampart_client  # noqa: E402

_spec = importlib.util.spec_from_file_location("verify_ledger_bundle", ROOT / "tools" / "verify_ledger_bundle.py")
ledger_format = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ledger_format)

# Searches to collect profile IDs with. The title and location filters are substring
# matches, so one vowel reaches most of the demo world (up to the server's 1,000-result
# paging limit per search); the words and names add whoever those miss.
SEARCHES = (
    [{"title": v} for v in "eaionr"]
    + [{"location": v} for v in "aeion"]
    + [{"q": w} for w in (
        "engineer", "manager", "analyst", "nurse", "sales", "design", "data", "developer", "teacher",
        "consultant", "director", "specialist", "officer", "accountant", "lead", "senior", "product",
        "刘", "王", "李", "张", "陈", "müller", "garcía", "kumar", "singh", "smith", "silva", "kim", "nguyen")]
)


class Abort(Exception):
    """The test could not run (exit 2), as opposed to a failed check (exit 1)."""


def say(text=""):
    print(text, flush=True)


def child_env():
    """The environment for the binary: always the SQLite store in the data directory."""
    env = dict(os.environ)
    env.pop("RAMPART_DATABASE_URL", None)
    return env


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path, lines=40):
    """The log's last lines, leaving out Hummingbird's one line per request."""
    try:
        text = pathlib.Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        return f"(cannot read {path}: {error})"
    kept = [line for line in text.splitlines() if not line.endswith("[Hummingbird] Request")]
    return "\n".join(kept[-lines:])


# --------------------------------------------------------------------------- the server


def start_server(binary, data_dir, port, log_path, members):
    log = open(log_path, "wb")
    try:
        return subprocess.Popen(
            [str(binary), "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(data_dir),
             "--policy", str(POLICY), "--demo-members", str(members)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=child_env())
    finally:
        log.close()  # the child has its own descriptor


def wait_ready(process, base, log_path, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise Abort(f"the server exited with status {process.returncode} before it was ready:\n{tail(log_path)}")
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise Abort(f"GET /readyz did not answer 200 within {timeout:.0f} s:\n{tail(log_path)}")


def demo_phone(log_path, timeout=30):
    """The demo member's phone from the server's output (`... phone +NNN (...)`)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(r"phone (\+\d+)", pathlib.Path(log_path).read_text(encoding="utf-8", errors="replace"))
        if found:
            return found.group(1)
        time.sleep(0.2)
    raise Abort(f"no 'phone +NNN' line in the server's output:\n{tail(log_path)}")


def texted_code(outbox, phone, timeout=15):
    """The newest code texted to `phone` (else the outbox's last line), as the demo's
    instructions say: `tail -n1 <data-dir>/outbox/sms.jsonl`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if outbox.exists():
            messages = []
            for line in outbox.read_text(encoding="utf-8").splitlines():
                try:
                    messages.append(json.loads(line))
                except ValueError:
                    continue
            mine = [m for m in messages if isinstance(m, dict) and m.get("to") == phone and m.get("code")]
            if mine:
                return mine[-1]["code"]
            if messages and isinstance(messages[-1], dict) and messages[-1].get("code"):
                return messages[-1]["code"]
        time.sleep(0.2)
    raise Abort(f"no SMS code for {phone} in {outbox}")


def log_in(base, data_dir, log_path):
    phone = demo_phone(log_path)
    client = rampart_client.RampartClient(base)
    try:
        pending = client.login(phone, DEMO_PASSWORD)
        if "confirmationId" in pending:  # a new device: confirm it with the texted code
            client.confirm_device(pending["confirmationId"], texted_code(data_dir / "outbox" / "sms.jsonl", phone))
    except rampart_client.RampartError as error:
        raise Abort(f"login of the demo member {phone} failed: {error}") from None
    return phone, client


# --------------------------------------------------------------------------- profile IDs


def collect_ids(client, wanted):
    """Profile tokens from signed searches, one per distinct card.

    The same member found twice in different seconds comes back under different sealed
    tokens, so cards are told apart by what they show (name, photo, headline, company,
    location); the check after the crash counts views per (viewer, target) anyway."""
    tokens, seen, pages, refusals = [], set(), 0, collections.Counter()
    for params in SEARCHES:
        cursor = None
        while len(tokens) < wanted:
            query = dict(params, **({"cursor": cursor} if cursor else {}))
            status, answer = client.request("GET", "/api/v1/search", params=query)
            pages += 1
            if status != 200 or not isinstance(answer, dict):
                refusals[status] += 1
                break
            for card in answer.get("results", []):
                key = tuple(card.get(k) for k in ("name", "photoUrl", "headline", "company", "location"))
                if key not in seen and card.get("id"):
                    seen.add(key)
                    tokens.append(card["id"])
            cursor = answer.get("nextCursor")
            if not cursor:
                break
        if len(tokens) >= wanted:
            break
    if refusals:
        say(f"  searches refused: {dict(refusals)}")
    return tokens[:wanted], pages


# --------------------------------------------------------------------------- the views


class Viewer(threading.Thread):
    """Views profiles from a shared queue until it is empty or `stop` is set."""

    def __init__(self, number, client, work, stop, results):
        super().__init__(name=f"viewer-{number}", daemon=True)
        # A client of its own, sharing the session: requests are signed independently.
        self.client = rampart_client.RampartClient(client.origin + client.prefix, timeout=15)
        for name in ("token", "signing_key", "device_id", "account"):
            setattr(self.client, name, getattr(client, name))
        self.work, self.stop, self.results = work, stop, results

    def run(self):
        while not self.stop.is_set():
            try:
                token = self.work.get_nowait()
            except queue.Empty:
                return
            try:
                status, answer = self.client.request("GET", "/api/v1/profiles/" + token)
            except (OSError, urllib.error.URLError, ValueError) as error:  # the server is gone
                self.results.put(("error", token, type(error).__name__, time.monotonic()))
                continue
            if status == 200 and isinstance(answer, dict) and "name" in answer:
                self.results.put(("served", token, 200, time.monotonic()))
            else:
                code = answer.get("error", {}).get("code") if isinstance(answer, dict) and isinstance(answer.get("error"), dict) else None
                self.results.put(("refused", token, f"{status} {code or ''}".strip(), time.monotonic()))


def view_and_kill(client, tokens, process, threads, seconds):
    work = queue.Queue()
    for token in tokens:
        work.put(token)
    stop, results = threading.Event(), queue.Queue()
    viewers = [Viewer(n, client, work, stop, results) for n in range(threads)]
    started = time.monotonic()
    for viewer in viewers:
        viewer.start()
    # Kill after `seconds`, or as soon as the last IDs are taken (the threads' last
    # requests still in flight), so that the kill never hits an idle server.
    deadline = started + seconds
    while time.monotonic() < deadline and not work.empty():
        time.sleep(0.005)
    ran_out = time.monotonic() < deadline
    idle = all(not v.is_alive() for v in viewers)
    process.send_signal(signal.SIGKILL)
    killed_at = time.monotonic()
    process.wait()
    stop.set()
    for viewer in viewers:
        viewer.join(timeout=60)
    outcomes = []
    while not results.empty():
        outcomes.append(results.get())
    return outcomes, started, killed_at, ran_out, idle, work.qsize()


# --------------------------------------------------------------------------- after the crash


def unseal(binary, data_dir, tokens, batch=200):
    """token -> (target, viewer) internal IDs, from `rampart unseal --json`."""
    opened, failures = {}, []
    for start in range(0, len(tokens), batch):
        chunk = tokens[start:start + batch]
        run = subprocess.run(
            [str(binary), "unseal", "--data-dir", str(data_dir), "--json", *chunk],
            capture_output=True, text=True, timeout=600, env=child_env())
        if run.returncode != 0:
            raise Abort(f"rampart unseal exited {run.returncode}:\n{run.stderr[-3000:]}{run.stdout[-2000:]}")
        for line in run.stdout.splitlines():
            line = line.strip()
            if not line:
                continue
            report = json.loads(line)
            token = report.get("token")
            if report.get("error") or report.get("kind") != "profile" or report.get("id") is None \
                    or report.get("issuedToAccount") is None:
                failures.append((token, report.get("error") or f"kind {report.get('kind')}"))
                continue
            opened[token] = (str(report["id"]), str(report["issuedToAccount"]))
    return opened, failures


def read_ledger(db_path):
    """Profile views in the ledger, per (viewer, target), and any damage to the rows."""
    problems, views, kinds = [], collections.Counter(), collections.Counter()
    refused_views = 0
    connection = sqlite3.connect(str(db_path))  # replays the WAL the killed server left
    try:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(ledger_entries)")]
        if not columns:
            raise Abort(f"no table ledger_entries in {db_path} (is this a binary with the evidence ledger?)")
        rows = connection.execute(
            "SELECT seq, kind, account_id, recorded_at, entry, leaf_hash FROM ledger_entries ORDER BY seq").fetchall()
    finally:
        connection.close()
    for expected, (seq, kind, account_id, recorded_at, entry, leaf) in enumerate(rows):
        where = f"ledger_entries seq {seq}"
        if seq != expected:
            problems.append(f"{where}: expected seq {expected} (the log has a gap or does not start at 0)")
        try:
            data = bytes(entry)  # a BLOB (migration v8-ledger-bytes)
            decoded = ledger_format.decode_entry(data)
        except (ValueError, TypeError) as error:
            problems.append(f"{where}: entry does not decode: {error}")
            continue
        if decoded["sequence"] != seq:
            problems.append(f"{where}: the entry says sequence {decoded['sequence']}")
        if decoded["kind"] != kind:
            problems.append(f"{where}: column kind {kind!r}, the entry says {decoded['kind']!r}")
        if bytes(leaf) != ledger_format.leaf_hash(data):
            problems.append(f"{where}: leaf_hash is not SHA-256(0x00 || entry)")
        kinds[decoded["kind"]] += 1
        fields = dict(decoded["fields"])
        if decoded["kind"] == "access" and fields.get("event") in PROFILE_VIEW_EVENTS:
            # An entry that says the view was refused does not document a served one.
            if fields.get("decision", "served") == "served":
                views[(fields.get("viewer"), fields.get("target"))] += 1
            else:
                refused_views += 1
    if refused_views:
        kinds["access (profile view, not served)"] = refused_views
    return len(rows), views, kinds, problems


class Comparison:
    """Served views against ledger entries, per (viewer, target) of internal IDs."""

    def __init__(self):
        self.served_pairs = collections.Counter()  # (viewer, target) -> views answered 200
        self.served_at = collections.defaultdict(list)  # (viewer, target) -> [(seconds before the kill, token)]
        self.self_views = 0
        self.viewers = set()
        self.served = self.recorded = self.missing = self.unserved = 0
        self.missing_pairs = {}  # (viewer, target) -> views served but not in the ledger


def compare(served, opened, views, killed_at):
    """`served`: [(token, time answered)]; `opened`: token -> (target, viewer);
    `views`: Counter of ledger profile-view entries per (viewer, target).

    A pair served n times needs n entries: a view answered 200 whose entry is lost is
    missing even if the same member was viewed once more. Entries for views whose answer
    never arrived (cut off by the kill) are counted apart, in `unserved`."""
    result = Comparison()
    for token, at in served:
        if token not in opened:
            continue
        target, viewer = opened[token]
        if target == viewer:
            # One's own profile, found by a search: it exposes nobody, so the server records
            # no access event for it (anyone could otherwise multiply the ledger's entries).
            result.self_views += 1
            continue
        result.served_pairs[(viewer, target)] += 1
        result.served_at[(viewer, target)].append((killed_at - at, token))
    result.viewers = {viewer for viewer, _ in result.served_pairs}
    result.served = sum(result.served_pairs.values())
    result.recorded = sum(n for (viewer, _), n in views.items() if viewer in result.viewers)
    result.missing_pairs = {
        pair: n - views.get(pair, 0) for pair, n in result.served_pairs.items() if views.get(pair, 0) < n}
    result.missing = sum(result.missing_pairs.values())
    result.unserved = sum(
        max(0, n - result.served_pairs.get(pair, 0)) for pair, n in views.items() if pair[0] in result.viewers)
    return result


def sample_access_fields(db_path, count=3):
    """A few access entries' fields, to show a mismatch of names or ID formats."""
    connection = sqlite3.connect(str(db_path))
    try:
        rows = connection.execute(
            "SELECT entry FROM ledger_entries WHERE kind = 'access' ORDER BY seq DESC LIMIT ?", (count,)).fetchall()
    finally:
        connection.close()
    return [dict(ledger_format.decode_entry(bytes(row[0]))["fields"]) for row in rows]


def ledger_verify(binary, data_dir):
    run = subprocess.run(
        [str(binary), "ledger", "verify", "--data-dir", str(data_dir)],
        capture_output=True, text=True, timeout=1800, env=child_env())
    return run.returncode, (run.stdout + run.stderr).rstrip()


# --------------------------------------------------------------------------- main


def crash_test(args, work_dir):
    data_dir = work_dir / "data"
    log_path = work_dir / "server.log"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    say(f"work dir {work_dir}; server on {base}")
    process = start_server(args.bin, data_dir, port, log_path, args.demo_members)
    try:
        started = time.monotonic()
        wait_ready(process, base, log_path, args.ready_timeout)
        say(f"ready after {time.monotonic() - started:.1f} s")
        phone, client = log_in(base, data_dir, log_path)
        say(f"logged in as the demo member {phone}")
        tokens, pages = collect_ids(client, args.max_ids)
        say(f"collected {len(tokens)} profile IDs from {pages} search pages")
        if len(tokens) < 500:
            say(f"  warning: fewer than 500 profile IDs ({len(tokens)})")
        if not tokens:
            raise Abort("no profile ID found by any search")
        outcomes, views_started, killed_at, ran_out, idle, left = view_and_kill(
            client, tokens, process, args.threads, args.seconds_before_kill)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    served = [(token, at) for kind, token, _, at in outcomes if kind == "served"]
    refused = collections.Counter(detail for kind, _, detail, _ in outcomes if kind == "refused")
    errors = collections.Counter(detail for kind, _, detail, _ in outcomes if kind == "error")
    after_kill = [t for t, at in served if at > killed_at]
    say(f"views: {len(served)} answered 200 in {killed_at - views_started:.1f} s, "
        f"{sum(refused.values())} refused {dict(refused) if refused else ''}, "
        f"{sum(errors.values())} cut off by the kill {dict(errors) if errors else ''}, {left} never sent")
    if ran_out:
        say(f"  note: the IDs ran out after {killed_at - views_started:.1f} s: killed then, "
            f"before --seconds-before-kill {args.seconds_before_kill:g}")
    if idle:
        say("  warning: every view was done before the kill: the crash hit an idle server")
    if after_kill:
        say(f"  ({len(after_kill)} answers finished reading after the SIGKILL was sent: sent by the server before it)")

    # The ledger as the crash left it (read first, before any other process opens it).
    db_path = data_dir / "rampart.sqlite"
    size, views, kinds, problems = read_ledger(db_path)
    say(f"ledger: {size} entries {dict(kinds)}")
    with open(work_dir / "served.jsonl", "w", encoding="utf-8") as record:  # for --keep
        for kind, token, detail, at in outcomes:
            record.write(json.dumps({"outcome": kind, "token": token, "detail": detail,
                                     "seconds_before_kill": round(killed_at - at, 4)}) + "\n")

    opened, failures = unseal(args.bin, data_dir, [t for t, _ in served])
    if failures:
        problems += [f"unseal {token}: {why}" for token, why in failures[:20]]
        problems.append(f"{len(failures)} served tokens did not unseal as profile IDs")
    result = compare(served, opened, views, killed_at)
    say(f"served {result.served}  recorded {result.recorded}  missing {result.missing}"
        f"  (distinct targets {len(result.served_pairs)}; in the ledger but not seen served {result.unserved}, "
        f"i.e. answers lost to the kill; own profile views, not recorded, left out: {result.self_views})")
    for (viewer, target), n in sorted(result.missing_pairs.items(), key=lambda item: item[0][1])[:50]:
        ages = ", ".join(f"{age * 1000:.0f} ms before the kill ({token})"
                         for age, token in sorted(result.served_at[(viewer, target)]))
        say(f"  MISSING viewer {viewer} target {target}: served {result.served_pairs[(viewer, target)]}, "
            f"in the ledger {views.get((viewer, target), 0)}; answered {ages}")
    if len(result.missing_pairs) > 50:
        say(f"  ... and {len(result.missing_pairs) - 50} more pairs")
    if result.missing and not result.recorded and kinds.get("access"):
        say(f"  note: no served profile-view entry names viewer {sorted(result.viewers)}; access entries look like: "
            f"{sample_access_fields(db_path)}")
    for problem in problems[:50]:
        say(f"  PROBLEM {problem}")

    code, output = ledger_verify(args.bin, data_dir)
    say(f"rampart ledger verify: exit {code}")
    for line in output.splitlines():
        say(f"  | {line}")

    # The crawler's evidence for counsel: sign a head, export its entries with proofs, and
    # check the bundle with the standalone verifier, as a third party would.
    export_code = 1
    viewers = sorted(result.viewers)
    if viewers:
        bundle = os.path.join(data_dir, "bundle")
        export = subprocess.run(
            [args.bin, "ledger", "export", "--data-dir", data_dir, "--account", str(viewers[0]), "--out", bundle],
            capture_output=True, text=True, timeout=300)
        say(f"rampart ledger export: exit {export.returncode}: {export.stdout.strip() or export.stderr.strip()[-500:]}")
        if export.returncode == 0:
            check = subprocess.run(
                [sys.executable, str(ROOT / "tools" / "verify_ledger_bundle.py"), bundle, "--quiet"],
                capture_output=True, text=True, timeout=300)
            export_code = check.returncode
            say(f"verify_ledger_bundle.py: exit {check.returncode}: {check.stdout.strip()[-400:]}")

    size_after, _, _, _ = read_ledger(db_path)
    if size_after != size:
        say(f"  note: the ledger held {size} entries after the crash, {size_after} after unseal and verify")

    ok = result.missing == 0 and result.served > 0 and not problems and code == 0 and export_code == 0
    if not ok:
        say(f"server log tail (request lines left out):\n{tail(log_path)}")
    say("PASS" if ok else "FAIL")
    return 0 if ok else 1


def main(argv=None):
    parser = argparse.ArgumentParser(description="SIGKILL the server mid-traffic; every served profile view must be in the ledger.")
    parser.add_argument("--bin", required=True, type=pathlib.Path, help="the rampart binary")
    parser.add_argument("--seconds-before-kill", type=float, default=4.0, help="how long the views run before SIGKILL (default 4)")
    parser.add_argument("--threads", type=int, default=8, help="viewing threads (default 8)")
    parser.add_argument("--demo-members", type=int, default=1000, help="size of the demo world (default 1000)")
    parser.add_argument("--max-ids", type=int, default=1000, help="profile IDs to collect at most (default 1000)")
    parser.add_argument("--ready-timeout", type=float, default=600, help="seconds to wait for /readyz (default 600)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (data dir, server.log)")
    args = parser.parse_args(argv)
    args.bin = args.bin.resolve()
    if not os.access(args.bin, os.X_OK):
        say(f"not an executable: {args.bin}")
        return 2
    work_dir = pathlib.Path(tempfile.mkdtemp(prefix="rampart-crash-"))
    try:
        return crash_test(args, work_dir)
    except Abort as error:
        say(f"could not run: {error}")
        return 2
    finally:
        if args.keep:
            say(f"kept {work_dir}")
        else:
            shutil.rmtree(work_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
