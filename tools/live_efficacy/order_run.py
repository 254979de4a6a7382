"""The order of equal-rank results, live: two members registered through the web each
mirror the same search by company alone with `wget` (only the search's own pages, following
"Next page"), from their own loopback addresses. Their saved pages hold the same members in
two different orders; `scripts/live-result-order.sh` strips every link and ID from them and
asks `rampart attribute` whose pages they are.

    python3 -m live_efficacy.order_run --base URL --out DIR --outbox PATH --company NAME [--pages 6]
"""
from __future__ import annotations

import argparse
import json
import pathlib
import shlex
import subprocess
from urllib.parse import urlencode, urlsplit

from live_efficacy.common import Outbox, register_web
from live_efficacy.wget_runner import write_cookies


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--outbox", required=True)
    parser.add_argument("--company", required=True)
    parser.add_argument("--pages", type=int, default=6)
    args = parser.parse_args()
    base = args.base.rstrip("/")
    out = pathlib.Path(args.out)
    outbox = Outbox(pathlib.Path(args.outbox))
    accounts = []
    for index, label in enumerate(["reader-a", "reader-b"]):
        account = register_web(base, outbox, label, f"127.0.0.{21 + index}", f"Order Reader {index + 1}")
        folder = out / label
        folder.mkdir(parents=True, exist_ok=True)
        write_cookies(folder / "cookies.txt", urlsplit(base).hostname, account.cookies)
        command = [
            "wget", "--recursive", f"--level={args.pages}", "--no-parent", "--accept-regex", r"/search\?company=",
            "--bind-address=" + account.source, "--load-cookies", str(folder / "cookies.txt"), "-e", "robots=off",
            "--content-on-error", "--adjust-extension", "--timeout=30", "--tries=1",
            "--directory-prefix", str(folder / "site"), "--output-file", str(folder / "wget.log"),
            f"{base}/search?{urlencode({'company': args.company})}",
        ]
        (folder / "command.txt").write_text(shlex.join(command) + "\n")
        code = subprocess.call(command)
        print(f"{label}: wget ended with exit code {code}", flush=True)
        accounts.append(account.to_json())
    (out / "accounts.json").write_text(json.dumps(accounts, indent=2))


if __name__ == "__main__":
    main()
