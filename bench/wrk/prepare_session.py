#!/usr/bin/env python3
"""Prepares wrk runs against a Rampart server, in two steps.

    python3 bench/wrk/prepare_session.py PORT WORK_DIR
        logs in the demo member (device code from the SMS outbox) and collects profile IDs
        through signed searches into WORK_DIR/session.json;
    python3 bench/wrk/prepare_session.py PORT WORK_DIR --sign ROUTE LINES
        writes WORK_DIR/session-ROUTE.txt (for bench/wrk/signed-requests.lua): the bearer
        token, then LINES pre-signed requests, each with its own nonce, all stamped now, so
        run it just before the route's runs (the server takes timestamps within two minutes).
        ROUTE is profiles (profile views), search (search pages) or connections
        (connection-list pages).

Used by scripts/bench-wrk.sh and scripts/cluster-*.sh (RAMPART_WRK_PHONE: log in this demo
member instead of the one the server's log names); signs with the reference client
(clients/python).
"""
import json, os, re, secrets, sqlite3, sys, time, urllib.error, urllib.request, urllib.parse
sys.path.insert(0, "clients/python")
from rampart_client import sign  # the reference signer: the same scheme the server checks
port, work = sys.argv[1], sys.argv[2]
base = f"http://127.0.0.1:{port}"
terms = ["engineer", "manager", "analyst", "nurse", "sales", "design", "data", "teacher", "consultant", "developer", "director", "刘", "王", "müller", "garcía", "kumar"]
if len(sys.argv) > 3 and sys.argv[3] == "--sign":
    route, count = sys.argv[4], int(sys.argv[5])
    session = json.load(open(f"{work}/session.json"))
    ids, listable = session["ids"], session["listable"]
    path_of = {
        "profiles": lambda n: "/api/v1/profiles/" + ids[n % len(ids)],
        "search": lambda n: "/api/v1/search?q=" + urllib.parse.quote(terms[n % len(terms)]),
        "connections": lambda n: "/api/v1/connections?profileId=" + listable[n % len(listable)],
    }[route]
    now = int(time.time())
    # One line per request (a Lua table literal this big is more than Lua will load):
    # "path<TAB>timestamp<TAB>nonce<TAB>signature".
    with open(f"{work}/session-{route}.txt", "w") as f:
        f.write(session["token"] + "\n")
        for n in range(count):
            path = path_of(n)
            h = sign(session["key"], "GET", path, b"", now, "wrk%s%016d" % (route[0], n))
            f.write("\t".join([path, h["Rampart-Timestamp"], h["Rampart-Nonce"], h["Rampart-Signature"]]) + "\n")
    sys.exit(0)
data = os.environ.get("RAMPART_WRK_DATA", f"{work}/data")
log = open(f"{work}/server.log").read() if os.path.exists(f"{work}/server.log") else ""
found = re.search(r"phone (\+\d+)", log)
if os.environ.get("RAMPART_WRK_PHONE"):
    phone = os.environ["RAMPART_WRK_PHONE"]  # a demo member chosen by the caller (scripts/cluster-*.sh)
elif found:
    phone = found.group(1)  # the demo member this server seeded
else:
    # A data directory seeded before: any demo member (same password), the one of the
    # first 200 accounts whose connections are nearest 32.
    db = sqlite3.connect(f"file:{data}/rampart.sqlite?mode=ro", uri=True)
    phone = db.execute(
        "SELECT a.phone FROM accounts a JOIN connections c ON c.account_id = a.id"
        " WHERE a.id IN (SELECT id FROM accounts LIMIT 200) GROUP BY a.id ORDER BY ABS(COUNT(*) - 32) LIMIT 1").fetchone()[0]
    db.close()
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
code = json.loads(open(f"{data}/outbox/sms.jsonl").read().strip().split("\n")[-1])["code"]
auth = call("POST", f"/api/v1/device-confirmations/{pending['confirmationId']}", {"code": code})
token, key = auth["token"], auth["signingKey"]
ids = []
for term in ["engineer", "manager", "analyst", "nurse", "sales", "design", "data", "刘", "王", "müller", "garcía", "kumar"]:
    result = call("GET", "/api/v1/search?q=" + urllib.parse.quote(term), token=token)
    ids += [r["id"] for r in result["results"]]
ids = sorted(set(ids))
# Not the member's own profile (found by their own search): reading it stores no access
# event, and scripts/cluster-failover.sh counts one per view.
ids = [i for i in ids if call("GET", "/api/v1/profiles/" + i, token=token).get("degree") != "self"]
# Connection lists the demo member may open (a member may show them to connections only).
listable = []
for profile_id in ids[:80]:
    try:
        call("GET", "/api/v1/connections?profileId=" + profile_id, token=token)
        listable.append(profile_id)
    except urllib.error.HTTPError:
        pass
json.dump({"token": token, "key": key, "ids": ids, "listable": listable}, open(f"{work}/session.json", "w"))
print(f"{len(ids)} profile IDs collected, {len(listable)} with connection lists this member may open")
