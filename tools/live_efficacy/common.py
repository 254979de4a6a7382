"""Shared pieces of the live efficacy check: source-bound HTTP sessions, the SMS outbox,
registration through the web UI, the browser headers a careful client copies, the word
lists searches are made from, and the one classifier every counter uses to tell a served
page from a refusal.

Nothing here reads the server's database or logs: registration reads only the development
SMS outbox (the attacker's "SIM card"), and everything counted later is read back from
what each tool saved.
"""
from __future__ import annotations

import dataclasses
import html
import json
import logging
import pathlib
import random
import re
import secrets
import string
import sys
import threading
import time
from typing import Iterable
from urllib.parse import parse_qs, urlsplit

REPO = pathlib.Path(__file__).resolve().parents[2]
WORLD_LISTS = REPO / "Sources" / "RampartSim" / "Resources" / "world-lists.json"

# The name the server shows when a member hides their identity from the viewer
# (Sources/RampartGuard/Visibility.swift, `hiddenName`): never counted as a name taken.
HIDDEN_NAME = "Rampart member"

# A current desktop Chrome on Linux, and the headers it sends, in its order (Host first,
# which http.client does by itself). 127.0.0.1 is a "potentially trustworthy" origin, so
# Chrome sends client hints and fetch metadata to it as it does over HTTPS.
CHROME_VERSION = "131"
CHROME_UA = (
    f"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    f"Chrome/{CHROME_VERSION}.0.0.0 Safari/537.36"
)
CHROME_CH_UA = f'"Google Chrome";v="{CHROME_VERSION}", "Chromium";v="{CHROME_VERSION}", "Not_A Brand";v="24"'


def chrome_navigation_headers(referer: str | None, site: str = "same-origin", user_activated: bool = True) -> list[tuple[str, str]]:
    """What Chrome sends when it opens a page (after Host), in wire order."""
    headers = [
        ("Connection", "keep-alive"),
        ("sec-ch-ua", CHROME_CH_UA),
        ("sec-ch-ua-mobile", "?0"),
        ("sec-ch-ua-platform", '"Linux"'),
        ("Upgrade-Insecure-Requests", "1"),
        ("User-Agent", CHROME_UA),
        (
            "Accept",
            "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
            "application/signed-exchange;v=b3;q=0.7",
        ),
        ("Sec-Fetch-Site", site if referer else "none"),
        ("Sec-Fetch-Mode", "navigate"),
    ]
    if user_activated:
        headers.append(("Sec-Fetch-User", "?1"))
    headers.append(("Sec-Fetch-Dest", "document"))
    if referer:
        headers.append(("Referer", referer))
    headers += [("Accept-Encoding", "gzip, deflate, br, zstd"), ("Accept-Language", "en-US,en;q=0.9")]
    return headers


def chrome_stylesheet_headers(referer: str) -> list[tuple[str, str]]:
    """What Chrome sends for a page's stylesheet."""
    return [
        ("Connection", "keep-alive"),
        ("sec-ch-ua-platform", '"Linux"'),
        ("User-Agent", CHROME_UA),
        ("sec-ch-ua", CHROME_CH_UA),
        ("sec-ch-ua-mobile", "?0"),
        ("Accept", "text/css,*/*;q=0.1"),
        ("Sec-Fetch-Site", "same-origin"),
        ("Sec-Fetch-Mode", "no-cors"),
        ("Sec-Fetch-Dest", "style"),
        ("Referer", referer),
        ("Accept-Encoding", "gzip, deflate, br, zstd"),
        ("Accept-Language", "en-US,en;q=0.9"),
    ]


# ---------------------------------------------------------------- logging

def setup_logging(path: pathlib.Path | None, name: str) -> logging.Logger:
    logger = logging.getLogger(name)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    fmt = logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s", "%H:%M:%S")
    if not logger.handlers:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(fmt)
        logger.addHandler(stream)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            handler = logging.FileHandler(path, encoding="utf-8")
            handler.setFormatter(fmt)
            logger.addHandler(handler)
    return logger


