"""One writer at a time; readers keep answering, correctly, while another process writes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import diplosearch as ds
from diplosearch.store import writer, snapshot
from diplosearch.errors import IndexLockedError, SegmentMissingError
from diplosearch.store.locking import writer_lock
from diplosearch.store.manifest import read_manifest
from diplosearch.store.verify import describe, verify_index
from tests.store.crash_helpers import CORPUS, make_base

PROBE = ("Quetzalcoatl observers monitored the Zanzibar ceasefire along the Limpopo "
         "corridor with xylophone drones.")


def _cli(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    out = subprocess.run([sys.executable, "-m", "diplosearch", *args], capture_output=True,
                         text=True, timeout=300)
    if check:
        assert out.returncode == 0, out.stderr
    return out


@pytest.fixture
def corpus(tmp_path):
    """`base/`: 40 transcripts and a probe document; `more1..4/`: 40 more each."""
    names = sorted(p.name for p in CORPUS.iterdir())[:200]
    folders = {}
    for i, name in enumerate(("base", "more1", "more2", "more3", "more4")):
        folders[name] = tmp_path / name
        folders[name].mkdir()
        for n in names[40 * i: 40 * (i + 1)]:
            shutil.copy(CORPUS / n, folders[name] / n)
    (folders["base"] / "probe.txt").write_text(PROBE + "\n")
    return folders


def _check(idx: ds.Index, hashing, query_vec) -> int:
    """One search, checked: the probe is found first with its exact cosine score, scores
    are in order, and every hit's score is its matched part's similarity (vector and text
    from the same committed state). Returns the number of passages seen."""
    hits = idx.search(PROBE, k=10, mode="semantic")
    assert len(hits) == 10
    assert hits[0].source == "probe.txt" and hits[0].score == pytest.approx(1.0, abs=1e-5)
    scores = [h.raw_score for h in hits]
    assert scores == sorted(scores, reverse=True)
    texts = hashing.embed([h.text[slice(*h.span)] for h in hits])   # the matched parts
    assert np.allclose(texts @ query_vec, scores, atol=1e-4)
    idx.search("humanitarian access in Syria", k=5)       # hybrid, the default
    return len(idx.vectors)


def test_searches_during_writes_never_fail_or_go_wrong(corpus, tmp_path, hashing):
    index = tmp_path / "index"
    ds.build_index([corpus["base"]], index, model=hashing)
    idx = ds.open_index(index, model=hashing)   # a notebook holding the index open
    query_vec = hashing.embed([PROBE])[0]
    sizes = [_check(idx, hashing, query_vec)]
    commands = [["index", "add", str(corpus[f"more{i}"]), "--index", str(index), "--model",
                 "hashing", "--no-progress"] for i in range(1, 5)]
    first = sorted(p.name for p in corpus["more1"].iterdir())[0]
    commands.append(["index", "remove", first, "--index", str(index)])
    failures: list[str] = []

    def write() -> None:
        for cmd in commands:
            out = _cli(*cmd, check=False)
            if out.returncode:
                failures.append(out.stderr)

    cli_searches = {"n": 0, "errors": 0}

    def cli_search() -> None:
        while writer.is_alive():
            out = _cli("search", PROBE, "--index", str(index), "--model", "hashing",
                       "--mode", "semantic", "-k", "3", "--format", "jsonl", check=False)
            cli_searches["n"] += 1
            ok = out.returncode == 0 and json.loads(out.stdout.splitlines()[0])["source"]
            cli_searches["errors"] += ok != "probe.txt"

    writer = threading.Thread(target=write)
    writer.start()
    searcher = threading.Thread(target=cli_search)
    searcher.start()
    errors, verified = 0, 0
    while writer.is_alive():
        try:
            sizes.append(_check(idx, hashing, query_vec))
            if len(sizes) % 25 == 0:      # `index verify` too sees one whole state
                report = verify_index(index)
                assert report.ok, describe(report)
                verified += 1
        except Exception:     # counted, then shown: the figure says how many
            errors += 1
            raise
    searcher.join()
    sizes.append(_check(idx, hashing, query_vec))
    print(f"\n{len(sizes)} in-process searches (x2 modes) and {cli_searches['n']} CLI searches "
          f"during {len(commands)} writes; errors: {errors} in-process, "
          f"{cli_searches['errors']} CLI; {verified} verifies, all clean; index grew "
          f"{sizes[0]} -> {max(sizes)} passages")
    assert not failures, failures
    assert errors == 0 and cli_searches["errors"] == 0
    assert len(set(sizes)) >= 3           # the open index picked up new states by itself
    assert sizes[-1] == idx.info()["passages"] == len(idx.vectors)
    assert not any(h.source == first for h in idx.search(PROBE, k=400, mode="semantic"))


def test_a_reader_survives_a_compaction_deleting_files_it_has_not_read(tmp_path, corpus, hashing):
    index = tmp_path / "index"
    make_base(corpus["base"], index)                # 41 segments
    idx = ds.open_index(index, model=hashing)
    idx.search(PROBE, k=3)
    db = idx.db
    with snapshot.snapshot(db):
        before = snapshot.generation(db)             # the snapshot is now fixed here
        names = [n for _, n, _ in db.execute("SELECT id, file, rows FROM segments")]
        with writer_lock(index):                    # another writer compacts meanwhile
            writer.add_sources(index, read_manifest(index), hashing,
                                 writer.file_items([corpus["more1"]]), batch_passages=1)
        assert not any((index / "vectors" / n).exists() for n in names)
        loaded, generation = snapshot.load_vectors(index, db, 384)
        assert generation > before and len(loaded) == idx.info()["passages"]


def test_a_vanished_segment_with_no_new_commit_is_reported_not_retried(tmp_path, seed_dir, hashing):
    idx, _ = ds.build_index([seed_dir], tmp_path / "index", model=hashing)
    for f in (idx.path / "vectors").iterdir():
        f.unlink()
    with pytest.raises(SegmentMissingError, match="index verify"):
        idx.search("terrorist fighters")


def test_second_writer_is_refused_with_a_clear_line_or_waits(tmp_path, seed_dir, hashing):
    index = tmp_path / "index"
    ds.build_index([seed_dir], index, model=hashing)
    add = ["index", "add", str(seed_dir), "--index", str(index), "--model", "hashing"]
    with writer_lock(index):
        out = _cli(*add, check=False)
        assert out.returncode == 1
        assert out.stderr.strip().splitlines() == [
            f"error: {index}: another process (pid {os.getpid()}) is writing to "
            "this index; try again when it finishes (or pass --wait SECONDS)"]
        with pytest.raises(IndexLockedError):
            ds.open_index(index, model=hashing).add([seed_dir], wait=0.3)
        started = time.monotonic()
        waiter = subprocess.Popen([sys.executable, "-m", "diplosearch", *add, "--wait", "60"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)
        assert waiter.poll() is None               # still waiting for the lock
    _, err = waiter.communicate(timeout=120)
    assert waiter.returncode == 0, err
    assert "1 unchanged" in err and time.monotonic() - started >= 1.5
