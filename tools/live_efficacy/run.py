"""Run the live efficacy check against a running server: register the accounts, run
Scrapy, wget --mirror, the careful walker and members in Chromium at the same time for
--minutes, then count what each took from its own saved output and write
OUT/live-efficacy.md and OUT/live-efficacy.json.

Started by scripts/live-efficacy.sh, which seeds the world and runs the server:

    PYTHONPATH=tools python3 -m live_efficacy.run --base http://127.0.0.1:PORT --data-dir D \\
        --out OUT --minutes 10 --members 20000 --binary PATH --command "..."

Each tool runs in a process of its own with its own log (OUT/<tool>/tool.log); one that is
missing, crashes or is refused does not stop the others, and the table says what happened.
"""
from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import pathlib
import shlex
import shutil
import subprocess
import sys
import time

from live_efficacy import count
from live_efficacy.common import Outbox, register_web, setup_logging

TOOLS_DIR = pathlib.Path(__file__).resolve().parents[1]

# Every client its own loopback address, each in a /24 of its own (the detection engine
# also keys on the /24 subnet, and an office shares one; these are different parties).
ADDRESSES = {
    "scrapy": ["127.0.11.1", "127.0.12.1", "127.0.13.1"],
    "wget": ["127.0.21.1"],
    "walker": ["127.0.31.1", "127.0.32.1", "127.0.33.1"],
    "members": ["127.0.51.1", "127.0.52.1", "127.0.53.1"],
}
ATTACKER_NAMES = {
    "scrapy": ["Chen Hao", "Liu Yang", "Zhang Lei"],
    "wget": ["Wang Jun"],
    "walker": ["Michael Brooks", "Anna Keller", "Rahul Verma"],
}
DESCRIPTIONS = {
    "scrapy": "one spider, 3 accounts with their own cookie jars and addresses (`bindaddress`), desktop-Chrome User-Agent, "
              "robots.txt ignored, 0.25 s download delay, 6 requests in flight; searches from the world's word lists, "
              "follows every profile, connection list and next page; passes SMS challenges; saves pages and items",
    "wget": "`wget --mirror --level=5 --wait=1 --random-wait` with the account's session in cookies.txt, from a search page "
            "and the home page; wget's own User-Agent; cannot pass a challenge",
    "walker": "3 accounts, desktop-Chrome headers in Chrome's order, the stylesheet after every page (revalidated by ETag), "
              "2–6 s pauses, alternating name / surname / title / skill / city searches, 1–3 result pages, a profile now and "
              "then; passes SMS challenges, waits out throttles, backs off 5 min after a budget refusal",
    "members": "3 newly registered members in headless Chromium (Selenium) with a desktop User-Agent, each through its own "
               "small proxy so it arrives from its own address, searching a name and opening a matching profile every 5–10 s; "
               "they pass challenges with the SMS code",
}


