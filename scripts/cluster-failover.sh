#!/usr/bin/env bash
# Kill an instance under load: two instances on one PostgreSQL database behind nginx
# (scripts/lib/cluster.sh), several demo members' signed profile views through nginx with
# wrk (one wrk per member: nginx sends each member to one instance), and, part-way, the
# instance holding the ledger's duties is killed with SIGKILL. Then:
#   - how long the survivor took to hold the ledger's duties (polling its /healthz);
#   - every answered access is in the ledger: the 200s wrk counted against the access
#     events stored with their ledger entry for those members during the run, once the
#     inbox of entries handed over to the writer is empty (an access committed whose answer
#     the kill cut off is stored but unanswered, so stored >= answered);
#   - `rampart ledger verify` on the database: no gap, no fork, every node right.
#
#   scripts/cluster-failover.sh [--binary PATH] [--duration 20] [--kill-at 7] [--sessions 4]
#                               [--members 2000] [--port 18180]
#
# Exits non-zero when an answered access is missing, the ledger does not verify, or the
# survivor did not take the duties within 5 s. Needs nginx, wrk, psql, python3.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/cluster.sh
source scripts/lib/cluster.sh
CLUSTER_PG_PORT=${CLUSTER_PG_PORT:-54332}
binary="" duration=20 kill_at=7 sessions=4 members=2000 port=18180
while (($#)); do
    case $1 in
        --binary) binary=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        --kill-at) kill_at=$2; shift 2 ;;
        --sessions) sessions=$2; shift 2 ;;
        --members) members=$2; shift 2 ;;
        --port) port=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
cluster_setup failover "$binary"
state=$CLUSTER_STATE binary=$CLUSTER_BINARY
cluster_postgres "$state"
# Budgets lifted and the engine off: wrk is a crawler, and every request should be a full view.
cluster_start "$state" "$binary" 2 "$port" --demo-members "$members" --policy bench/wrk/policy-unlimited.json --log-level warning
sql() { cluster_sql "$1"; }
lines=$((duration * 4000))
cluster_sessions "$state" "$port" "$sessions" "$lines"
viewers=("${CLUSTER_VIEWERS[@]}")
viewer_list=$(IFS=,; echo "${viewers[*]}")
victim=1
for number in 1 2; do
    curl -s "http://127.0.0.1:$((port + number))/healthz" | grep -q "ledger duties" && victim=$number
done
survivor=$((3 - victim))
echo "instances: a1 pid ${CLUSTER_PIDS[1]}, a2 pid ${CLUSTER_PIDS[2]}; a$victim holds the ledger's duties and will be killed"
for k in "${!viewers[@]}"; do
    echo "  member $k (account ${viewers[k]}) served by: $(sql "SELECT string_agg(DISTINCT instance, ',') FROM access_events WHERE viewer_id = ${viewers[k]}")"
done
started_ms=$(($(date +%s%3N)))
for k in "${!viewers[@]}"; do
    RAMPART_WRK_SESSION="$state/s$k/session-profiles.txt" RAMPART_WRK_THREADS=1 RAMPART_WRK_START=0 RAMPART_WRK_END=$lines \
        wrk -t 1 -c 4 -d "${duration}s" -s bench/wrk/signed-requests.lua "http://127.0.0.1:$port" >"$state/s$k/wrk.txt" 2>&1 &
done
sleep "$kill_at"
kill -KILL "${CLUSTER_PIDS[victim]}"
killed_ms=$(date +%s%3N)
echo "killed a$victim (SIGKILL) at $(((killed_ms - started_ms) / 1000)) s"
takeover=""
for _ in $(seq 1 100); do
    if curl -s "http://127.0.0.1:$((port + survivor))/healthz" | grep -q "ledger duties"; then
        takeover=$(python3 -c "print(f'{($(date +%s%3N) - $killed_ms) / 1000:.2f}')")
        break
    fi
    sleep 0.05
done
if [[ -n "$takeover" ]]; then echo "a$survivor holds the ledger's duties after $takeover s"; else echo "a$survivor did NOT take the ledger's duties within 5 s"; fi
wait $(jobs -p | grep -v "^$CLUSTER_NGINX_PID$" | grep -v -E "^(${CLUSTER_PIDS[1]}|${CLUSTER_PIDS[2]})$") 2>/dev/null || true
# The standby's entries are handed over to the ledger's writer through the inbox: once the
# load ends, the writer empties it within milliseconds (up to 5 s allowed here).
for _ in $(seq 1 100); do
    [[ "$(sql "SELECT count(*) FROM ledger_inbox")" == "0" ]] && break
    sleep 0.05
done
echo "entries still waiting to be handed over: $(sql "SELECT count(*) FROM ledger_inbox")"
answered=0 refused=0
for k in "${!viewers[@]}"; do
    total=$(grep -oE "^ *[0-9]+ requests in" "$state/s$k/wrk.txt" | grep -oE "[0-9]+" | head -n 1)
    non2xx=$(grep -oE "Non-2xx or 3xx responses: [0-9]+" "$state/s$k/wrk.txt" | grep -oE "[0-9]+$" || echo 0)
    errors=$(grep -E "Socket errors" "$state/s$k/wrk.txt" || true)
    mine=$(sql "SELECT count(*) FROM access_events WHERE kind = 'profile_view' AND occurred_at >= $started_ms AND viewer_id = ${viewers[k]}")
    echo "  member $k: ${total:-0} answers, ${non2xx:-0} not 200 ${errors:+($errors)}; $mine profile views stored"
    answered=$((answered + ${total:-0} - ${non2xx:-0}))
    refused=$((refused + ${non2xx:-0}))
done
stored=$(sql "SELECT count(*) FROM access_events WHERE kind = 'profile_view' AND occurred_at >= $started_ms AND viewer_id IN ($viewer_list) AND ledger_seq IS NOT NULL")
by_instance=$(sql "SELECT string_agg(instance || ' ' || n, ', ') FROM (SELECT instance, count(*) n FROM access_events WHERE kind = 'profile_view' AND occurred_at >= $started_ms AND viewer_id IN ($viewer_list) GROUP BY instance ORDER BY instance) t")
echo "answered 200: $answered (not 200: $refused); profile views stored in the ledger for these members: $stored ($by_instance)"
entries=$(sql "SELECT count(*) || ' entries, seq ' || min(seq) || '..' || max(seq) FROM ledger_entries")
echo "ledger: $entries"
status=0
verify=$("$binary" ledger verify --database-url "$CLUSTER_PG_URL" --data-dir "$state/data" 2>&1) || status=1
echo "rampart ledger verify: $(tail -n 3 <<<"$verify" | tr '\n' ' ')"
((stored >= answered)) || { echo "FAIL: $((answered - stored)) answered accesses are not in the ledger"; status=1; }
[[ -n "$takeover" ]] || status=1
((status == 0)) || { CLUSTER_KEEP=true; echo "state kept in $state (instance logs a1.log, a2.log; PostgreSQL stopped)"; }
((status == 0)) && echo "PASS: every answered access is in the ledger, the ledger verifies, the survivor took over in $takeover s"
exit $status