# ---------------------------------------------------------------- HTTP, bound to a source address

def bound_session(source: str):
    """A `requests.Session` whose connections leave from `source` (a 127.x.y.z address).

    Its default headers are emptied so the caller decides every header and its order."""
    import requests
    from requests.adapters import HTTPAdapter

    class SourceAddressAdapter(HTTPAdapter):
        def __init__(self, address, **kwargs):
            self._source = (address, 0)
            super().__init__(**kwargs)

        def init_poolmanager(self, *args, **kwargs):
            kwargs["source_address"] = self._source
            super().init_poolmanager(*args, **kwargs)

        def proxy_manager_for(self, *args, **kwargs):  # never used (no proxies), kept bound anyway
            kwargs["source_address"] = self._source
            return super().proxy_manager_for(*args, **kwargs)

    session = requests.Session()
    session.trust_env = False  # no proxies from the environment: loopback only
    adapter = SourceAddressAdapter(source)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.clear()
    return session


# ---------------------------------------------------------------- the SMS outbox

class Outbox:
    """The development SMS sender's JSON lines (`to`, `code`, `purpose`, ...)."""

    def __init__(self, path: pathlib.Path):
        self.path = pathlib.Path(path)
        self._lock = threading.Lock()

    def messages(self, phone: str, purpose: str) -> list[dict]:
        if not self.path.exists():
            return []
        found = []
        with self._lock:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        for line in text.splitlines():
            try:
                msg = json.loads(line)
            except ValueError:
                continue  # a line still being written
            if msg.get("to") == phone and msg.get("purpose") == purpose:
                found.append(msg)
        return found

    def count(self, phone: str, purpose: str) -> int:
        return len(self.messages(phone, purpose))

    def wait_for_code(self, phone: str, purpose: str, after: int = 0, timeout: float = 15.0) -> str | None:
        """The newest `purpose` code sent to `phone` once more than `after` exist, or None."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msgs = self.messages(phone, purpose)
            if len(msgs) > after:
                return str(msgs[-1].get("code"))
            time.sleep(0.2)
        return None


def random_phone(rng: random.Random | None = None) -> str:
    rng = rng or random
    # Mainland China mobile numbers, a different 139xxxx block for each account (so no
    # two share the "number block" the identity graph looks for).
    return "+86139" + "".join(rng.choice(string.digits) for _ in range(8))


def random_password() -> str:
    return "Live-" + secrets.token_urlsafe(14)


@dataclasses.dataclass
class Account:
    label: str
    source: str  # the loopback address it registers and works from
    phone: str
    name: str
    password: str
    cookies: dict = dataclasses.field(default_factory=dict)

    def to_json(self) -> dict:
        return dataclasses.asdict(self)

    @staticmethod
    def from_json(data: dict) -> "Account":
        return Account(**data)


CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')


def hidden_field(page: str, name: str) -> str | None:
    m = re.search(r'name="%s" value="([^"]*)"' % re.escape(name), page)
    return html.unescape(m.group(1)) if m else None


def register_web(base: str, outbox: Outbox, label: str, source: str, name: str, user_agent_headers: list[tuple[str, str]] | None = None,
                 attempts: int = 3) -> Account:
    """Register a new member through the web UI from `source`, as a person would: phone,
    SMS code from the outbox, name, password, the agreement ticked. Returns the account
    with the session, device and CSRF cookies the server set."""
    last_error: Exception | None = None
    for attempt in range(attempts):
        try:
            return _register_web_once(base, outbox, label, source, name, user_agent_headers)
        except Exception as exc:  # a taken number (phone_taken), a slow outbox: try another number
            last_error = exc
            time.sleep(1.0 + attempt)
    raise RuntimeError(f"could not register {label} from {source}: {last_error}")


def _register_web_once(base, outbox, label, source, name, user_agent_headers):
    session = bound_session(source)
    headers = dict(user_agent_headers or chrome_navigation_headers(None))
    r = session.get(base + "/register", headers=headers, timeout=30)
    r.raise_for_status()
    csrf = CSRF_FIELD.search(r.text).group(1)
    phone = random_phone()
    before = outbox.count(phone, "registration")
    r = session.post(base + "/register", data={"csrf": csrf, "phone": phone}, headers=headers, allow_redirects=False, timeout=30)
    if r.status_code != 303 or "/register/verify" not in r.headers.get("location", ""):
        raise RuntimeError(f"POST /register answered {r.status_code}: {_error_text(r.text)}")
    r = session.get(base + r.headers["location"], headers=headers, timeout=30)
    r.raise_for_status()
    form = {
        "csrf": CSRF_FIELD.search(r.text).group(1),
        "id": hidden_field(r.text, "id"),
        "agreementVersion": hidden_field(r.text, "agreementVersion") or "1",
        "name": name,
        "password": random_password(),
        "accept": "yes",
    }
    code = outbox.wait_for_code(phone, "registration", after=before)
    if not code:
        raise RuntimeError(f"no registration SMS for {phone} in {outbox.path}")
    form["code"] = code
    r = session.post(base + "/register/verify", data=form, headers=headers, allow_redirects=False, timeout=60)
    if r.status_code != 303:
        raise RuntimeError(f"POST /register/verify answered {r.status_code}: {_error_text(r.text)}")
    cookies = {c.name: c.value for c in session.cookies}
    if "rampart_session" not in cookies:
        raise RuntimeError(f"no session cookie after registering (cookies: {sorted(cookies)})")
    return Account(label=label, source=source, phone=phone, name=name, password=form["password"], cookies=cookies)


def _error_text(page: str) -> str:
    m = re.search(r'role="alert">([^<]*)<', page)
    return html.unescape(m.group(1)) if m else page[:200]


def solve_challenge_requests(session, base: str, page_html: str, page_url: str, account: Account, outbox: Outbox,
                             headers_for, log: logging.Logger) -> tuple[bool, int]:
    """Pass the web step-up challenge with `session` (requests): "Send me a code", read
    the code from the outbox (the attacker has the SIM card), submit it. Returns whether it
    passed and how many requests it made. `headers_for(referer)` gives navigation headers."""
    requests_made = 0
    csrf = hidden_field(page_html, "csrf")
    nxt = hidden_field(page_html, "next") or "/"
    if not csrf:
        return False, requests_made
    before = outbox.count(account.phone, "step_up")
    r = session.post(base + "/challenge/send", data={"csrf": csrf, "next": nxt}, headers=dict(headers_for(page_url)), timeout=30)
    requests_made += 1
    challenge_id = hidden_field(r.text, "id")
    if not challenge_id:
        log.info("challenge: could not get a code (%s): %s", r.status_code, _error_text(r.text))
        return False, requests_made
    code = outbox.wait_for_code(account.phone, "step_up", after=before)
    if not code:
        log.info("challenge: no step_up SMS arrived for %s", account.phone)
        return False, requests_made
    r = session.post(
        base + "/challenge/verify",
        data={"csrf": hidden_field(r.text, "csrf") or csrf, "id": challenge_id, "next": nxt, "code": code},
        headers=dict(headers_for(base + "/challenge/send")),
        allow_redirects=False,
        timeout=30,
    )
    requests_made += 1
    ok = r.status_code in (302, 303)
    log.info("challenge: %s (answer %s)", "passed" if ok else "failed", r.status_code)
    return ok, requests_made


# ---------------------------------------------------------------- word lists

@dataclasses.dataclass
class WordLists:
    full_names: list[str]
    surnames: list[str]
    titles: list[str]
    skills: list[str]
    cities: list[str]

    def kinds(self) -> list[str]:
        return ["name", "surname", "title", "skill", "city"]

    def pick(self, kind: str, rng: random.Random) -> str:
        return rng.choice({"name": self.full_names, "surname": self.surnames, "title": self.titles,
                           "skill": self.skills, "city": self.cities}[kind])


def load_word_lists(path: pathlib.Path = WORLD_LISTS, seed: int = 7) -> WordLists:
    """Search words from the lists the world generator draws from
    (Sources/RampartSim/Resources/world-lists.json, exported by tools/export_world_lists.py):
    family names as members' names are written (characters for Chinese and Japanese),
    plausible full names, job titles, skills and cities."""
    data = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    rng = random.Random(seed)
    surnames, full_names, cities = [], [], []
    for culture in data["cultures"]:
        native = culture["code"] in ("zh_CN", "ja_JP")
        fams = [f["name"] if native else f.get("latin") or f["name"] for f in culture["familyNames"]][:60]
        givens = [g["name"] if native else g.get("latin") or g["name"] for g in culture["givenNames"]][:60]
        surnames += fams
        sep = culture.get("nameSeparator", " ")
        for _ in range(40):
            family, given = rng.choice(fams), rng.choice(givens)
            full_names.append(family + sep + given if culture.get("nameOrder") == "familyFirst" else given + sep + family)
        for city in culture.get("cities", [])[:25]:
            cities.append(city["name"])
    titles, skills = [], []
    for family in data["jobFamilies"]:
        titles += family.get("titles", [])
        skills += family.get("skills", [])
    skills += data.get("generalSkills", [])
    dedupe = lambda xs: list(dict.fromkeys(x for x in xs if x))  # noqa: E731
    return WordLists(dedupe(full_names), dedupe(surnames), dedupe(titles), dedupe(skills), dedupe(cities))


# ---------------------------------------------------------------- what a page is

OUTCOMES = ("served", "challenge", "throttled", "budget", "suspended", "signed_out", "not_found", "error", "other")
REFUSALS = ("challenge", "throttled", "budget", "suspended", "signed_out")


def page_kind(url: str) -> str:
    """What a URL asks for: profile, search, connections (someone's list), own_network, asset, other."""
    parts = urlsplit(url)
    path = parts.path
    if path.startswith("/members/"):
        return "profile"
    if path == "/search":
        return "search" if parse_qs(parts.query) else "search_form"
    if path == "/connections":
        return "connections" if "of" in parse_qs(parts.query) else "own_network"
    if path.startswith("/static/"):
        return "asset"
    if path == "/challenge":
        return "challenge"
    if path.startswith("/challenge/"):
        return "challenge_step"  # sending or entering the code: not a page of the crawl
    return "other"


_CODE = re.compile(r"<code>([a-z_]+)</code>")
_H1 = re.compile(r"<h1>(.*?)</h1>", re.S)


_BUDGET_REFUSAL = re.compile(r"You have used your (hourly|daily|monthly) allowance")


def classify(page: str, status: int | None = None, url: str | None = None) -> str:
    """What the server answered, judged from the page (and status and final URL when the
    tool kept them): served, challenge, throttled, budget, suspended, signed_out,
    not_found, error or other."""
    page = page or ""
    if (url or "").startswith("chrome-error:") or 'id="main-frame-error"' in page or (not page.strip() and status is None):
        return "error"  # the browser's own "site can't be reached" page, or nothing at all
    path = urlsplit(url).path if url else ""
    if path == "/challenge" or 'id="challenge-send-form"' in page or 'id="challenge-form"' in page:
        return "challenge"
    code = _CODE.search(page)
    code = code.group(1) if code else None
    if code is None and _BUDGET_REFUSAL.search(page):
        return "budget"  # a web page refused by the exposure budget says so in words (not the 80% warning)
    if code == "throttled" or (status == 429 and code in (None, "rate_limited")):
        return "throttled"
    if code == "budget_exhausted" or (code or "").startswith("budget"):
        return "budget"
    if code == "account_suspended" or "<title>Account suspended" in page or 'id="appeal-form"' in page:
        return "suspended"
    if code == "challenge_required":
        return "challenge"
    if path == "/login" or 'id="login-form"' in page:
        return "signed_out"
    if status == 404 or code in ("member_not_found", "not_found", "invalid_cursor", "connections_hidden"):
        return "not_found"
    if 'class="error" role="alert"' in page and 'id="search-form"' in page and status in (None, 404):
        return "not_found"  # an expired link lands on search with an error
    if code or (status is not None and status >= 400):
        return "error"
    if status is not None and status >= 300:
        return "other"
    return "served"


# ---------------------------------------------------------------- what a page shows

def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment)).strip()


