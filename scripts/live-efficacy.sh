#!/usr/bin/env bash
# The live efficacy check: real scrapers and real members against a running server.
#
#   scripts/live-efficacy.sh [--binary PATH] [--members N] [--minutes M] [--out DIR] [--quick]
#                            [--keep-data] [--tools LIST] [--direct-members] [--policy FILE]
#
# Seeds a fresh world of N members (default 20,000) into a temporary data directory, starts
# `rampart serve` on a free loopback port with the shipped policy, and runs at the same
# time, for M minutes (default 10):
#   - Scrapy through 3 accounts, each from its own loopback address;
#   - wget --mirror with a signed-in session cookie, from its own address;
#   - a careful walker (Chrome's headers, the stylesheet after every page, 2-6 s pauses)
#     through 3 accounts, each from its own address;
#   - 3 newly registered members in headless Chromium, searching and opening profiles.
# Every account is registered through the web UI, as a new member would be (the SMS code
# comes from <data-dir>/outbox/sms.jsonl). Then it counts, from each tool's own saved
# output only, what each took (members with name and position, data points) and how often
# it was refused, and writes OUT/live-efficacy.md and OUT/live-efficacy.json.
#
# --binary PATH  use this rampart binary (default: `swift build -c release --product rampart`
#                and .build/release/rampart)
# --quick        2 minutes, 2,000 members: to try it out
# --out DIR      where everything goes (default: a new temporary directory, printed)
# --keep-data    keep the server's data directory in OUT/data (for `rampart guard flagged
#                --data-dir OUT/data` and the ledger afterwards); by default it is removed
# --tools LIST   run only some of scrapy,wget,walker,members (default: all)
# --direct-members  browsers connect directly (all from 127.0.0.1) instead of each through
#                a small proxy that gives it an address of its own
# --policy FILE  serve with this policy file instead of the shipped one (copied into the
#                data directory as policy.json), e.g. a larger budget to watch what the
#                engine alone does, or what honey profiles do for accounts that press on
#
# Needs python3 with requests, scrapy (pip install scrapy), selenium (pip install selenium),
# wget, chromium and chromium-driver (apt). A missing tool is reported and skipped; the
# others still run. Traffic stays on 127.0.0.0/8. The whole run takes --minutes plus
# about 1-3 minutes (seeding, registering, counting).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

binary="" members=20000 minutes=10 out="" quick=false keep_data=false policy=""
run_args=()
members_set=false minutes_set=false
args_given=("$@")
usage() { sed -n '2,36p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while (($#)); do
    case $1 in
        --binary) binary=$2; shift 2 ;;
        --members) members=$2; members_set=true; shift 2 ;;
        --minutes) minutes=$2; minutes_set=true; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --quick) quick=true; shift ;;
        --keep-data) keep_data=true; shift ;;
        --tools) run_args+=(--tools "$2"); shift 2 ;;
        --direct-members) run_args+=(--direct-members); shift ;;
        --policy) policy=$2; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
if $quick; then
    $members_set || members=2000
    $minutes_set || minutes=2
fi
[[ "$members" =~ ^[0-9]+$ ]] && ((members > 0)) || { echo "--members must be a positive number" >&2; exit 2; }
[[ "$minutes" =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "--minutes must be a number" >&2; exit 2; }

log() { printf '==> [%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }

command -v python3 >/dev/null || { echo "python3 is missing (apt-get install python3)" >&2; exit 1; }
python3 -c 'import requests' 2>/dev/null || { echo "python requests is missing: pip install requests" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is missing (apt-get install curl)" >&2; exit 1; }

if [[ -z "$binary" ]]; then
    log "swift build -c release --product rampart"
    swift build -c release --product rampart
    binary="$repo/.build/release/rampart"
fi
[[ -x "$binary" ]] || { echo "no rampart binary at $binary" >&2; exit 1; }
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
# SwiftPM resource bundles (the shipped policy, templates, word lists) are looked up beside
# the binary first, then in the build directory it was built in: a copied binary without
# them reads whatever that build directory holds now.
if ! ls -d "$(dirname "$binary")"/*_RampartApp.resources >/dev/null 2>&1; then
    echo "warning: no *_RampartApp.resources beside $binary: it will use the resource bundles of the build" \
        "directory it was built in; copy them with the binary (cp -r .build/debug/*.resources DIR)" >&2
fi

if [[ -z "$out" ]]; then
    out=$(mktemp -d -t rampart-live.XXXXXX)
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
log "output: $out"

work=$(mktemp -d -t rampart-live-data.XXXXXX)
data="$work/data"
if $keep_data; then data="$out/data"; rm -rf "$data"; fi
# shellcheck source=scripts/lib/stop-server.sh
source scripts/lib/stop-server.sh
server_pid=""
cleanup() {
    stop_server "$server_pid"
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "seeding $members members into $data"
mkdir -p "$data"
"$binary" seed --members "$members" --data-dir "$data" >"$out/seed.log" 2>&1 || {
    echo "seeding failed:" >&2; tail -n 20 "$out/seed.log" >&2; exit 1; }

policy_name="shipped policy"
if [[ -n "$policy" ]]; then
    [[ -f "$policy" ]] || { echo "--policy $policy: no such file" >&2; exit 2; }
    cp "$policy" "$data/policy.json"
    policy_name="policy $policy"
fi

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
base="http://127.0.0.1:$port"
log "starting $binary serve --host 127.0.0.1 --port $port ($policy_name)"
"$binary" serve --host 127.0.0.1 --port "$port" --data-dir "$data" --no-demo >"$out/server.log" 2>&1 &
server_pid=$!
ready=false
for _ in $(seq 1 240); do
    if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
    if [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$base/readyz" || true)" == 200 ]]; then ready=true; break; fi
    sleep 0.5
done
if ! $ready; then
    echo "the server did not become ready; last lines of its log:" >&2
    tail -n 30 "$out/server.log" >&2
    exit 1
fi
log "server ready at $base (pid $server_pid)"

cmdline="scripts/live-efficacy.sh${args_given[*]:+ ${args_given[*]}}"
rc=0
PYTHONPATH="$repo/tools${PYTHONPATH:+:$PYTHONPATH}" python3 -m live_efficacy.run \
    --base "$base" --data-dir "$data" --out "$out" --minutes "$minutes" --members "$members" \
    --binary "$binary" --command "$cmdline" "${run_args[@]}" || rc=$?
cp "$data/policy.json" "$out/policy.json" 2>/dev/null || true
log "report: $out/live-efficacy.md and $out/live-efficacy.json"
exit $rc
