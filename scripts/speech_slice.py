"""The first N Security Council speeches of 2020, copied into a folder: the corpus slice the
build benchmarks index (scripts/bench_upgrade.py, bench_distributed.py, bench_gloss.py)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

SPEECHES = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / \
    "unsc_2020_pires" / "speeches_txt_2020"


def copy_speeches(folder: Path, count: int) -> Path:
    """Copy the first `count` speeches (by file name) into `folder`, made here; returns it."""
    folder.mkdir(parents=True)
    for name in sorted(os.listdir(SPEECHES))[:count]:
        shutil.copy(SPEECHES / name, folder / name)
    return folder