def _norm(value: str | None) -> str:
    return " ".join((value or "").split())


@dataclasses.dataclass
class Shown:
    """One member as shown on a page: the fields visible, and the categories served."""
    name: str
    headline: str = ""
    company: str = ""
    location: str = ""
    categories: set = dataclasses.field(default_factory=set)
    token: str = ""  # the sealed ID in the link (viewer-bound; only for joining pages of one tool)

    @property
    def has_position(self) -> bool:
        return bool(self.headline or self.company)

    @property
    def key(self) -> tuple[str, str, str]:
        return (_norm(self.name), _norm(self.headline), _norm(self.company))


_CARD = re.compile(r'<li class="card"><a href="/members/([^"]+)"><strong>(.*?)</strong></a>(.*?)</li>', re.S)


def parse_cards(page: str) -> list[Shown]:
    """Search result cards and connection-list cards (templates/card.mustache): name, then
    `<br>headline`, ` · company`, `<br><small>location</small>`."""
    found = []
    for token, name, rest in _CARD.findall(page):
        location = ""
        loc = re.search(r"<small>(.*?)</small>", rest, re.S)
        if loc:
            location = _text(loc.group(1))
            rest = rest[: loc.start()]
        rest = rest.replace("<br>", "\n", 1) if rest.startswith("<br>") else rest
        headline, company = "", ""
        body = rest.rstrip().removesuffix("<br>")
        if body.startswith("\n"):
            body = body[1:]
            if " · " in body:
                headline, company = body.split(" · ", 1)
            else:
                headline = body
        elif body.startswith(" · "):
            company = body[3:]
        shown = Shown(name=_text(name), headline=_text(headline), company=_text(company), location=location, token=token)
        if shown.name and shown.name != HIDDEN_NAME:
            shown.categories.add("identity")
        if shown.headline or shown.company or shown.location:
            shown.categories.add("position")
        found.append(shown)
    return found


