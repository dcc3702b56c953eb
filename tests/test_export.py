"""`Index.export` / `index export` / `Index.to_frame`: every passage with its citation, in
JSON lines, CSV and Parquet, read back and compared with what `Index.passage` says."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

import diplosearch as ds
from diplosearch.cli import app
from diplosearch.retrieval import tables

runner = CliRunner()
CSTO = "Collective Security Treaty Organization"


@pytest.fixture
def seed_index(seed_dir, hashing):
    idx, _ = ds.build_index([seed_dir], "seed", model=hashing)
    return idx


def _read(path, fmt) -> list[dict]:
    if fmt == "jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    if fmt == "csv":
        with open(path, encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))
    return pytest.importorskip("pyarrow.parquet").read_table(path).to_pylist()


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_export_writes_every_passage_with_its_citation(seed_index, tmp_path, fmt):
    out = tmp_path / f"passages.{fmt}"
    n = seed_index.export(out)   # the format follows the suffix
    rows = _read(out, fmt)
    assert n == len(rows) == seed_index.info()["passages"] > 10
    assert list(rows[0]) == tables.columns() and list(rows[0])[:2] == ["id", "citation"]
    for row in rows:
        hit = seed_index.passage(int(row["id"]))
        assert row["citation"] == hit.citation and row["text"] == hit.text
    ninth = next(r for r in rows if r["citation"].startswith(
        "unsc_2019-09-25_csto_semerikov.txt ¶9"))
    assert ninth["affiliation"] == CSTO and ninth["date"] == "2019-09-25"
    assert "foreign terrorist fighters" in " ".join(
        r["text"] for r in rows if str(r["paragraph"]) == "9")
    assert not list(tmp_path.glob(".*partial"))


def test_parquet_keeps_types_and_nulls(seed_index, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    seed_index.export(tmp_path / "p.parquet")
    table = pq.read_table(tmp_path / "p.parquet")
    assert str(table.schema.field("paragraph").type) == "int64"
    assert str(table.schema.field("citation").type) == "string"
    assert table.column("page").null_count == table.num_rows   # a .txt source has no pages


def test_export_streams_in_batches_from_one_snapshot(seed_index):
    seen: list[tuple[int, int]] = []
    buf = io.StringIO()
    n = seed_index.export(buf, "jsonl", progress=lambda done, total: seen.append((done, total)),
                          batch_size=4)
    assert n == len(buf.getvalue().splitlines())
    assert [d for d, _ in seen] == list(range(4, n, 4)) + [n]   # one call per batch of 4
    assert {t for _, t in seen} == {n}
    ids = [h.id for h in seed_index.iter_passages(batch_size=3)]
    assert ids == sorted(ids) and len(ids) == n


def test_to_frame_has_one_row_per_passage(seed_index):
    pytest.importorskip("pandas")
    df = seed_index.to_frame()
    assert len(df) == seed_index.info()["passages"] and list(df.columns) == tables.columns()
    assert (df[df.paragraph == 9].affiliation == CSTO).all()


def test_cli_exports_to_stdout_and_file(seed_index, tmp_path):
    result = runner.invoke(app, ["index", "export", "-i", "seed"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == seed_index.info()["passages"] and json.loads(lines[0])["citation"]
    assert "exported" in result.stderr
    out = tmp_path / "seed.csv"
    result = runner.invoke(app, ["index", "export", "-i", "seed", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("id,citation,")


@pytest.mark.parametrize("args, message", [
    (["-f", "xml"], "is not one of jsonl, csv, parquet"),
    (["-f", "parquet"], "Parquet is written to a file"),
])
def test_cli_bad_usage_exits_2(seed_index, args, message):
    result = runner.invoke(app, ["index", "export", "-i", "seed", *args])
    assert result.exit_code == 2 and message in result.output


def test_a_failed_export_leaves_no_file(seed_index, tmp_path, monkeypatch):
    def broken(rows):
        yield from rows
        raise OSError("disk full")
    out = tmp_path / "out" / "p.csv"
    out.parent.mkdir()
    monkeypatch.setattr(tables, "_counted", lambda batches, total, progress: broken(batches))
    with pytest.raises(OSError, match="disk full"):
        seed_index.export(out)
    assert list(out.parent.iterdir()) == []


def test_a_suffix_that_names_no_format_is_refused(seed_index, tmp_path):
    out = CliRunner().invoke(app, ["index", "export", "-i", str(seed_index.path),
                                   "-o", str(tmp_path / "passages.xlsx")])
    assert out.exit_code == 2 and "the suffix .xlsx names no export format" in out.output
    assert not (tmp_path / "passages.xlsx").exists()


def test_a_hit_carries_its_meetings_topic(shared, tmp_path):
    speech = shared / "corpus" / "unsc_2020_pires" / "speeches_txt_2020" / "UNSC_2020_SPV.8710_spch001.txt"
    idx = ds.build_index([speech], tmp_path / "libya", model=ds.HashingEmbedder(),
                         multilingual=False)[0]
    hit = idx.search("Libya", k=1)[0]
    assert hit.topic == "The situation in Libya" and hit.to_dict()["topic"] == hit.topic
    assert next(idx.iter_passages()).topic == "The situation in Libya"
