"""Indexes read by someone who may not write them: a user without write permission, and a
read-only disk. Run for real, as the `diplosearch` command in a subprocess:

- no permission: the index is `chmod -R a-w`; as root (CI runs as root, and root writes
  anywhere) the command runs with every capability dropped (`setpriv`), so the file
  permissions bind it as they bind any other user;
- read-only disk: the index's folder is bind-mounted read-only in a private mount
  namespace (`unshare -rm`), where every write fails with EROFS.

Where a mechanism is missing the test skips, saying why; where `CI` is set it fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

import diplosearch as ds
from diplosearch.store import writer
from diplosearch.store.locking import writer_lock
from diplosearch.store.manifest import read_manifest
from tests.store.crash_helpers import CORPUS

PROBE = "Quetzalcoatl observers monitored the Zanzibar ceasefire with xylophone drones."
MOUNT = 'mount --bind -o ro "$0" "$0" && exec "$@"'


def _unavailable(why: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{why}; CI must run this test")
    pytest.skip(why)


def _tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under `folder` with its size and modification time."""
    return {str(f.relative_to(folder)): (f.stat().st_size, f.stat().st_mtime_ns)
            for f in sorted(folder.rglob("*")) if f.is_file()}


def _chmod(folder: Path, write: bool) -> None:
    for f in [folder, *folder.rglob("*")]:
        mode = f.stat().st_mode
        f.chmod(mode | 0o200 if write else mode & ~0o222)


class Reader:
    """Runs the command as someone who may not write under `folder`."""

    def __init__(self, kind: str, folder: Path) -> None:
        self.kind, self.folder = kind, folder
        self.prefix: list[str] = []
        if kind == "no permission" and os.geteuid() == 0:
            if not shutil.which("setpriv"):
                _unavailable("setpriv (util-linux) is missing: cannot drop root's capabilities")
            self.prefix = ["setpriv", "--inh-caps=-all", "--bounding-set=-all", "--"]
        elif kind == "read-only disk":
            if not shutil.which("unshare"):
                _unavailable("unshare (util-linux) is missing: cannot mount read-only")
            self.prefix = ["unshare", "-rm", "sh", "-c", MOUNT, str(folder)]

    def lock(self) -> None:
        """Take write access away (for the permission case), and check it is gone."""
        if self.kind == "no permission":
            _chmod(self.folder, write=False)
        probe = subprocess.run([*self.prefix, "sh", "-c", f'touch "{self.folder}/probe"'],
                               capture_output=True, text=True)
        if probe.returncode == 0:
            (self.folder / "probe").unlink()
            _unavailable(f"{self.kind}: a write under {self.folder} still succeeded here")
        if "Read-only file system" not in probe.stderr and "Permission denied" not in probe.stderr:
            _unavailable(f"{self.kind}: cannot be set up here ({probe.stderr.strip()})")

    @contextmanager
    def writable(self):
        """For the test's own writes in between."""
        if self.kind == "no permission":
            _chmod(self.folder, write=True)
        try:
            yield
        finally:
            if self.kind == "no permission":
                _chmod(self.folder, write=False)

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*self.prefix, sys.executable, "-m", "diplosearch", *args],
                              capture_output=True, text=True, timeout=300)

    def python(self, code: str, *args: str, **kw) -> subprocess.Popen:
        return subprocess.Popen([*self.prefix, sys.executable, "-c", code, *args], text=True,
                                **kw)


@pytest.fixture(params=["no permission", "read-only disk"])
def reader(request, tmp_path):
    folder = tmp_path / "shared-drive"
    folder.mkdir()
    yield Reader(request.param, folder)
    _chmod(folder, write=True)   # so that pytest can delete it


def _sources(tmp_path: Path) -> tuple[Path, Path, Path]:
    """`base/` (5 transcripts), `more/` (3 more) and `probe/` (a document of its own)."""
    names = sorted(p.name for p in CORPUS.iterdir())[:8]
    base, more, probe = tmp_path / "base", tmp_path / "more", tmp_path / "probe"
    for folder, chosen in ((base, names[:5]), (more, names[5:]), (probe, [])):
        folder.mkdir()
        for name in chosen:
            shutil.copy(CORPUS / name, folder / name)
    (probe / "probe.txt").write_text(PROBE + "\n")
    return base, more, probe


