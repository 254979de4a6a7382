#!/usr/bin/env bash
# The live attribution check: real scrapers harvest a running server, then `rampart
# attribute` on their saved output must name exactly the accounts they used.
#
#   scripts/live-attribution.sh [--binary PATH] [--out DIR] [--policy FILE]
#
# Runs scripts/live-efficacy.sh --quick --tools scrapy,wget --keep-data (2,000 members, two
# minutes: Scrapy through three accounts, wget --mirror through one, each from its own
# loopback address), then `rampart attribute` on OUT/wget and on OUT/scrapy with the
# server's data directory, and compares the accounts it names with the accounts each tool
# registered (OUT/<tool>/accounts.json). Exits 1 if an account is missing or an account
# the tool did not use is named. Needs what live-efficacy.sh needs for those two tools
# (python3 with requests and scrapy, wget). Reports go to OUT/attribution-<tool>.txt/.json.
# Then the same again on a copy of each folder with every sealed ID blanked out (what a
# site reselling the records would publish): there only honey profiles can name anyone; it
# prints how many honey each account was given and found, and exits 1 if an account the
# tool did not use is named.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
binary="" out="" policy=()
while (($#)); do
    case $1 in
        --binary) binary=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --policy) policy=(--policy "$2"); shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
out=${out:-$(mktemp -d -t rampart-live-attribution.XXXXXX)}
mkdir -p "$out"
if [[ -z "$binary" ]]; then
    swift build --product rampart >/dev/null
    binary=.build/debug/rampart
fi
scripts/live-efficacy.sh --quick --tools scrapy,wget --keep-data --binary "$binary" --out "$out" "${policy[@]}" >"$out/live-efficacy.log" 2>&1 ||
    { echo "live-efficacy.sh failed: see $out/live-efficacy.log" >&2; exit 1; }
status=0
for tool in wget scrapy; do
    "$binary" attribute "$out/$tool" --data-dir "$out/data" --json >"$out/attribution-$tool.json" 2>/dev/null
    "$binary" attribute "$out/$tool" --data-dir "$out/data" >"$out/attribution-$tool.txt" 2>/dev/null
    python3 - "$out" "$tool" <<'PY' || status=1
import json, sqlite3, sys
out, tool = sys.argv[1], sys.argv[2]
db = sqlite3.connect(f"file:{out}/data/rampart.sqlite?mode=ro", uri=True)
used = {str(db.execute("SELECT id FROM accounts WHERE phone = ?", (a["phone"],)).fetchone()[0]): a["label"]
        for a in json.load(open(f"{out}/{tool}/accounts.json"))}
report = json.load(open(f"{out}/attribution-{tool}.json"))
named = {found["account"]: found for found in report["implicated"]}
for account, label in sorted(used.items(), key=lambda item: item[1]):
    found = named.get(account)
    print(f"{tool}: {label} (account {account}): " + (f"named, {found['tokens']} sealed IDs covering {found['members']} members, confidence {found['confidence']}" if found else "NOT NAMED"))
extra = sorted(set(named) - set(used))
for account in extra:
    print(f"{tool}: account {account} NAMED BUT NOT USED BY {tool}")
print(f"{tool}: {report['scannedFiles']} files, {report['candidates']} tokens, {report['unopened']} did not open, {report.get('honeyFound', 0)} honey profiles found")
sys.exit(0 if set(named) == set(used) else 1)
PY
    # The same copy with every sealed ID blanked out, as a site reselling the records would
    # publish it: only honey profiles can name anyone now, and only accounts that were given them.
    python3 - "$out/$tool" "$out/stripped-$tool" <<'PY'
import pathlib, re, shutil, sys
source, target = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
shutil.rmtree(target, ignore_errors=True)
token = re.compile(rb"(?<![0-9A-Za-z_-])[0-9A-Za-z_-]{46}(?![0-9A-Za-z_-])")
for path in source.rglob("*"):
    if path.is_file() and not path.is_symlink():
        copy = target / path.relative_to(source)
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(token.sub(b"(id removed)", path.read_bytes()))
PY
    "$binary" attribute "$out/stripped-$tool" --data-dir "$out/data" --json >"$out/attribution-stripped-$tool.json" 2>/dev/null
    "$binary" honey list --given --json --data-dir "$out/data" >"$out/honey-given.json" 2>/dev/null
    python3 - "$out" "$tool" <<'PY' || status=1
import json, sqlite3, sys
out, tool = sys.argv[1], sys.argv[2]
db = sqlite3.connect(f"file:{out}/data/rampart.sqlite?mode=ro", uri=True)
used = {str(db.execute("SELECT id FROM accounts WHERE phone = ?", (a["phone"],)).fetchone()[0]): a["label"]
        for a in json.load(open(f"{out}/{tool}/accounts.json"))}
given = {}
for honey in json.load(open(f"{out}/honey-given.json")):
    given.setdefault(honey["assignedTo"], []).append(honey["id"])
report = json.load(open(f"{out}/attribution-stripped-{tool}.json"))
named = {found["account"]: found for found in report["implicated"]}
for account, label in sorted(used.items(), key=lambda item: item[1]):
    found = named.get(account)
    shown = len(given.get(account, []))
    print(f"{tool}, IDs removed: {label} (account {account}): given {shown} honey profiles; "
          + (f"named by {len(found.get('honey') or [])} of them, confidence {found['confidence']}" if found else "not named"))
print(f"{tool}, IDs removed: {report['candidates']} tokens left, {report.get('honeyFound', 0)} honey profiles found")
extra = sorted(set(named) - set(used))
for account in extra:
    print(f"{tool}, IDs removed: account {account} NAMED BUT NOT USED BY {tool}")
sys.exit(0 if not extra else 1)
PY
done
echo "reports in $out"
exit $status
