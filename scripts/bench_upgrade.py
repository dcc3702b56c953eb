#!/usr/bin/env python3
"""The time of `index upgrade` (adding multilingual vectors to an index built without them)
against rebuilding the index with them, on the same speeches, in one run.

    python scripts/bench_upgrade.py [--files 100]

Builds the speeches with the bundled English model and `multilingual=False`, times
`upgrade_index` on it (the multilingual model over every stored passage; the English
vectors are kept), then times a full build with multilingual vectors, and checks that the
upgraded index holds the rebuilt one's multilingual vectors (same ids and languages).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
from speech_slice import copy_speeches  # noqa: E402  (scripts/speech_slice.py)


def ids_and_langs(index: Path) -> list[tuple]:
    db = sqlite3.connect(index / "passages.sqlite")
    try:
        return db.execute("SELECT passage_id, lang FROM multilingual_vectors ORDER BY 1").fetchall()
    finally:
        db.close()


def main() -> None:
    import diplosearch as ds

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        corpus = copy_speeches(out / "corpus", args.files)
        started = time.perf_counter()
        _, report = ds.build_index(corpus, out / "old", multilingual=False)
        english = time.perf_counter() - started
        started = time.perf_counter()
        upgrade = ds.upgrade_index(out / "old")
        upgraded = time.perf_counter() - started
        started = time.perf_counter()
        ds.build_index(corpus, out / "new", multilingual=True)
        rebuilt = time.perf_counter() - started
        same = ids_and_langs(out / "old") == ids_and_langs(out / "new")
    n = report.passages_embedded
    print(f"{args.files} speeches, {n} passages")
    print(f"build without multilingual vectors: {english:6.1f} s")
    print(f"index upgrade (adds {upgrade.multilingual_vectors} multilingual vectors): "
          f"{upgraded:6.1f} s = {upgrade.multilingual_vectors / upgraded:5.1f} passages/s")
    print(f"rebuild with multilingual vectors:  {rebuilt:6.1f} s "
          f"(upgrade takes {upgraded / rebuilt:.2f}x a rebuild)")
    print(f"upgraded index has the rebuilt one's multilingual ids and languages: {same}")
    print(f"({os.cpu_count()} CPUs; load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} at the end)")
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
