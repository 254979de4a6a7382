#!/usr/bin/env bash
# Load test with wrk against a RELEASE build: /healthz beside signed-in profile views,
# search pages and connection lists, all in one run on the same server.
#
#   scripts/bench-wrk.sh [--members N | --data-dir DIR] [--duration 30s] [--threads 2]
#                        [--connections 32] [--routes profiles,search,connections]
#                        [--compare-ledger] [--rounds N]
#
# Builds `swift build -c release --product rampart` if needed (a cold release build takes
# 20+ minutes), seeds a fresh demo world of N members into a temporary data directory (or
# serves DIR, a data directory `rampart seed --members N --data-dir DIR` filled before: the
# way to measure 100,000 or 1,000,000 members without seeding each time; the run adds
# sessions and ledger entries to it), logs in a demo member through the API (device code
# from the SMS outbox), collects profile IDs through search, then runs wrk against GET
# /healthz and each route, and ends with a table: req/s, p50, p99 and the ratio to /healthz
# of the same run, with the server's startup time and resident memory.
#
# --compare-ledger runs the signed-in profile views twice in one invocation, on two fresh
# servers: with the evidence ledger (the default) and with `--no-ledger`, so the ledger's
# added latency is measured side by side on the same machine state. --rounds N repeats the
# pair N times, alternating which goes first (on, off / off, on / ...), and ends with the
# medians of p50, p99 and requests/s for each, and of the per-round differences.
# RAMPART_WRK_SCRIPT=bench/wrk/signed-requests-statuses.lua prints the first non-200
# answers of each run (the log of the last server stays in $TMPDIR/rampart-wrk-server.log).
# Traffic stays on 127.0.0.1. Needs wrk (apt-get install wrk) and python3.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

members=2000 duration=30s threads=2 connections=32 compare_ledger=false rounds=1 data_dir= routes=profiles,search,connections
while (($#)); do
    case $1 in
        --compare-ledger) compare_ledger=true; shift ;;
        --members) members=$2; shift 2 ;;
        --data-dir) data_dir=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        --connections) connections=$2; shift 2 ;;
        --routes) routes=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
if [[ -n "$data_dir" && ! -f "$data_dir/rampart.sqlite" ]]; then
    echo "--data-dir $data_dir holds no rampart.sqlite: fill it first with rampart seed --members N --data-dir $data_dir" >&2
    exit 2
fi
$compare_ledger && routes=profiles

# RAMPART_BIN=PATH measures another build (an older commit's, for before/after figures).
bin=${RAMPART_BIN:-.build/release/rampart}
[[ -n "${RAMPART_BIN:-}" ]] || swift build -c release --product rampart >/dev/null
world="demo world: $members members"
[[ -n "$data_dir" ]] && world="data directory $data_dir"
# Every request carries its own pre-signed nonce: sign enough lines for the fastest rate
# this machine could reach (25,000 req/s), the measured run from line 0, the 3 s warm-up
# after it, so the two never share a line (signed-requests.lua never wraps around).
case $duration in
    *m) seconds=$((${duration%m} * 60)) ;;
    *s) seconds=${duration%s} ;;
    *) seconds=$duration ;;
esac
max_rate=25000
measured_lines=$((seconds * max_rate)) warmup_lines=$((3 * max_rate))
echo "server: $bin; wrk: $threads threads, $connections connections, $duration per run; $world"
results=$(mktemp -d -t rampart-wrk-results.XXXXXX)

