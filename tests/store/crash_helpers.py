"""Shared by tests/store/test_crash.py and scripts/crash_kills.py: a corpus for `index add`
runs that take a few seconds, a base index with many segments (so the add ends with a
compaction), and the invariant a killed writer must leave behind."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import diplosearch as ds
from diplosearch.store import writer, snapshot
from diplosearch.store.locking import writer_lock
from diplosearch.store.manifest import read_manifest
from diplosearch.store.verify import describe, verify_index

from tests.conftest import REPO  # noqa: E402
CORPUS = REPO.parent / "shared" / "corpus" / "unsc_2020_pires" / "speeches_txt_2020"
EXTRA = "The Council also heard a further statement on the humanitarian situation.\n"


def make_sources(root: Path, old_files: int, new_files: int, changed: int) -> tuple[Path, Path]:
    """`old/` (what the base index holds) and `new/` (the same files, `changed` of them
    edited, plus `new_files` more): adding `new/` updates, re-uses and adds passages."""
    names = sorted(os.listdir(CORPUS))[: old_files + new_files]
    old, new = root / "old", root / "new"
    old.mkdir(parents=True)
    new.mkdir(parents=True)
    for i, name in enumerate(names):
        text = (CORPUS / name).read_bytes()
        if i < old_files:
            (old / name).write_bytes(text)
        if i < changed:
            text = text.replace(b"Council", b"Security Council", 1) + EXTRA.encode()
        (new / name).write_bytes(text)
    return old, new


def make_base(sources: Path, index: Path) -> None:
    """An index of `sources` with one segment per file, so the next add compacts."""
    hashing = ds.HashingEmbedder()
    first = sorted(sources.iterdir())[0]
    ds.build_index([first], index, model=hashing)
    with writer_lock(index):
        writer.add_sources(index, read_manifest(index), hashing,
                             writer.file_items([sources]), batch_passages=1)


def doc_texts(index: Path) -> dict[str, tuple[str, ...]]:
    """Each document's passage texts in order, read straight from the database."""
    db = sqlite3.connect(f"{(index / 'passages.sqlite').resolve().as_uri()}?mode=ro", uri=True)
    out: dict[str, list[str]] = {}
    for key, text in db.execute("SELECT d.key, p.text FROM passages p JOIN documents d "
                                "ON d.id = p.doc_id ORDER BY d.key, p.position"):
        out.setdefault(key, []).append(text)
    db.close()
    return {k: tuple(v) for k, v in out.items()}


def check_invariant(index: Path, old: dict, new: dict) -> str:
    """Assert what a killed writer must leave; return 'old', 'new' or 'partial' (some
    documents at their new state, the rest at their old one, none half-way)."""
    report = verify_index(index)
    assert report.ok, "\n".join(describe(report))
    idx = ds.open_index(index, model=ds.HashingEmbedder())
    try:
        ids = idx.vectors.ids.tolist()
        passages = [r[0] for r in idx.db.execute("SELECT id FROM passages")]
        assert len(ids) == len(set(ids)) == len(passages) and set(ids) == set(passages)
        assert not snapshot.identity_mismatch(idx.db, idx.manifest)
        assert idx.manifest.generation <= snapshot.generation(idx.db)
        assert idx.search("humanitarian situation", k=3, mode="semantic")
    finally:
        idx.close()
    texts = doc_texts(index)
    assert set(texts) <= set(old) | set(new), "documents invented"
    assert set(old) & set(new) <= set(texts), "documents lost"
    for key, got in texts.items():
        assert got in (old.get(key), new.get(key)), f"{key} is half-way between states"
    return "old" if texts == old else "new" if texts == new else "partial"


def add_command(index: Path, sources: Path) -> list[str]:
    # `new/` holds edited copies of `old/`'s files under the same names, from another folder:
    # replacing them is what this add is for, so it says so (see store.identity)
    return [sys.executable, "-m", "diplosearch", "index", "add", str(sources), "--index",
            str(index), "--model", "hashing", "--no-progress", "--replace-same-name"]


@dataclass
class Kill:
    at: float          # seconds after start
    killed: bool       # False: the run had finished by then
    state: str         # old / new / partial, after the kill
    seconds: float     # how long the run had been going when it ended


def kill_at(cmd: list[str], at: float, cwd: Path) -> tuple[bool, float]:
    """Run `cmd`, SIGKILL it `at` seconds in. Returns (was it killed, seconds run)."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        proc.wait(timeout=at)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True, time.monotonic() - start
    err = proc.stderr.read().decode(errors="replace")
    assert proc.returncode == 0, err
    return False, time.monotonic() - start


def one_kill(base: Path, work: Path, sources: Path, at: float, old: dict, new: dict) -> Kill:
    """Copy the base index, start `index add` on it, kill it at `at`, check the copy."""
    index = work / "index"
    shutil.copytree(base, index)
    killed, ran = kill_at(add_command(index, sources), at, work)
    return Kill(at, killed, check_invariant(index, old, new), ran)
