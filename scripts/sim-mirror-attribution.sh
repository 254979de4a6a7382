#!/usr/bin/env bash
# The case replay's published copy, attributed over many seeds of the simulator: each run
# of `rampart simulate --scenario case-replay` has the adversary publish everything it was
# served under the Guard with every ID stripped (mirrors/case-replay/published: CSV and JSON
# lines, its honey among the records) and runs `rampart attribute`'s scan on it with the
# honey pool's records and the identity clusters (mirrors/checks.json).
#
#   scripts/sim-mirror-attribution.sh [--binary PATH] [--seeds 20] [--members 2000] [--days 30] [--out DIR]
#
# Prints one line per seed, then the totals: the accounts that took data, those the scan
# named (recall), innocent accounts named (the promise is 0), the honey cards members
# were shown (the promise is 0), and the members' records the scan matched (of those
# published with their position; and any it matched that were not published: the promise
# is 0). Exits non-zero when an innocent account was named, a member was shown honey, a
# member not in the copy was matched, or recall is below 95%. The per-seed reports stay in OUT.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
binary="" seeds=20 members=2000 days=30 out=""
while (($#)); do
    case $1 in
        --binary) binary=$2; shift 2 ;;
        --seeds) seeds=$2; shift 2 ;;
        --members) members=$2; shift 2 ;;
        --days) days=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
if [[ -z "$binary" ]]; then
    swift build --product rampart >/dev/null
    binary=.build/debug/rampart
fi
out=${out:-$(mktemp -d -t rampart-mirror-attribution.XXXXXX)}
mkdir -p "$out"
echo "seed  honey-cards  accounts-that-took-data  named  named-right  named-innocent  member-honey-cards  members-published  members-found  found-wrongly"
for seed in $(seq 1 "$seeds"); do
    "$binary" simulate --members "$members" --days "$days" --scenario case-replay --seed "$seed" --out "$out/$seed" >/dev/null 2>&1 ||
        { echo "simulate failed for seed $seed" >&2; exit 1; }
    python3 - "$out/$seed" "$seed" <<'PY'
import json, sys
folder, seed = sys.argv[1], sys.argv[2]
report = json.load(open(f"{folder}/report.json"))
check = next(c for c in json.load(open(f"{folder}/mirrors/checks.json")) if c["scenario"] == "case-replay")
guard = report["adversaries"][0]["results"]["Rampart Guard"]
print(f'{seed:>4}  {guard["honeyCards"]:>11}  {check["accountsThatTookData"]:>23}  {check["named"]:>5}  {check["namedThatTookData"]:>11}  '
      f'{check["namedInnocent"]:>14}  {report["memberFriction"]["Rampart Guard"]["honeyCards"]:>18}  '
      f'{check.get("membersPublishedWithPosition", 0):>17}  {check.get("membersFound", 0):>13}  {check.get("membersFoundNotPublished", 0):>13}')
PY
done | tee "$out/seeds.txt"
python3 - "$out/seeds.txt" <<'PY'
import sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()[:1].isdigit()]
took = sum(int(r[2]) for r in rows); right = sum(int(r[4]) for r in rows)
innocent = sum(int(r[5]) for r in rows); members = sum(int(r[6]) for r in rows)
published = sum(int(r[7]) for r in rows); found = sum(int(r[8]) for r in rows); wrong = sum(int(r[9]) for r in rows)
recall = right / max(took, 1)
print(f"{len(rows)} seeds: `rampart attribute` named {right} of the {took} accounts that took data ({100 * recall:.0f}%) "
      f"from copies with every ID stripped; innocent accounts named: {innocent}; honey cards shown to members: {members}; "
      f"members' records found: {found} of the {published} published with their position ({100 * found / max(published, 1):.1f}%), "
      f"found but not published: {wrong}")
sys.exit(0 if innocent == 0 and members == 0 and recall >= 0.95 and wrong == 0 else 1)
PY
