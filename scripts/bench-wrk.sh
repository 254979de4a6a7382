#!/usr/bin/env bash
# Load test with wrk against a RELEASE build: signed-in profile views beside a bare
# /healthz, in one run on the same server.
#
#   scripts/bench-wrk.sh [--members N] [--duration 30s] [--threads 2] [--connections 32]
#                        [--compare-ledger] [--rounds N]
#
# --compare-ledger runs the signed-in profile views twice in one invocation, on two fresh
# servers: with the evidence ledger (the default) and with `--no-ledger`, so the ledger's
# added latency is measured side by side on the same machine state. --rounds N repeats the
# pair N times, alternating which goes first (on, off / off, on / ...), and ends with the
# medians of p50, p99 and requests/s for each, and of the per-round differences.
#
# Builds `swift build -c release --product rampart` if needed (a cold release build takes
# 20+ minutes), seeds a fresh demo world into a temporary data directory, logs in a demo
# member through the API (device code from the SMS outbox), collects profile IDs through
# search, then runs wrk twice: GET /healthz, and GET /api/v1/profiles/{id} cycling over
# those IDs. Traffic stays on 127.0.0.1. Needs wrk (apt-get install wrk) and python3.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

members=2000 duration=30s threads=2 connections=32 compare_ledger=false rounds=1
while (($#)); do
    case $1 in
        --compare-ledger) compare_ledger=true; shift ;;
        --members) members=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        --connections) connections=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }

swift build -c release --product rampart >/dev/null
echo "server: release build; wrk: $threads threads, $connections connections, $duration per run; demo world: $members members"
bin=.build/release/rampart
bench_once() {
    local label=$1
    shift
    work=$(mktemp -d -t rampart-wrk.XXXXXX)
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    # The budgets are lifted and the detection engine is off (bench/wrk/policy-unlimited.json)
    # so that every request is a full profile view, budget check and charge included, rather
    # than a 429 or a challenge: wrk is a crawler, and the engine would rightly stop it.
    "$bin" serve --host 127.0.0.1 --port "$port" --data-dir "$work/data" --demo-members "$members" --log-level warning \
        --policy bench/wrk/policy-unlimited.json "$@" \
        >"$work/server.log" 2>&1 &
    server=$!
    trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
    for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.5; done
    curl -sf "http://127.0.0.1:$port/readyz" >/dev/null || { echo "server did not get ready"; cat "$work/server.log"; exit 1; }

    export RAMPART_WRK_SESSION="$work/session.txt" RAMPART_WRK_THREADS="$threads"
    python3 bench/wrk/prepare_session.py "$port" "$work"

    if [[ "$label" == "ledger on" && -z "${healthz_done:-}" ]]; then
        healthz_done=1
        echo "== GET /healthz  ($threads threads, $connections connections, $duration)"
        wrk -t "$threads" -c "$connections" -d "$duration" --latency "http://127.0.0.1:$port/healthz"
    fi
    echo "== GET /api/v1/profiles/{id}, signed in, $label  ($threads threads, $connections connections, $duration)"
    # RAMPART_PERF=FILE records a CPU profile of the server during this run (perf record)
    # into FILE.ledger-on / FILE.ledger-off.
    perf_pid=
    if [[ -n "${RAMPART_PERF:-}" ]]; then
        perf record -F 999 -g -p "$server" -o "$RAMPART_PERF.$(tr ' ' '-' <<<"$label")" -- sleep 15 >/dev/null 2>&1 &
        perf_pid=$!
    fi
    wrk -t "$threads" -c "$connections" -d "$duration" --latency -s bench/wrk/profile-views.lua "http://127.0.0.1:$port" \
        | tee "$results/$(tr ' ' '-' <<<"$label").$round"
    if [[ -n "$perf_pid" ]]; then wait "$perf_pid" || true; fi
    kill $server 2>/dev/null || true
    wait $server 2>/dev/null || true
    rm -rf "$work"
    trap - EXIT
}

results=$(mktemp -d -t rampart-wrk-results.XXXXXX)
for round in $(seq 1 "$rounds"); do
    if ! $compare_ledger; then
        bench_once "ledger on"
    elif ((round % 2)); then
        bench_once "ledger on"
        bench_once "ledger off" --no-ledger
    else
        bench_once "ledger off" --no-ledger
        bench_once "ledger on"
    fi
done
if $compare_ledger && ((rounds > 1)); then
    python3 - "$results" "$rounds" <<'PY'
import statistics, sys, pathlib
folder, rounds = pathlib.Path(sys.argv[1]), int(sys.argv[2])
def ms(text):
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit): return float(text[: -len(unit)]) * factor
    return float(text)
def read(label, round):
    figures = {}
    for line in (folder / f"{label}.{round}").read_text().splitlines():
        parts = line.split()
        if parts[:1] == ["50%"]: figures["p50"] = ms(parts[1])
        if parts[:1] == ["99%"]: figures["p99"] = ms(parts[1])
        if parts[:1] == ["Requests/sec:"]: figures["rps"] = float(parts[1])
    return figures
on = [read("ledger-on", r) for r in range(1, rounds + 1)]
off = [read("ledger-off", r) for r in range(1, rounds + 1)]
print(f"== medians over {rounds} rounds (order alternating)")
for key, unit in (("p50", "ms"), ("p99", "ms"), ("rps", "req/s")):
    with_ledger, without = statistics.median(f[key] for f in on), statistics.median(f[key] for f in off)
    added = statistics.median(a[key] - b[key] for a, b in zip(on, off))
    print(f"  {key}: ledger on {with_ledger:.2f} {unit}, off {without:.2f} {unit}, added (median of per-round differences) {added:+.2f} {unit}")
PY
fi
rm -rf "$results"
