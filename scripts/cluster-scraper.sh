#!/usr/bin/env bash
# A scraper that sends its requests to two instances in turn, straight to their ports
# (not through nginx), against one that sends them all to one instance: is it stopped as
# fast? Two instances on one PostgreSQL database (scripts/lib/cluster.sh) with the shipped
# detection engine enforcing and the budgets lifted (so that the engine, not the budget,
# is what stops it); two demo members, each viewing profiles every GAP seconds and passing
# every step-up challenge with the SMS code (tools/cluster_scraper.py), one after the
# other: first on a single instance, then alternating. Prints profile views served before
# each was suspended.
#
#   scripts/cluster-scraper.sh [--binary PATH] [--gap 0.25] [--max 3000] [--members 500]
#                              [--without-forwarding | --alternating-only] [--port 18380]
#
# --without-forwarding is the control: every instance advertises an address where nothing
# answers, so each serves what reaches it and keeps half the scraper's evidence (as before
# ownership and forwarding existed); only the alternating scraper runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/cluster.sh
source scripts/lib/cluster.sh
CLUSTER_PG_PORT=${CLUSTER_PG_PORT:-54334}
binary="" gap=0.25 max=3000 members=500 port=18380 control=false alternating_only=false
while (($#)); do
    case $1 in
        --binary) binary=$2; shift 2 ;;
        --gap) gap=$2; shift 2 ;;
        --max) max=$2; shift 2 ;;
        --members) members=$2; shift 2 ;;
        --without-forwarding) control=true; shift ;;
        --alternating-only) alternating_only=true; shift ;;
        --port) port=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
cluster_setup scraper "$binary"
state=$CLUSTER_STATE binary=$CLUSTER_BINARY
python3 - "$state/policy.json" <<'PY'
import json, sys
policy = json.load(open("Sources/RampartApp/Resources/policy.json"))
for tier in policy["budgets"]["tiers"].values():
    tier.update(hour=100000, day=1000000, month=10000000)
policy["detection"]["mode"] = "enforce"
json.dump(policy, open(sys.argv[1], "w"), indent=2)
PY
$control && export CLUSTER_UNREACHABLE=true
cluster_postgres "$state"
cluster_start "$state" "$binary" 2 "$port" --demo-members "$members" --policy "$state/policy.json" --log-level warning
mapfile -t phones < <(cluster_sql "SELECT phone FROM accounts ORDER BY id LIMIT 2")
echo "binary $binary; every $gap s; members ${phones[*]}"
if $control || $alternating_only; then
    split=$(python3 tools/cluster_scraper.py "${phones[1]}" "$state/data" \
        "http://127.0.0.1:$((port + 1)),http://127.0.0.1:$((port + 2))" --gap "$gap" --max "$max")
    echo "two instances in turn$($control && echo ", no forwarding"): $split"
    exit 0
fi
single=$(python3 tools/cluster_scraper.py "${phones[0]}" "$state/data" "http://127.0.0.1:$((port + 1))" --gap "$gap" --max "$max")
echo "one instance:            $single"
split=$(python3 tools/cluster_scraper.py "${phones[1]}" "$state/data" \
    "http://127.0.0.1:$((port + 1)),http://127.0.0.1:$((port + 2))" --gap "$gap" --max "$max")
echo "two instances in turn:   $split"
python3 - "$single" "$split" <<'PY'
import json, sys
one, two = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"served before suspension: {one['served']} on one instance, {two['served']} alternating between two "
      f"({two['served'] / max(one['served'], 1):.2f}x); ended: {one['ended']}, {two['ended']}")
sys.exit(0 if two["ended"] == "suspended" and two["served"] <= one["served"] * 1.25 + 5 else 1)
PY
