"""Keyword, hybrid, filters, grouping and reranking (hashing embedder, exact expectations)."""


import numpy as np
import pytest

import diplosearch as ds
from diplosearch.retrieval import fusion, keyword, paragraphs, ranking
from tests.conftest import QUESTION


@pytest.fixture
def seed_index(seed_dir, hashing):
    return ds.build_index([seed_dir], "seed", model=hashing)[0]


@pytest.mark.parametrize("query, expression", [
    ("Operation Mercury", '"operation" OR "mercury"'),
    ("the return of the fighters", '"return" OR "fighters"'),
    ("S/PV.8699 and resolution 2178", '"s pv 8699" OR "resolution" OR "2178"'),
    ('"rapid reaction" force', '"rapid reaction" OR "force"'),
    ("NEAR( AND OR * ^", '"near"'),
    ("the and of", None),
])
def test_match_expressions_are_safe_and_keep_symbols_whole(query, expression):
    assert keyword.match_expression(query) == expression


def test_keyword_mode_finds_exact_terms(seed_index):
    hits = seed_index.search("Operation Mercury", k=3, mode="keyword")
    assert hits[0].paragraph == 9 and "Operation Mercury" in hits[0].text
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert seed_index.search("Mercury", k=5, mode="keyword", highlight=True)[0].highlights


def test_keyword_index_stays_in_step_with_adds_and_removes(seed_index, seed_dir):
    f = seed_dir / "unsc_2019-09-25_csto_semerikov.txt"
    f.write_text(f.read_text().replace("Operation Mercury", "Operation Zephyr"))
    seed_index.add([seed_dir])
    assert seed_index.search("Mercury", mode="keyword") == []
    assert seed_index.search("Zephyr", mode="keyword")[0].paragraph == 9
    seed_index.remove(f.name)
    assert seed_index.search("Zephyr", mode="keyword") == []
    count = seed_index.db.execute("SELECT COUNT(*) FROM passages_fts").fetchone()[0]
    assert count == 0


def test_hybrid_is_the_default_and_fuses_both_lists(seed_index):
    from diplosearch.retrieval import pipeline

    hybrid = seed_index.search(QUESTION, k=3)
    # both retrievers' first 100 parts, fused; then the signals after fusion that apply
    # here (a record without a symbol: no meeting or paragraph evidence; no date named)
    sem = pipeline.vector_top(seed_index.vectors, seed_index.embedder.embed([QUESTION]), 100, None)
    kw = keyword.search(seed_index.db, QUESTION, 100)
    settings = ranking.RANKING
    fused = fusion.score_fusion(sem, kw)
    fused = ranking.with_procedural_penalty(seed_index.db, fused, settings.procedural_penalty)
    fused = ranking.with_paragraph_evidence(seed_index.db, fused, settings.paragraph_evidence,
                                            settings.evidence_symbols)
    fused = ranking.with_statement_repeat(seed_index.db, fused, settings.statement_repeat)
    expected = paragraphs.best_per_paragraph(seed_index.db, fused)[:3]
    assert [(h.id, round(h.score, 9)) for h in hybrid] == \
        [(i, round(min(s, 1.0), 9)) for i, s in expected]      # scores shown in [0, 1]
    assert hybrid[0].paragraph == 9
    rrf = seed_index.search(QUESTION, k=3, fusion="rrf")   # no signal after RRF
    expected = paragraphs.best_per_paragraph(seed_index.db, fusion.rrf([sem, kw]))[:3]
    assert [h.id for h in rrf] == [i for i, _ in expected]


def test_rrf_and_score_fusion_by_hand():
    a, b = [(1, 0.9), (2, 0.5), (3, 0.1)], [(3, 12.0), (1, 2.0)]
    fused = dict(fusion.rrf([a, b], k=60))
    assert fused[1] == pytest.approx(1 / 61 + 1 / 62)
    assert fused[3] == pytest.approx(1 / 63 + 1 / 61)
    assert fused[2] == pytest.approx(1 / 62)
    scored = dict(fusion.score_fusion(a, b, weight=0.5))
    assert scored[1] == pytest.approx(0.5 * 1.0 + 0.5 * 0.0)
    assert scored[3] == pytest.approx(0.5 * 0.0 + 0.5 * 1.0)
    assert scored[2] == pytest.approx(0.5 * 0.5)


