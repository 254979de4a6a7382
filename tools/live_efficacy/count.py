"""Count what each tool took, from what the tool itself saved — never from the server's
logs or database (but for the list of its honey profiles, below).

For every saved page that was served (not a challenge, throttle, budget, suspension or
sign-in page), it reads the member cards (search results, connection lists) and profile
pages, and counts:

- members taken: distinct members whose name (not the placeholder "Rampart member") AND
  position (headline or company) appear together on a card or a profile. A member is told
  apart by name, headline and company as shown (sealed IDs are per viewer and expire, so
  they cannot join pages of different accounts).
- data points: member x category (identity, position, experience, education, skills,
  contact, connections), inferred from what is on the page: a card shows identity and
  position; a profile also shows the sections it has (Experience, Education, Skills,
  Contact); connections count for a member whose connection list the tool saved with at
  least one card on it.
- requests and refusals: pages asked for, and how many were answered with a challenge,
  a throttle, a budget refusal, a suspension, or the sign-in page (session revoked).
- honey profiles: the one thing read from the platform, OUT/honey.json (`rampart honey list
  --json`, written by run.py after the tools stop). A card or profile that is one of the
  platform's synthetic honey members is no member: it is counted apart, as honey taken.

    python3 -m live_efficacy.count OUT --members N [--command "..."]
"""
from __future__ import annotations

import argparse
import collections
import datetime
import json
import pathlib
import re
from urllib.parse import parse_qs, unquote, urlsplit

from live_efficacy.common import (
    HIDDEN_NAME,
    REFUSALS,
    _norm,
    budget_warning,
    classify,
    connection_list_owner,
    iter_jsonl,
    page_kind,
    parse_cards,
    parse_profile,
    profile_degraded,
)

CATEGORIES = ("identity", "position", "experience", "education", "skills", "contact", "connections")
TOOLS = (
    ("scrapy", "Scrapy"),
    ("wget", "wget --mirror"),
    ("walker", "careful walker"),
    ("members", "members in Chromium"),
)


class Tally:
    def __init__(self):
        self.points = collections.defaultdict(set)  # member key -> categories
        self.honey = set()  # honey profiles' keys seen (not members)
        self.named_with_position = set()
        self.token_to_key = {}
        self.name_to_keys = collections.defaultdict(set)
        self.pending_lists = []  # (owner token, owner name) of connection lists with cards
        self.requests = 0
        self.outcomes = collections.Counter()
        self.degraded = 0
        self.budget_warnings = 0
        self.kinds = collections.Counter()
        self.side = collections.Counter()
        self.per_account = collections.defaultdict(
            lambda: {"requests": 0, "outcomes": collections.Counter(), "first": {}, "budget_warnings": 0})

    def shown(self, shown):
        if not shown.name or shown.name == HIDDEN_NAME:
            return None
        key = shown.key
        if key in HONEY_KEYS:
            self.honey.add(key)
            return None
        if shown.has_position:
            self.named_with_position.add(key)
        self.points[key].update(shown.categories)
        if shown.token:
            self.token_to_key[shown.token] = key
        self.name_to_keys[key[0]].add(key)
        return key

    def page(self, body: str, url: str, outcome: str, account: str = ""):
        if outcome != "served":
            return
        for card in parse_cards(body):
            self.shown(card)
        profile = parse_profile(body)
        if profile is not None:
            self.shown(profile)
            if profile_degraded(body):
                self.degraded += 1
        if budget_warning(body):
            self.budget_warnings += 1
            self.per_account[account]["budget_warnings"] += 1
        owner = connection_list_owner(body)
        if owner and parse_cards(body):
            of = parse_qs(urlsplit(url).query).get("of", [""])[0] if url else ""
            self.pending_lists.append((of, owner))

    def note_request(self, account: str, outcome: str, t: float | None, kind: str):
        if kind in ("asset", "challenge_step"):
            # The stylesheet and the steps of passing a challenge are not pages of the crawl.
            self.side[kind] += 1
            return
        self.requests += 1
        self.outcomes[outcome] += 1
        self.kinds[kind] += 1
        acc = self.per_account[account]
        acc["requests"] += 1
        acc["outcomes"][outcome] += 1
        if t is not None and outcome not in acc["first"]:
            acc["first"][outcome] = t

    def finish(self):
        for of, owner in self.pending_lists:
            key = self.token_to_key.get(of)
            if key is None:
                keys = self.name_to_keys.get(owner, set())
                key = next(iter(keys)) if len(keys) == 1 else (owner, "", "")
            self.points[key].add("connections")

    def summary(self, corpus: int) -> dict:
        self.finish()
        data_points = sum(len(c) for c in self.points.values())
        by_category = collections.Counter(c for cats in self.points.values() for c in cats)
        refused = sum(self.outcomes[o] for o in REFUSALS)
        return {
            "requests": self.requests,
            "served": self.outcomes["served"],
            "refused": refused,
            "refusals": {o: self.outcomes[o] for o in REFUSALS},
            "other_outcomes": {o: n for o, n in self.outcomes.items() if o not in REFUSALS and o != "served"},
            "pages_by_kind": dict(self.kinds),
            "stylesheet_fetches": self.side["asset"],
            "challenge_steps": self.side["challenge_step"],
            "degraded_profiles_inferred": self.degraded,
            "budget_warnings": self.budget_warnings,
            "members_taken": len(self.named_with_position),
            "honey_taken": len(self.honey),
            "members_taken_share": len(self.named_with_position) / corpus if corpus else None,
            "data_points": data_points,
            "data_points_share": data_points / (corpus * len(CATEGORIES)) if corpus else None,
            "data_points_by_category": {c: by_category.get(c, 0) for c in CATEGORIES},
        }


