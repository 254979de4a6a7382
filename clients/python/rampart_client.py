"""A small reference client for Rampart's JSON API (Python 3 standard library only).

Every request made with a session must be signed. Login, registration completion and
device confirmation answer with a bearer `token` and a `signingKey` (64 hex characters,
a 32-byte key). Each signed request then carries three headers:

    Rampart-Timestamp  Unix time in whole seconds (within 2 minutes of the server)
    Rampart-Nonce      16-64 characters of A-Z a-z 0-9 - _, never used twice
    Rampart-Signature  lowercase hex HMAC-SHA256(key, canonical request)

The canonical request is six lines joined by "\\n" (no trailing newline): the scheme name
"RAMPART-HMAC-SHA256", the method in upper case, the path and query exactly as sent on the
wire, the lowercase hex SHA-256 of the exact body bytes (of b"" when there is none), the
timestamp and the nonce. So: serialize the body once, sign those bytes, send those bytes.

The Swift twin of `sign` is `RampartClient.RequestSigner`. The test vector:

>>> sign(bytes(range(32)).hex(), "GET", "/api/v1/search?q=zhang%20wei", b"",
...      1796040000, "q3Jb0xX6Wc1m9VfPz2kR")["Rampart-Signature"]
'9bb7e242c96b176b379e2dafe999526107e29ce6aabc7b7eb3b13a28b3e319f6'

Run `python3 rampart_client.py` to check it.
"""
import hashlib
import hmac
import json
import re
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request

SCHEME = "RAMPART-HMAC-SHA256"
TIMESTAMP_HEADER = "Rampart-Timestamp"
NONCE_HEADER = "Rampart-Nonce"
SIGNATURE_HEADER = "Rampart-Signature"

# What http.client puts on the wire unchanged: printable ASCII, no spaces, no fragment.
_TARGET = re.compile(r"/[!-~]*")


def canonical_request(method, target, body_bytes, timestamp, nonce):
    """The exact text that is signed."""
    body_hash = hashlib.sha256(body_bytes).hexdigest()
    return "\n".join([SCHEME, method.upper(), target, body_hash, str(timestamp), nonce])


def sign(key_hex, method, target, body_bytes, timestamp, nonce):
    """The three signature headers for one request, as a dict.

    `target` is the HTTP request target (path and query, percent-encoded as sent) and
    `body_bytes` the exact body (b"" for none).
    """
    key = bytes.fromhex(key_hex)
    text = canonical_request(method, target, body_bytes, timestamp, nonce)
    signature = hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()
    return {TIMESTAMP_HEADER: str(timestamp), NONCE_HEADER: nonce, SIGNATURE_HEADER: signature}


def new_nonce():
    """22 URL-safe random characters (128 bits)."""
    return secrets.token_urlsafe(16)


