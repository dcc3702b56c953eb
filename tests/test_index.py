"""Tier 1: the whole index lifecycle with the deterministic hashing embedder."""

import json
import shutil

import pytest

import diplosearch as ds
from diplosearch.store import database
from tests.conftest import QUESTION


@pytest.fixture
def seed_index(seed_dir, hashing):
    idx, report = ds.build_index([seed_dir], "seed", model=hashing)
    return idx


def test_build_reports_and_describes_itself(seed_index, isolated_home):
    info = seed_index.info()
    assert seed_index.path == isolated_home / "seed"
    assert info["model"] == ds.HashingEmbedder.name and info["dimension"] == 384
    assert info["documents"] == 1 and info["passages"] == seed_index.manifest.counts["passages"]
    manifest = json.loads((seed_index.path / "manifest.json").read_text())
    assert manifest["format"] == "diplosearch-index" and manifest["normalized"] is True
    assert not list(seed_index.path.rglob("*.pkl"))


def test_search_returns_cited_hits_in_score_order(seed_index):
    hits = seed_index.search(QUESTION, k=5, mode="semantic")
    assert len(hits) == 5
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    top = hits[0]
    assert top.paragraph == 9 and "foreign terrorist fighters" in top.text
    assert top.citation.startswith("unsc_2019-09-25_csto_semerikov.txt ¶9")
    assert top.citation.endswith("— Mr. Semerikov (Collective Security Treaty Organization)")
    # raw scores are cosine similarities of normalised vectors; scores are in [0, 1]
    q = ds.HashingEmbedder().embed([QUESTION])[0]
    v = ds.HashingEmbedder().embed([top.text[slice(*top.span)]])[0]   # the matched part
    assert top.raw_score == pytest.approx(float(q @ v), abs=1e-5) and top.score == 1.0


def test_adding_unchanged_files_embeds_nothing(seed_index, seed_dir):
    report = seed_index.add([seed_dir])
    assert report.unchanged == ["unsc_2019-09-25_csto_semerikov.txt"]
    assert report.passages_embedded == 0


def test_changing_a_file_re_embeds_only_what_changed(seed_index, seed_dir):
    before = {h.id: h.text for h in seed_index.search(QUESTION, k=100)}
    f = seed_dir / "unsc_2019-09-25_csto_semerikov.txt"
    text = f.read_text()
    f.write_text("A new opening paragraph about drug trafficking.\n\n" +
                 text.replace("Operation Mercury", "Operation Mercury-2"))
    report = seed_index.add([seed_dir])
    assert report.updated == [f.name]
    # one new paragraph + the two parts of the edited paragraph; the old parts are gone
    assert report.passages_embedded == 3 and report.passages_removed <= 2
    hits = seed_index.search("Operation Mercury-2", k=100)
    assert len(hits) == len(before) + report.passages_embedded - report.passages_removed
    kept = {h.id for h in hits} & set(before)
    assert all(before[i] == next(h.text for h in hits if h.id == i) for i in kept)
    shifted = next(h for h in hits if h.text.startswith("Given the threat posed"))
    assert shifted.paragraph == 9 and shifted.id in before   # renumbered, not re-embedded


def test_repeated_boilerplate_keeps_one_vector_per_occurrence(tmp_path, hashing):
    f = tmp_path / "rep.txt"
    f.write_text("The meeting rose at noon.\nThe meeting rose at noon.\n")
    idx, _ = ds.build_index([f], "rep", model=hashing, min_tokens=1)
    assert idx.info()["passages"] == 2
    f.write_text("The meeting rose at noon.\nSomething else entirely was said here.\n"
                 "The meeting rose at noon.\n")
    report = idx.add([f])
    assert (report.passages_embedded, report.passages_reused) == (1, 2)


