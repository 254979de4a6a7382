"""wget --mirror with a signed-in session: the account's cookies go into a Netscape
cookies.txt, and wget mirrors the site from a search page and the home page, from its own
loopback address (`--bind-address`), until the deadline.

    python3 -m live_efficacy.wget_runner --base URL --out DIR --accounts accounts.json --until EPOCH [--start-query engineer]
"""
from __future__ import annotations

import argparse
import json
import pathlib
import shlex
import shutil
import subprocess
import time
from urllib.parse import urlencode, urlsplit

from live_efficacy.common import Account


def write_cookies(path: pathlib.Path, host: str, cookies: dict):
    # One line per cookie: domain, include subdomains, path, secure, expiry, name, value.
    # A far expiry, so wget treats them as persistent and sends them.
    expiry = int(time.time()) + 30 * 86400
    lines = ["# Netscape HTTP Cookie File"]
    for name, value in cookies.items():
        lines.append("\t".join([host, "FALSE", "/", "FALSE", str(expiry), name, value]))
    path.write_text("\n".join(lines) + "\n")


def wget_command(base: str, out: pathlib.Path, source: str, seconds: int, start_query: str) -> list[str]:
    return [
        "timeout", "--kill-after=10", str(max(1, seconds)),
        "wget", "--mirror", "--level=5", "--wait=1", "--random-wait",
        "--bind-address=" + source,
        "--load-cookies", str(out / "cookies.txt"),
        "--save-cookies", str(out / "cookies-after.txt"), "--keep-session-cookies",
        "-e", "robots=off", "--content-on-error", "--adjust-extension",
        "--timeout=30", "--tries=1",
        "--directory-prefix", str(out / "site"),
        "--output-file", str(out / "wget.log"),
        f"{base}/search?{urlencode({'q': start_query})}",
        f"{base}/",
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--accounts", required=True)
    parser.add_argument("--until", type=float, required=True)
    parser.add_argument("--start-query", default="engineer")
    args = parser.parse_args()
    if not shutil.which("wget"):
        raise SystemExit("wget is missing: apt-get install wget")
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    account = Account.from_json(json.loads(pathlib.Path(args.accounts).read_text())[0])
    base = args.base.rstrip("/")
    write_cookies(out / "cookies.txt", urlsplit(base).hostname, account.cookies)
    command = wget_command(base, out, account.source, int(args.until - time.time()), args.start_query)
    (out / "command.txt").write_text(shlex.join(command) + "\n")
    print("running:", shlex.join(command), flush=True)
    code = subprocess.call(command)
    # wget exits 8 when some page answered with an error (a 403 or 429 among them), 124 on
    # the timeout that ends the run: both are the expected end here.
    print(f"wget ended with exit code {code}" + (" (stopped at the deadline)" if code in (124, 137) else ""), flush=True)


if __name__ == "__main__":
    main()
