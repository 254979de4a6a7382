#!/usr/bin/env bash
# How many of the case replay's accounts a copy stripped of every ID would still name,
# through the honey profiles the Guard showed them (and the identity clusters that link
# them), over many seeds of the simulator; and how many honey cards members were shown.
#
#   scripts/sim-honey-recall.sh [--binary PATH] [--seeds 20] [--members 2000] [--days 30] [--out DIR]
#
# Runs `rampart simulate --scenario case-replay` once per seed (each about 40 s on a debug
# build here) and prints one line per seed, then the totals: accounts that took data,
# those named by honey (given one, or in the cluster of one that was), recall, and the
# honey cards shown to members (the promise is 0). The per-seed reports stay in OUT.
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
out=${out:-$(mktemp -d -t rampart-honey-recall.XXXXXX)}
mkdir -p "$out"
echo "seed  honey-cards  accounts-given-honey  accounts-that-took-data  named-by-honey  member-honey-cards"
for seed in $(seq 1 "$seeds"); do
    "$binary" simulate --members "$members" --days "$days" --scenario case-replay --seed "$seed" --out "$out/$seed" >/dev/null 2>&1 ||
        { echo "simulate failed for seed $seed" >&2; exit 1; }
    python3 - "$out/$seed/report.json" "$seed" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
guard = report["adversaries"][0]["results"]["Rampart Guard"]
print(f'{sys.argv[2]:>4}  {guard["honeyCards"]:>11}  {guard["accountsGivenHoney"]:>20}  {guard["accountsThatTookData"]:>23}  '
      f'{guard["accountsNamedByHoney"]:>14}  {report["memberFriction"]["Rampart Guard"]["honeyCards"]:>18}')
PY
done | tee "$out/seeds.txt"
python3 - "$out/seeds.txt" <<'PY'
import sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()[:1].isdigit()]
took = sum(int(r[3]) for r in rows); named = sum(int(r[4]) for r in rows); members = sum(int(r[5]) for r in rows)
print(f"{len(rows)} seeds: {named} of {took} accounts that took data named by honey ({100 * named / max(took, 1):.0f}%); "
      f"honey cards shown to members: {members}")
sys.exit(0 if members == 0 else 1)
PY
