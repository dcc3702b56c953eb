"""Ctrl-C on a real `diplosearch index build` / `index add` subprocess, sent while the
multilingual model embeds on its worker thread: the program exits 130 with one line and
no traceback (also at a second Ctrl-C), and the index is as its last commit left it. How
fast it exits is measured by scripts/bench_interrupt.py, not asserted here."""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import diplosearch as ds
from tests.store.crash_helpers import CORPUS

ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")
# The progress bar's passages-embedded count: past 0, the English model has embedded a
# batch, so the multilingual model (handed the same passages first) is busy on its thread.
EMBEDDED = re.compile(r"(\d[\d,]*)/[\d,?]+ passages")
HASHING = ["--model", "hashing", "--multilingual"]   # instant English, a real second model


def _read(fd: int, timeout: float) -> bytes:
    ready, _, _ = select.select([fd], [], [], timeout)
    try:
        return os.read(fd, 65536) if ready else b""
    except OSError:   # the program has exited and closed the terminal
        return b""


def _embedding(seen: bytes) -> bool:
    text = ANSI.sub(b"", seen).decode("utf-8", "replace")
    return any(int(n.replace(",", "")) for n in EMBEDDED.findall(text))


def interrupt(args: list[str], twice: bool) -> tuple[int, str]:
    """Run the command on a terminal (so that it draws its progress bar), send Ctrl-C once
    it is embedding (and again 0.2 s later if `twice`); its exit code and what it wrote."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "diplosearch", *args],
                            stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
    os.close(slave)
    seen, deadline = b"", time.monotonic() + 240
    try:
        while not _embedding(seen):
            assert proc.poll() is None and time.monotonic() < deadline, seen.decode()[-2000:]
            seen += _read(master, 0.05)
        proc.send_signal(signal.SIGINT)
        if twice:
            time.sleep(0.2)
            proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=120)   # a hang guard, not a timing
        seen += b"".join(iter(lambda: _read(master, 0.2), b""))
    finally:
        proc.kill()
        os.close(master)
    return code, ANSI.sub(b"", seen).decode("utf-8", "replace")


@pytest.fixture
def corpus(tmp_path) -> Path:
    """120 speeches: ~600 passages, several seconds of work for the multilingual model."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for path in sorted(CORPUS.iterdir())[:120]:
        shutil.copy(path, folder / path.name)
    return folder


def _said_once(output: str) -> None:
    assert "Traceback" not in output and "KeyboardInterrupt" not in output, output
    assert output.count("error: interrupted; the index is unchanged since its last "
                        "completed commit") == 1, output


@pytest.mark.parametrize("twice", [False, True], ids=["once", "twice"])
def test_ctrl_c_ends_a_build_and_leaves_no_index(tmp_path, corpus, twice):
    target = tmp_path / "index"
    code, output = interrupt(["index", "build", str(corpus), "--name", str(target), *HASHING],
                             twice)
    assert code == 130
    _said_once(output)
    assert not target.exists()
    if not twice:   # a second Ctrl-C may stop even the clean-up: the next build does it
        assert not list(tmp_path.glob(".index.building-*"))


def test_ctrl_c_ends_an_add_and_the_index_is_as_committed(tmp_path, corpus, seed_dir):
    target = tmp_path / "index"
    ds.build_index([seed_dir], target, model=ds.HashingEmbedder(), multilingual=True)
    before = ds.open_index(target, model=ds.HashingEmbedder()).documents()
    code, output = interrupt(["index", "add", str(corpus), "--index", str(target),
                              "--model", "hashing"], twice=True)
    assert code == 130
    _said_once(output)
    assert ds.open_index(target, model=ds.HashingEmbedder()).documents() == before
    assert ds.verify_index(target).ok