bench_once() {
    local label=$1
    shift
    work=$(mktemp -d -t rampart-wrk.XXXXXX)
    local data="$work/data"
    [[ -n "$data_dir" ]] && data=$data_dir
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    # The budgets are lifted and the detection engine is off (bench/wrk/policy-unlimited.json)
    # so that every request is a full view, budget check and charge included, rather
    # than a 429 or a challenge: wrk is a crawler, and the engine would rightly stop it.
    local started
    started=$(date +%s.%N)
    "$bin" serve --host 127.0.0.1 --port "$port" --data-dir "$data" --demo-members "$members" --log-level "${RAMPART_LOG_LEVEL:-warning}" \
        --policy bench/wrk/policy-unlimited.json "$@" \
        >"$work/server.log" 2>&1 &
    server=$!
    trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
    for _ in $(seq 1 2400); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.25; done
    curl -sf "http://127.0.0.1:$port/readyz" >/dev/null || { echo "server did not get ready"; tail -20 "$work/server.log"; exit 1; }
    local ready
    ready=$(python3 -c "import time; print(f'{time.time() - $started:.1f}')")
    echo "== server ready in $ready s (from start$([[ -z "$data_dir" ]] && echo ", seeding included")); resident memory $(($(awk '/VmRSS/ {print $2}' /proc/$server/status) / 1024)) MB"
    echo "ready $ready" >"$results/server.$round"

    export RAMPART_WRK_THREADS="$threads" RAMPART_WRK_DATA="$data"
    python3 bench/wrk/prepare_session.py "$port" "$work"

    if [[ "$label" == "ledger on" && -z "${healthz_done:-}" ]]; then
        healthz_done=1
        echo "== GET /healthz  ($threads threads, $connections connections, $duration)"
        wrk -t "$threads" -c "$connections" -d "$duration" --latency "http://127.0.0.1:$port/healthz" | tee "$results/healthz.$round"
    fi
    for route in ${routes//,/ }; do
        echo "== $route, signed in, $label  ($threads threads, $connections connections, $duration)"
        python3 bench/wrk/prepare_session.py "$port" "$work" --sign "$route" $((measured_lines + warmup_lines))
        # RAMPART_PERF=FILE records a CPU profile of the server during this run (perf record)
        # into FILE.ROUTE.ledger-on / .ledger-off.
        perf_pid=
        if [[ -n "${RAMPART_PERF:-}" ]]; then
            perf record -F 999 -g -p "$server" -o "$RAMPART_PERF.$route.$(tr ' ' '-' <<<"$label")" -- sleep 10 >/dev/null 2>&1 &
            perf_pid=$!
        fi
        # Three seconds first, not counted: caches filled, as on a server that has been up.
        RAMPART_WRK_SESSION="$work/session-$route.txt" RAMPART_WRK_START=$measured_lines RAMPART_WRK_END=$((measured_lines + warmup_lines)) \
            wrk -t "$threads" -c "$connections" -d 3s -s bench/wrk/signed-requests.lua "http://127.0.0.1:$port" \
            | grep -E "requests in|EXHAUSTED" | sed 's/^ */   warm-up: /' || true
        RAMPART_WRK_SESSION="$work/session-$route.txt" RAMPART_WRK_START=0 RAMPART_WRK_END=$measured_lines \
            wrk -t "$threads" -c "$connections" -d "$duration" --latency -s "${RAMPART_WRK_SCRIPT:-bench/wrk/signed-requests.lua}" "http://127.0.0.1:$port" \
            | tee "$results/$route.$(tr ' ' '-' <<<"$label").$round"
        if [[ -n "$perf_pid" ]]; then wait "$perf_pid" || true; fi
    done
    echo "resident memory after the runs: $(($(awk '/VmRSS/ {print $2}' /proc/$server/status) / 1024)) MB" | tee -a "$results/server.$round"
    kill $server 2>/dev/null || true
    wait $server 2>/dev/null || true
    # The server's log of the last run stays for a look at any errors.
    cp "$work/server.log" "${TMPDIR:-/tmp}/rampart-wrk-server.log"
    rm -rf "$work"
    trap - EXIT
}

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
    python3 bench/wrk/summarize.py ledger "$results" "$rounds"
elif ! $compare_ledger; then
    python3 bench/wrk/summarize.py routes "$results" 1 "$routes"
fi
rm -rf "$results"