def _make(index: Path, history: str, base: Path, *more: Path) -> None:
    hashing = ds.HashingEmbedder()
    ds.build_index([base, *(more if history == "built" else [])], index, model=hashing)
    if history != "built":   # `add` leaves the database in WAL mode
        ds.open_index(index, model=hashing).add(list(more))
    if history == "added, removed":
        ds.open_index(index, model=hashing).remove(sorted(p.name for p in base.iterdir())[0])


@pytest.mark.parametrize("history", ["built", "added", "added, removed"])
def test_every_reading_command_works_without_write_access(reader, tmp_path, history):
    index = reader.folder / "team"
    _make(index, history, *_sources(tmp_path))
    reader.lock()
    before = _tree(reader.folder)
    i = ["--index", str(index)]
    search = reader.run("search", PROBE, *i, "--model", "hashing", "-k", "3", "-f", "jsonl")
    assert search.returncode == 0, search.stderr
    assert '"source": "probe.txt"' in search.stdout.splitlines()[0]
    for args in (["show", "probe.txt ¶1", *i], ["index", "info", *i, "--documents"],
                 ["index", "export", *i, "-f", "csv"]):
        out = reader.run(*args)
        assert out.returncode == 0, (args, out.stderr)
        assert "probe.txt" in out.stdout
    verify = reader.run("index", "verify", *i)
    assert verify.returncode == 0, verify.stdout
    assert ": OK; read-only for you" in verify.stdout.splitlines()[0]
    assert _tree(reader.folder) == before


def test_every_write_command_ends_with_one_line_and_changes_nothing(reader, tmp_path):
    base, more, probe = _sources(tmp_path)
    index = reader.folder / "team"
    _make(index, "added", base, more, probe)
    reader.lock()
    before = _tree(reader.folder)
    i = ["--index", str(index)]
    for args in (["index", "build", str(base), "--name", str(index), "--replace"],
                 ["index", "build", str(base), "--name", str(reader.folder / "new")],
                 ["index", "add", str(base), *i], ["index", "remove", "probe.txt", *i],
                 ["index", "repair", *i], ["index", "optimize", *i],
                 ["index", "upgrade", str(index)]):
        out = reader.run(*args, *(["--model", "hashing"] if args[1] == "build" else []))
        assert out.returncode == 1, (args, out.stderr)
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (args, out.stderr)
        assert ("read-only for you" if reader.kind == "no permission"
                else "read-only file system") in lines[0], lines[0]
        assert "nothing was changed" in lines[0]
    assert _tree(reader.folder) == before


def test_verify_says_unreadable_for_you_not_damaged(tmp_path, seed_dir):
    reader = Reader("no permission", tmp_path / "drive")
    reader.folder.mkdir()
    index = reader.folder / "team"
    ds.build_index([seed_dir], index, model=ds.HashingEmbedder())
    (index / "passages.sqlite").chmod(0)
    reader.lock()
    out = reader.run("index", "verify", "--index", str(index))
    _chmod(reader.folder, write=True)
    assert out.returncode == 1
    assert "NOT CHECKED (you may not read all of it)" in out.stdout.splitlines()[0]
    assert "DAMAGED" not in out.stdout and "rebuild" not in out.stdout.lower()


READER = """
import sys
import diplosearch as ds
idx = ds.open_index(sys.argv[1], model=ds.HashingEmbedder())
for _ in range(2):
    hits = idx.search(sys.argv[2], k=1, mode="keyword")
    print(type(idx.db).__name__, hits[0].source if hits else None, flush=True)
    sys.stdin.readline()
"""


def test_a_reader_without_write_access_sees_what_a_writer_commits_later(reader, tmp_path):
    """Readers that cannot write beside a WAL database read it `immutable`, which SQLite
    does not guard against writers; they notice a writer came and open it again. (On a
    read-only mount, the writer writes through another mount of the same disk.)"""
    base, more, probe = _sources(tmp_path)
    index = reader.folder / "team"
    _make(index, "added", base, more)   # WAL mode, no probe yet
    reader.lock()
    proc = reader.python(READER, str(index), PROBE, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE)
    try:
        first = proc.stdout.readline().split()
        with reader.writable(), writer_lock(index):
            writer.add_sources(index, read_manifest(index), ds.HashingEmbedder(),
                               writer.file_items([probe]))
        proc.stdin.write("\n")
        proc.stdin.flush()
        second = proc.stdout.readline().split()
        proc.communicate("\n", timeout=60)
    finally:
        proc.kill()
    assert first == ["FrozenConnection", "None"]
    assert second == ["FrozenConnection", "probe.txt"]