def parse_profile(page: str) -> Shown | None:
    """A profile page (templates/profile.mustache): the name in <h1>, headline, company and
    location, and which sections are present."""
    if '<section class="profile">' not in page:
        return None
    h1 = _H1.search(page)
    name = _text(h1.group(1)) if h1 else ""
    section = page[page.index('<section class="profile">'):]
    section = section[: section.find("</section>")] if "</section>" in section else section
    headline = re.search(r'<p class="headline">(.*?)</p>', section, re.S)
    shown = Shown(name=name, headline=_text(headline.group(1)) if headline else "")
    # `<p>company · location</p>` or `<p>location</p>` right after the headline.
    after = section[headline.end():] if headline else section[section.find("</p>") + 4:]
    first_p = re.match(r"\s*<p>(.*?)</p>", after, re.S)
    if first_p and "connections</a>" not in first_p.group(1):
        text = _text(first_p.group(1))
        if " · " in text:
            shown.company, shown.location = text.split(" · ", 1)
        else:
            shown.location = text  # ambiguous without a company; counted as position either way
    token = re.search(r'/connections\?of=([^"&]+)', section) or re.search(r'name="profileId" value="([^"]+)"', section)
    shown.token = token.group(1) if token else ""
    if name and name != HIDDEN_NAME:
        shown.categories.add("identity")
    if shown.headline or shown.company or shown.location or "<h2>About</h2>" in section:
        shown.categories.add("position")
    for heading, category in (("Experience", "experience"), ("Education", "education"), ("Skills", "skills"), ("Contact", "contact")):
        if f"<h2>{heading}</h2>" in section:
            shown.categories.add(category)
    return shown


