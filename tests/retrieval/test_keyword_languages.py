"""Keyword search in the six UN languages: Chinese (no spaces), Arabic (marks, article,
letter forms), Russian (case endings), French and Spanish (accents); English exactly as
before the second keyword table (migration 009). Hashing embedder, exact expectations."""

from __future__ import annotations

import re

import pytest

import diplosearch as ds
from diplosearch.retrieval import fusion, keyword
from diplosearch.text import wordsplit
from tests.conftest import QUESTION, SEED

# One passage per file, so that each expectation names exactly one passage.
TEXTS = {
    "zh_resolution.txt": "安全理事会今天通过了第2334号决议，要求以色列立即停止在巴勒斯坦被占领土上的"
                         "一切定居点活动。",
    "zh_law.txt": "秘书长呼吁各方遵守国际法，保护平民，并通过谈判实现两国解决方案。",
    "zh_peace.txt": "中国代表表示，和平与发展是各国人民的共同愿望。中国反对一切形式的恐怖主义。",
    "ar_council.txt": "اعتمد مجلس الأمن اليوم القرار بالإجماع، وطالب جميع الأطراف بوقف إطلاق النار "
                      "فوراً.",
    "ar_civilians.txt": "وأكد الأمين العام أن حماية المدنيين مسؤولية مشتركة، ودعا إلى إيصال "
                        "المساعدات الإنسانية دون عوائق.",
    "ar_vowelled.txt": "قَالَ مُمَثِّلُ مِصْرَ إِنَّ التَّنْمِيَةَ الْمُسْتَدَامَةَ لَا تَتَحَقَّقُ بِدُونِ "
                       "السَّلَامِ.",
    "ru_resolution.txt": "Совет Безопасности единогласно принял резолюцию о гуманитарной помощи "
                         "Сирии.",
    "ru_sanctions.txt": "Представитель Российской Федерации заявил, что односторонние санкции не "
                        "решают проблему терроризма.",
    "ru_dialogue.txt": "Генеральный секретарь призвал стороны к диалогу и к соблюдению "
                       "прекращения огня.",
    "fr_civils.txt": "Le Conseil de sécurité a adopté à l'unanimité une résolution sur la "
                     "protection des civils dans les conflits armés.",
    "es_oceanos.txt": "La Asamblea General aprobó una resolución sobre el cambio climático y la "
                      "protección de los océanos.",
    "en_fighters.txt": "The Council adopted measures against foreign terrorist fighters and "
                       "their financing.",
}


@pytest.fixture
def languages(tmp_path, hashing):
    folder = tmp_path / "six"
    folder.mkdir()
    for name, text in TEXTS.items():
        (folder / name).write_text(text + "\n", encoding="utf-8")
    return ds.build_index([folder], "six", model=hashing)[0]


def _docs(index, query: str, mode: str = "keyword", k: int = 10) -> list[str]:
    return [h.doc for h in index.search(query, k=k, mode=mode)]


@pytest.mark.parametrize("query, found", [
    ("法", ["zh_law.txt"]),                      # one character: in 国际法 only
    ("和平", ["zh_peace.txt"]),                  # two: not the 平 of 平民 (zh_law)
    ("决议", ["zh_resolution.txt"]),
    ("恐怖主义", ["zh_peace.txt"]),
    ("以色列定居点", ["zh_resolution.txt"]),     # a query with no spaces, cut into pairs
    ('"国际法"', ["zh_law.txt"]),
])
def test_chinese_words_of_one_and_two_characters_are_found(languages, query, found):
    assert _docs(languages, query) == found


@pytest.mark.parametrize("query, found", [
    ("الأمن", ["ar_council.txt"]),                # as written
    ("الأَمْنِ", ["ar_council.txt"]),             # with short vowels
    ("أمن", ["ar_council.txt"]),                  # without the article
    ("مدنيين", ["ar_civilians.txt"]),            # the text has المدنيين
    ("الامين", ["ar_civilians.txt"]),             # bare alef for أ
    ("التنمية المستدامة", ["ar_vowelled.txt"]),  # the text is fully vowelled
    ("السلام", ["ar_vowelled.txt"]),
    ("وقرار", ["ar_council.txt"]),                # conjunction wa- on the query word
])
def test_arabic_with_and_without_marks_article_and_letter_forms(languages, query, found):
    assert _docs(languages, query) == found


