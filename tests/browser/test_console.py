"""The trust & safety console in a real (headless) browser, against a server of its own
with the detection engine enforcing (the shared test server only records):

a scraper registers and walks search pages until the engine steps in; an admin operator
(added with `rampart operator add`) signs in with password and TOTP code, opens the
flagged queue, opens the scraper's account, suspends it, and downloads its case file. An
analyst sees no suspend button, and a member's own sign-in does not open the console.

RAMPART_CONSOLE_SCREENSHOTS=DIR saves a screenshot of every console page into DIR (the
ones in docs/console/ were made so); RAMPART_BIN names the binary (.build/debug/rampart).
"""
import hashlib
import hmac
import json
import os
import pathlib
import random
import shutil
import socket
import string
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import pytest
from selenium.webdriver.common.by import By

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "clients" / "python"))
from rampart_client import RampartClient  # noqa: E402

from conftest import Page, close_driver, new_driver  # noqa: E402

BIN = os.environ.get("RAMPART_BIN", ".build/debug/rampart")


def totp(secret, at=None):
    """RFC 6238 as Rampart computes it: the HMAC key is the secret's own UTF-8 bytes."""
    counter = int((at or time.time()) // 30)
    mac = hmac.new(secret.encode(), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return "%06d" % (value % 1_000_000)


def screenshot(page, name):
    directory = os.environ.get("RAMPART_CONSOLE_SCREENSHOTS")
    if directory:
        pathlib.Path(directory).mkdir(parents=True, exist_ok=True)
        height = page.driver.execute_script("return document.documentElement.scrollHeight")
        page.driver.set_window_size(1280, min(max(height, 600), 2400))
        page.driver.save_screenshot(str(pathlib.Path(directory) / name))


@pytest.fixture(scope="module")
def enforcing_server():
    """A server of its own on a free port: demo world, shipped policy (engine enforcing)."""
    if not os.path.exists(BIN):
        pytest.skip(f"{BIN} not found")
    work = pathlib.Path(tempfile.mkdtemp(prefix="rampart-console-"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(work / "server.log", "w")
    server = subprocess.Popen(
        [BIN, "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(work / "data"), "--demo-members", "300"],
        stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=2) as answer:
                if answer.status == 200:
                    break
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.5)
    else:
        server.terminate()
        pytest.fail("the console test's server never became ready: " + (work / "server.log").read_text()[-2000:])
    yield base, work / "data"
    server.terminate()
    server.wait(timeout=30)
    log.close()
    shutil.rmtree(work, ignore_errors=True)


def add_operator(data, name, role):
    out = subprocess.run([BIN, "operator", "add", name, "--role", role, "--data-dir", str(data), "--json"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def scraper(base, data):
    """Registers a member who harvests until the engine steps in; returns its sealed ID and phone."""
    client = RampartClient(base)
    phone = "+86137" + "".join(random.choice(string.digits) for _ in range(8))
    started = client.start_registration(phone)
    outbox = data / "outbox" / "sms.jsonl"
    code = [json.loads(line) for line in outbox.read_text().splitlines() if json.loads(line)["to"] == phone][-1]["code"]
    client.register_with_code(started["registrationId"], code, "Harvester " + phone[-4:], "a long password", started["agreement"]["version"])
    # Search pages, then the profiles on them, until the engine asks for a challenge (403).
    ids, challenged = [], 0
    for term in ["engineer", "manager", "analyst", "data", "sales", "design"]:
        status, answer = client.request("GET", "/api/v1/search", params={"q": term})
        if status == 200:
            ids += [result["id"] for result in answer["results"]]
    for profile in ids * 3:
        status, _ = client.request("GET", "/api/v1/profiles/" + profile)
        challenged += status == 403
        if challenged >= 2:
            break
    assert challenged >= 2, "the engine never asked for a challenge"
    return client.account["id"], phone


def sign_in(page, operator):
    page.open("/console/login")
    form = page.visible("#console-login")
    page.fill(form, "name", operator["name"])
    page.fill(form, "password", operator["password"])
    page.fill(form, "code", totp(operator["totpSecret"]))
    page.submit(form)
    page.url_contains("/console")
    page.shows("header nav", operator["name"])


def account_path(page, base):
    return page.driver.current_url[len(base):]


def test_an_admin_suspends_a_flagged_account_and_downloads_its_case_file(request, enforcing_server):
    base, data = enforcing_server
    sealed_id, phone = scraper(base, data)
    admin = add_operator(data, "ada", "admin")
    page = Page(new_driver(), base)
    try:
        page.open("/console/login")
        page.visible("#console-login")
        screenshot(page, "01-sign-in.png")
        sign_in(page, admin)
        page.shows("main h1", "Decisions")
        assert "challenge" in page.text() or "throttle" in page.text(), page.text()[:800]
        screenshot(page, "02-decisions.png")

        page.open("/console/flagged")
        page.shows("main h1", "Flagged accounts")
        screenshot(page, "03-flagged.png")
        link = next(a for a in page.driver.find_elements(By.CSS_SELECTOR, "main table a")
                    if "Harvester" in a.find_element(By.XPATH, "../..").text)
        link.click()
        page.url_contains("/console/accounts/")
        page.shows("main h1", "Account")
        assert phone in page.text()
        screenshot(page, "04-account.png")

        form = page.visible('form[action$="/suspend"]')
        page.fill(form, "reason", "Walked search pages as a crawler; selling copies.")
        page.submit(form)
        page.shows("[role=status]", "suspended")
        assert "suspended since" in page.text()
        screenshot(page, "05-suspended.png")

        # The case file, as the browser's link downloads it.
        case_link = page.driver.find_element(By.LINK_TEXT, "Make case file (this account)").get_attribute("href")
        cookie = page.driver.get_cookie("rampart_console")["value"]
        with urllib.request.urlopen(urllib.request.Request(case_link, headers={"Cookie": f"rampart_console={cookie}"})) as answer:
            assert answer.status == 200
            assert answer.headers["Content-Disposition"].startswith("attachment")
            html = answer.read().decode()
        for section in ["1. The data is lawfully held", "3. Circumvention", "6. Fault", "8. Chain of custody"]:
            assert section in html
        assert "Suspended at" in html
        if os.environ.get("RAMPART_CONSOLE_SCREENSHOTS"):
            case_file = pathlib.Path(tempfile.mkdtemp()) / "case.html"
            case_file.write_text(html)
            page.driver.get(case_file.as_uri())
            screenshot(page, "06-case-file.png")

        page.open("/console/appeals")
        page.shows("main h1", "Appeals")
        screenshot(page, "07-appeals.png")
    finally:
        close_driver(request, page.driver, "admin")


def test_an_analyst_reads_but_cannot_suspend_and_a_member_cannot_sign_in(request, enforcing_server):
    base, data = enforcing_server
    analyst = add_operator(data, "ana", "analyst")
    page = Page(new_driver(), base)
    try:
        sign_in(page, analyst)
        page.open("/console/flagged")
        links = page.driver.find_elements(By.CSS_SELECTOR, "main table a")
        if links:
            links[0].click()
            page.url_contains("/console/accounts/")
            assert not page.driver.find_elements(By.CSS_SELECTOR, 'form[action$="/suspend"]')
            assert "Suspending and reinstating are for admins" in page.text()
        # A member's phone and password are no operator's.
        page.driver.delete_all_cookies()
        page.open("/console/login")
        form = page.visible("#console-login")
        page.fill(form, "name", "+8613900000000")
        page.fill(form, "password", "rampart-demo")
        page.fill(form, "code", "123456")
        page.submit(form)
        page.shows("[role=alert]", "do not match an operator")
    finally:
        close_driver(request, page.driver, "analyst")