def profile_degraded(page: str) -> bool:
    """Whether a profile page looks degraded (a guess: degradation is silent). Level 1
    coarsens work history to years (every date January) without descriptions; levels 2-3
    withhold work history, education, skills and the connection list together from a
    3rd-degree viewer (generated members restrict at most three categories themselves)."""
    if '<section class="profile">' not in page:
        return False
    hidden = re.search(r"Not shown to you: (.*?)\.</p>", page)
    hidden = hidden.group(1) if hidden else ""
    if all(label in hidden for label in ("Work history", "Education", "Skills", "Connections list")):
        return True
    exp = re.search(r"<h2>Experience</h2>\s*<ul class=\"entries\">(.*?)</ul>", page, re.S)
    if exp:
        entries = re.findall(r"<li>(.*?)</li>", exp.group(1), re.S)
        if entries and all(re.search(r"<small>\d{4}-01 – (now|\d{4}-01)</small>$", e.strip()) for e in entries):
            return True
    return False


def connection_list_owner(page: str) -> str | None:
    """The owner's name on someone's connection list ("X’s connections")."""
    h1 = _H1.search(page)
    if not h1:
        return None
    title = _text(h1.group(1))
    for suffix in ("’s connections", "'s connections"):
        if title.endswith(suffix):
            return title[: -len(suffix)]
    return None