def _accounts_summary(tally: Tally, start: float | None) -> dict:
    result = {}
    for account, acc in sorted(tally.per_account.items(), key=lambda kv: str(kv[0])):
        first = {o: round(t - start, 1) for o, t in acc["first"].items() if start and o in REFUSALS}
        result[str(account)] = {
            "requests": acc["requests"],
            "outcomes": dict(acc["outcomes"]),
            "budget_warnings": acc["budget_warnings"],
            "first_refusal_seconds_after_start": first,
        }
    return result


def count_indexed(directory: pathlib.Path, corpus: int, start: float | None) -> dict | None:
    """Scrapy, the walker and the members: pages.jsonl plus the saved pages."""
    index = directory / "pages.jsonl"
    if not index.exists():
        return None
    tally = Tally()
    for entry in iter_jsonl(index):
        if entry.get("kind") == "asset":
            tally.note_request(entry.get("account"), "asset", entry.get("t"), "asset")
            continue
        body = ""
        if entry.get("file"):
            try:
                body = (directory / entry["file"]).read_text(encoding="utf-8", errors="replace")
            except OSError:
                pass
        # Classified again from the saved page, so the counting never trusts a tool's own verdict.
        outcome = classify(body, entry.get("status"), entry.get("final_url")) if entry.get("file") else "error"
        url = entry.get("url") or ""
        # Challenge-solving posts are not page requests of the crawl.
        kind = page_kind(url)
        tally.note_request(entry.get("account"), outcome, entry.get("t"), kind)
        tally.page(body, url, outcome, entry.get("account"))
    result = tally.summary(corpus)
    result["accounts"] = _accounts_summary(tally, start)
    return result


_WGET_START = re.compile(r"^--(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)--\s+(\S+)")
_WGET_STATUS = re.compile(r"awaiting response\.\.\. (\d{3})")
_WGET_LOCATION = re.compile(r"^Location: (\S+)")


def parse_wget_log(path: pathlib.Path) -> list[dict]:
    requests = []
    if not path.exists():
        return requests
    current = None
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        m = _WGET_START.match(line)
        if m:
            current = {"time": m.group(1), "url": m.group(2), "status": None, "location": None}
            requests.append(current)
            continue
        if current is None:
            continue
        m = _WGET_STATUS.search(line)
        if m:
            current["status"] = int(m.group(1))
            continue
        m = _WGET_LOCATION.match(line)
        if m:
            current["location"] = m.group(1)
    return requests


