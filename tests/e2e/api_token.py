#!/usr/bin/env python3
"""Create an account through the JSON API and print its bearer token.

    python3 tests/e2e/api_token.py BASE_URL DATA_DIR
    python3 tests/e2e/api_token.py --with-signing-key BASE_URL DATA_DIR   # prints "TOKEN KEY"

Used by scripts/test.sh so schemathesis can reach the authenticated operations (the
session's signing key goes to tests/e2e/schemathesis_hooks.py, which signs each request).
The registration code is read from the development SMS outbox in DATA_DIR.
Standard library only.
"""
import argparse
import json
import pathlib
import random
import time
import urllib.error
import urllib.request


def call(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        raise SystemExit(f"api_token: {method} {path} -> {err.code}: {err.read()[:300]!r}")


def newest_code(outbox, phone, purpose, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if outbox.exists():
            found = None
            for line in outbox.read_text(encoding="utf-8").splitlines():
                try:
                    msg = json.loads(line)
                except ValueError:
                    continue
                if msg.get("to") == phone and msg.get("purpose") == purpose:
                    found = msg.get("code")
            if found:
                return found
        time.sleep(0.2)
    raise SystemExit(f"api_token: no {purpose} SMS for {phone} in {outbox}")


def register(base, data_dir, name="Schemathesis Fuzzer"):
    """Register a new member; returns the completion answer (token, signingKey, deviceId, account)."""
    base, data_dir = base.rstrip("/"), pathlib.Path(data_dir)
    phone = "+86139" + "".join(random.choice("0123456789") for _ in range(8))
    _, reg = call(base, "POST", "/api/v1/registrations", {"phone": phone})
    code = newest_code(data_dir / "outbox" / "sms.jsonl", phone, "registration")
    _, auth = call(
        base,
        "POST",
        f"/api/v1/registrations/{reg['registrationId']}/complete",
        {
            "code": code,
            "name": name,
            "password": "fuzz-" + "".join(random.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(16)),
            "agreementVersion": reg["agreement"]["version"],
        },
    )
    return auth


def main():
    parser = argparse.ArgumentParser(description="Register a member through the API and print its bearer token.")
    parser.add_argument("--with-signing-key", action="store_true", help='print "TOKEN SIGNING_KEY" on one line')
    parser.add_argument("base_url")
    parser.add_argument("data_dir")
    args = parser.parse_args()
    auth = register(args.base_url, args.data_dir)
    if args.with_signing_key:
        print(auth["token"], auth["signingKey"])
    else:
        print(auth["token"])


if __name__ == "__main__":
    main()
