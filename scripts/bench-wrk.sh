#!/usr/bin/env bash
# Load test with wrk against a RELEASE build: signed-in profile views beside a bare
# /healthz, in one run on the same server.
#
#   scripts/bench-wrk.sh [--members N] [--duration 30s] [--threads 2] [--connections 32]
#
# Builds `swift build -c release --product rampart` if needed (a cold release build takes
# 20+ minutes), seeds a fresh demo world into a temporary data directory, logs in a demo
# member through the API (device code from the SMS outbox), collects profile IDs through
# search, then runs wrk twice: GET /healthz, and GET /api/v1/profiles/{id} cycling over
# those IDs. Traffic stays on 127.0.0.1. Needs wrk (apt-get install wrk) and python3.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

members=2000 duration=30s threads=2 connections=32
while (($#)); do
    case $1 in
        --members) members=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        --connections) connections=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }

swift build -c release --product rampart >/dev/null
echo "server: release build; wrk: $threads threads, $connections connections, $duration per run; demo world: $members members"
bin=.build/release/rampart
work=$(mktemp -d -t rampart-wrk.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The budgets are lifted (bench/wrk/policy-unlimited.json) so that every request is a full
# profile view, budget check and charge included, rather than a 429.
"$bin" serve --host 127.0.0.1 --port "$port" --data-dir "$work/data" --demo-members "$members" --log-level warning \
    --policy bench/wrk/policy-unlimited.json \
    >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.5; done
curl -sf "http://127.0.0.1:$port/readyz" >/dev/null || { echo "server did not get ready"; cat "$work/server.log"; exit 1; }

export RAMPART_WRK_SESSION="$work/session.lua" RAMPART_WRK_THREADS="$threads"
python3 - "$port" "$work" <<'PY'
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
with open(f"{work}/session.lua", "w") as f:
    f.write("return { token = %s, requests = {\n" % json.dumps(token))
    for n in range(int(sys.argv[3]) if len(sys.argv) > 3 else 200_000):
        path = "/api/v1/profiles/" + ids[n % len(ids)]
        h = sign(key, "GET", path, b"", now, "wrk%019d" % n)
        f.write("{%s,%s,%s,%s},\n" % (json.dumps(path), json.dumps(h["Rampart-Timestamp"]), json.dumps(h["Rampart-Nonce"]), json.dumps(h["Rampart-Signature"])))
    f.write("} }\n")
print(f"{len(ids)} profile IDs collected; signed requests written for the profile-view run")
PY

echo "== GET /healthz  ($threads threads, $connections connections, $duration)"
wrk -t "$threads" -c "$connections" -d "$duration" --latency "http://127.0.0.1:$port/healthz"
echo "== GET /api/v1/profiles/{id}, signed in  ($threads threads, $connections connections, $duration)"
# RAMPART_PERF=FILE records a CPU profile of the server during this run (perf record).
perf_pid=
if [[ -n "${RAMPART_PERF:-}" ]]; then
    perf record -F 999 -g -p "$server" -o "$RAMPART_PERF" -- sleep 15 >/dev/null 2>&1 &
    perf_pid=$!
fi
wrk -t "$threads" -c "$connections" -d "$duration" --latency -s bench/wrk/profile-views.lua "http://127.0.0.1:$port"
if [[ -n "$perf_pid" ]]; then wait "$perf_pid" || true; fi