def count_wget(directory: pathlib.Path, corpus: int, start: float | None) -> dict | None:
    """wget: its log says what it asked for and what each answer was; the mirror holds the
    pages (error pages too, with --content-on-error)."""
    log = directory / "wget.log"
    site = directory / "site"
    if not log.exists() and not site.exists():
        return None
    tally = Tally()
    requests = parse_wget_log(log)
    # Outcomes per request from the log: redirects to the challenge or the sign-in page, and
    # 4xx answers whose kind the saved error page tells.
    saved = collections.Counter()
    files = [p for p in site.rglob("*") if p.is_file()] if site.exists() else []
    for path in files:
        try:
            body = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        rel = unquote(str(path.relative_to(site)))
        rel = rel.split("/", 1)[1] if "/" in rel else rel
        url = "/" + rel.removesuffix(".html")
        outcome = classify(body, None, url)
        saved[outcome] += 1
        tally.page(body, url, outcome, "wget")
    error_pages = collections.deque(
        o for o, n in sorted(saved.items()) for _ in range(n) if o in ("throttled", "budget", "suspended", "error", "not_found"))
    previous = None
    for req in requests:
        status, location = req["status"], req["location"] or ""
        redirected_here = previous is not None and previous["location"] and urlsplit(previous["location"]).path == urlsplit(req["url"]).path
        previous = req
        if redirected_here and urlsplit(req["url"]).path in ("/challenge", "/login"):
            continue  # the landing page of a redirect already counted as refused
        path = urlsplit(location).path if location else ""
        if status in (301, 302, 303, 307, 308) and path == "/challenge":
            outcome = "challenge"
        elif status in (301, 302, 303, 307, 308) and path == "/login":
            outcome = "signed_out"
        elif status in (301, 302, 303, 307, 308):
            outcome = "other"
        elif status is None:
            outcome = "error"
        elif status < 300:
            outcome = "served" if urlsplit(req["url"]).path not in ("/challenge", "/login") else "other"
        else:
            outcome = error_pages.popleft() if error_pages else ("throttled" if status == 429 else "error")
        t = None
        try:
            t = datetime.datetime.strptime(req["time"], "%Y-%m-%d %H:%M:%S").timestamp()
        except ValueError:
            pass
        tally.note_request("wget", outcome, t, page_kind(req["url"]))
    result = tally.summary(corpus)
    result["accounts"] = _accounts_summary(tally, start)
    result["saved_files"] = len(files)
    return result


def fmt_share(share) -> str:
    if share is None:
        return "—"
    return f"{share * 100:.2f}%"