def check_tools() -> dict:
    """Which tools can run here; for a missing one, what to install."""
    missing = {}
    if importlib.util.find_spec("requests") is None:
        for tool in ("scrapy", "wget", "walker"):
            missing[tool] = "python requests is missing: pip install requests"
    if importlib.util.find_spec("scrapy") is None:
        missing["scrapy"] = "scrapy is missing: pip install scrapy (with --break-system-packages if pip refuses)"
    if not shutil.which("wget"):
        missing["wget"] = "wget is missing: apt-get install wget"
    if not (os.access("/usr/bin/chromium", os.X_OK) and os.access("/usr/bin/chromedriver", os.X_OK)):
        missing["members"] = "Chromium is missing: apt-get install chromium chromium-driver"
    elif importlib.util.find_spec("selenium") is None:
        missing["members"] = "selenium is missing: pip install selenium"
    return missing


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--members", type=int, required=True, help="members seeded (the corpus)")
    parser.add_argument("--binary", default="")
    parser.add_argument("--command", default="", help="the command line to put in the report")
    parser.add_argument("--tools", default="scrapy,wget,walker,members")
    parser.add_argument("--direct-members", action="store_true",
                        help="browsers connect directly (all from 127.0.0.1) instead of through a proxy each")
    args = parser.parse_args()

    base = args.base.rstrip("/")
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    log = setup_logging(out / "run.log", "live")
    outbox = Outbox(pathlib.Path(args.data_dir) / "outbox" / "sms.jsonl")
    wanted = [t for t in args.tools.split(",") if t]
    missing = check_tools()
    status = {}
    for tool in wanted:
        if tool in missing:
            status[tool] = "not run: " + missing[tool]
            log.error("%s: %s", tool, missing[tool])

    # 1. Accounts, registered through the web UI from each tool's own address.
    accounts = {}
    for tool in ("scrapy", "wget", "walker"):
        if tool not in wanted or tool in status:
            continue
        accounts[tool] = []
        for i, source in enumerate(ADDRESSES[tool]):
            label = f"{tool}{i + 1}" if len(ADDRESSES[tool]) > 1 else tool
            try:
                account = register_web(base, outbox, label, source, ATTACKER_NAMES[tool][i])
                accounts[tool].append(account)
                log.info("registered %s from %s (%s)", label, source, account.phone)
            except Exception as exc:
                log.error("could not register %s from %s: %s", label, source, exc)
        if not accounts[tool]:
            status[tool] = "not run: no account could be registered (see run.log)"
        else:
            (out / tool).mkdir(parents=True, exist_ok=True)
            (out / tool / "accounts.json").write_text(json.dumps([a.to_json() for a in accounts[tool]], indent=2))

    # 2. Every tool at once, each in its own process, until the same deadline.
    start = time.time()
    until = start + args.minutes * 60
    env = dict(os.environ, PYTHONPATH=str(TOOLS_DIR) + os.pathsep + os.environ.get("PYTHONPATH", ""), SE_AVOID_STATS="true",
               PYTHONUNBUFFERED="1")
    common = ["--base", base, "--until", f"{until:.0f}"]
    commands = {
        "scrapy": [sys.executable, "-m", "live_efficacy.scrapy_spider", "--data-dir", args.data_dir],
        "wget": [sys.executable, "-m", "live_efficacy.wget_runner"],
        "walker": [sys.executable, "-m", "live_efficacy.walker", "--data-dir", args.data_dir],
        "members": [sys.executable, "-m", "live_efficacy.members", "--data-dir", args.data_dir, "--count", "3"]
        + ([] if args.direct_members else ["--sources", ",".join(ADDRESSES["members"])]),
    }
    processes = {}
    for tool in wanted:
        if tool in status:
            continue
        directory = out / tool
        directory.mkdir(parents=True, exist_ok=True)
        command = commands[tool] + common + ["--out", str(directory)]
        if tool in accounts:
            command += ["--accounts", str(directory / "accounts.json")]
        # A hard stop a little after the deadline, whatever the tool does.
        grace = 120 if tool == "members" else 60
        command = ["timeout", "--kill-after=15", str(int(args.minutes * 60 + grace))] + command
        log.info("starting %s: %s", tool, shlex.join(command))
        try:
            handle = open(directory / "tool.log", "a", encoding="utf-8")
            processes[tool] = (subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, env=env, cwd=str(TOOLS_DIR)), handle)
        except OSError as exc:
            status[tool] = f"could not start: {exc}"
            log.error("%s could not start: %s", tool, exc)
    log.info("running %s for %.1f minutes (until %s)", ", ".join(processes), args.minutes,
             datetime.datetime.fromtimestamp(until).strftime("%H:%M:%S"))
    for tool, (process, handle) in processes.items():
        code = process.wait()
        handle.close()
        if code == 0:
            status[tool] = "ran"
        elif code == 124:
            status[tool] = "ran (stopped by the hard time limit)"
        else:
            status[tool] = f"exited with code {code} (see {tool}/tool.log)"
        log.info("%s: %s", tool, status[tool])
    ended = time.time()
    server_alive = True
    try:
        import urllib.request

        with urllib.request.urlopen(base + "/healthz", timeout=10) as answer:
            server_alive = answer.status == 200
    except Exception:
        server_alive = False
    if not server_alive:
        log.error("the server did not answer /healthz at the end of the run")

    # 3. Count from what the tools saved; the platform's honey profiles (synthetic members
    # shown to suspects) are counted apart, not as members.
    if args.binary:
        try:
            listed = subprocess.run(
                [args.binary, "honey", "list", "--json", "--data-dir", args.data_dir], capture_output=True, timeout=120, check=True)
            (out / "honey.json").write_bytes(listed.stdout)
        except (OSError, subprocess.SubprocessError) as error:
            log.error("could not list the honey profiles: %s", error)
    results = count.count_all(out, args.members, start)
    tools = []
    for name, label in count.TOOLS:
        if name not in wanted:
            continue
        entry = {"name": name, "label": label, "status": status.get(name, "not run"), "description": DESCRIPTIONS[name]}
        result = results.get(name)
        if result and "error" not in result:
            entry["result"] = result
        elif result:
            entry["status"] += f"; {result['error']}"
        if name in accounts:
            entry["accounts_text"] = ", ".join(f"{a.label} ({a.source})" for a in accounts[name])
        elif name == "members":
            entry["accounts_text"] = "3 new members (" + ("127.0.0.1" if args.direct_members else ", ".join(ADDRESSES["members"])) + ")"
        if name == "wget" and (out / "wget" / "command.txt").exists():
            entry["command"] = (out / "wget" / "command.txt").read_text().strip()
        tools.append(entry)
    notes = []
    if not server_alive:
        notes.append("**The server did not answer /healthz at the end of the run** (see server.log): refusals and errors "
                     "after it stopped are not the Guard's doing.")
    for entry in tools:
        r = entry.get("result") or {}
        if r.get("stylesheet_fetches") or r.get("challenge_steps"):
            notes.append(f"{entry['label']}: {r.get('stylesheet_fetches', 0)} stylesheet fetches and "
                         f"{r.get('challenge_steps', 0)} challenge steps (sending and entering codes), not counted as pages.")
        if r.get("honey_taken"):
            notes.append(f"{entry['label']}: {r['honey_taken']} honey profiles taken (synthetic members shown only to accounts the "
                         "Guard suspects; not counted as members).")
    notes.append("Challenges passed by Scrapy, the walker and the members (they hold the SIM card) count as one refused page each; "
                 "the pages asked for again afterwards count again.")
    notes.append("\"Degraded (inferred)\": profile pages whose work history has every date in January and no descriptions "
                 "(level 1), or that withhold work history, education, skills and the connection list together (levels 2-3); "
                 "degradation is silent, so this is a guess from the page.")
    now = datetime.datetime.now(datetime.timezone.utc)
    report = {
        "date": now.strftime("%Y-%m-%d"),
        "command": args.command or shlex.join(sys.argv),
        "binary": args.binary,
        "members": args.members,
        "minutes": args.minutes,
        "start_epoch": start,
        "started": datetime.datetime.fromtimestamp(start, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
        "ended": datetime.datetime.fromtimestamp(ended, datetime.timezone.utc).strftime("%H:%M:%S"),
        "out": str(out),
        "base": base,
        "tools": tools,
        "notes": notes,
    }
    (out / "live-efficacy.json").write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    markdown = count.render_markdown(report)
    (out / "live-efficacy.md").write_text(markdown, encoding="utf-8")
    print(markdown)


if __name__ == "__main__":
    main()
