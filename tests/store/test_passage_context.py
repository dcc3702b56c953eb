"""What the model reads before a resolution's passage (migration 012): the countries the
resolution is about and a subparagraph's lead-in go into its vector, never into what is
shown, cited or searched by keyword; a new context is a new vector, and vectors made later
(`repair`, `index upgrade`) read the same as the build's."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

import diplosearch as ds
from diplosearch.ingest.documents import to_passages
from diplosearch.ingest.passages import sentence_spans
from diplosearch.ingest.sources import SourceFile, read_source
from diplosearch.store import database, sentences

RESOLUTION = """United Nations
Security Council
S/RES/2140 (2014)
Resolution 2140 (2014)
Adopted by the Security Council at its 7119th meeting, on 26 February 2014
The Security Council,
Reaffirming its strong commitment to the unity and territorial integrity of {place},
Expressing concern at the ongoing challenges in {place},
Determining that the situation in {place} constitutes a threat to international peace,
Acting under Chapter VII of the Charter of the United Nations,
1. Decides that all Member States shall freeze without delay all funds owned or controlled by the individuals designated by the Committee, and calls upon all States to:
(a) report on the steps taken. Report within ninety days;
(b) inform the Committee of any exemption;
2. Decides to remain seized of the matter.
"""


def _write(folder: Path, place: str = "Yemen") -> Path:
    path = folder / "S-RES-2140(2014).txt"
    path.write_text(RESOLUTION.format(place=place), encoding="utf-8")
    return path


def _passages(path: Path):
    count = ds.HashingEmbedder().count_tokens
    return to_passages(read_source(SourceFile(path, path.name)), count, 254, min_tokens=1)


def _by_start(passages, start: str):
    return next(p for p in passages if p.text.startswith(start))


def test_a_resolution_passage_reads_its_subject_and_lead_in(tmp_path):
    passages = _passages(_write(tmp_path))
    freeze = _by_start(passages, "1. Decides")
    assert freeze.context == "Yemen: "                         # it names no country
    report = _by_start(passages, "(a) report")
    assert report.context == "Yemen: " + freeze.text + "\n"   # and leads into (a)
    assert report.embedded == report.context + report.text
    assert _by_start(passages, "Expressing concern").context is None   # names Yemen itself
    # named in two paragraphs only: the resolution is about no country
    few = RESOLUTION.format(place="Yemen").replace("integrity of Yemen", "integrity of the State")
    (tmp_path / "few").mkdir()
    (tmp_path / "few" / "S-RES-2140(2014).txt").write_text(few, encoding="utf-8")
    assert _by_start(_passages(tmp_path / "few" / "S-RES-2140(2014).txt"),
                     "1. Decides").context is None


def test_a_speech_has_no_context(tmp_path):
    path = tmp_path / "speech.txt"
    path.write_text("Mr. Smith (Ruritania): Yemen needs help. Yemen needs peace. "
                    "Yemen needs it now.\n\nA second paragraph about Yemen.\n", encoding="utf-8")
    assert all(p.context is None for p in _passages(path))


def _rows(index: ds.Index) -> list[sqlite3.Row]:
    db = sqlite3.connect(index.path / database.DB_NAME)
    db.row_factory = sqlite3.Row
    try:
        return db.execute("SELECT id, text, context FROM passages ORDER BY position").fetchall()
    finally:
        db.close()


def test_the_vector_reads_the_context_and_the_hit_shows_the_text(tmp_path, hashing):
    src = tmp_path / "src"
    src.mkdir()
    _write(src)
    index = ds.build_index([src], tmp_path / "idx", model=hashing)[0]
    rows = {r["text"]: r for r in _rows(index)}
    report = next(r for t, r in rows.items() if t.startswith("(a) report"))
    assert report["context"].startswith("Yemen: 1. Decides")
    ids = np.array([report["id"]])
    stored = index.vectors.vectors_of(ids)[0]
    assert np.allclose(stored, hashing.embed([report["context"] + report["text"]])[0])
    # its sentences are marked in the text shown, pooled where the model read them
    db = sqlite3.connect(index.path / database.DB_NAME)
    try:
        spans, vecs = sentences.read(db, [report["id"]])[report["id"]]
    finally:
        db.close()
    text = report["text"]
    assert [tuple(s) for s in spans] == sentence_spans(text)
    assert np.allclose(vecs, hashing.embed([text[s:e] for s, e in spans]), atol=1e-2)
    hit = index.search("report on the steps taken", k=1, mode="keyword")[0]
    assert hit.text.startswith("(a) report") and "Yemen" not in hit.text
    # the context is no keyword: no passage is found for Yemen by the (a) subparagraph
    assert not any(h.text.startswith("(a)") for h in index.search("Yemen", k=20, mode="keyword"))


def test_a_new_context_is_a_new_vector_and_the_same_context_keeps_it(tmp_path, hashing):
    src = tmp_path / "src"
    src.mkdir()
    path = _write(src)
    index = ds.build_index([src], tmp_path / "idx", model=hashing)[0]
    before = {r["text"]: r["id"] for r in _rows(index)}
    path.write_text(RESOLUTION.format(place="Somalia"), encoding="utf-8")
    index.add([path])
    after = {r["text"]: (r["id"], r["context"]) for r in _rows(index)}
    freeze = next(t for t in after if t.startswith("1. Decides"))
    # the same words, read now as about Somalia: embedded again
    assert after[freeze][1] == "Somalia: " and after[freeze][0] != before[freeze]
    assert after["2. Decides to remain seized of the matter."][0] != \
        before["2. Decides to remain seized of the matter."]
    index.add([path])                              # unchanged: nothing embedded
    assert {t: v[0] for t, v in after.items()} == {r["text"]: r["id"] for r in _rows(index)}


def test_repair_embeds_a_lost_vector_as_the_build_did(tmp_path, hashing):
    src = tmp_path / "src"
    src.mkdir()
    _write(src)
    index = ds.build_index([src], tmp_path / "idx", model=hashing)[0]
    ids = np.array([r["id"] for r in _rows(index)])
    built = index.vectors.vectors_of(ids)
    for segment in (index.path / "vectors").glob("seg-*"):
        segment.unlink()                          # every vector lost
    assert ds.repair_index(index.path, model=hashing).reembedded == len(ids)
    again = ds.open_index(index.path, model=hashing)
    assert np.allclose(again.vectors.vectors_of(ids), built)


def test_a_subparagraph_hit_shows_its_lead_in(tmp_path, hashing):
    from diplosearch import render
    from diplosearch.web.pages import _emphasised_hit

    src = tmp_path / "src"
    src.mkdir()
    _write(src)
    index = ds.build_index([src], tmp_path / "idx", model=hashing)[0]
    res = index.search("inform the Committee of any exemption", k=3, mode="keyword")   # (a), (b)
    hit = res[0]
    assert hit.text.startswith("(a) report") and hit.lead_in.startswith("1. Decides that all")
    assert hit.to_dict()["lead_in"] == hit.lead_in
    assert "_1\\. Decides that all" in render.markdown(res)      # above the hit, escaped
    assert _emphasised_hit(hit).startswith('<span class="lead">1. Decides')
    # the paragraph that leads in, and a paragraph of its own, have none
    assert index.search("freeze without delay all funds", k=1, mode="keyword")[0].lead_in is None
    assert index.search("remain seized", k=1, mode="keyword")[0].lead_in is None


NESTED = """United Nations
Security Council
S/RES/2009 (2011)
Resolution 2009 (2011)
The Security Council,
Acting under Chapter VII of the Charter of the United Nations,
16. Decides that the measures imposed by paragraph 17 of resolution 1970 shall not apply to funds of the entities listed, provided that:
(a) a Member State has provided notice to the Committee of its intent to authorize access to funds for one or more of the following purposes:
(i) humanitarian needs of the civilian population in every part of the country and its neighbours;
(ii) fuel, electricity and water for strictly civilian uses in the cities and in the countryside alike;
(b) a Member State has notified the Committee that those funds shall not be made available to the listed individuals;
17. Decides to remain seized of the matter.
"""


def test_a_subparagraph_of_a_subparagraph_shows_both_lead_ins(tmp_path, hashing):
    src = tmp_path / "src"
    src.mkdir()
    (src / "S-RES-2009(2011).txt").write_text(NESTED, encoding="utf-8")
    index = ds.build_index([src], tmp_path / "idx", model=hashing)[0]
    fuel = index.search("fuel electricity and water for strictly civilian uses", k=1,
                        mode="keyword")[0]
    assert fuel.text.startswith("(ii) fuel")
    opening, parent = fuel.lead_in.split("\n")
    assert opening.startswith("16. Decides") and parent.startswith("(a) a Member State")
    # (b) belongs to the paragraph's opening alone
    notified = index.search("notified the Committee that those funds", k=1, mode="keyword")[0]
    assert notified.text.startswith("(b)") and notified.lead_in.startswith("16. Decides")
    assert "\n" not in notified.lead_in
