"""Members in real Chromium: each newly registers through the web UI in a headless
Chromium of its own (Selenium), with a normal desktop User-Agent, then for the whole run
searches for a name and opens a matching profile every 5-10 s. Every page it lands on is
recorded (URL, title, outcome) and saved; a challenge is passed with the SMS code, as a
member would; a throttle is waited out; a budget refusal or suspension is recorded.

    python3 -m live_efficacy.members --base URL --data-dir D --out DIR --count 3 --until EPOCH [--sources A1,A2,A3]

Chromium cannot be told which local address to connect from. With --sources, each browser
goes through its own small forwarding proxy (live_efficacy.proxy, in this process) that
connects to the server from that loopback address; without, all browsers arrive from
127.0.0.1.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import pathlib
import random
import threading
import time
from urllib.parse import urlencode

os.environ["SE_AVOID_STATS"] = "true"  # Selenium must not phone home or fetch a driver
os.environ.setdefault("SE_OFFLINE", "true")

from live_efficacy import proxy  # noqa: E402
from live_efficacy.common import (  # noqa: E402
    CHROME_UA,
    Outbox,
    PageStore,
    budget_warning,
    load_word_lists,
    profile_degraded,
    random_password,
    random_phone,
    setup_logging,
)

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
MEMBER_NAMES = ["Mei Lin Harper", "Daniel Okafor", "Sofia Brandt", "Priya Raman", "Tomás Ibáñez", "Yuki Mori"]


def new_driver(proxy: str | None):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000",
                f"--user-agent={CHROME_UA}", "--disable-features=Translate,OptimizationHints,MediaRouter",
                "--no-first-run", "--no-default-browser-check"):
        options.add_argument(arg)
    if proxy:
        options.add_argument(f"--proxy-server=http://{proxy}")
        # Chromium bypasses any proxy for loopback unless told not to.
        options.add_argument("--proxy-bypass-list=<-loopback>")
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    return driver


class Member:
    def __init__(self, label, base, outbox: Outbox, store: PageStore, until, log, rng, proxy=None):
        self.label = label
        self.base = base
        self.outbox = outbox
        self.store = store
        self.until = until
        self.log = log
        self.rng = rng
        self.proxy = proxy
        self.words = load_word_lists(seed=rng.randrange(1 << 30))
        self.driver = None
        self.phone = None
        self.stats = {"pages": 0, "challenged": 0, "challenges_passed": 0, "throttled": 0, "budget": 0, "suspended": 0,
                      "signed_out": 0, "degraded": 0, "budget_warnings": 0, "profiles": 0, "searches": 0, "errors": 0}
        self.stopped = None

    # -- pages
    def land(self, asked: str):
        """Record the page the browser is on now."""
        from selenium.common.exceptions import WebDriverException

        try:
            url = self.driver.current_url
            body = self.driver.page_source
            title = self.driver.title
        except WebDriverException as exc:
            self.stats["errors"] += 1
            self.log.warning("%s: could not read the page: %s", self.label, exc)
            return "error", ""
        entry = self.store.save(self.label, asked, url, None, body, {"title": title})
        outcome = entry["outcome"]
        self.stats["pages"] += 1
        if outcome in self.stats:
            self.stats[outcome] += 1
        if outcome == "challenge":
            self.stats["challenged"] += 1
        if profile_degraded(body):
            self.stats["degraded"] += 1
        if budget_warning(body):
            self.stats["budget_warnings"] += 1
        return outcome, body

    def open(self, path: str):
        from selenium.common.exceptions import WebDriverException

        asked = self.base + path
        try:
            self.driver.get(asked)
        except WebDriverException as exc:
            self.stats["errors"] += 1
            self.log.warning("%s: GET %s failed: %s", self.label, path, exc)
        return self.land(asked)

    def click(self, element, asked: str):
        from selenium.common.exceptions import WebDriverException

        try:
            element.click()
            time.sleep(0.3)
            self.wait_loaded()
        except WebDriverException as exc:
            self.stats["errors"] += 1
            self.log.warning("%s: click failed: %s", self.label, exc)
        return self.land(asked)

    def wait_loaded(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if self.driver.execute_script("return document.readyState") == "complete":
                    return
            except Exception:
                pass
            time.sleep(0.2)

    def pause(self):
        time.sleep(max(0.0, min(self.rng.uniform(5, 10), self.until - time.time())))

    # -- registering, as a person does
    def register(self):
        from selenium.webdriver.common.by import By

        name = self.rng.choice(MEMBER_NAMES) + " " + "".join(self.rng.choice("abcdefghjkmnpqrstuvwxyz") for _ in range(4)).title()
        for attempt in range(3):
            self.phone = random_phone(self.rng)
            before = self.outbox.count(self.phone, "registration")
            self.driver.get(self.base + "/register")
            form = self.driver.find_element(By.ID, "register-form")
            form.find_element(By.NAME, "phone").send_keys(self.phone)
            form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            self.wait_for(lambda: "/register/verify" in self.driver.current_url)
            code = self.outbox.wait_for_code(self.phone, "registration", after=before, timeout=15)
            if not code:
                self.log.warning("%s: no registration SMS (attempt %d)", self.label, attempt + 1)
                continue
            form = self.driver.find_element(By.ID, "verify-form")
            form.find_element(By.NAME, "code").send_keys(code)
            form.find_element(By.NAME, "name").send_keys(name)
            form.find_element(By.NAME, "password").send_keys(random_password())
            box = form.find_element(By.NAME, "accept")
            if not box.is_selected():
                box.click()
            form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            if self.wait_for(lambda: self.driver.find_elements(By.ID, "whoami"), timeout=30):
                self.log.info("%s: registered as %s (%s)", self.label, name, self.phone)
                return True
            self.log.warning("%s: registration did not end signed in: %s", self.label, self.driver.current_url)
        return False

    def wait_for(self, condition, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if condition():
                    return True
            except Exception:
                pass
            time.sleep(0.2)
        return False

    def pass_challenge(self):
        from selenium.webdriver.common.by import By

        try:
            send = self.driver.find_elements(By.ID, "challenge-send-form")
            if not send:
                return False
            before = self.outbox.count(self.phone, "step_up")
            send[0].find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            if not self.wait_for(lambda: self.driver.find_elements(By.ID, "challenge-form")):
                return False
            code = self.outbox.wait_for_code(self.phone, "step_up", after=before, timeout=15)
            if not code:
                return False
            form = self.driver.find_element(By.ID, "challenge-form")
            form.find_element(By.NAME, "code").send_keys(code)
            form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            self.wait_for(lambda: "/challenge" not in self.driver.current_url, timeout=20)
            self.wait_loaded()
            passed = "/challenge" not in self.driver.current_url
            if passed:
                self.stats["challenges_passed"] += 1
            self.land(self.driver.current_url)
            return passed
        except Exception as exc:
            self.log.warning("%s: challenge failed: %s", self.label, exc)
            return False

    def after(self, outcome) -> bool:
        """React to a refusal as a person would; False when the member gives up."""
        if outcome == "challenge":
            self.pass_challenge()
        elif outcome == "throttled":
            time.sleep(max(0.0, min(60, self.until - time.time())))
        elif outcome == "budget":
            time.sleep(max(0.0, min(600, self.until - time.time())))
        elif outcome in ("suspended", "signed_out"):
            self.stopped = outcome
            return False
        return True

    def run(self):
        from selenium.webdriver.common.by import By

        self.driver = new_driver(self.proxy)
        try:
            if not self.register():
                self.stopped = "registration failed"
                return
            while time.time() < self.until and not self.stopped:
                query = self.words.pick(self.rng.choice(["name", "surname", "surname", "name"]), self.rng)
                self.stats["searches"] += 1
                outcome, _ = self.open("/search?" + urlencode({"q": query}))
                if not self.after(outcome):
                    break
                self.pause()
                if time.time() >= self.until:
                    break
                links = self.driver.find_elements(By.CSS_SELECTOR, "ul#results li.card a")
                if not links:
                    continue
                # A matching profile: one whose name contains the words searched, else any.
                matching = [a for a in links if all(w.lower() in (a.text or "").lower() for w in query.split())]
                link = self.rng.choice(matching or links)
                href = link.get_attribute("href")
                self.stats["profiles"] += 1
                outcome, _ = self.click(link, href)
                if not self.after(outcome):
                    break
                self.pause()
        finally:
            try:
                self.driver.quit()
            except Exception:
                pass
            self.log.info("%s: done (%s) %s", self.label, self.stopped or "ran to the end", json.dumps(self.stats))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--count", type=int, default=3)
    parser.add_argument("--until", type=float, required=True)
    parser.add_argument("--sources", default="", help="a loopback address per member, comma-separated (through a proxy each)")
    parser.add_argument("--seed", type=int, default=23)
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    log = setup_logging(out / "members.log", "members")
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            raise SystemExit(f"{path} is missing: apt-get install chromium chromium-driver")
    if importlib.util.find_spec("selenium") is None:
        raise SystemExit("selenium is missing: pip install selenium")
    proxies = []
    for source in (s for s in args.sources.split(",") if s):
        _, port = proxy.start("127.0.0.1", source)
        proxies.append(f"127.0.0.1:{port}")
        log.info("a browser will arrive from %s through the proxy on port %d", source, port)
    store = PageStore(out)
    outbox = Outbox(pathlib.Path(args.data_dir) / "outbox" / "sms.jsonl")
    members, threads = [], []
    for i in range(args.count):
        member = Member(f"member{i + 1}", args.base.rstrip("/"), outbox, store, args.until, log,
                        random.Random(args.seed * 100 + i), proxies[i] if i < len(proxies) else None)
        members.append(member)

        def run(m=member):
            try:
                m.run()
            except Exception:
                log.exception("%s crashed", m.label)
                m.stopped = m.stopped or "crashed"

        t = threading.Thread(target=run, name=member.label, daemon=True)
        t.start()
        threads.append(t)
        time.sleep(2)
    for t in threads:
        t.join(max(1.0, args.until - time.time() + 90))
    summary = {m.label: {"phone": m.phone, "stopped": m.stopped, **m.stats} for m in members}
    (out / "members.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    store.close()


if __name__ == "__main__":
    main()
