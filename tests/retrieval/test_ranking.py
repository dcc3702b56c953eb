"""The signals applied after fusion (retrieval/ranking.py): soft priors from what a question
names, paragraph and meeting evidence. Hashing embedder; real 2020 speeches with their
metadata table, so they carry dates and countries."""

import pytest

import diplosearch as ds
from diplosearch.retrieval import ranking


@pytest.fixture(scope="module")
def dated_index(tmp_path_factory, shared):
    speeches = shared / "corpus" / "unsc_2020_pires" / "speeches_txt_2020"
    files = sorted(speeches.glob("UNSC_2020_SPV.8700_spch00[1-6].txt")) + \
        sorted(speeches.glob("UNSC_2020_SPV.8725_spch00[1-6].txt"))
    return ds.build_index(files, tmp_path_factory.mktemp("home") / "dated",
                          model=ds.HashingEmbedder(), multilingual=False)[0]


def index_of(tmp_path, docs: dict[str, str], multilingual=False):
    """An index of `docs` (file name → text), hashing embedder."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, text in docs.items():
        (folder / name).write_text(text, encoding="utf-8")
    return ds.build_index([folder], tmp_path / "ix", model=ds.HashingEmbedder(),
                          multilingual=multilingual)[0]


def first_of(idx, month: str) -> int:
    return idx.db.execute("SELECT p.id FROM passages p JOIN documents d ON d.id = p.doc_id "
                          "WHERE d.date LIKE ? ORDER BY p.id LIMIT 1", (f"2020-{month}-%",)).fetchone()[0]


def test_a_named_month_lifts_its_passages_and_drops_none(dated_index):
    jan, feb = first_of(dated_index, "01"), first_of(dated_index, "02")
    pairs = [(feb, 0.5), (jan, 0.45)]
    lifted = ranking.with_priors(dated_index.db, pairs, "aid to Syria in January 2020", "en", 0.2, 0)
    assert [p for p, _ in lifted] == [jan, feb]
    assert dict(lifted)[jan] == pytest.approx(0.65) and dict(lifted)[feb] == 0.5
    assert ranking.with_priors(dated_index.db, pairs, "en février 2020", "fr", 0.2, 0)[0][0] == feb
    assert ranking.with_priors(dated_index.db, pairs, "aid to Syria", "en", 0.2, 0) == pairs


def test_a_named_country_lifts_its_statements(dated_index):
    rows = dated_index.db.execute("SELECT id, affiliation FROM passages WHERE affiliation "
                                  "IS NOT NULL GROUP BY affiliation ORDER BY id").fetchall()
    (a, country_a), (b, _) = rows[0], rows[1]
    pairs = [(b, 0.5), (a, 0.45)]
    question = f"What did {country_a} say?"
    assert ranking.with_priors(dated_index.db, pairs, question, "en", 0, 0.1)[0][0] == a


def test_paragraph_evidence_counts_a_second_part(dated_index):
    # two parts of one paragraph and one part of another: the paragraph answering twice wins
    parts = dated_index.db.execute("SELECT id, doc_id, paragraph FROM passages WHERE parts > 1 "
                                   "ORDER BY doc_id, paragraph, part").fetchall()
    one, two = parts[0], parts[1]
    assert (one[1], one[2]) == (two[1], two[2])
    other = next(p for p in parts if (p[1], p[2]) != (one[1], one[2]))
    pairs = [(other[0], 0.6), (one[0], 0.5), (two[0], 0.4)]
    assert ranking.with_paragraph_evidence(dated_index.db, pairs, 0.6) == \
        [(one[0], pytest.approx(0.74)), (other[0], 0.6), (two[0], 0.4)]   # parts kept
    assert ranking.with_paragraph_evidence(dated_index.db, pairs, 0.6, ("S/PV.",))[0][0] == one[0]
    assert ranking.with_paragraph_evidence(dated_index.db, pairs, 0.6, ("A/",)) == pairs


def test_expansion_words_mark_the_best_passages_against_the_index(dated_index):
    from diplosearch.retrieval import keyword
    from diplosearch.text.wordsplit import STOPWORDS

    texts = [r[0] for r in dated_index.db.execute(
        "SELECT p.text FROM passages p JOIN documents d ON d.id = p.doc_id "
        "WHERE d.key LIKE '%8700%' ORDER BY p.id LIMIT 6")]
    words = keyword.expansion(dated_index.db, texts, 8)
    assert 0 < len(words) <= 8
    for word in words:
        assert word not in STOPWORDS
        assert sum(word in set(t.lower().replace(",", " ").replace(".", " ").split())
                   for t in texts) >= 2 or sum(word in t.lower() for t in texts) >= 2
    assert keyword.expansion(dated_index.db, texts[:1], 8) == []   # one passage marks nothing


def test_a_foreign_question_on_english_records_gets_an_english_keyword_side(monkeypatch, tmp_path):
    from diplosearch.retrieval import keyword
    from tests.retrieval.test_crosslingual import DOCS, FakeMultilingual

    idx = index_of(tmp_path, DOCS, FakeMultilingual())
    asked = []
    real = keyword.expansion
    monkeypatch.setattr(keyword, "expansion", lambda db, texts, n: asked.append(n) or real(db, texts, n))
    assert idx.search("пластик океанов", k=1)[0].source == "oceans.txt"
    assert asked == [ranking.RANKING.expansion_terms]
    idx.search("пластик океанов", k=1, mode="semantic")
    assert len(asked) == 1
    idx.search("plastic in the oceans", k=1)   # English: feedback from the fused list's best
    assert len(asked) == 2
    idx.search("plastic in the oceans", k=1, mode="semantic")
    assert len(asked) == 2


FEEDBACK_DOCS = {
    "a1.txt": "Humanitarian access for civilians in Idlib depends on the convoys through Bab "
              "al-Hawa, the last crossing open to the United Nations.",
    "a2.txt": "We call for humanitarian access: civilians in Idlib need the convoys that cross "
              "at Bab al-Hawa every week.",
    "a3.txt": "Without humanitarian access the civilians of Idlib starve; keep the Bab al-Hawa "
              "convoys moving.",
    "c.txt": "The electoral commission said that access to polling stations in the north "
             "would be improved before the vote in May, and that observers would be deployed.",
    "d.txt": "The Council renewed the mandate of the mission in Mali for one year.",
    "e.txt": "Piracy off the coast of Somalia has fallen since the naval patrols began.",
    "f.txt": "The Committee examined the budget of the tribunal for the coming biennium.",
    # weak matches of one feedback word each: the weakest candidates of the feedback list
    "g.txt": "The ceasefire agreed in March between the guarantors has largely held, although "
             "shelling continued near Idlib and the talks on the constitution stalled again.",
    "h.txt": "Our delegation thanks the briefers, and recalls that the convoys of the "
             "monitoring mission must be allowed to patrol the whole line of contact freely.",
    "z.txt": "Last month 1,200 trucks of convoys crossed at Bab al-Hawa into Idlib; the Bab "
             "al-Hawa convoys to Idlib go on.",
}


def test_an_english_question_gets_keyword_feedback_from_its_best_passages(monkeypatch, tmp_path):
    from dataclasses import replace

    from diplosearch.retrieval import keyword, pipeline

    idx = index_of(tmp_path, FEEDBACK_DOCS)
    asked = []
    real = keyword.expansion
    monkeypatch.setattr(keyword, "expansion",
                        lambda db, texts, n: asked.append(len(texts)) or real(db, texts, n))
    question = "humanitarian access for civilians"
    # the trucks report shares no word with the question, only the words its best
    # passages share (convoys, Bab al-Hawa, Idlib): the feedback puts it right after them
    assert [h.source for h in idx.search(question, k=4)][3] == "z.txt"
    assert asked == [ranking.RANKING.english_feedback]
    monkeypatch.setattr(ranking, "RANKING", replace(ranking.RANKING, english_feedback_weight=0.0))
    assert "z.txt" not in [h.source for h in idx.search(question, k=5)]
    assert len(asked) == 1                     # weight 0: no feedback asked for


def test_a_date_filter_that_finds_nothing_says_which_dates_the_index_holds(dated_index):
    found = dated_index.search("Syria", since="2021")
    assert list(found) == []
    assert "holds 2020-01-10 to 2020-02-" in found.note
    assert dated_index.search("Syria", since="2020").note == ""


def test_short_procedural_turns_are_lowered_not_removed():
    import sqlite3

    from diplosearch.retrieval import ranking

    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE passages (id INTEGER PRIMARY KEY, text TEXT)")
    db.executemany("INSERT INTO passages VALUES (?, ?)", [
        (1, "I now give the floor to the representative of Yemen."),
        (2, "The blockade of Yemen's ports must be lifted to let fuel and food in."),
        (3, "I thank Mr. Griffiths for his briefing."),
        (4, "I call on all parties to respect the ceasefire in Hodeidah, which remains fragile "
            "and must hold if the talks are to resume; " + "the talks " * 40)])
    pairs = [(1, 0.9), (3, 0.85), (2, 0.8), (4, 0.7)]
    lowered = ranking.with_procedural_penalty(db, pairs, 0.2)
    assert [p for p, _ in lowered] == [2, 1, 4, 3]
    assert dict(lowered)[4] == 0.7          # "I call on all parties ...": long, not a turn
    assert ranking.with_procedural_penalty(db, pairs, 0.0) == pairs


def test_a_statements_later_paragraphs_come_after_other_statements_best():
    import sqlite3

    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE passages (id INTEGER PRIMARY KEY, doc_id INTEGER, statement INTEGER,"
               " paragraph INTEGER)")
    db.executemany("INSERT INTO passages VALUES (?, ?, ?, ?)", [
        (1, 1, 1, 1), (2, 1, 1, 1),      # two parts of one paragraph of statement 1
        (3, 1, 1, 2), (4, 1, 2, 1),      # statement 1's second paragraph; statement 2
        (5, 2, None, 4), (6, 2, None, 7)])   # a document without turns: one statement
    pairs = [(1, 0.9), (2, 0.85), (3, 0.8), (5, 0.6), (6, 0.5), (4, 0.4)]
    placed = ranking.with_statement_repeat(db, pairs, 0.3)
    assert [p for p, _ in placed] == [1, 2, 5, 3, 4, 6]       # 3 as 0.5, 6 as 0.2
    assert [s for _, s in placed] == [0.9, 0.85, 0.6, 0.8, 0.4, 0.5]   # their own scores
    alone = [(1, 0.9), (3, 0.8)]                 # one statement: its order and scores kept
    assert ranking.with_statement_repeat(db, alone, 0.3) == alone
    assert ranking.with_statement_repeat(db, pairs, 0.0) == pairs


def test_the_first_hits_show_each_statement_once_before_any_second_paragraph(tmp_path,
                                                                           monkeypatch):
    from dataclasses import replace

    # the long speech's paragraphs fuse at 1.0, the short ones at about 0.5
    monkeypatch.setattr(ranking, "RANKING", replace(ranking.RANKING, statement_repeat=1.0))
    folder = tmp_path / "speeches"
    folder.mkdir()
    line = "The cholera vaccination campaign reached district {} with cholera vaccines."
    (folder / "long.txt").write_text("\n\n".join(line.format(n) for n in range(8)))
    for n in range(6):
        (folder / f"short{n}.txt").write_text(line.format(10 + n))
    for n in range(3):
        (folder / f"other{n}.txt").write_text(f"Fisheries quotas and maritime borders, round {n}.")
    idx = ds.build_index([folder], tmp_path / "home", model=ds.HashingEmbedder(),
                         multilingual=False)[0]
    hits = idx.search("cholera vaccination campaign", k=7)
    assert len({h.source for h in hits}) == 7          # one paragraph of each statement
    more = idx.search("cholera vaccination campaign", k=14)
    assert [h.id for h in more[:7]] == [h.id for h in hits]
    assert [h.source for h in more].count("long.txt") > 1    # its others come after
    assert [h.score for h in more] == sorted((h.score for h in more), reverse=True)
    # grouped, each hit shows its own score: the long speech's others are not capped
    grouped = idx.search("cholera vaccination campaign", k=1, group_by="doc", per_group=3)
    assert [h.source for h in grouped] == ["long.txt"] * 3
    assert min(h.score for h in grouped) > max(h.score for h in more[7:])


def test_ten_hits_are_ten_statements_when_ten_match(dated_index):
    hits = dated_index.search("the humanitarian situation and the political process", k=10)
    statements = {(h.source, h.statement) for h in hits}
    assert len(hits) == 10 and len(statements) == 10
    more = dated_index.search("the humanitarian situation and the political process", k=40)
    assert [h.id for h in more[:10]] == [h.id for h in hits]
    assert len({(h.source, h.statement) for h in more}) < 40   # seconds come later


def test_meeting_evidence_lifts_the_statements_of_a_meeting_that_answers(dated_index):
    jan, feb = first_of(dated_index, "01"), first_of(dated_index, "02")
    others = [pid for (pid,) in dated_index.db.execute(
        "SELECT p.id FROM passages p JOIN documents d ON d.id = p.doc_id "
        "WHERE d.date LIKE '2020-01-%' AND p.id != ? ORDER BY p.id LIMIT 3", (jan,))]
    pairs = [(feb, 0.6), (jan, 0.5)] + [(pid, 0.5) for pid in others]
    lifted = dict(ranking.with_meeting_evidence(dated_index.db, pairs, 0.3, 3, ("S/PV.",)))
    assert lifted[jan] == pytest.approx(0.65) and lifted[feb] == pytest.approx(0.6 + 0.3 * 0.2)
    assert ranking.with_meeting_evidence(dated_index.db, pairs, 0.3, 3, ("A/",)) == \
        sorted(pairs, key=lambda item: (-item[1], item[0]))       # no record of that kind


def test_lifted_scores_keep_their_gaps_instead_of_tying_at_one(dated_index):
    hits = dated_index.search("the humanitarian situation and the political process", k=5)
    raw = [h.raw_score for h in hits]
    assert raw[0] > 1.0                      # meeting and paragraph evidence lifted it
    assert hits[0].score == 1.0 and all(h.score < 1.0 for h in hits[1:] if h.raw_score < raw[0])
    assert [h.score for h in hits] == pytest.approx([r / raw[0] for r in raw])


def test_names_and_numbers_no_passage_holds_are_said(tmp_path):
    idx = index_of(tmp_path, {**FEEDBACK_DOCS,
                              "r.txt": "The Council adopted resolution 2532 on the ceasefire."})
    found = idx.search("resolution 2533", k=3)
    assert list(found) and "holds 2533" in found.note          # hits still come, with the note
    assert "2532" not in idx.search("resolution 2532", k=3).note
    assert "holds Xyzland:" in idx.search("How did Xyzland vote on the convoys?", k=3).note
    assert idx.search("What did Idlib need?", k=3).note == ""   # "What": no name; Idlib: held
    assert idx.search("1,200 trucks at S/PV.8699", k=3).note == ""   # parts of a number or symbol
