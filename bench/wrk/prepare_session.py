#!/usr/bin/env python3
"""Prepares a wrk run against a Rampart server: logs in the demo member (device code from
the SMS outbox), collects profile IDs through signed searches, and writes a session
file (for bench/wrk/profile-views.lua) with the bearer token and pre-signed profile-view requests, each with its own nonce.

    python3 bench/wrk/prepare_session.py PORT WORK_DIR [REQUESTS]

Used by scripts/bench-wrk.sh; signs with the reference client (clients/python).
"""
import json, re, secrets, sys, time, urllib.request, urllib.parse
sys.path.insert(0, "clients/python")
from rampart_client import sign  # the reference signer: the same scheme the server checks
port, work = sys.argv[1], sys.argv[2]
base = f"http://127.0.0.1:{port}"
log = open(f"{work}/server.log").read()
phone = re.search(r"phone (\+\d+)", log).group(1)
key = None
def call(method, path, body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, method=method, data=data)
    if body is not None: req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
        for name, value in sign(key, method, path, data or b"", int(time.time()), secrets.token_urlsafe(16)).items():
            req.add_header(name, value)
    with urllib.request.urlopen(req) as r: return json.loads(r.read() or b"null")
pending = call("POST", "/api/v1/sessions", {"phone": phone, "password": "rampart-demo"})
code = json.loads(open(f"{work}/data/outbox/sms.jsonl").read().strip().split("\n")[-1])["code"]
auth = call("POST", f"/api/v1/device-confirmations/{pending['confirmationId']}", {"code": code})
token, key = auth["token"], auth["signingKey"]
ids = []
for term in ["engineer", "manager", "analyst", "nurse", "sales", "design", "data", "刘", "王", "müller", "garcía", "kumar"]:
    result = call("GET", "/api/v1/search?q=" + urllib.parse.quote(term), token=token)
    ids += [r["id"] for r in result["results"]]
ids = sorted(set(ids))
# Every request needs its own nonce: sign enough distinct requests for the whole run now
# (timestamps stay inside the server's two-minute window for a 30-second run).
now = int(time.time())
# One line per request (a Lua table literal this big is more than Lua will load):
# the token first, then "path<TAB>timestamp<TAB>nonce<TAB>signature".
with open(f"{work}/session.txt", "w") as f:
    f.write(token + "\n")
    for n in range(int(sys.argv[3]) if len(sys.argv) > 3 else 200_000):
        path = "/api/v1/profiles/" + ids[n % len(ids)]
        h = sign(key, "GET", path, b"", now, "wrk%019d" % n)
        f.write("\t".join([path, h["Rampart-Timestamp"], h["Rampart-Nonce"], h["Rampart-Signature"]]) + "\n")
print(f"{len(ids)} profile IDs collected; signed requests written for the profile-view run")
