"""Search timings on an index read by its owner and by someone who may only read it.

Builds an index of N speeches (bundled model, no multilingual vectors, so that the
English path is what is timed), `index add`s a few more (the database is then in WAL
mode), and copies it before the add (a built-only index, rollback journal). Then, in a
fresh process for each case, opens it and times the first search (model load included)
and the median of R more:

- owner: the WAL index, as the user who built it (the usual case; SQLite's locks);
- no write permission: the same index `chmod -R a-w`, searched with every capability
  dropped (`setpriv`, as root) or as you (not root);
- read-only disk: the same, bind-mounted read-only (`unshare -rm`);
- built only, no write permission: the rollback-journal copy, read-only.

Run it once with today's code and once with the code to compare (PYTHONPATH=...), on the
same machine; the index is built with whichever code runs it.

    PYTHONPATH=src python scripts/bench_readonly.py --files 100 --repeat 30
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "unsc_2020_pires" / "speeches_txt_2020"
QUESTIONS = ["what measures target foreign terrorist fighters",
             "humanitarian access in Syria", "women, peace and security",
             "sanctions on arms embargo violations", "climate change and security risks"]
DROP = ["setpriv", "--inh-caps=-all", "--bounding-set=-all", "--"]
MOUNT = ["unshare", "-rm", "sh", "-c", 'mount --bind -o ro "$0" "$0" && exec "$@"']


def measure(index: str, repeat: int) -> dict:
    """In this process: open the index, time the first search and `repeat` more."""
    import diplosearch as ds

    started = time.perf_counter()
    idx = ds.open_index(index)
    idx.search(QUESTIONS[0], k=10)
    first = time.perf_counter() - started
    times, cpu = [], []
    for i in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        idx.search(QUESTIONS[i % len(QUESTIONS)], k=10)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return {"first_s": first, "median_ms": 1000 * statistics.median(times),
            "p90_ms": 1000 * sorted(times)[int(0.9 * len(times))],
            # CPU time of the process (all its threads): less swayed than wall time by
            # other work on a shared machine
            "cpu_ms": 1000 * statistics.median(cpu), "connection": type(idx.db).__name__}


def _case(prefix: list[str], index: Path, repeat: int) -> dict:
    out = subprocess.run([*prefix, sys.executable, __file__, "--measure", str(index),
                          "--repeat", str(repeat)], capture_output=True, text=True)
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(out.stdout)


def _chmod(folder: Path, write: bool) -> None:
    for f in [folder, *folder.rglob("*")]:
        mode = f.stat().st_mode
        f.chmod(mode | 0o200 if write else mode & ~0o222)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.measure:
        print(json.dumps(measure(opts.measure, opts.repeat)))
        return
    work = Path(tempfile.mkdtemp(prefix="bench-readonly-"))
    try:
        _run(work, opts)
    finally:
        _chmod(work, write=True)
        shutil.rmtree(work, ignore_errors=True)


def _run(work: Path, opts) -> None:
    files = sorted(CORPUS.iterdir())
    first, more = work / "first", work / "more"
    for folder, chosen in ((first, files[:opts.files]), (more, files[opts.files:opts.files + 5])):
        folder.mkdir()
        for path in chosen:
            shutil.copy(path, folder / path.name)
    drive = work / "drive"
    drive.mkdir()
    run = [sys.executable, "-m", "diplosearch"]
    subprocess.run([*run, "index", "build", str(first), "--name", str(drive / "wal"),
                    "--no-multilingual", "--no-progress"], check=True, capture_output=True)
    shutil.copytree(drive / "wal", drive / "built")
    subprocess.run([*run, "index", "add", str(more), "-i", str(drive / "wal"), "--no-progress"],
                   check=True, capture_output=True)
    import diplosearch

    print(f"diplosearch from {Path(diplosearch.__file__).parent}; {opts.files} speeches + 5 "
          f"added; {opts.repeat} searches after the first; {os.cpu_count()} CPUs")
    reader = DROP if os.geteuid() == 0 and shutil.which("setpriv") else []
    # The owner reads a copy: a reader with write access leaves the -shm and -wal files
    # behind (only a writer deletes them), which would let the others in the easy way.
    shutil.copytree(drive / "wal", work / "owner")
    results = [("owner (WAL)", _case([], work / "owner", opts.repeat))]
    _chmod(drive, write=False)
    for name, prefix, index in (("no write permission (WAL)", reader, drive / "wal"),
                                ("read-only disk (WAL)", [*MOUNT, str(drive)], drive / "wal"),
                                ("built only, no write permission", reader, drive / "built")):
        results.append((name, _case(prefix, index, opts.repeat)))
    for name, r in results:
        if "error" in r:
            print(f"{name:34} FAILED: {r['error']}")
        else:
            print(f"{name:34} first {r['first_s']:.2f} s, then median {r['median_ms']:.1f} ms "
                  f"(p90 {r['p90_ms']:.1f} ms; CPU {r['cpu_ms']:.1f} ms) [{r['connection']}]")


if __name__ == "__main__":
    main()