def test_remove_by_key_symbol_or_path(tmp_path, hashing):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "S-RES-1887(2009).txt").write_text("The Security Council decides.")
    (tmp_path / "src" / "notes.txt").write_text("Some notes on the meeting.")
    idx, _ = ds.build_index([tmp_path / "src"], "two", model=hashing)
    assert idx.remove("S/RES/1887 (2009)") == ["S-RES-1887(2009).txt"]
    assert [h.source for h in idx.search("Security Council", k=5)] == ["notes.txt"]
    with pytest.raises(ds.NotFoundError):
        idx.remove("S/RES/1887 (2009)")
    idx.remove(str(tmp_path / "src" / "notes.txt"))
    assert idx.info()["passages"] == 0 and idx.search("anything", k=3) == []


def test_segments_compact_when_most_vectors_are_dead(tmp_path, hashing):
    f = tmp_path / "a.txt"
    f.write_text("First version of the text.")
    idx, _ = ds.build_index([f], "c", model=hashing)
    for i in range(4):
        f.write_text(f"Version {i} of the text is entirely different now.")
        idx.add([f])
        stored = sum(rows for _, _, rows in database.segments(idx.db))
        assert stored <= 2 * idx.info()["passages"]   # dead vectors never outnumber live ones
    files = list((idx.path / "vectors").iterdir())
    assert len(files) < 5 and len(files) == len(database.segments(idx.db))
    assert [h.text[:9] for h in idx.search("Version", k=5)] == ["Version 3"]


def test_model_mismatch_is_refused(seed_index):
    with pytest.raises(ds.ModelMismatchError, match="built with model"):
        ds.open_index("seed", model="sentence-transformers/all-MiniLM-L6-v2")


def test_unknown_model_in_a_manifest_needs_the_user_to_name_it(seed_index):
    path = seed_index.path / "manifest.json"
    data = json.loads(path.read_text())
    data["model"] = "someone/else"
    path.write_text(json.dumps(data))
    with pytest.raises(ds.ModelMismatchError, match="pass --model"):
        ds.open_index("seed")


def test_existing_index_is_not_overwritten_without_replace(seed_index, seed_dir, hashing):
    with pytest.raises(ds.IndexExistsError):
        ds.build_index([seed_dir], "seed", model=hashing)
    idx, _ = ds.build_index([seed_dir], "seed", model=hashing, replace=True)
    assert idx.info()["documents"] == 1


def test_interrupted_build_leaves_the_previous_index_usable(seed_index, seed_dir, hashing):
    before = seed_index.search(QUESTION, k=3)

    def explode(kind, n):
        if kind == "passages":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ds.build_index([seed_dir], "seed", model=hashing, replace=True, progress=explode)
    again = ds.open_index("seed").search(QUESTION, k=3)
    assert [h.id for h in again] == [h.id for h in before]
    assert [p.name for p in seed_index.path.parent.iterdir()] == ["seed"]


def test_bad_files_are_skipped_and_reported(tmp_path, seed_dir, hashing):
    (seed_dir / "empty.txt").write_bytes(b"")
    (seed_dir / "random.txt").write_bytes(bytes(range(256)) * 4)
    idx, report = ds.build_index([seed_dir], "s", model=hashing)
    assert sorted((p.rsplit("/", 1)[1], why.split(" ")[0]) for p, why in report.skipped) == [
        ("empty.txt", "file"), ("random.txt", "looks")]
    assert report.added == ["unsc_2019-09-25_csto_semerikov.txt"]


def test_nothing_indexable_is_an_error(tmp_path, hashing):
    (tmp_path / "only").mkdir()
    (tmp_path / "only" / "empty.txt").write_bytes(b"")
    with pytest.raises(ds.NoSourcesError, match="empty.txt: file is empty"):
        ds.build_index([tmp_path / "only"], "x", model=hashing)
    assert not (tmp_path / "home" / "x").exists()


