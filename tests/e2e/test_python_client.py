"""The Python reference client (clients/python) against a running server.

Run through scripts/test.sh, which starts the server and sets:
  RAMPART_BASE_URL   e.g. http://127.0.0.1:PORT
  RAMPART_DATA_DIR   the server's --data-dir (the SMS outbox is in DATA_DIR/outbox/sms.jsonl)
Without them only the signature test vector runs.
"""
import json
import os
import pathlib
import random
import secrets
import sys
import time

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "clients" / "python"))
from rampart_client import RampartClient, sign  # noqa: E402


def test_signature_test_vector():
    headers = sign(bytes(range(32)).hex(), "GET", "/api/v1/search?q=zhang%20wei", b"", 1796040000, "q3Jb0xX6Wc1m9VfPz2kR")
    assert headers == {
        "Rampart-Timestamp": "1796040000",
        "Rampart-Nonce": "q3Jb0xX6Wc1m9VfPz2kR",
        "Rampart-Signature": "9bb7e242c96b176b379e2dafe999526107e29ce6aabc7b7eb3b13a28b3e319f6",
    }


# ---------------------------------------------------------------- against the server

@pytest.fixture(scope="module")
def base_url():
    url = os.environ.get("RAMPART_BASE_URL")
    if not url:
        pytest.skip("RAMPART_BASE_URL is not set (run scripts/test.sh, or start a server and set it)")
    return url.rstrip("/")


@pytest.fixture(scope="module")
def outbox():
    path = os.environ.get("RAMPART_DATA_DIR")
    if not path:
        pytest.skip("RAMPART_DATA_DIR is not set (the server's --data-dir, for the SMS outbox)")
    return pathlib.Path(path) / "outbox" / "sms.jsonl"


def sms_code(outbox, phone, purpose, timeout=10.0):
    """The newest `purpose` code texted to `phone` (the development sender's JSON lines)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        codes = []
        if outbox.exists():
            for line in outbox.read_text(encoding="utf-8").splitlines():
                try:
                    msg = json.loads(line)
                except ValueError:
                    continue  # a line still being written
                if msg.get("to") == phone and msg.get("purpose") == purpose:
                    codes.append(msg["code"])
        if codes:
            return codes[-1]
        time.sleep(0.2)
    raise AssertionError(f"no {purpose!r} SMS to {phone} in {outbox} within {timeout} s")


@pytest.fixture(scope="module")
def member(base_url, outbox):
    """A member registered through the API; the client holds its token and signing key."""
    client = RampartClient(base_url)
    phone = "+86139" + "".join(random.choice("0123456789") for _ in range(8))
    password = "Rampart-" + secrets.token_urlsafe(12)
    registration = client.start_registration(phone)
    code = sms_code(outbox, phone, "registration")
    answer = client.register_with_code(
        registration["registrationId"], code, "Python Client", password, registration["agreement"]["version"]
    )
    assert len(answer["signingKey"]) == 64 and answer["signingKey"] == answer["signingKey"].lower()
    return {"client": client, "phone": phone, "password": password}


def error_code(answer):
    return answer.get("error", {}).get("code") if isinstance(answer, dict) else answer


def test_get_me(member):
    status, me = member["client"].request("GET", "/api/v1/me")
    assert status == 200, me
    assert me["name"] == "Python Client"


def test_search_with_percent_encoded_query(member):
    client = member["client"]
    method, target, body, headers = client.prepare("GET", "/api/v1/search", params={"q": "zhang wei", "location": "Zürich & Co"})
    assert target == "/api/v1/search?q=zhang%20wei&location=Z%C3%BCrich%20%26%20Co"
    status, page = client.send(method, target, body, headers)
    assert status == 200, page


def test_update_profile(member):
    headline = "Signs every request — 每个请求都签名"
    status, profile = member["client"].request(
        "PUT", "/api/v1/me/profile", {"headline": headline, "skills": ["HMAC", "Swift"]}
    )
    assert status == 200, profile
    assert headline in json.dumps(profile, ensure_ascii=False)


def test_replayed_request_is_refused(member):
    client = member["client"]
    prepared = client.prepare("GET", "/api/v1/me")
    status, answer = client.send(*prepared)
    assert status == 200, answer
    status, answer = client.send(*prepared)  # the same headers, nonce included
    assert (status, error_code(answer)) == (401, "signature_replayed"), answer


def test_unsigned_request_is_refused(member):
    client = member["client"]
    status, answer = client.send("GET", "/api/v1/me", b"", {"Authorization": "Bearer " + client.token})
    assert (status, error_code(answer)) == (401, "signature_required"), answer


def test_stale_timestamp_is_refused(member):
    client = member["client"]
    prepared = client.prepare("GET", "/api/v1/me", timestamp=int(time.time()) - 600)
    status, answer = client.send(*prepared)
    assert (status, error_code(answer)) == (401, "signature_stale"), answer


def test_body_changed_after_signing_is_refused(member):
    client = member["client"]
    method, target, _, headers = client.prepare("PUT", "/api/v1/me/profile", {"headline": "signed"})
    status, answer = client.send(method, target, b'{"headline":"sent"}', headers)
    assert (status, error_code(answer)) == (401, "signature_invalid"), answer


def test_login_on_known_device(member, base_url):
    client = RampartClient(base_url)
    answer = client.login(member["phone"], member["password"], device_id=member["client"].device_id)
    assert "token" in answer, answer  # a known device signs in without an SMS
    assert client.signing_key != member["client"].signing_key  # one key per session
    status, me = client.request("GET", "/api/v1/me")
    assert status == 200, me