def budget_warning(page: str) -> bool:
    m = re.search(r'<div class="notice" role="status">(.*?)</div>', page, re.S)
    return bool(m and "allowance" in m.group(1))


def iter_jsonl(path: pathlib.Path) -> Iterable[dict]:
    if not path.exists():
        return
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            try:
                yield json.loads(line)
            except ValueError:
                continue


class PageStore:
    """Saves every page a tool got: `pages/NNNNNN.html` plus one JSON line in `pages.jsonl`
    (url, final url, status, outcome, account, time, file)."""

    def __init__(self, directory: pathlib.Path):
        self.directory = pathlib.Path(directory)
        (self.directory / "pages").mkdir(parents=True, exist_ok=True)
        self.index = open(self.directory / "pages.jsonl", "a", encoding="utf-8")
        self._lock = threading.Lock()
        self._n = 0

    def save(self, account: str, url: str, final_url: str, status: int, body: str, extra: dict | None = None) -> dict:
        with self._lock:
            self._n += 1
            name = f"pages/{account}-{self._n:06d}.html"
            (self.directory / name).write_text(body, encoding="utf-8")
            entry = {
                "t": round(time.time(), 3), "account": account, "url": url, "final_url": final_url, "status": status,
                "kind": page_kind(url), "outcome": classify(body, status, final_url), "file": name,
            }
            if extra:
                entry.update(extra)
            self.index.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self.index.flush()
            return entry

    def failed(self, account: str, url: str, reason: str):
        """A request that got no answer (refused connection, timeout): one index line, no file."""
        with self._lock:
            self.index.write(json.dumps({"t": round(time.time(), 3), "account": account, "url": url, "final_url": None,
                                         "status": None, "kind": page_kind(url), "outcome": "error", "file": None,
                                         "failure": reason[:200]}) + "\n")
            self.index.flush()

    def note(self, account: str, url: str, status: int | None, kind: str):
        """A request whose answer is not a page (the stylesheet): one index line, no file."""
        with self._lock:
            self.index.write(json.dumps({"t": round(time.time(), 3), "account": account, "url": url, "status": status,
                                         "kind": kind, "outcome": "asset", "file": None}) + "\n")
            self.index.flush()

    def close(self):
        self.index.close()


def tool_arguments(doc: str | None, seed: int):
    """The command line every attacking tool takes from run.py: the server, its data
    directory (for the SMS outbox), where to save, the registered accounts, the deadline
    (Unix time) and a random seed."""
    import argparse
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--accounts", required=True)
    parser.add_argument("--until", type=float, required=True)
    parser.add_argument("--seed", type=int, default=seed)
    return parser.parse_args()