class RampartClient:
    """A session against one Rampart server.

        client = RampartClient("http://127.0.0.1:8080")
        client.login("+8613900000000", "password", device_id=saved_device_id)
        status, me = client.request("GET", "/api/v1/me")
        status, page = client.request("GET", "/api/v1/search", params={"q": "zhang wei"})
    """

    def __init__(self, base_url, timeout=30):
        parts = urllib.parse.urlsplit(base_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.prefix = parts.path.rstrip("/")  # a server mounted below "/": part of every target
        self.timeout = timeout
        self.token = None
        self.signing_key = None
        self.device_id = None
        self.account = None

    # ---------------------------------------------------------------- signing in

    def start_registration(self, phone):
        """Step 1 of registration: the server texts a code to `phone`.

        Returns the answer, with `registrationId` and `agreement` (its `version`)."""
        return self._expect((201,), self.request("POST", "/api/v1/registrations", {"phone": phone}, signed=False))

    def register_with_code(self, registration_id, code, name, password, agreement_version, device_id=None):
        """Step 2: complete the registration with the texted code; signs in."""
        body = {"code": code, "name": name, "password": password, "agreementVersion": agreement_version}
        if device_id is not None:
            body["deviceId"] = device_id
        path = "/api/v1/registrations/" + urllib.parse.quote(registration_id, safe="") + "/complete"
        return self._signed_in(self._expect((201,), self.request("POST", path, body, signed=False)))

    def login(self, phone, password, device_id=None, totp=None):
        """Log in. On a known device (`device_id` from an earlier sign-in) this signs in and
        returns the answer. On a new device the server texts a code and answers 202 with a
        `confirmationId`: pass it and the code to `confirm_device`."""
        body = {"phone": phone, "password": password}
        if device_id is not None:
            body["deviceId"] = device_id
        if totp is not None:
            body["totp"] = totp
        status, answer = self._expect((200, 202), self.request("POST", "/api/v1/sessions", body, signed=False), with_status=True)
        return self._signed_in(answer) if status == 200 else answer

    def confirm_device(self, confirmation_id, code):
        """Finish a login from a new device with the texted code; signs in."""
        path = "/api/v1/device-confirmations/" + urllib.parse.quote(confirmation_id, safe="")
        return self._signed_in(self._expect((200,), self.request("POST", path, {"code": code}, signed=False)))

    def _signed_in(self, answer):
        self.token = answer["token"]
        self.signing_key = answer["signingKey"]
        self.device_id = answer["deviceId"]
        self.account = answer["account"]
        return answer

    @staticmethod
    def _expect(statuses, result, with_status=False):
        status, answer = result
        if status not in statuses:
            raise RampartError(status, answer)
        return (status, answer) if with_status else answer

    # ---------------------------------------------------------------- requests

    def request(self, method, path, body=None, params=None, signed=None):
        """Send one request; returns (status, parsed JSON or None).

        `body` is serialized to JSON once; `params` (a dict) becomes the query string,
        spaces as %20. With a session the request is signed (pass signed=False not to)."""
        return self.send(*self.prepare(method, path, body, params, signed))

    def prepare(self, method, path, body=None, params=None, signed=None, timestamp=None, nonce=None):
        """(method, target, body bytes, headers) exactly as `send` will put them on the wire."""
        method = method.upper()
        target = self.prefix + path
        if params:
            target += ("&" if "?" in path else "?") + urllib.parse.urlencode(params, quote_via=urllib.parse.quote)
        if not _TARGET.fullmatch(target):
            raise ValueError(f"percent-encode the path and query: {target!r}")
        body_bytes = b"" if body is None else json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if signed is None:
            signed = self.token is not None
        if signed:
            if self.token is None:
                raise RuntimeError("not signed in")
            headers["Authorization"] = "Bearer " + self.token
            stamp = int(time.time()) if timestamp is None else timestamp
            headers.update(sign(self.signing_key, method, target, body_bytes, stamp, nonce or new_nonce()))
        return method, target, body_bytes, headers

    def send(self, method, target, body_bytes, headers):
        """Send bytes as they are (no signing): urllib puts `target` on the wire unchanged."""
        # No body: urllib sends none (and http.client `Content-Length: 0` for POST and PUT).
        req = urllib.request.Request(self.origin + target, data=body_bytes or None, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return resp.status, _parse(resp.read())
        except urllib.error.HTTPError as err:
            with err:
                return err.code, _parse(err.read())


class RampartError(Exception):
    """An unexpected answer while signing in."""

    def __init__(self, status, answer):
        code = (answer or {}).get("error", {}).get("code") if isinstance(answer, dict) else None
        super().__init__(f"HTTP {status}: {code or answer!r}")
        self.status = status
        self.answer = answer


def _parse(raw):
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


if __name__ == "__main__":
    import doctest

    failures, tests = doctest.testmod()
    expected = "9bb7e242c96b176b379e2dafe999526107e29ce6aabc7b7eb3b13a28b3e319f6"
    got = sign(bytes(range(32)).hex(), "GET", "/api/v1/search?q=zhang%20wei", b"", 1796040000, "q3Jb0xX6Wc1m9VfPz2kR")
    assert got[SIGNATURE_HEADER] == expected, got
    print(f"test vector: ok ({tests} doctests, {failures} failed)")
    raise SystemExit(1 if failures else 0)
