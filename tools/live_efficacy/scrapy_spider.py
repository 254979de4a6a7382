"""The Scrapy crawler: one spider working several signed-in accounts, each from its own
loopback address (`bindaddress` meta) and with its own cookie jar, crawling the web UI as
a scraper would — searches from a word list, every result page, every profile linked, every
connection list linked — saving each page it got (HTML) and one item per member card or
profile (JSON lines).

It is configured as scraper tutorials configure Scrapy: a desktop browser's User-Agent,
robots.txt ignored, a small download delay, several requests in flight. Like the
simulator's adversaries it passes the SMS challenge when asked (it holds the SIM cards),
and drops an account once that account is suspended or signed out. When its queue runs dry
it starts new searches, until the deadline.

    python3 -m live_efficacy.scrapy_spider --base URL --data-dir D --out DIR --accounts accounts.json --until EPOCH
"""
from __future__ import annotations

import json
import pathlib
import random
import time
from urllib.parse import urlencode, urlsplit

from live_efficacy.common import (
    CHROME_UA,
    Account,
    Outbox,
    PageStore,
    connection_list_owner,
    hidden_field,
    load_word_lists,
    page_kind,
    parse_cards,
    parse_profile,
    tool_arguments,
)

try:
    import scrapy
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from scrapy.exceptions import DontCloseSpider, IgnoreRequest
    from scrapy.http import FormRequest, Request
except ImportError as exc:  # pragma: no cover - reported by the runner
    raise SystemExit(f"scrapy is not installed ({exc}): pip install scrapy (add --break-system-packages if pip refuses)")


def _offline_tldextract():
    """Scrapy's cookie middleware asks tldextract whether a domain is public; left alone,
    tldextract tries to download the public-suffix list. Use its bundled snapshot."""
    try:
        import scrapy.downloadermiddlewares.cookies as cookies_mw
        from tldextract import TLDExtract

        cookies_mw._split_domain = TLDExtract(suffix_list_urls=(), include_psl_private_domains=True)
    except Exception:  # an older or newer Scrapy without it: nothing to do
        pass


class DropStoppedAccounts:
    """Downloader middleware: requests queued for an account that has been suspended or
    signed out are dropped, as a scraper stops using a banned account."""

    def process_request(self, request, spider=None):
        spider = spider or getattr(self, "spider", None)
        if spider is not None and request.meta.get("account") in getattr(spider, "dead", {}):
            raise IgnoreRequest("account stopped")
        return None

    @classmethod
    def from_crawler(cls, crawler):
        middleware = cls()
        crawler.signals.connect(lambda spider: setattr(middleware, "spider", spider), signal=signals.spider_opened)
        return middleware