@pytest.mark.parametrize("query, found", [
    ("резолюция", ["ru_resolution.txt"]),        # the text has резолюцию
    ("Сирия", ["ru_resolution.txt"]),            # Сирии
    ("терроризм", ["ru_sanctions.txt"]),         # терроризма
    ("санкций", ["ru_sanctions.txt"]),           # санкции
    ("диалог", ["ru_dialogue.txt"]),             # диалогу
])
def test_russian_in_another_case_form(languages, query, found):
    assert _docs(languages, query) == found


@pytest.mark.parametrize("query, found", [
    ("securite civils", ["fr_civils.txt"]),
    ("sécurité", ["fr_civils.txt"]),
    ("oceanos climatico", ["es_oceanos.txt"]),
    ("foreign fighters", ["en_fighters.txt"]),
])
def test_french_spanish_and_english_through_the_main_table(languages, query, found):
    assert keyword.table_for(languages.db, query)[0] == "passages_fts"
    assert _docs(languages, query) == found


def test_only_passages_in_the_folded_scripts_are_indexed_twice(languages):
    folded = {r[0] for r in languages.db.execute(
        "SELECT d.key FROM passages_fts_folded_docsize f JOIN passages p ON p.id = f.id "
        "JOIN documents d ON d.id = p.doc_id")}
    assert folded == {name for name in TEXTS if name[:2] in ("zh", "ar", "ru")}


@pytest.mark.parametrize("query", ["和平", "الأمن", "резолюция"])
def test_hybrid_fuses_the_folded_keyword_hits(languages, query):
    sem = [(h.id, h.score) for h in languages.search(query, k=100, mode="semantic")]
    kw = [(h.id, h.score) for h in languages.search(query, k=100, mode="keyword")]
    hybrid = languages.search(query, k=3)
    expected = fusion.score_fusion(sem, kw)[:3]
    assert [(h.id, round(h.score, 9)) for h in hybrid] == [(i, round(s, 9)) for i, s in expected]
    assert len(kw) == 1 and kw[0][0] in [h.id for h in hybrid]


def test_keyword_highlight_finds_the_chinese_sentence(languages):
    (hit,) = languages.search("恐怖主义", mode="keyword", highlight=True)
    (start, end), = hit.highlights
    assert hit.text[start:end] == "中国反对一切形式的恐怖主义。"


def test_english_takes_the_old_path_unchanged(seed_dir, hashing):
    """An English index has no rows in the second table, and a keyword search is the very
    query keyword search made before it existed: same table, expression and BM25 scores."""
    index = ds.build_index([seed_dir], "seed", model=hashing)[0]
    text = SEED.read_text(encoding="utf-8")
    assert wordsplit.fold(text) == "" and not wordsplit.needs_fold(text)
    assert index.db.execute("SELECT COUNT(*) FROM passages_fts_folded_docsize").fetchone()[0] == 0
    for query in (QUESTION, "Operation Mercury", "S/PV.8699 and resolution 2178", "rôle"):
        table, expression = keyword.table_for(index.db, query)
        assert (table, expression) == ("passages_fts", keyword.match_expression(query))
        before = index.db.execute(
            "SELECT rowid, bm25(passages_fts) AS s FROM passages_fts WHERE passages_fts MATCH ? "
            "ORDER BY s LIMIT 50", [expression]).fetchall()
        assert keyword.search(index.db, query, 50) == [(i, -s) for i, s in before]


@pytest.mark.parametrize("text, folded", [
    ("安理会通过了第2334号决议。", "安 理 会 通 过 了 第 2334 号 决 议"),
    ("مجلسُ الأمنِ والمجلس", "مجلس امن مجلس"),
    ("Совет Безопасности, резолюциями", "совет безопасност резолюц"),
    ("Le Conseil 安理会", "le conseil 安 理 会"),
    ("The Council’s “statement” — 2020", ""),
    ("", ""),
])
def test_fold(text, folded):
    assert wordsplit.fold(text) == folded


@pytest.mark.parametrize("query, expression", [
    ("和平", '"和 平"'),
    ("法", '"法"'),
    ("安理会决议", '"安 理" OR "理 会" OR "会 决" OR "决 议"'),
    ('"安理会决议"', '"安 理 会 决 议"'),
    ("S/PV.8699 的 决议", '"s pv 8699" OR "的" OR "决 议"'),
    ("الأَمْنِ", '"امن"'),
    ("резолюция о Сирии", '"резолюц" OR "о" OR "сир"'),
    ('NEAR( 和平 AND *', '"near" OR "和 平"'),
])
def test_folded_match_expressions_are_safe(query, expression):
    assert keyword.folded_expression(query) == expression
    assert not re.search(r'[()*^]', expression)