@pytest.fixture
def countries(tmp_path, hashing):
    """300 one-statement files; only 3 are Uruguay's, dated 2020, 2021 and 2022."""
    folder = tmp_path / "many"
    folder.mkdir()
    rng = np.random.default_rng(1)
    words = "peace security council sanctions ceasefire humanitarian access elections".split()
    for i in range(300):
        country = "Uruguay" if i % 100 == 7 else f"Country {i % 11}"
        text = " ".join(rng.choice(words, 12)) + "."
        (folder / f"s{i:03d}.txt").write_text(f"Mr. Speaker{i} ({country}): {text}\n")
        year = 2020 + (i % 100 == 7) * (i // 100)
        (folder / f"s{i:03d}.txt.meta.json").write_text(
            f'{{"date": "{year}-05-01", "body": "Security Council"}}')
    return ds.build_index([folder], "many", model=hashing)[0]


@pytest.mark.parametrize("mode", ["semantic", "keyword", "hybrid"])
def test_a_narrow_filter_still_returns_k_hits(countries, mode):
    hits = countries.search("peace and security", k=3, mode=mode, country="uruguay")
    assert len(hits) == 3 and {h.affiliation for h in hits} == {"Uruguay"}
    assert len(countries.search("peace security", k=10, mode=mode, country="Uruguay")) == 3


def test_date_speaker_doc_filters(countries):
    hits = countries.search("peace", k=10, mode="semantic", country="Uruguay", since="2021")
    assert sorted(h.date for h in hits) == ["2021-05-01", "2022-05-01"]
    assert len(countries.search("peace", k=10, country="Uruguay", until="2020-12")) == 1
    assert [h.speaker for h in countries.search("peace", speaker="Speaker107")] == ["Mr. Speaker107"]
    assert {h.source for h in countries.search("peace", k=50, doc="s29")} == {
        f"s29{i}.txt" for i in range(10)}
    with pytest.raises(ds.QueryError, match="YYYY"):
        countries.search("peace", since="last May")
    with pytest.raises(ds.QueryError, match="month must be"):
        countries.search("peace", until="2020-13")


def test_group_by_country_gives_one_best_passage_per_country(countries):
    hits = countries.search("sanctions", k=5, group_by="country", mode="semantic")
    assert len(hits) == 5 and len({h.affiliation for h in hits}) == 5
    best = countries.search("sanctions", k=1, mode="semantic")[0]
    assert hits[0].id == best.id
    two = countries.search("sanctions", k=4, group_by="country", per_group=2)
    assert len(two) == 8 and all(two[i].affiliation == two[i + 1].affiliation for i in (0, 2, 4, 6))


@pytest.mark.parametrize("kwargs, message", [
    ({"mode": "fuzzy"}, "mode 'fuzzy'"),
    ({"fusion": "max"}, "fusion 'max'"),
    ({"group_by": "colour"}, "group_by 'colour'"),
    ({"k": 0}, "k must be at least 1"),
])
def test_bad_options_are_refused(seed_index, kwargs, message):
    with pytest.raises(ds.QueryError, match=message):
        seed_index.search("x", **kwargs)


def test_rerank_with_a_tiny_local_cross_encoder(seed_index, tmp_path):
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    from diplosearch.embed.models import default_model_path

    folder = tmp_path / "tiny-ce"
    tokenizer = BertTokenizerFast(vocab_file=str(default_model_path() / "vocab.txt"))
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=16, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=32, num_labels=1)
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    hits = seed_index.search(QUESTION, k=5, rerank=str(folder))
    from diplosearch.embed.rerank import cross_encoder_scores

    candidates = seed_index.search(QUESTION, k=50)
    expected = cross_encoder_scores(str(folder), QUESTION, [h.text for h in candidates])
    order = sorted(range(len(candidates)), key=lambda i: -expected[i])[:5]
    assert [h.id for h in hits] == [candidates[i].id for i in order]
    assert [h.raw_score for h in hits] == pytest.approx([expected[i] for i in order], abs=1e-5)
    with pytest.raises(ds.ModelLoadError, match="cannot load reranker"):
        seed_index.search(QUESTION, rerank=str(tmp_path / "nothing-here"))
