"""Fixtures for the browser walkthrough: a headless Chromium and the SMS outbox.

Run through scripts/test.sh, which starts the server and sets:
  RAMPART_BASE_URL   e.g. http://127.0.0.1:PORT
  RAMPART_DATA_DIR   the server's --data-dir (the SMS outbox is in DATA_DIR/outbox/sms.jsonl)
  RAMPART_ARTIFACTS  optional: where screenshots go
"""
import json
import os
import pathlib
import re
import time

# Selenium must not phone home or look for a driver to download (no network here).
os.environ["SE_AVOID_STATS"] = "true"
os.environ.setdefault("SE_OFFLINE", "true")

import pytest  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

WAIT_SECONDS = 20


@pytest.fixture(scope="session")
def base_url():
    url = os.environ.get("RAMPART_BASE_URL")
    if not url:
        pytest.skip("RAMPART_BASE_URL is not set (run scripts/test.sh)")
    return url.rstrip("/")


@pytest.fixture(scope="session")
def data_dir():
    path = os.environ.get("RAMPART_DATA_DIR")
    if not path:
        pytest.skip("RAMPART_DATA_DIR is not set (run scripts/test.sh)")
    return pathlib.Path(path)


class Outbox:
    """Reads the development SMS sender's JSON-lines file."""

    def __init__(self, path):
        self.path = path

    def messages(self, phone, purpose):
        if not self.path.exists():
            return []
        found = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                msg = json.loads(line)
            except ValueError:
                continue  # a line still being written
            if msg.get("to") == phone and msg.get("purpose") == purpose:
                found.append(msg)
        return found

    def count(self, phone, purpose):
        return len(self.messages(phone, purpose))

    def wait_for_code(self, phone, purpose, after=0, timeout=10.0):
        """The code of the newest `purpose` SMS to `phone`, once more than `after` exist."""

        def newest(_):
            msgs = self.messages(phone, purpose)
            return msgs[-1]["code"] if len(msgs) > after else False

        try:
            # WebDriverWait polls any callable; the argument is unused.
            code = WebDriverWait(self, timeout, poll_frequency=0.2).until(newest)
        except Exception as exc:  # TimeoutException
            raise AssertionError(
                f"no new {purpose!r} SMS to {phone} in {self.path} within {timeout} s"
            ) from exc
        assert re.fullmatch(r"\d{6}", code), f"SMS code is not 6 digits: {code!r}"
        return code


@pytest.fixture
def outbox(data_dir):
    return Outbox(data_dir / "outbox" / "sms.jsonl")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, "rep_" + report.when, report)
    return report


def artifacts_dir():
    path = os.environ.get("RAMPART_ARTIFACTS")
    if not path:
        return None
    directory = pathlib.Path(path)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture
def driver(request):
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000"):
        options.add_argument(arg)
    browser = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    browser.set_page_load_timeout(30)
    yield browser
    try:
        rep = getattr(request.node, "rep_call", None)
        directory = artifacts_dir()
        if rep is not None and rep.failed and directory is not None:
            stem = f"failed-{request.node.name}-{int(time.time())}"
            browser.save_screenshot(str(directory / f"{stem}.png"))
            (directory / f"{stem}.html").write_text(browser.page_source, encoding="utf-8")
            print(f"\nfailure screenshot: {directory / stem}.png (URL {browser.current_url})")
    finally:
        browser.quit()


class Page:
    """Small helpers over a WebDriver: explicit waits only."""

    def __init__(self, driver, base_url):
        self.driver = driver
        self.base_url = base_url
        self.wait = WebDriverWait(driver, WAIT_SECONDS)

    def open(self, path):
        self.driver.get(self.base_url + path)

    def visible(self, css):
        return self.wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, css)))

    def url_contains(self, fragment):
        try:
            self.wait.until(EC.url_contains(fragment))
        except Exception as exc:
            raise AssertionError(
                f"expected URL containing {fragment!r}, at {self.driver.current_url}; "
                f"page text: {self.text()[:500]!r}"
            ) from exc

    def fill(self, form, name, value):
        field = form.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)

    def tick(self, form, name):
        box = form.find_element(By.NAME, name)
        if not box.is_selected():
            box.click()
        assert box.is_selected(), f"checkbox {name!r} did not tick"

    def submit(self, form):
        """Click the form's submit button and wait until its page is gone."""
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        self.wait.until(EC.staleness_of(form))

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def screenshot(self, name):
        directory = artifacts_dir()
        if directory is not None:
            self.driver.save_screenshot(str(directory / name))


@pytest.fixture
def page(driver, base_url):
    return Page(driver, base_url)