def test_show_by_citation_and_by_id(seed_index):
    hit = seed_index.search(QUESTION, k=1)[0]
    ctx = seed_index.show(hit.citation, context=1)
    assert ctx.hit.id == hit.id
    assert [n for n, _ in ctx.paragraphs] == [8, 9, 10]
    assert "Operation Mercury" in dict(ctx.paragraphs)[9]
    assert seed_index.show(str(hit.id), context=0).paragraphs[0][0] == 9
    with pytest.raises(ds.NotFoundError):
        seed_index.show("unsc_2019-09-25_csto_semerikov.txt ¶99")
    with pytest.raises(ds.QueryError):
        seed_index.show("not a citation")


@pytest.mark.parametrize("query", ["", "   ", "\n"])
def test_empty_query_is_refused(seed_index, query):
    with pytest.raises(ds.QueryError, match="query is empty"):
        seed_index.search(query)


def test_damaged_indexes_give_clear_errors(seed_index):
    with pytest.raises(ds.IndexNotFoundError, match="no index here"):
        ds.open_index("nope")
    (seed_index.path / "manifest.json").write_text("{not json")
    with pytest.raises(ds.IndexDamagedError, match="unreadable manifest"):
        ds.open_index("seed")
    shutil.copytree(seed_index.path, seed_index.path.parent / "copy")
    (seed_index.path.parent / "copy" / "manifest.json").write_text(
        json.dumps({"format": "diplosearch-index", "model": ds.HashingEmbedder.name,
                    "dimension": 384, "max_tokens": 128, "min_tokens": 16,
                    "created_at": "", "updated_at": ""}))
    (seed_index.path.parent / "copy" / database.DB_NAME).write_bytes(b"garbage" * 100)
    with pytest.raises(ds.IndexDamagedError, match="not a readable index database"):
        ds.open_index("copy").search("x")


def test_results_convert_for_notebooks(seed_index):
    hits = seed_index.search(QUESTION, k=3, highlight=True)
    frame = hits.to_frame()
    assert list(frame["citation"]) == [h.citation for h in hits]
    assert "<mark>" in hits._repr_html_() and "score" in repr(hits)
    (start, end), = hits[0].highlights
    assert hits[0].text[start:end].endswith((".", "?", "!", ";")) or end == len(hits[0].text)
    assert json.loads(hits.to_json())[0]["highlights"] == [[start, end]]


def test_html_repr_escapes_document_text(tmp_path, hashing):
    f = tmp_path / "x.txt"
    f.write_text("<script>alert('x')</script> is a transcript line about security.")
    idx, _ = ds.build_index([f], "x", model=hashing)
    html = idx.search("security", k=1)._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_bundled_index_is_read_only():
    idx = ds.open_index()
    with pytest.raises(ds.ReadOnlyIndexError):
        idx.add(["whatever"])
    assert idx.manifest.model == ds.DEFAULT_MODEL


def test_list_indexes_shows_built_and_bundled(seed_index):
    rows = ds.list_indexes()
    assert {r["name"] for r in rows} >= {"seed", "default"}
    assert next(r for r in rows if r["name"] == "seed")["passages"] == seed_index.info()["passages"]


def test_unchanged_files_are_skipped_before_any_model_work(seed_index, seed_dir):
    class Untouchable(ds.HashingEmbedder):
        def embed(self, texts):
            raise AssertionError("embedded an unchanged file")

        def count_tokens(self, texts):
            raise AssertionError("split an unchanged file")

    idx = ds.open_index("seed", model=Untouchable())
    assert idx.add([seed_dir]).unchanged == ["unsc_2019-09-25_csto_semerikov.txt"]


def test_show_labels_merged_paragraphs_and_has_no_score(tmp_path, hashing):
    f = tmp_path / "m.txt"
    f.write_text("A first paragraph that is long enough to stand on its own as a passage here.\n"
                 "Thanks.\nAnother paragraph that is long enough to stand on its own as well.\n")
    idx, _ = ds.build_index([f], "m", model=hashing, min_tokens=4)
    ctx = idx.show("m.txt ¶2", context=1)
    assert [ctx.label(n) for n, _ in ctx.paragraphs] == ["¶1", "¶2–3"]
    assert ctx.hit.score is None and ctx.to_dict()["hit"]["score"] is None
