"""Schemathesis (v4) hooks that sign every request made with a session.

    RAMPART_SIGNING_KEY=<64 hex> SCHEMATHESIS_HOOKS=tests/e2e/schemathesis_hooks.py \\
        schemathesis run BASE/openapi.json --header "Authorization: Bearer TOKEN" ...

(token and key: `python3 tests/e2e/api_token.py --with-signing-key BASE DATA_DIR`).

Rampart refuses a request with a bearer token unless it carries Rampart-Timestamp,
Rampart-Nonce and Rampart-Signature (the scheme: clients/python/rampart_client.py). The
signature covers the exact body bytes and the exact request target, which schemathesis
only fixes when it serializes the case, after every hook that sees a `Case`. So the
`before_call` hook hands the requests transport an `auth` object: `requests` calls it
with the finished PreparedRequest (final URL and body), right before sending, and again
for every resend (429 retries, dropped connections), so each attempt gets its own nonce.
Requests without `Authorization: Bearer` (the anonymous pass, negative cases that drop
the header) are left alone. Any signature headers schemathesis generated from the
`signature` security scheme are replaced.

RAMPART_SIGNING_LOG=FILE appends one JSON line per response (method, path, status,
whether it carried the session, the error code); `python3 tests/e2e/schemathesis_hooks.py
summarize FILE` then counts them by status and fails if any signature was refused.
"""
import hashlib
import hmac
import json
import os
import secrets
import sys
import time

import requests
import schemathesis
from urllib3.util.url import _encode_target

KEY_HEX = os.environ.get("RAMPART_SIGNING_KEY", "").strip()
LOG_PATH = os.environ.get("RAMPART_SIGNING_LOG")

if KEY_HEX:
    try:
        KEY = bytes.fromhex(KEY_HEX)
    except ValueError:
        KEY = b""
    if len(KEY) != 32:
        raise RuntimeError("RAMPART_SIGNING_KEY must be 64 hex characters (the session's signingKey)")
else:
    KEY = None


def signature_headers(key, method, target, body, timestamp, nonce):
    """The scheme, as in clients/python/rampart_client.py `sign`."""
    canonical = "\n".join(
        ["RAMPART-HMAC-SHA256", method.upper(), target, hashlib.sha256(body).hexdigest(), str(timestamp), nonce]
    )
    return {
        "Rampart-Timestamp": str(timestamp),
        "Rampart-Nonce": nonce,
        "Rampart-Signature": hmac.new(key, canonical.encode("utf-8"), hashlib.sha256).hexdigest(),
    }


def _body_bytes(request):
    """The body exactly as it will be sent; a file or generator is read into bytes once."""
    body = request.body
    if body is None:
        return b""
    if isinstance(body, str):
        body = body.encode("utf-8")  # what urllib3 sends for a str body
    elif isinstance(body, (bytes, bytearray, memoryview)):
        body = bytes(body)
    elif hasattr(body, "read"):
        body = body.read()
        body = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    else:  # an iterable of chunks
        body = b"".join(chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk) for chunk in body)
    request.body = body  # requests recomputes Content-Length after auth
    return body


class RampartSigning(requests.auth.AuthBase):
    """Signs a PreparedRequest that carries a bearer token, over its final URL and body."""

    def __init__(self, key, inner=None):
        self.key = key
        self.inner = inner

    def __call__(self, request):
        if self.inner is not None:
            request = self.inner(request)
        if not request.headers.get("Authorization", "").lower().startswith("bearer "):
            return request
        body = _body_bytes(request)
        # The request target urllib3 writes on the wire: requests' path_url, which urllib3
        # re-encodes (invalid characters, upper-case %xx) before sending it.
        target = _encode_target(request.path_url)
        for name in ("Rampart-Timestamp", "Rampart-Nonce", "Rampart-Signature"):
            request.headers.pop(name, None)
        request.headers.update(
            signature_headers(self.key, request.method, target, body, int(time.time()), secrets.token_urlsafe(16))
        )
        return request


@schemathesis.hook
def before_call(context, case, kwargs):
    if KEY is None:
        return
    # `kwargs` goes to the transport's `requests` call; an `auth` there replaces the case's own.
    kwargs["auth"] = RampartSigning(KEY, inner=kwargs.get("auth") or getattr(case, "_auth", None))


@schemathesis.hook
def after_call(context, case, response):
    if not LOG_PATH:
        return
    code = None
    if response.status_code >= 400:
        try:
            code = json.loads(response.content)["error"]["code"]
        except (ValueError, KeyError, TypeError):
            pass
    request = response.request
    entry = {
        "operation": case.operation.label,
        "method": request.method,
        "target": request.path_url,
        "status": response.status_code,
        "bearer": request.headers.get("Authorization", "").lower().startswith("bearer "),
        "signed": "Rampart-Signature" in request.headers,
        "code": code,
    }
    with open(LOG_PATH, "a", encoding="utf-8") as log:
        log.write(json.dumps(entry) + "\n")


def summarize(path):
    """Check a RAMPART_SIGNING_LOG: print the signed requests' statuses; 1 if any signature was refused."""
    from collections import Counter

    try:
        with open(path, encoding="utf-8") as log:
            rows = [json.loads(line) for line in log if line.strip()]
    except OSError as exc:
        print(f"error: no signing log: {exc}", file=sys.stderr)
        return 1
    signed = [row for row in rows if row["bearer"]]
    statuses = Counter(row["status"] for row in signed)
    refused = Counter(row["code"] for row in signed if row["status"] == 401 and str(row["code"]).startswith("signature_"))
    print(f"signed-in pass: {len(signed)} requests with the session (signed by the hook), by status: {dict(sorted(statuses.items()))}")
    if not signed:
        print("error: no request carried the session", file=sys.stderr)
        return 1
    if refused:
        print(f"error: the server refused signatures: {dict(refused)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    # python3 tests/e2e/schemathesis_hooks.py summarize LOG
    if len(sys.argv) != 3 or sys.argv[1] != "summarize":
        raise SystemExit("usage: schemathesis_hooks.py summarize RAMPART_SIGNING_LOG")
    raise SystemExit(summarize(sys.argv[2]))
