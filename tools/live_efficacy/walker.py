"""The careful walker: a script that takes pains to look like a person in Chrome.

Each account works from its own loopback address in its own thread, with the headers
desktop Chrome sends (client hints, fetch metadata, Accept-Language, Accept-Encoding, Host
first), fetches the page's stylesheet after every page (revalidating it with its ETag, as a
browser does), pauses 2-6 s, alternates searches (full names, surnames, titles, skills,
cities), pages through 1-3 result pages and opens a profile now and then. It passes the
SMS challenge when asked (it holds the SIM card), waits out a throttle, backs off for a
while after a budget refusal, and stops an account once it is suspended or signed out.

    python3 -m live_efficacy.walker --base URL --data-dir D --out DIR --accounts accounts.json --until EPOCH
"""
from __future__ import annotations

import html
import json
import pathlib
import random
import re
import threading
import time
from urllib.parse import urlencode

from live_efficacy.common import (
    Account,
    Outbox,
    PageStore,
    bound_session,
    chrome_navigation_headers,
    chrome_stylesheet_headers,
    load_word_lists,
    setup_logging,
    solve_challenge_requests,
    tool_arguments,
)

_STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')
_PROFILE_LINK = re.compile(r'href="(/members/[^"]+)"')
_NEXT = re.compile(r'<a id="next-page" href="([^"]+)"')


class Walker:
    def __init__(self, base, account: Account, outbox: Outbox, store: PageStore, until: float, log, rng: random.Random):
        self.base = base
        self.account = account
        self.outbox = outbox
        self.store = store
        self.until = until
        self.log = log
        self.rng = rng
        self.words = load_word_lists(seed=rng.randrange(1 << 30))
        self.session = bound_session(account.source)
        for name, value in account.cookies.items():
            self.session.cookies.set(name, value, domain=base.split("//", 1)[1].split(":")[0], path="/")
        self.etag = None
        self.referer = None
        self.stats = {"pages": 0, "assets": 0, "challenges_passed": 0, "challenge_requests": 0, "errors": 0}
        self.stopped = None

    # -- one page, as Chrome would load it
    def open(self, path: str) -> tuple[str, str] | None:
        url = path if path.startswith("http") else self.base + path
        headers = chrome_navigation_headers(self.referer)
        try:
            r = self.session.get(url, headers=dict(headers), timeout=60)
        except Exception as exc:
            self.stats["errors"] += 1
            self.log.warning("%s: GET %s failed: %s", self.account.label, url, exc)
            self.store.failed(self.account.label, url, str(exc))
            return None
        self.stats["pages"] += 1
        entry = self.store.save(self.account.label, url, r.url, r.status_code, r.text,
                                {"redirects": [h.headers.get("location") for h in r.history]})
        self.referer = r.url
        self.fetch_stylesheet(r.text, r.url)
        return entry["outcome"], r.text

    def fetch_stylesheet(self, page: str, page_url: str):
        m = _STYLESHEET.search(page)
        if not m:
            return
        headers = chrome_stylesheet_headers(page_url)
        if self.etag:
            headers.append(("If-None-Match", self.etag))
        try:
            url = self.base + html.unescape(m.group(1))
            r = self.session.get(url, headers=dict(headers), timeout=30)
            self.stats["assets"] += 1
            self.store.note(self.account.label, url, r.status_code, "asset")
            self.etag = r.headers.get("ETag", self.etag)
        except Exception as exc:
            self.log.warning("%s: stylesheet failed: %s", self.account.label, exc)

    def pause(self, low=2.0, high=6.0):
        time.sleep(max(0.0, min(self.rng.uniform(low, high), self.until - time.time())))

    def sleep_until(self, seconds: float):
        time.sleep(max(0.0, min(seconds, self.until - time.time())))

    # -- what to do with a refusal; returns False when the account is finished
    def handle(self, outcome: str, page: str) -> bool:
        if outcome == "challenge":
            ok, n = solve_challenge_requests(self.session, self.base, page, self.referer or self.base, self.account, self.outbox,
                                             chrome_navigation_headers, self.log)
            self.stats["challenge_requests"] += n
            for _ in range(n):
                self.store.note(self.account.label, self.base + "/challenge/send", None, "challenge_step")
            if ok:
                self.stats["challenges_passed"] += 1
            else:
                self.sleep_until(60)
            return True
        if outcome == "throttled":
            self.log.info("%s: throttled; waiting a minute", self.account.label)
            self.sleep_until(60)
            return True
        if outcome == "budget":
            self.log.info("%s: budget refused; coming back in 5 minutes", self.account.label)
            self.sleep_until(300)
            return True
        if outcome in ("suspended", "signed_out"):
            self.log.info("%s: %s; this account is finished", self.account.label, outcome)
            self.stopped = outcome
            return False
        return True

    def run(self):
        kinds = self.words.kinds()
        turn = self.rng.randrange(len(kinds))
        got = self.open("/")
        self.pause()
        while time.time() < self.until and not self.stopped:
            kind = kinds[turn % len(kinds)]
            turn += 1
            query = self.words.pick(kind, self.rng)
            got = self.open("/search?" + urlencode({"q": query}))
            if got is None:
                self.pause(5, 10)
                continue
            outcome, page = got
            if not self.handle(outcome, page):
                break
            pages = self.rng.randint(1, 3)
            for _ in range(pages):
                if time.time() >= self.until or self.stopped:
                    break
                self.pause()
                links = _PROFILE_LINK.findall(page)
                if links and self.rng.random() < 0.35:
                    got = self.open(html.unescape(self.rng.choice(links)))
                    if got and not self.handle(*got):
                        break
                    self.pause()
                nxt = _NEXT.search(page)
                if not nxt:
                    break
                got = self.open(html.unescape(nxt.group(1)))
                if got is None:
                    break
                outcome, page = got
                if not self.handle(outcome, page):
                    break
            self.pause()
        self.log.info("%s: done %s", self.account.label, json.dumps(self.stats))


def main():
    args = tool_arguments(__doc__, seed=11)
    out = pathlib.Path(args.out)
    log = setup_logging(out / "walker.log", "walker")
    accounts = [Account.from_json(a) for a in json.loads(pathlib.Path(args.accounts).read_text())]
    store = PageStore(out)
    outbox = Outbox(pathlib.Path(args.data_dir) / "outbox" / "sms.jsonl")
    threads = []
    for i, account in enumerate(accounts):
        walker = Walker(args.base.rstrip("/"), account, outbox, store, args.until, log, random.Random(args.seed * 100 + i))

        def run(w=walker):
            try:
                w.run()
            except Exception:
                log.exception("%s crashed", w.account.label)

        t = threading.Thread(target=run, name=account.label, daemon=True)
        t.start()
        threads.append(t)
        time.sleep(random.uniform(1, 4))  # people do not start in the same second
    for t in threads:
        t.join(max(1.0, args.until - time.time() + 60))
    store.close()


if __name__ == "__main__":
    main()