def render_markdown(report: dict) -> str:
    lines = [
        f"# Live efficacy check — {report['date']}",
        "",
        f"Command: `{report['command']}`  ",
        f"Server: `{report['binary']}`; world: {report['members']:,} members; run: {report['minutes']} minutes "
        f"({report['started']} – {report['ended']} UTC); output: `{report['out']}`",
        "",
        "Counted from each tool's own saved output (pages and items), never from the server's logs or database "
        "(but for the list of its honey profiles, synthetic members counted apart). "
        "Members taken = distinct members whose name and position (headline or company) appear together in what the tool saved; "
        "data points = member × category (identity, position, experience, education, skills, contact, connections); "
        f"shares are of {report['members']:,} members and {report['members'] * 7:,} data points. "
        "Refused = pages answered with a challenge / throttle / budget refusal / suspension / the sign-in page.",
        "",
        "| tool | accounts (address) | pages requested | served | refused: challenge / throttle / budget / suspended / signed out "
        "| other answers¹ | degraded (inferred) | members taken | share | data points | share |",
        "|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for tool in report["tools"]:
        r = tool.get("result")
        if not r:
            lines.append(f"| {tool['label']} | {tool.get('accounts_text', '')} | — | — | {tool.get('status', 'no output')} | | | | | | |")
            continue
        ref = r["refusals"]
        refused = f"**{r['refused']}**: {ref['challenge']} / {ref['throttled']} / {ref['budget']} / {ref['suspended']} / {ref['signed_out']}"
        lines.append(
            f"| {tool['label']} | {tool.get('accounts_text', '')} | {r['requests']} | {r['served']} | {refused} "
            f"| {r['requests'] - r['served'] - r['refused']} | {r['degraded_profiles_inferred']} | {r['members_taken']:,} | {fmt_share(r['members_taken_share'])} "
            f"| {r['data_points']:,} | {fmt_share(r['data_points_share'])} |")
    lines += ["", "¹ no answer (connection failed, timed out), not found (an expired link), or another error page; "
              "by kind in live-efficacy.json (`other_outcomes`)."]
    lines += ["", "Per account (seconds after the start at which each kind of refusal first came):", "",
              "| tool | account | pages | served | budget warnings | first challenge | first throttle | first budget refusal | suspended at | signed out at |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for tool in report["tools"]:
        r = tool.get("result")
        if not r:
            continue
        for account, acc in r.get("accounts", {}).items():
            first = acc["first_refusal_seconds_after_start"]
            cell = lambda o: f"{first[o]:.0f}" if o in first else "—"  # noqa: E731
            lines.append(f"| {tool['label']} | {account} | {acc['requests']} | {acc['outcomes'].get('served', 0)} "
                         f"| {acc.get('budget_warnings', 0)} | {cell('challenge')} "
                         f"| {cell('throttled')} | {cell('budget')} | {cell('suspended')} | {cell('signed_out')} |")
    lines += ["", "Data points by category:", "", "| tool | " + " | ".join(CATEGORIES) + " |", "|---|" + "---:|" * len(CATEGORIES)]
    for tool in report["tools"]:
        r = tool.get("result")
        if r:
            lines.append(f"| {tool['label']} | " + " | ".join(f"{r['data_points_by_category'][c]:,}" for c in CATEGORIES) + " |")
    lines += ["", "Tools:", ""]
    for tool in report["tools"]:
        lines.append(f"- **{tool['label']}** ({tool.get('status', '')}): {tool.get('description', '')}")
        if tool.get("command"):
            lines.append(f"  `{tool['command']}`")
    if report.get("notes"):
        lines += ["", "Notes:", ""] + [f"- {n}" for n in report["notes"]]
    return "\n".join(lines) + "\n"


# (name, headline, company) of the platform's honey profiles, from OUT/honey.json.
HONEY_KEYS: set = set()


def load_honey(out: pathlib.Path) -> None:
    HONEY_KEYS.clear()
    path = out / "honey.json"
    if path.exists():
        for honey in json.loads(path.read_text(encoding="utf-8")):
            HONEY_KEYS.add((_norm(honey.get("name")), _norm(honey.get("headline")), _norm(honey.get("company"))))


def count_all(out: pathlib.Path, corpus: int, start: float | None) -> dict:
    load_honey(out)
    results = {}
    for name, _ in TOOLS:
        directory = out / name
        try:
            if name == "wget":
                results[name] = count_wget(directory, corpus, start)
            else:
                results[name] = count_indexed(directory, corpus, start)
        except Exception as exc:  # one tool's odd output must not stop the report
            results[name] = {"error": f"counting failed: {exc!r}"}
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("--members", type=int, required=True, help="the corpus: members in the seeded world")
    parser.add_argument("--write", action="store_true",
                        help="count again into OUT/live-efficacy.json and .md (e.g. after a fix to this counter)")
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    report_path = out / "live-efficacy.json"
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    results = count_all(out, args.members, report.get("start_epoch"))
    if args.write and report.get("tools"):
        for entry in report["tools"]:
            result = results.get(entry["name"])
            if result and "error" not in result:
                entry["result"] = result
        report_path.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
        (out / "live-efficacy.md").write_text(render_markdown(report), encoding="utf-8")
        print(render_markdown(report))
        return
    print(json.dumps(results, indent=2, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
