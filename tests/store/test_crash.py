"""Crash safety: SIGKILL a real `index add` (and `remove`, `build --replace`) at many
moments and at every step of the write protocol; the index must stay whole each time.

scripts/crash_kills.py runs the timed kills at a larger scale for the figures in notes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import diplosearch as ds
from diplosearch.store.repair import repair_index
from diplosearch.store.verify import verify_index
from tests.store.crash_helpers import (add_command, check_invariant, doc_texts, make_base,
                                 make_sources, one_kill)

KILLS = 24          # moments spread over [2%, 105%] of an uninterrupted run
MIN_KILLED = 20     # of which at least this many must land while the add is running
WORKERS = 2


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    """A base index of 64 files in 64 segments, and `new/`: those files (20 edited) plus
    100 more. The uninterrupted add of `new/` is the reference run; it ends by compacting
    the 65 segments into one."""
    root = tmp_path_factory.mktemp("crash")
    old, new = make_sources(root / "src", old_files=64, new_files=100, changed=20)
    base = root / "base"
    make_base(old, base)
    ref = root / "ref"
    shutil.copytree(base, ref)
    done = subprocess.run(add_command(ref, new) + ["--format", "json"], cwd=root, check=True,
                          capture_output=True, text=True)
    return {"root": root, "base": base, "new": new, "report": json.loads(done.stdout),
            "old": doc_texts(base), "new_texts": doc_texts(ref), "ref": ref}


def test_reference_run_updates_adds_and_compacts(scenario):
    old, new = scenario["old"], scenario["new_texts"]
    assert len(old) == 64 and len(new) == 164
    assert sum(old[k] != new[k] for k in old) == 20
    db = ds.open_index(scenario["ref"], model=ds.HashingEmbedder()).db
    assert db.execute("SELECT COUNT(*) FROM segments").fetchone()[0] == 1   # compacted
    assert check_invariant(scenario["ref"], old, new) == "new"


def test_sigkill_at_many_moments_leaves_a_whole_index(scenario, tmp_path):
    def attempt(i: int, at: float):
        work = tmp_path / f"k{i}"
        work.mkdir()
        return one_kill(scenario["base"], work, scenario["new"], at, scenario["old"],
                        scenario["new_texts"])

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        # How long a run takes with WORKERS running side by side, as they will below.
        full = list(pool.map(attempt, range(WORKERS), [1e9] * WORKERS))
        t = min(k.seconds for k in full)
        moments = [t * (0.02 + 1.03 * i / (KILLS - 1)) for i in range(KILLS)]
        kills = list(pool.map(attempt, range(WORKERS, WORKERS + KILLS), moments))
        # On a shared machine runs speed up and slow down: runs that ended before their kill
        # tell how long a run now takes; kill again, spread over that, until enough landed.
        for extra in range(40):
            if sum(k.killed for k in kills) >= MIN_KILLED:
                break
            finished = [k.seconds for k in kills if not k.killed and k.seconds]
            now = min(finished + [t])
            kills.append(attempt(WORKERS + KILLS + extra, now * (0.05 + 0.85 * (extra % 10) / 9)))
    assert all(k.state == "new" for k in full)
    killed = [k for k in kills if k.killed]   # an invariant failure would have raised
    states = {s: sum(k.state == s for k in killed) for s in ("old", "partial", "new")}
    print(f"\nkills survived {len(killed)}/{len(killed)} (a run takes {t:.1f} s; kills from "
          f"{moments[0]:.2f} to {moments[-1]:.2f} s; {len(kills) - len(killed)} runs had "
          f"finished first; state after the kill: {states})")
    assert len(killed) >= MIN_KILLED
    late = [k for k in killed if k.at >= 0.8 * t]
    assert states["old"] and late, "the kills did not spread over the whole run"


def test_a_killed_add_resumes_without_re_embedding_what_it_committed(scenario, tmp_path):
    index = tmp_path / "index"
    shutil.copytree(scenario["base"], index)
    # Kill it right after its first commit, so some documents are already in.
    out = _run_with_crash(index, scenario["new"], "commit", 2)
    assert out.returncode == -9
    assert check_invariant(index, scenario["old"], scenario["new_texts"]) == "partial"
    done = json.loads(subprocess.run(add_command(index, scenario["new"]) + ["--format", "json"],
                                     capture_output=True, check=True, text=True).stdout)
    ref = scenario["report"]
    assert done["unchanged"] > ref["unchanged"]
    assert done["passages_embedded"] < ref["passages_embedded"]
    assert check_invariant(index, scenario["old"], scenario["new_texts"]) == "new"
    assert verify_index(index).problems == []      # leftovers gone, manifest in step


# -- kills at exact steps of the write protocol ---------------------------------------
CRASHER = textwrap.dedent("""
    import os, signal, sys
    from diplosearch.store import vectors, writer
    point, nth, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    seen = {"n": 0}

    def hit(name):
        if name == point:
            seen["n"] += 1
            if seen["n"] == nth:
                os.kill(os.getpid(), signal.SIGKILL)

    def wrap(module, attr, name, before):
        real = getattr(module, attr)
        def wrapper(*args, **kwargs):
            if before:
                hit(name)
            result = real(*args, **kwargs)
            if not before:
                hit(name)
            return result
        setattr(module, attr, wrapper)

    wrap(vectors, "write_segment", "segment", before=False)   # file durable, not committed
    wrap(writer, "_sync_manifest", "commit", before=True)   # committed, manifest stale
    wrap(writer, "_sync_manifest", "manifest", before=False)
    wrap(writer, "remove_orphans", "compacted", before=True)  # old segments not deleted
    if point == "old-moved":      # the two-rename fallback, where renameat2 is missing
        from pathlib import Path
        from diplosearch.store import recovery
        recovery._exchange = lambda a, b: False
        real_rename = Path.rename
        def rename(self, target):
            moved = real_rename(self, target)
            if ".old-" in str(target):
                hit("old-moved")
            return moved
        Path.rename = rename
    if point == "exchanged":
        from diplosearch.store import recovery
        real_exchange = recovery._exchange
        def exchange(a, b):
            done = real_exchange(a, b)
            if done:
                hit("exchanged")
            return done
        recovery._exchange = exchange
    real_add = writer.add_sources
    writer.add_sources = lambda *a, **k: real_add(*a, **{**k, "batch_passages": batch})
    from diplosearch.cli import app
    app(sys.argv[4:], prog_name="diplosearch")
