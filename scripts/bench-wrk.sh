#!/usr/bin/env bash
# Load test with wrk against a RELEASE build: signed-in profile views beside a bare
# /healthz, in one run on the same server.
#
#   scripts/bench-wrk.sh [--members N] [--duration 30s] [--threads 2] [--connections 32]
#                        [--compare-ledger]
#
# --compare-ledger runs the signed-in profile views twice in one invocation, on two fresh
# servers: with the evidence ledger (the default) and with `--no-ledger`, so the ledger's
# added latency is measured side by side on the same machine state.
#
# Builds `swift build -c release --product rampart` if needed (a cold release build takes
# 20+ minutes), seeds a fresh demo world into a temporary data directory, logs in a demo
# member through the API (device code from the SMS outbox), collects profile IDs through
# search, then runs wrk twice: GET /healthz, and GET /api/v1/profiles/{id} cycling over
# those IDs. Traffic stays on 127.0.0.1. Needs wrk (apt-get install wrk) and python3.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

members=2000 duration=30s threads=2 connections=32 compare_ledger=false
while (($#)); do
    case $1 in
        --compare-ledger) compare_ledger=true; shift ;;
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

    if [[ "$label" == "ledger on" ]]; then
        echo "== GET /healthz  ($threads threads, $connections connections, $duration)"
        wrk -t "$threads" -c "$connections" -d "$duration" --latency "http://127.0.0.1:$port/healthz"
    fi
    echo "== GET /api/v1/profiles/{id}, signed in, $label  ($threads threads, $connections connections, $duration)"
    # RAMPART_PERF=FILE records a CPU profile of the server during this run (perf record).
    perf_pid=
    if [[ -n "${RAMPART_PERF:-}" ]]; then
        perf record -F 999 -g -p "$server" -o "$RAMPART_PERF" -- sleep 15 >/dev/null 2>&1 &
        perf_pid=$!
    fi
    wrk -t "$threads" -c "$connections" -d "$duration" --latency -s bench/wrk/profile-views.lua "http://127.0.0.1:$port"
    if [[ -n "$perf_pid" ]]; then wait "$perf_pid" || true; fi
    kill $server 2>/dev/null || true
    wait $server 2>/dev/null || true
    rm -rf "$work"
    trap - EXIT
}

bench_once "ledger on"
if $compare_ledger; then bench_once "ledger off" --no-ledger; fi
