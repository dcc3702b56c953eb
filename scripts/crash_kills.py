"""SIGKILL real `diplosearch index add` / `index remove` / `index build --replace` runs at
many moments and check after each kill that the index is whole (see
tests/store/crash_helpers.py::check_invariant). The figures for notes; tests/store/test_crash.py is
the short version that runs with the test suite.

    python scripts/crash_kills.py --kills 100 --workers 2
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.store.crash_helpers import (check_invariant, doc_texts, kill_at, make_base,  # noqa: E402
                                 make_sources)


def commands(kind: str, index: Path, new: Path, old_keys: list[str]) -> list[str]:
    base = [sys.executable, "-m", "diplosearch", "index"]
    if kind == "add":
        # `new` holds edited copies of the indexed files under the same names: replace them
        return base + ["add", str(new), "--index", str(index), "--model", "hashing",
                       "--no-progress", "--replace-same-name"]
    if kind == "remove":
        return base + ["remove", old_keys[0], "--index", str(index)]
    return base + ["build", str(new), "--name", str(index), "--replace", "--model", "hashing",
                   "--no-progress"]


def expected(kind: str, old: dict, new: dict) -> dict:
    if kind == "remove":
        return {k: v for k, v in old.items() if k != sorted(old)[0]}
    return new


def run(kind: str, kills: int, workers: int, root: Path, base: Path, new: Path,
        old: dict, new_texts: dict, rng: random.Random) -> dict:
    target = expected(kind, old, new_texts)

    def attempt(i: int, at: float):
        work = root / f"{kind}-{i}"
        work.mkdir()
        index = work / "index"
        shutil.copytree(base, index)
        killed, ran = kill_at(commands(kind, index, new, sorted(old)), at, work)
        try:
            state = check_invariant(index, old, target)
            shutil.rmtree(work)
        except Exception as exc:  # kept on disk and counted: the figure says how many
            why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            state = f"BROKEN ({work}): {why}"
        return killed, state, ran

    with ThreadPoolExecutor(max_workers=workers) as pool:
        full = list(pool.map(attempt, range(workers), [1e9] * workers))
        t = sorted(r[2] for r in full)[workers // 2]
        moments = [rng.uniform(0.0, 1.1 * t) for _ in range(kills)]
        results = list(pool.map(attempt, range(workers, workers + kills), moments))
    killed = [r for r in results if r[0]]
    broken = [r[1] for r in results if r[1].startswith("BROKEN")]
    return {"command": kind, "run_seconds": round(t, 2), "attempted": kills,
            "killed": len(killed), "survived": len(killed) - len(broken), "broken": broken,
            "finished_before_kill": kills - len(killed),
            "states_after_kill": {s: sum(r[1] == s for r in killed)
                                  for s in ("old", "partial", "new")}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=100, help="kills per command")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--new-files", type=int, default=236)
    ap.add_argument("--commands", default="add,remove,build")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        old_src, new_src = make_sources(root / "src", 64, args.new_files, 20)
        base = root / "base"
        make_base(old_src, base)
        old = doc_texts(base)
        ref = root / "ref"
        shutil.copytree(base, ref)
        kill_at(commands("add", ref, new_src, []), 1e9, root)
        new = doc_texts(ref)
        started = time.monotonic()
        out = [run(kind, args.kills, args.workers, root, base, new_src, old, new, rng)
               for kind in args.commands.split(",")]
    killed = sum(r["killed"] for r in out)
    survived = sum(r["survived"] for r in out)
    print(json.dumps({"results": out, "kills_survived": f"{survived}/{killed}",
                      "seconds": round(time.monotonic() - started)}, indent=2))


if __name__ == "__main__":
    main()
