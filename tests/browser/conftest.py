"""Fixtures for the browser walkthrough: a headless Chromium and the SMS outbox.

Run through scripts/test.sh, which starts the server and sets:
  RAMPART_BASE_URL   e.g. http://127.0.0.1:PORT
  RAMPART_DATA_DIR   the server's --data-dir (the SMS outbox is in DATA_DIR/outbox/sms.jsonl)
  RAMPART_ARTIFACTS  optional: where screenshots go
"""
import dataclasses
import json
import os
import pathlib
import random
import re
import secrets
import string
import time

# Selenium must not phone home or look for a driver to download (no network here).
os.environ["SE_AVOID_STATS"] = "true"
os.environ.setdefault("SE_OFFLINE", "true")

import pytest  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException  # noqa: E402
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


def gone(element):
    """True once the page holding `element` has been replaced. Chrome sometimes reports a
    node of a page being torn down as "does not belong to the document" (an unknown
    error) rather than as a stale element; both mean the page is gone."""
    try:
        element.is_enabled()
        return False
    except StaleElementReferenceException:
        return True
    except WebDriverException as error:
        if "does not belong to the document" in str(error):
            return True
        raise


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


def new_driver():
    """A fresh headless Chromium: its own profile, so its own cookies (another person)."""
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000"):
        options.add_argument(arg)
    browser = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    browser.set_page_load_timeout(30)
    return browser


def close_driver(request, browser, label=""):
    """Quit `browser`; first, if the test failed, keep its screenshot and HTML."""
    try:
        rep = getattr(request.node, "rep_call", None)
        directory = artifacts_dir()
        if rep is not None and rep.failed and directory is not None:
            stem = f"failed-{request.node.name}{'-' + label if label else ''}-{int(time.time())}"
            browser.save_screenshot(str(directory / f"{stem}.png"))
            (directory / f"{stem}.html").write_text(browser.page_source, encoding="utf-8")
            print(f"\nfailure screenshot: {directory / stem}.png (URL {browser.current_url})")
    finally:
        browser.quit()


@pytest.fixture
def driver(request):
    browser = new_driver()
    yield browser
    close_driver(request, browser)


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
        self.wait.until(lambda _: gone(form))

    def shows(self, css, text):
        """Wait until the element at `css` contains `text`; return the element."""
        try:
            self.wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, css), text))
        except Exception as exc:
            found = self.driver.find_elements(By.CSS_SELECTOR, css)
            shown = found[0].text if found else "(no such element)"
            raise AssertionError(
                f"{css} never showed {text!r} at {self.driver.current_url}; it shows {shown[:500]!r}"
            ) from exc
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def screenshot(self, name):
        directory = artifacts_dir()
        if directory is not None:
            self.driver.save_screenshot(str(directory / name))


@pytest.fixture
def page(driver, base_url):
    return Page(driver, base_url)


@pytest.fixture
def open_browser(request, base_url):
    """Factory: `open_browser("alice")` starts another browser (its own cookies) and
    returns its Page. Every browser is closed after the test; on failure each one leaves a
    screenshot named after its label."""
    opened = []

    def open_one(label):
        browser = new_driver()
        opened.append((label, browser))
        return Page(browser, base_url)

    yield open_one
    errors = []
    for label, browser in opened:
        try:
            close_driver(request, browser, label)
        except Exception as exc:  # close the others anyway
            errors.append(exc)
    if errors:
        raise errors[0]


# ---------------------------------------------------------------- members

def random_phone():
    return "+86139" + "".join(random.choice(string.digits) for _ in range(8))


def random_suffix(length=6):
    return "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(length))


def random_password():
    return "Rampart-" + secrets.token_urlsafe(12)


@dataclasses.dataclass
class Member:
    phone: str
    name: str
    password: str


def register_member(page, outbox, name):
    """Register through the web UI (phone, SMS code, verify form); ends signed in on home."""
    member = Member(phone=random_phone(), name=name, password=random_password())
    page.open("/register")
    form = page.visible("#register-form")
    page.fill(form, "phone", member.phone)
    page.submit(form)
    page.url_contains("/register/verify")
    form = page.visible("#verify-form")
    code = outbox.wait_for_code(member.phone, "registration")
    page.fill(form, "code", code)
    page.fill(form, "name", member.name)
    page.fill(form, "password", member.password)
    page.tick(form, "accept")
    page.submit(form)
    whoami = page.visible("#whoami")
    assert f"Signed in as {member.name}" in whoami.text, f"#whoami says {whoami.text!r} after registering {member.name!r}"
    return member


@pytest.fixture
def register(outbox):
    """`register(page, name)`: a new member registered and signed in in that page's browser."""

    def register_one(page, name):
        return register_member(page, outbox, name)

    return register_one