class RampartSpider(scrapy.Spider):
    name = "rampart"

    def __init__(self, base, accounts, data_dir, out, until, seed=5, **kwargs):
        super().__init__(**kwargs)
        self.base = base.rstrip("/")
        self.accounts = accounts
        self.outbox = Outbox(pathlib.Path(data_dir) / "outbox" / "sms.jsonl")
        self.out = pathlib.Path(out)
        self.until = until
        self.rng = random.Random(seed)
        self.words = load_word_lists(seed=seed)
        self.store = PageStore(self.out)
        self.items = open(self.out / "items.jsonl", "a", encoding="utf-8")
        self.dead = {}  # account label -> why it stopped
        self.challenge_attempts = {}
        self.solving = {}  # account label -> when it started passing a challenge
        self.held = {}  # account label -> URLs challenged while it was passing one
        self.turn = 0

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.closed_, signal=signals.spider_closed)
        return spider

    # -- requests on behalf of one account
    def req(self, account, url, callback=None, **kw):
        return Request(url, callback=callback or self.parse_page, meta=self.meta_for(account), errback=self.failed, **kw)

    def search_requests(self, account, n):
        for _ in range(n):
            kind = self.words.kinds()[self.turn % 5]
            self.turn += 1
            url = self.base + "/search?" + urlencode({"q": self.words.pick(kind, self.rng)})
            yield self.req(account, url)

    async def start(self):
        for request in self.start_requests():
            yield request

    def start_requests(self):
        for account in self.accounts:
            # The session from registration goes into this account's jar with the first request.
            yield self.req(account, self.base + "/", cookies=account.cookies, dont_filter=True)
            for request in self.search_requests(account, 3):
                yield request.replace(cookies=account.cookies)

    def idle(self, spider):
        if time.time() >= self.until:
            return
        live = [a for a in self.accounts if a.label not in self.dead]
        if not live:
            return
        for account in live:
            for request in self.search_requests(account, 2):
                self.crawler.engine.crawl(request)
        raise DontCloseSpider

    def account_of(self, response):
        label = response.meta.get("account")
        return next(a for a in self.accounts if a.label == label)

    # -- every page
    def parse_page(self, response):
        account = self.account_of(response)
        asked = (response.meta.get("redirect_urls") or [response.url])[0]
        if urlsplit(asked).path.startswith("/challenge/"):
            asked = response.url  # the page a passed challenge leads back to
        body = response.text if hasattr(response, "text") else response.body.decode("utf-8", "replace")
        entry = self.store.save(account.label, asked, response.url, response.status, body,
                                {"redirects": response.meta.get("redirect_urls") or []})
        outcome = entry["outcome"]
        if time.time() >= self.until:
            return
        if outcome == "challenge":
            yield from self.challenge(account, response, body)
            return
        if outcome in ("suspended", "signed_out"):
            if account.label not in self.dead:
                self.dead[account.label] = outcome
                self.logger.info("%s: %s; dropping this account", account.label, outcome)
            return
        if account.label in self.dead or outcome != "served":
            return
        # Items: what the page shows about members.
        kind = page_kind(asked)
        for card in parse_cards(body):
            self.item(account, kind, asked, card)
        profile = parse_profile(body)
        if profile is not None:
            self.item(account, "profile", asked, profile)
        owner = connection_list_owner(body)
        if owner:
            self.items.write(json.dumps({"account": account.label, "source": "connection_list_owner", "url": asked,
                                         "name": owner, "cards": len(parse_cards(body))}, ensure_ascii=False) + "\n")
        # Follow: profiles, connection lists, next pages.
        for href in response.css("a::attr(href)").getall():
            path = urlsplit(href).path
            if path.startswith("/members/") or path == "/connections" and "of=" in href or path == "/search" and "cursor=" in href:
                yield self.req(account, response.urljoin(href))

    def item(self, account, kind, url, shown):
        self.items.write(json.dumps({
            "account": account.label, "source": kind, "url": url, "name": shown.name, "headline": shown.headline,
            "company": shown.company, "location": shown.location, "categories": sorted(shown.categories), "token": shown.token,
        }, ensure_ascii=False) + "\n")

    # -- the SMS challenge, passed as the SIM-card holder would (one at a time per account;
    # pages challenged meanwhile are asked for again once it is passed)
    def meta_for(self, account, **extra):
        return {"cookiejar": account.label, "bindaddress": (account.source, 0), "account": account.label, **extra}

    def challenge(self, account, response, body):
        nxt = hidden_field(body, "next")
        if self.solving.get(account.label, 0) > time.time() - 60:
            # Already being passed: ask for this page again afterwards.
            if nxt and nxt != "/":
                self.held.setdefault(account.label, []).append(response.urljoin(nxt))
            return
        attempts = self.challenge_attempts.get(account.label, 0)
        csrf = hidden_field(body, "csrf")
        if attempts >= 8 or 'id="challenge-send-form"' not in body or not csrf:
            return
        self.challenge_attempts[account.label] = attempts + 1
        self.solving[account.label] = time.time()
        before = self.outbox.count(account.phone, "step_up")
        yield FormRequest(response.urljoin("/challenge/send"), formdata={"csrf": csrf, "next": nxt or "/"},
                          callback=self.challenge_code, dont_filter=True, errback=self.failed,
                          meta=self.meta_for(account, sms_before=before))

    def challenge_code(self, response):
        account = self.account_of(response)
        self.store.save(account.label, response.url, response.url, response.status, response.text)
        challenge_id, csrf = hidden_field(response.text, "id"), hidden_field(response.text, "csrf")
        if 'id="challenge-form"' not in response.text or not challenge_id or not csrf:
            self.logger.info("%s: no code sent (%s)", account.label, response.status)
            self.solving.pop(account.label, None)
            return
        code = self.outbox.wait_for_code(account.phone, "step_up", after=response.meta.get("sms_before", 0), timeout=10)
        if not code:
            self.logger.info("%s: no step_up SMS", account.label)
            self.solving.pop(account.label, None)
            return
        yield FormRequest(response.urljoin("/challenge/verify"),
                          formdata={"csrf": csrf, "id": challenge_id, "next": hidden_field(response.text, "next") or "/", "code": code},
                          callback=self.challenge_passed, dont_filter=True, errback=self.failed, meta=self.meta_for(account))

    def challenge_passed(self, response):
        account = self.account_of(response)
        self.solving.pop(account.label, None)
        self.logger.info("%s: challenge answered; now at %s", account.label, response.url)
        yield from self.parse_page(response)
        held, self.held[account.label] = self.held.get(account.label, []), []
        for url in dict.fromkeys(held):
            yield self.req(account, url, dont_filter=True)

    def failed(self, failure):
        if failure.check(IgnoreRequest):
            return
        request = failure.request
        self.logger.warning("%s: %s failed: %s", request.meta.get("account"), request.url, failure.value)
        self.store.failed(request.meta.get("account"), request.url, str(failure.value))

    def closed_(self, spider, reason):
        self.logger.info("closed (%s); stopped accounts: %s", reason, self.dead)
        self.items.close()
        self.store.close()


def main():
    args = tool_arguments(__doc__, seed=5)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    _offline_tldextract()
    accounts = [Account.from_json(a) for a in json.loads(pathlib.Path(args.accounts).read_text())]
    settings = {
        "USER_AGENT": CHROME_UA,
        "ROBOTSTXT_OBEY": False,
        "DOWNLOAD_DELAY": 0.25,  # randomised by Scrapy (0.5-1.5 x)
        "CONCURRENT_REQUESTS": 6,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 6,
        "COOKIES_ENABLED": True,
        "HTTPERROR_ALLOW_ALL": True,  # keep refusals: they are counted
        "RETRY_ENABLED": False,
        "REDIRECT_ENABLED": True,
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "DOWNLOADER_MIDDLEWARES": {"live_efficacy.scrapy_spider.DropStoppedAccounts": 50},
        "LOG_LEVEL": "INFO",
        "LOG_FILE": str(out / "scrapy.log"),
        "CLOSESPIDER_TIMEOUT": max(1, int(args.until - time.time())),
        "DOWNLOAD_TIMEOUT": 60,
        "DEPTH_PRIORITY": 0,
        "STATS_DUMP": True,
    }
    process = CrawlerProcess(settings=settings)
    process.crawl(RampartSpider, base=args.base, accounts=accounts, data_dir=args.data_dir, out=str(out),
                  until=args.until, seed=args.seed)
    process.start()


if __name__ == "__main__":
    main()