""")


def _run_with_crash(index: Path, sources: Path, point: str, nth: int, batch: int = 100,
                    command: list[str] | None = None) -> subprocess.CompletedProcess:
    args = command or ["index", "add", str(sources), "--index", str(index), "--model",
                       "hashing", "--no-progress", "--replace-same-name"]
    return subprocess.run([sys.executable, "-c", CRASHER, point, str(nth), str(batch), *args],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("point, nth, expect", [
    ("segment", 1, "old"),           # a segment file written, no commit yet
    ("commit", 1, "partial"),        # first batch committed, manifest not yet rewritten
    ("manifest", 1, "partial"),
    ("segment", 3, "partial"),
    ("commit", 3, "partial"),
    ("compacted", 1, "new"),         # compaction committed, replaced files not yet deleted
])
def test_sigkill_at_each_step_of_an_add(scenario, tmp_path, point, nth, expect):
    index = tmp_path / "index"
    shutil.copytree(scenario["base"], index)
    out = _run_with_crash(index, scenario["new"], point, nth)
    assert out.returncode == -9, out.stderr    # it really was killed at that step
    assert check_invariant(index, scenario["old"], scenario["new_texts"]) == expect
    problems = verify_index(index).problems      # leftovers of the kill, if any, are
    assert all(p.severity == "warning" for p in problems)    # harmless and reported


@pytest.mark.parametrize("point", ["commit", "manifest", "compacted"])
def test_sigkill_during_remove(scenario, tmp_path, point):
    src = tmp_path / "src"
    src.mkdir()
    big = sorted(scenario["new"].iterdir())[0]
    shutil.copy(big, src)
    (src / "note.txt").write_text("A short note on the agenda of the meeting of the Council.\n")
    index = tmp_path / "index"
    ds.build_index([src], index, model=ds.HashingEmbedder())
    before = doc_texts(index)
    after = {k: v for k, v in before.items() if k != big.name}
    # Removing the big document leaves most vectors dead, so the remove compacts too.
    out = _run_with_crash(index, src, point, 1,
                          command=["index", "remove", big.name, "--index", str(index)])
    assert out.returncode == -9, out.stderr
    assert check_invariant(index, before, after) == "new"


@pytest.mark.parametrize("point, expect", [
    ("segment", "old"),      # mid-build: the old index is untouched
    ("exchanged", "new"),    # swapped in, the old one not yet deleted
    ("old-moved", "old"),    # fallback swap: old moved aside, new not yet in place
])
def test_sigkill_during_build_replace(scenario, tmp_path, point, expect):
    index = tmp_path / "index"
    shutil.copytree(scenario["base"], index)
    command = ["index", "build", str(scenario["new"]), "--name", str(index), "--replace",
               "--model", "hashing", "--no-progress"]
    out = _run_with_crash(index, scenario["new"], point, 1, command=command)
    assert out.returncode == -9, out.stderr
    if point == "old-moved":
        with pytest.raises(ds.IndexNotFoundError, match="index repair"):
            ds.open_index(index, model=ds.HashingEmbedder())
        assert repair_index(index).actions[0].startswith("put back")
    assert check_invariant(index, scenario["old"], scenario["new_texts"]) == expect
    def leftovers() -> list[str]:
        return sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("."))

    assert leftovers() or point == "old-moved"
    ds.build_index([scenario["new"]], index, model=ds.HashingEmbedder(), replace=True)
    assert leftovers() == []       # the next build deleted what the killed one left
    assert check_invariant(index, scenario["old"], scenario["new_texts"]) == "new"
