#!/usr/bin/env python3
"""Summarises scripts/bench-wrk.sh's wrk outputs.

    summarize.py routes FOLDER 1 ROUTES   the table of one run: req/s, p50, p99, ratio to /healthz
    summarize.py ledger FOLDER ROUNDS     ledger on against off: medians over the rounds
"""
import pathlib, statistics, sys

def ms(text):
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit): return float(text[: -len(unit)]) * factor
    return float(text)

def read(path):
    figures = {}
    for line in path.read_text().splitlines():
        parts = line.split()
        if parts[:1] == ["50%"]: figures["p50"] = ms(parts[1])
        if parts[:1] == ["99%"]: figures["p99"] = ms(parts[1])
        if parts[:1] == ["Requests/sec:"]: figures["rps"] = float(parts[1])
        if line.startswith("non-2xx or socket errors:"): figures["errors"] = int(parts[-1])
        if line.startswith("EXHAUSTED:"): figures["void"] = True
    return figures

mode, folder, rounds = sys.argv[1], pathlib.Path(sys.argv[2]), int(sys.argv[3])
if mode == "routes":
    healthz = read(folder / "healthz.1")
    print("== summary (one server, one run; ratio = req/s ÷ /healthz req/s of this run)")
    print(f"  {'route':<13} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>7}  errors")
    print(f"  {'/healthz':<13} {healthz['rps']:>9.0f} {healthz['p50']:>8.2f} {healthz['p99']:>8.2f} {1:>7.3f}")
    for route in sys.argv[4].split(","):
        f = read(folder / f"{route}.ledger-on.1")
        void = "  VOID: the signed lines ran out, nonces were repeated" if f.get("void") else ""
        print(f"  {route:<13} {f['rps']:>9.0f} {f['p50']:>8.2f} {f['p99']:>8.2f} {f['rps'] / healthz['rps']:>7.3f}  {f.get('errors', 0)}{void}")
    for line in (folder / "server.1").read_text().splitlines(): print("  " + line)
else:
    on = [read(folder / f"profiles.ledger-on.{r}") for r in range(1, rounds + 1)]
    off = [read(folder / f"profiles.ledger-off.{r}") for r in range(1, rounds + 1)]
    print(f"== medians over {rounds} rounds (order alternating)")
    for key, unit in (("p50", "ms"), ("p99", "ms"), ("rps", "req/s")):
        with_ledger, without = statistics.median(f[key] for f in on), statistics.median(f[key] for f in off)
        added = statistics.median(a[key] - b[key] for a, b in zip(on, off))
        print(f"  {key}: ledger on {with_ledger:.2f} {unit}, off {without:.2f} {unit}, added (median of per-round differences) {added:+.2f} {unit}")
