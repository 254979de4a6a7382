#!/usr/bin/env bash
# Profile-view throughput of 1, 2 and 3 instances on one PostgreSQL database behind nginx,
# on this machine, side by side in one invocation (RELEASE build):
#
#   scripts/cluster-bench.sh [--instances "1 2 3"] [--duration 15] [--sessions 6]
#                            [--connections 8] [--members 2000] [--rounds 1] [-- serve options]
#
# (`-- --no-ledger` measures the same without the evidence ledger: what its one-at-a-time
# appends cost several instances.)
#
# For each count: a fresh throwaway PostgreSQL and cluster (scripts/lib/cluster.sh, the
# budgets lifted and the engine off as in scripts/bench-wrk.sh), SESSIONS demo members
# logged in through nginx, and one wrk per member (1 thread, CONNECTIONS connections) of
# signed profile views through nginx: nginx sends each member to one instance, so the
# load spreads over the instances as the members do. 3 s of warm-up, then DURATION
# seconds measured. Reports requests/s (sum over the members), the ratio to one
# instance, the median of the members' p50 and p99, and the CPU each part used during the
# measured run (rampart instances, PostgreSQL, nginx, wrk) in cores — what limits it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/cluster.sh
source scripts/lib/cluster.sh
CLUSTER_PG_PORT=${CLUSTER_PG_PORT:-54333}
counts="1 2 3" duration=15 sessions=6 connections=8 members=2000 rounds=1 port=18280
while (($#)); do
    case $1 in
        --instances) counts=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        --sessions) sessions=$2; shift 2 ;;
        --connections) connections=$2; shift 2 ;;
        --members) members=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --) shift; break ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
serve_args=("$@")
for tool in nginx wrk psql python3; do command -v $tool >/dev/null || { echo "$tool is not installed" >&2; exit 1; }; done
bin=${RAMPART_BIN:-.build/release/rampart}
[[ -n "${RAMPART_BIN:-}" ]] || swift build -c release --product rampart >/dev/null
results=$(mktemp -d -t rampart-cluster-bench.XXXXXX)
measured=$((duration * 3000)) warmup=$((3 * 3000))

# CPU ticks (user + system) of processes: rampart instances, postgres, nginx, wrk.
ticks() { local total=0; for pid in "$@"; do [[ -r /proc/$pid/stat ]] && total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done; echo $total; }
pids_of() { pgrep -d ' ' -f "$1" || true; }

