"""How long `diplosearch index build` and `index add` take to end after Ctrl-C.

Each run starts the real command on a terminal (a pty, so it draws its progress bar) with
the bundled model and the multilingual model on (the default), waits until the English
model has embedded a batch (so the multilingual model is busy on its worker thread: the
case that used to take 40-78 s), sends SIGINT and times the exit. Then checks the index:
after a build, none at the target; after an add, the documents it had before.

    python scripts/bench_interrupt.py                  # 3 builds and 3 adds of 200 speeches
    python scripts/bench_interrupt.py --runs 1 --files 400 --engine ray

Run with the code to measure on PYTHONPATH (e.g. PYTHONPATH=src); a warm model cache
($DIPLOSEARCH_CACHE) keeps the runs short.
"""

from __future__ import annotations

import argparse
import os
import pty
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "unsc_2020_pires" / "speeches_txt_2020"
ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")
EMBEDDED = re.compile(r"(\d[\d,]*)/[\d,?]+ passages")


def _read(fd: int, timeout: float) -> bytes:
    ready, _, _ = select.select([fd], [], [], timeout)
    try:
        return os.read(fd, 65536) if ready else b""
    except OSError:
        return b""


def _embedding(seen: bytes) -> bool:
    text = ANSI.sub(b"", seen).decode("utf-8", "replace")
    return any(int(n.replace(",", "")) for n in EMBEDDED.findall(text))


def interrupted(args: list[str], env: dict,
                wait_for=_embedding) -> tuple[float, float, int, str]:
    """(seconds until the Ctrl-C, seconds from it to the exit, exit code, output)."""
    master, slave = pty.openpty()
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "diplosearch", *args], env=env,
                            stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
    os.close(slave)
    seen = b""
    try:
        while not wait_for(seen):
            if proc.poll() is not None:
                raise SystemExit(f"ended before it embedded:\n{ANSI.sub(b'', seen).decode()}")
            seen += _read(master, 0.05)
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=600)
        ended = time.monotonic()
        seen += b"".join(iter(lambda: _read(master, 0.2), b""))
    finally:
        proc.kill()
        os.close(master)
    return sent - started, ended - sent, code, ANSI.sub(b"", seen).decode("utf-8", "replace")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--engine", choices=("local", "ray"), default="local",
                        help="ray: builds only (an add always runs locally)")
    opts = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-interrupt-"))
    env = {**os.environ, "DIPLOSEARCH_HOME": str(work / "home")}
    corpus, seed = work / "corpus", work / "seed"
    corpus.mkdir()
    seed.mkdir()
    files = sorted(CORPUS.iterdir())
    for path in files[1:opts.files + 1]:
        shutil.copy(path, corpus / path.name)
    shutil.copy(files[0], seed / files[0].name)
    print(f"{opts.files} speeches; bundled model with multilingual vectors; "
          f"engine {opts.engine}; {os.cpu_count()} CPUs")
    times: dict[str, list[float]] = {"build": [], "add": []}
    try:
        for run in range(opts.runs):
            args = ["index", "build", str(corpus), "--name", f"b{run}"]
            if opts.engine == "ray":
                args += ["--engine", "ray"]
                # once its workers embed: a shard is written, or the bar counts passages
                waited, took, code, out = interrupted(
                    args, env, lambda seen: _embedding(seen) or _ray_busy(work))
            else:
                waited, took, code, out = interrupted(args, env)
            whole = not (work / "home" / f"b{run}").exists()
            _report("build", run, waited, took, code, out, "no index left" if whole else
                    "AN INDEX WAS LEFT", times)
            if opts.engine == "ray":
                continue
            subprocess.run([sys.executable, "-m", "diplosearch", "index", "build", str(seed),
                            "--name", f"a{run}", "--no-progress"], env=env, check=True,
                           capture_output=True)
            before = _documents(f"a{run}", env)
            waited, took, code, out = interrupted(
                ["index", "add", str(corpus), "--index", f"a{run}"], env)
            same = _documents(f"a{run}", env) == before
            _report("add", run, waited, took, code, out,
                    "documents as before" if same else "DOCUMENTS CHANGED", times)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for kind, values in times.items():
        if values:
            print(f"{kind}: Ctrl-C to exit, median {statistics.median(values):.2f} s, "
                  f"max {max(values):.2f} s over {len(values)} run(s)")


def _ray_busy(work: Path) -> bool:
    shards = list((work / "home").glob(".b*.shards"))
    time.sleep(0.5)
    return bool(shards)


def _documents(name: str, env: dict) -> str:
    return subprocess.run([sys.executable, "-m", "diplosearch", "index", "info", "-i", name,
                           "--documents", "-f", "json"], env=env, check=True,
                          capture_output=True, text=True).stdout.split('"documents_list"')[-1]


def _report(kind: str, run: int, waited: float, took: float, code: int, out: str, index: str,
            times: dict[str, list[float]]) -> None:
    tail = out.strip().splitlines()[-1] if out.strip() else ""
    traceback = "Traceback" in out
    times[kind].append(took)
    print(f"{kind} {run + 1}: Ctrl-C after {waited:.1f} s; exited {code} in {took:.2f} s; "
          f"{index}; {'A TRACEBACK' if traceback else 'no traceback'}; last line: {tail!r}")


if __name__ == "__main__":
    main()
