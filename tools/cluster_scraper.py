#!/usr/bin/env python3
"""A scraper that spreads its requests over several instances (scripts/cluster-scraper.sh).

    python3 tools/cluster_scraper.py PHONE DATA_DIR BASE[,BASE...] [--gap 0.25] [--max 3000]

Signs in as the demo member PHONE (device code from DATA_DIR's SMS outbox) through the
first BASE, collects profile IDs with a few searches, then views the profiles one after
another, every GAP seconds, sending request k to BASE[k % n] directly (not through the
balancer): the way to split an account's signals between instances if they were kept
apart. A step-up challenge it passes through the API with the code from the outbox, as a
farm holding its SIM cards does. It stops when the account is suspended (or after MAX
requests) and prints one JSON line: profile views served, challenges passed, requests
made, seconds, and how it ended.
"""
import json, secrets, sys, time, urllib.error, urllib.parse, urllib.request
sys.path.insert(0, "clients/python")
from rampart_client import sign

phone, data_dir, bases = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
outbox_path = data_dir + "/outbox/sms.jsonl"
gap = float(sys.argv[sys.argv.index("--gap") + 1]) if "--gap" in sys.argv else 0.25
limit = int(sys.argv[sys.argv.index("--max") + 1]) if "--max" in sys.argv else 3000
token = key = None


def call(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, method=method, data=data)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
        for name, value in sign(key, method, path, data or b"", int(time.time()), secrets.token_urlsafe(16)).items():
            req.add_header(name, value)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        try:
            return e.code, json.loads(e.read() or b"null")
        except ValueError:
            return e.code, None


def last_code(purpose):
    lines = [json.loads(line) for line in open(outbox_path) if line.strip()]
    codes = [m["code"] for m in lines if m.get("purpose") == purpose and m.get("to") == phone]
    return codes[-1] if codes else None


_, pending = call(bases[0], "POST", "/api/v1/sessions", {"phone": phone, "password": "rampart-demo"})
time.sleep(0.2)
_, auth = call(bases[0], "POST", f"/api/v1/device-confirmations/{pending['confirmationId']}", {"code": last_code("device")})
token, key = auth["token"], auth["signingKey"]
ids = []
for term in ["engineer", "manager", "analyst"]:
    _, page = call(bases[0], "GET", "/api/v1/search?q=" + urllib.parse.quote(term))
    ids += [r["id"] for r in (page or {}).get("results", [])]
    time.sleep(2)
ids = sorted(set(ids))


def step_up(base):
    status, started = call(base, "POST", "/api/v1/challenge", {})
    if status != 202:
        return False
    time.sleep(0.2)
    code = last_code("step_up")
    if not code:
        return False
    status, _ = call(base, "POST", "/api/v1/challenge/verify", {"challengeId": started["challengeId"], "code": code})
    return status in (200, 204)


served = challenges = requests = throttled = 0
ended = "limit"
started = time.time()
for k in range(limit):
    base = bases[k % len(bases)]
    status, body = call(base, "GET", "/api/v1/profiles/" + ids[k % len(ids)])
    requests += 1
    if requests % 100 == 0:
        print(json.dumps({"served": served, "challenges": challenges, "requests": requests, "throttled": throttled,
                          "seconds": round(time.time() - started, 1)}), file=sys.stderr, flush=True)
    code = (body or {}).get("error", {}).get("code") if isinstance(body, dict) else None
    if status == 200:
        served += 1
    elif code == "challenge_required":
        if not step_up(base):
            ended = "challenge failed"
            break
        challenges += 1
    elif code == "account_suspended":
        ended = "suspended"
        break
    elif code == "throttled":
        throttled += 1
        time.sleep(2)
    elif status >= 400 and code not in ("not_found", "member_not_found"):
        ended = f"{status} {code}"
        break
    time.sleep(gap)
print(json.dumps({"served": served, "challenges": challenges, "requests": requests, "seconds": round(time.time() - started, 1), "ended": ended, "throttled": throttled,
                  "instances": len(bases)}))
