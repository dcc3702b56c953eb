#!/usr/bin/env python3
"""Warm latency of the web API: starts `diplosearch serve` on a free loopback port, warms
it, then times N sequential GET /api/search requests per configuration and prints p50/p95.

Usage:
  python scripts/bench_web.py                    # the bundled default index, 50 requests each
  python scripts/bench_web.py --index unsc2020 -n 100
  python scripts/bench_web.py --url http://127.0.0.1:8000   # a server already running

Only loopback is ever contacted; the loops are bounded by -n and a per-request timeout.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
QUESTIONS = ["what measures target foreign terrorist fighters",
             "return and prosecution of foreign fighters",
             "cooperation between the OSCE and the Security Council",
             "climate change and security",
             "nuclear non-proliferation and disarmament",
             "youth participation in peacebuilding",
             "sanctions against terrorist financing",
             "humanitarian access and protection of civilians"]
CONFIGS = {  # name: extra query parameters
    "hybrid, k=10, highlight (the page's search)": {"k": 10},
    "hybrid, k=10, no highlight": {"k": 10, "highlight": "false"},
    "semantic, k=10, no highlight": {"k": 10, "mode": "semantic", "highlight": "false"},
    "keyword, k=10, no highlight": {"k": 10, "mode": "keyword", "highlight": "false"},
    "hybrid, k=10, country filter, highlight": {"k": 10, "country": "Russian Federation"},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: HTTP {response.status}")
    return time.perf_counter() - started


def start_server(index: str | None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cmd = [sys.executable, "-m", "diplosearch", "serve", "--port", str(port)]
    if index:
        cmd += ["--index", index]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=dict(os.environ, PYTHONUNBUFFERED="1"))
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            get(f"{url}/api/index")
            return proc, url
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit("server did not answer within 180 s")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def bench(url: str, n: int, warmup: int) -> dict[str, dict[str, float]]:
    results = {}
    for name, extra in CONFIGS.items():
        urls = [f"{url}/api/search?" + urllib.parse.urlencode({"q": q, **extra})
                for q in QUESTIONS]
        for i in range(warmup):
            get(urls[i % len(urls)])
        times = [get(urls[i % len(urls)]) * 1000 for i in range(n)]
        results[name] = {"n": n, "p50_ms": round(percentile(times, 0.50), 1),
                         "p95_ms": round(percentile(times, 0.95), 1),
                         "mean_ms": round(statistics.fmean(times), 1),
                         "max_ms": round(max(times), 1)}
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", help="index name or path (default: the bundled one)")
    parser.add_argument("--url", help="a running server on loopback, instead of starting one")
    parser.add_argument("-n", type=int, default=50, help="timed requests per configuration")
    parser.add_argument("--warmup", type=int, default=8, help="untimed requests first")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    if args.url and urllib.parse.urlparse(args.url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("--url must be a loopback address")
    proc = None
    try:
        if args.url:
            url = args.url.rstrip("/")
        else:
            started = time.perf_counter()
            proc, url = start_server(args.index)
            print(f"server up in {time.perf_counter() - started:.1f} s at {url}", file=sys.stderr)
        info = json.loads(urllib.request.urlopen(f"{url}/api/index", timeout=60).read())
        results = bench(url, max(1, args.n), max(0, args.warmup))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=15)
    if args.json:
        print(json.dumps({"index": info["name"], "passages": info.get("passages"),
                          "cpus": os.cpu_count(), "results": results}, indent=2))
        return 0
    print(f"index {info['name']}: {info.get('passages')} passages; {os.cpu_count()} CPUs; "
          "sequential requests over loopback")
    print(f"{'configuration':48} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8} {'max ms':>8}")
    for name, r in results.items():
        print(f"{name:48} {r['n']:>4} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['mean_ms']:>8} "
              f"{r['max_ms']:>8}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
