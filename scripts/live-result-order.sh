#!/usr/bin/env bash
# The order of equal-rank results, live, with wget: two members registered through the web
# each mirror the same search by company alone (`wget --recursive`, only that search's
# pages), then every link and sealed ID is stripped from their saved pages, and `rampart
# attribute` must name each folder's own reader — by the order of its results alone — and
# not the other.
#
#   scripts/live-result-order.sh [--binary PATH] [--out DIR] [--members 2000]
#
# Seeds a world, serves it on a free loopback port with the shipped policy but every tier's
# exposure budget lifted (the shipped free budget stops a new member after a page or two of
# strangers' cards: another defense, not the one measured here), runs
# tools/live_efficacy/order_run.py, and exits 1 unless each stripped folder names exactly
# its own account. Reports go to OUT/attribution-<reader>.txt/.json.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
binary="" out="" members=2000
while (($#)); do
    case $1 in
        --binary) binary=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --members) members=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
command -v wget >/dev/null || { echo "wget is missing: apt-get install wget" >&2; exit 2; }
if [[ -z "$binary" ]]; then
    swift build --product rampart >/dev/null
    binary=.build/debug/rampart
fi
out=${out:-$(mktemp -d -t rampart-live-order.XXXXXX)}
mkdir -p "$out"
data="$out/data"
rm -rf "$data" "$out/reader-a" "$out/reader-b"
mkdir -p "$data"
# shellcheck source=scripts/lib/stop-server.sh
source scripts/lib/stop-server.sh
server_pid=""
trap 'stop_server "$server_pid"' EXIT

"$binary" seed --members "$members" --data-dir "$data" >"$out/seed.log" 2>&1
company=$(python3 - "$data/rampart.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
print(db.execute("SELECT company, COUNT(*) FROM profiles GROUP BY company ORDER BY 2 DESC LIMIT 1").fetchone()[0])
PY
)
python3 - Sources/RampartApp/Resources/policy.json "$data/policy.json" <<'PY'
import json, sys
policy = json.load(open(sys.argv[1]))
for tier in policy["budgets"]["tiers"].values():
    tier.update(hour=100_000, day=100_000, month=1_000_000)
json.dump(policy, open(sys.argv[2], "w"), indent=2)
PY
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
base="http://127.0.0.1:$port"
"$binary" serve --host 127.0.0.1 --port "$port" --data-dir "$data" --no-demo >"$out/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 240); do
    [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$base/readyz" || true)" == 200 ]] && break
    sleep 0.5
done
echo "server at $base; searching by company: $company"
(cd tools && python3 -m live_efficacy.order_run --base "$base" --out "$out" --outbox "$data/outbox/sms.jsonl" --company "$company")
stop_server "$server_pid"
server_pid=""

status=0
for reader in reader-a reader-b; do
    # What a site reselling the records would publish: the pages, every link and ID gone.
    rm -rf "$out/stripped-$reader"
    cp -r "$out/$reader/site" "$out/stripped-$reader"
    find "$out/stripped-$reader" -type f -exec sed -i -E 's/(href|src|action|value)="[^"]*"//g' {} +
    "$binary" attribute "$out/stripped-$reader" --data-dir "$data" --json >"$out/attribution-$reader.json" 2>/dev/null
    "$binary" attribute "$out/stripped-$reader" --data-dir "$data" >"$out/attribution-$reader.txt" 2>/dev/null
    python3 - "$out" "$reader" <<'PY' || status=1
import json, sqlite3, sys
out, reader = sys.argv[1], sys.argv[2]
db = sqlite3.connect(f"file:{out}/data/rampart.sqlite?mode=ro", uri=True)
ids = {a["label"]: str(db.execute("SELECT id FROM accounts WHERE phone = ?", (a["phone"],)).fetchone()[0])
       for a in json.load(open(f"{out}/accounts.json"))}
report = json.load(open(f"{out}/attribution-{reader}.json"))
named = {found["account"]: found for found in report["implicated"]}
pages = sum(1 for _ in __import__("pathlib").Path(f"{out}/stripped-{reader}").rglob("*.html"))
print(f"{reader} (account {ids[reader]}): {pages} pages saved, {report['candidates']} tokens left, "
      f"{len(report.get('membersInCopy') or [])} members found")
for account, found in named.items():
    order = found.get("resultOrder") or {}
    who = next((label for label, id in ids.items() if id == account), "another account")
    print(f"  names {who} (account {account}): {order.get('inItsOrder')} of {order.get('pairs')} pairs in its order, "
          f"innocent chance {order.get('innocentChance')}, confidence {found['confidence']}")
sys.exit(0 if set(named) == {ids[reader]} else 1)
PY
done
echo "reports in $out"
exit $status