run_count() {
    local count=$1 round=$2
    state=$(mktemp -d -t rampart-cluster.XXXXXX)
    chmod 755 "$state"
    CLUSTER_PG_URL= CLUSTER_PIDS=() CLUSTER_NGINX_PID=
    trap 'cluster_stop "$state"; rm -rf "$state"' EXIT
    cluster_postgres "$state"
    cluster_start "$state" "$bin" "$count" "$port" --demo-members "$members" --policy bench/wrk/policy-unlimited.json --log-level warning "${serve_args[@]}"
    cluster_sessions "$state" "$port" "$sessions" $((measured + warmup))
    echo "== $count instance(s), round $round: members by instance: $(cluster_sql "SELECT string_agg(instance || ' ' || n, ', ') FROM (SELECT instance, count(DISTINCT viewer_id) n FROM access_events WHERE instance IS NOT NULL GROUP BY instance ORDER BY instance) t")"
    local k
    for k in $(seq 0 $((sessions - 1))); do
        RAMPART_WRK_SESSION="$state/s$k/session-profiles.txt" RAMPART_WRK_THREADS=1 RAMPART_WRK_START=$measured RAMPART_WRK_END=$((measured + warmup)) \
            wrk -t 1 -c "$connections" -d 3s -s bench/wrk/signed-requests.lua "http://127.0.0.1:$port" >/dev/null 2>&1 &
    done
    wait $(jobs -p | grep -vwE "$(IFS='|'; echo "${CLUSTER_PIDS[*]}|$CLUSTER_NGINX_PID")") 2>/dev/null || true
    local instances=("${CLUSTER_PIDS[@]}") postgres nginx
    postgres=$(pids_of "postgres.*$state/pg|postgres: ") nginx="$CLUSTER_NGINX_PID $(pgrep -d ' ' -P "$CLUSTER_NGINX_PID" || true)"
    local before_r before_p before_n
    before_r=$(ticks "${instances[@]}") before_p=$(ticks $postgres) before_n=$(ticks $nginx)
    local wrks=()
    for k in $(seq 0 $((sessions - 1))); do
        RAMPART_WRK_SESSION="$state/s$k/session-profiles.txt" RAMPART_WRK_THREADS=1 RAMPART_WRK_START=0 RAMPART_WRK_END=$measured \
            wrk -t 1 -c "$connections" -d "${duration}s" --latency -s bench/wrk/signed-requests.lua "http://127.0.0.1:$port" >"$results/$count.$round.$k" 2>&1 &
        wrks+=($!)
    done
    sleep 1
    local wrk_pids
    wrk_pids=$(pids_of "wrk -t 1 -c $connections -d ${duration}s")
    local before_w
    before_w=$(ticks $wrk_pids)
    sleep $((duration - 2))
    local after_w after_r after_p after_n
    after_w=$(ticks $wrk_pids) after_r=$(ticks "${instances[@]}") after_p=$(ticks $postgres) after_n=$(ticks $nginx)
    wait "${wrks[@]}" || true
    local hz
    hz=$(getconf CLK_TCK)
    python3 - "$results" "$count" "$round" "$sessions" "$duration" "$hz" \
        "$((after_r - before_r))" "$((after_p - before_p))" "$((after_n - before_n))" "$((after_w - before_w))" <<'PY'
import glob, re, statistics, sys
results, count, round_, sessions, duration, hz = sys.argv[1:7]
rampart, postgres, nginx, wrk = (int(x) for x in sys.argv[7:11])
rate, p50, p99, non2xx, exhausted = 0.0, [], [], 0, 0
def ms(text):
    value, unit = float(text[:-2] if text.endswith("ms") or text.endswith("us") else text[:-1]), text[-2:] if text[-2:] in ("ms", "us") else text[-1:]
    return value * {"us": 0.001, "ms": 1, "s": 1000}[unit]
for k in range(int(sessions)):
    out = open(f"{results}/{count}.{round_}.{k}").read()
    rate += float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50.append(ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)))
    p99.append(ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)))
    found = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    non2xx += int(found.group(1)) if found else 0
    exhausted += 1 if "EXHAUSTED" in out else 0
seconds = (int(duration) - 2) * int(hz)  # the CPU window: from 1 s in to 1 s before the end
cores = lambda ticks: f"{ticks / seconds:.2f}"
line = (f"{count} {round_} {rate:.0f} {statistics.median(p50):.2f} {statistics.median(p99):.2f} "
        f"{cores(rampart)} {cores(postgres)} {cores(nginx)} {cores(wrk)} {non2xx} {exhausted}")
open(f"{results}/summary", "a").write(line + "\n")
print(f"   {rate:.0f} req/s, p50 {statistics.median(p50):.2f} ms, p99 {statistics.median(p99):.2f} ms; CPU in cores: rampart {cores(rampart)}, "
      f"PostgreSQL {cores(postgres)}, nginx {cores(nginx)}, wrk {cores(wrk)}; non-2xx {non2xx}{'; signed lines EXHAUSTED: void' if exhausted else ''}")
PY
    cluster_stop "$state"
    rm -rf "$state"
    trap - EXIT
}

echo "server: $bin ${serve_args[*]}; $sessions members, wrk 1 thread x $connections connections each, ${duration}s measured; demo world $members members; $(nproc) cores"
for round in $(seq 1 "$rounds"); do
    for count in $counts; do run_count "$count" "$round"; done
done
python3 - "$results/summary" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
by = {}
for r in rows: by.setdefault(int(r[0]), []).append(r)
base = statistics.median(float(r[2]) for r in by[min(by)])
print("\n| instances | req/s (median) | ratio to one | p50 ms | p99 ms | rampart cores | PostgreSQL cores | nginx cores | wrk cores |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for count in sorted(by):
    col = lambda i: statistics.median(float(r[i]) for r in by[count])
    print(f"| {count} | {col(2):.0f} | {col(2) / base:.2f} | {col(3):.2f} | {col(4):.2f} | {col(5):.2f} | {col(6):.2f} | {col(7):.2f} | {col(8):.2f} |")
PY
