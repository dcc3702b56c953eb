"""Shared indexes are data, never code: a tampered index is refused or repaired, never
obeyed. Also `index verify` and `index repair` on every kind of damage."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import diplosearch as ds
from diplosearch.store import writer, vectors
from diplosearch.cli import app
from diplosearch.errors import IndexDamagedError, ModelMismatchError
from diplosearch.store.manifest import read_manifest
from diplosearch.store.repair import repair_index
from diplosearch.store.verify import verify_index
from tests.conftest import QUESTION

SRC = Path(__file__).resolve().parents[2] / "src" / "diplosearch"


@pytest.fixture
def built(tmp_path, seed_dir, hashing):
    """An index of the seed statement plus a second document, and its answer to QUESTION."""
    (seed_dir / "note.txt").write_text("The Council met to discuss piracy off the coast of "
                                       "Somalia and the safety of shipping lanes.\n")
    idx, _ = ds.build_index([seed_dir], tmp_path / "idx", model=hashing)
    return idx.path, [(h.id, h.text, round(h.score, 5)) for h in idx.search(QUESTION, k=5)]


def _answers(path: Path, hashing) -> list:
    idx = ds.open_index(path, model=hashing)
    return [(h.id, h.text, round(h.score, 5)) for h in idx.search(QUESTION, k=5)]


def _edit_manifest(path: Path, **changes) -> None:
    m = json.loads((path / "manifest.json").read_text())
    m.update(changes)
    (path / "manifest.json").write_text(json.dumps(m))


def _sql(path: Path, sql: str, *args) -> None:
    db = sqlite3.connect(path / "passages.sqlite")
    db.execute(sql, args)
    db.commit()
    db.close()


def _segment(path: Path) -> Path:
    (seg,) = (path / "vectors").iterdir()
    return seg


def _errors(path: Path) -> list[str]:
    return [p.what for p in verify_index(path).problems if p.severity == "error"]


def test_a_whole_index_verifies_clean_from_the_cli(built):
    path, _ = built
    out = CliRunner().invoke(app, ["index", "verify", "--index", str(path)])
    assert out.exit_code == 0 and out.stdout.startswith(f"{path}: OK; generation")
    assert "warning" not in out.stdout
    data = json.loads(CliRunner().invoke(app, ["index", "verify", "-i", str(path),
                                               "--format", "json"]).stdout)
    assert data["ok"] is True and data["problems"] == [] and data["passages"] > 10


def test_no_code_runs_on_load_anywhere_in_the_library():
    source = "\n".join(f.read_text() for f in SRC.rglob("*.py"))
    assert not re.search(r"^\s*(import|from)\s+(c?pickle|dill|joblib|marshal)\b", source, re.M)
    assert "allow_pickle=True" not in source and "trust_remote_code=True" not in source
    assert "faiss.read_index" not in source     # segment files are parsed, never deserialised
    assert "trust_remote_code=False" in (SRC / "embed" / "models.py").read_text()


@pytest.mark.parametrize("field, value", [
    ("model", ds.DEFAULT_MODEL), ("dimension", 512), ("max_tokens", 64), ("min_tokens", 1)])
def test_a_manifest_edited_after_the_build_is_refused_then_repaired(built, hashing, field,
                                                                     value):
    path, answers = built
    _edit_manifest(path, **{field: value})
    with pytest.raises(IndexDamagedError, match="manifest.json does not match"):
        ds.open_index(path).vectors           # readers refuse it (before any model loads)
    assert any("disagrees with the index database" in e for e in _errors(path))
    with pytest.raises(IndexDamagedError, match="verify"):  # writers refuse it too
        writer.add_sources(path, read_manifest(path), hashing,
                             writer.file_items([path.parent / "seed"]))
    assert "restored manifest.json" in repair_index(path).actions[0]
    assert _answers(path, hashing) == answers and _errors(path) == []


def test_manifest_naming_a_model_folder_outside_the_index_is_not_loaded(built, tmp_path):
    path, _ = built
    evil = tmp_path / "evil-model"
    evil.mkdir()
    (evil / "config.json").write_text('{"auto_map": {"AutoModel": "evil.Model"}}')
    (evil / "evil.py").write_text(f"open({str(tmp_path / 'pwned')!r}, 'w')\n")
    _edit_manifest(path, model=str(evil))
    with pytest.raises(ModelMismatchError, match="only loaded when you name it yourself"):
        ds.open_index(path)
    out = CliRunner().invoke(app, ["search", "x", "--index", str(path)])
    assert out.exit_code == 1 and "pass --model" in out.stderr
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("content, problem", [
    ("{not json", "unreadable manifest"),
    (json.dumps({"format": "diplosearch-index", "model": "x"}), "missing fields"),
    ("[1, 2]", "not a diplosearch index manifest"),
])
def test_broken_manifests_give_one_line_and_repair_rewrites_them(built, hashing, content,
                                                                 problem):
    path, answers = built
    (path / "manifest.json").write_text(content)
    out = CliRunner().invoke(app, ["search", QUESTION, "--index", str(path)])
    assert out.exit_code == 1 and problem in out.stderr and len(out.stderr.splitlines()) == 1
    assert "rewrote the unreadable manifest.json" in repair_index(path).actions[0]
    assert _answers(path, hashing) == answers


@pytest.mark.parametrize("field, value", [
    ("dimension", "384; DROP TABLE passages"), ("dimension", -1), ("max_tokens", True),
    ("counts", "many"), ("format_version", "1"), ("model", ""), ("metric", "l2"),
])
def test_manifest_fields_of_the_wrong_type_are_refused(built, field, value):
    path, _ = built
    _edit_manifest(path, **{field: value})
    with pytest.raises(IndexDamagedError, match="manifest"):
        ds.open_index(path, model=ds.HashingEmbedder()).search(QUESTION)


def test_manifest_ahead_of_the_database_means_swapped_files(built):
    path, _ = built
    _edit_manifest(path, generation=999)
    assert any("generation 999" in e for e in _errors(path))
    with pytest.raises(IndexDamagedError, match="later state"):
        ds.open_index(path, model=ds.HashingEmbedder()).add([path.parent / "seed"])


@pytest.mark.parametrize("name", ["../../../../etc/passwd", "/etc/passwd", "seg-1.faiss/..",
                                  "..", "seg-zz.faiss", "vectors/seg-0123456789abcdef.faiss"])
def test_a_segment_name_pointing_outside_vectors_is_never_opened(built, hashing, name):
    path, answers = built
    _sql(path, "UPDATE segments SET file = ?", name)
    with pytest.raises(IndexDamagedError, match="not a segment name"):
        ds.open_index(path, model=hashing).search(QUESTION)
    assert any("not a segment name" in e for e in _errors(path))
    report = repair_index(path)          # its vectors are lost: re-embedded from the text
    assert report.reembedded > 0 and _answers(path, hashing) == answers


def test_a_symlinked_segment_is_refused(built, hashing, tmp_path):
    path, answers = built
    seg = _segment(path)
    outside = tmp_path / "outside.faiss"
    shutil.move(seg, outside)
    seg.symlink_to(outside)
    with pytest.raises(IndexDamagedError, match="cannot open vector segment"):
        ds.open_index(path, model=hashing).search(QUESTION)
    assert _errors(path)
    repair_index(path)
    assert _answers(path, hashing) == answers and outside.exists()   # never written to


@pytest.mark.parametrize("damage", ["truncate", "flip", "swap", "delete", "garbage"])
def test_damaged_vector_files_are_caught_and_repaired_exactly(built, hashing, tmp_path,
                                                              seed_dir, damage):
    path, answers = built
    seg = _segment(path)
    data = seg.read_bytes()
    if damage == "truncate":
        seg.write_bytes(data[: len(data) // 2])
    elif damage == "flip":            # same size, one vector changed: only the checksum sees it
        seg.write_bytes(data[:200] + bytes([data[200] ^ 0x40]) + data[201:])
    elif damage == "swap":            # another index's segment file, renamed to this one
        other, _ = ds.build_index([seed_dir / "note.txt"], tmp_path / "other", model=hashing)
        shutil.copy(_segment(other.path), seg)
    elif damage == "delete":
        seg.unlink()
    else:
        seg.write_bytes(os.urandom(len(data)))
    errors = [p for p in verify_index(path).problems if p.severity == "error"]
    assert errors and all("index repair" in p.fix for p in errors)
    if damage != "flip":              # the normal open path checks sizes and headers too
        with pytest.raises(IndexDamagedError, match="index verify"):
            ds.open_index(path, model=hashing).search(QUESTION)
    report = repair_index(path)
    assert report.reembedded > 0 and _errors(path) == []
    assert _answers(path, hashing) == answers


def test_extra_files_are_ignored_reported_and_never_read(built, hashing):
    path, answers = built
    (path / "evil.pkl").write_bytes(b"cos\nsystem\n(S'touch /tmp/pwned'\ntR.")
    (path / "vectors" / "seg-00000000000000ff.faiss").write_bytes(b"junk")
    (path / "vectors" / "README").write_text("not ours")
    assert _answers(path, hashing) == answers
    problems = verify_index(path).problems
    assert {p.severity for p in problems} == {"warning"} and len(problems) == 3
    ds.open_index(path, model=hashing).add([path.parent / "seed"])   # a writer tidies up ours
    assert not (path / "vectors" / "seg-00000000000000ff.faiss").exists()
    assert (path / "vectors" / "README").exists() and (path / "evil.pkl").exists()


def test_stored_source_paths_are_never_opened(built, hashing):
    path, answers = built
    _sql(path, "UPDATE documents SET path = '/etc/shadow', key = '../../../etc/shadow' "
               "WHERE key != 'note.txt'")
    idx = ds.open_index(path, model=hashing)
    hit = idx.search(QUESTION, k=1)[0]
    assert hit.source == "../../../etc/shadow" and hit.text == answers[0][1]
    assert idx.show(hit.id).hit.text == hit.text[slice(*hit.span)]   # the matched part
    assert verify_index(path).ok


def test_vectors_that_are_not_unit_length_are_caught(built, hashing):
    path, answers = built
    seg = _segment(path)
    data = bytearray(seg.read_bytes())
    np.frombuffer(data, dtype="<f4", count=384, offset=82)[:] = np.nan  # first vector
    seg.write_bytes(bytes(data))
    assert any("checksum differs" in e for e in _errors(path))
    _sql(path, "UPDATE segments SET sha256 = ?", vectors.file_sha256(seg))  # a careful forger
    assert any("not unit length" in e for e in _errors(path))
    repair_index(path)
    assert _answers(path, hashing) == answers


@pytest.mark.parametrize("name", [".lock", ".manifest.json.tmp", "passages.sqlite-wal",
                                  "passages.sqlite-journal", "vectors", "passages.sqlite"])
def test_links_planted_in_an_index_are_never_written_through(built, hashing, tmp_path, name):
    path, answers = built
    victim = tmp_path / "victim"
    if name == "vectors":
        shutil.copytree(path / "vectors", victim)
        shutil.rmtree(path / "vectors")
    elif name == "passages.sqlite":
        shutil.move(path / name, victim)
    else:
        victim.write_text("precious\n")
    before = sorted((p.name, p.read_bytes()) for p in victim.rglob("*")) \
        if victim.is_dir() else victim.read_bytes()
    (path / name).symlink_to(victim)
    with pytest.raises(IndexDamagedError, match="symbolic link"):
        ds.open_index(path, model=hashing).add([path.parent / "seed"])
    after = sorted((p.name, p.read_bytes()) for p in victim.rglob("*")) \
        if victim.is_dir() else victim.read_bytes()
    assert after == before
    assert any("symbolic link" in e for e in _errors(path))
    if not name.startswith(("vectors", "passages.sqlite")) or "-" in name:
        repair_index(path)            # links at scratch names are simply deleted
        assert _answers(path, hashing) == answers and not (path / name).is_symlink()
