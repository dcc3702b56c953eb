"""A question in another language glossed word by word into the index's English words:
with the fake multilingual model (a word list into English) for the mechanics, and with
the real one for what it is for."""

from __future__ import annotations

import sqlite3

import pytest

import diplosearch as ds
from diplosearch import HashingEmbedder
from diplosearch.retrieval import gloss
from diplosearch.store import migrations, vocabulary
from diplosearch.text import transliteration
from tests.retrieval.test_crosslingual import FakeMultilingual

LOCUSTS = ("Mr. Ali (Somalia): Locusts destroy crops and hunger follows the locusts. "
           "Locusts destroy crops again; they destroy crops and hunger spreads.")
SOLDIERS = ("Ms. Dupont (France): Children recruited as soldiers must be released. "
            "Children are not soldiers; children who were soldiers need schools.")


def one_record(tmp_path, text: str):
    """An index of one record holding `text`, with the fake multilingual model."""
    folder = tmp_path / "record"
    folder.mkdir()
    (folder / "record.txt").write_text(text, encoding="utf-8")
    built, _ = ds.build_index(folder, tmp_path / "ix", model=HashingEmbedder(),
                              multilingual=FakeMultilingual())
    return built


@pytest.fixture
def index(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "locusts.txt").write_text(LOCUSTS, encoding="utf-8")
    (folder / "soldiers.txt").write_text(SOLDIERS, encoding="utf-8")
    built, _ = ds.build_index(folder, tmp_path / "ix", model=HashingEmbedder(),
                              multilingual=FakeMultilingual())
    return built


def test_each_word_of_the_question_stands_as_its_english_word(index):
    words = gloss.gloss(index.db, index.multilingual_embedder, "саранча уничтожает урожай", "ru")
    assert words == ["locusts", "destroy", "crops"]
    assert gloss.gloss(index.db, index.multilingual_embedder, "enfants soldats", "fr") == [
        "children", "soldiers"]


def test_function_words_and_unknown_words_gloss_into_nothing(index):
    assert gloss.gloss(index.db, index.multilingual_embedder, "les des pour", "fr") == []
    assert gloss.gloss(index.db, index.multilingual_embedder, "xyzzy", "fr") == []


def test_a_chinese_word_is_glossed_by_its_dictionary_meaning(tmp_path):
    built = one_record(tmp_path, "Mr. Sy (Senegal): Peacekeeping needs funds. Peacekeeping "
                                 "saves lives, and peacekeeping missions need mandates.")
    # the fake model knows no Chinese: "维和" is placed near nothing; CC-CEDICT knows it
    assert gloss.gloss(built.db, built.multilingual_embedder, "维和", "zh") == ["peacekeeping"]


def test_countries_named_are_glossed_by_their_english_names(index):
    assert gloss.gloss(index.db, index.multilingual_embedder, "саранча в Сомали", "ru")[:1] == [
        "somalia"]
    assert "somalia" in gloss.gloss(index.db, index.multilingual_embedder, "索马里蝗虫", "zh")


def test_a_foreign_question_finds_its_record_by_the_gloss(index):
    hits = index.search("саранча уничтожает урожай", k=1)
    assert hits[0].source.endswith("locusts.txt")


def test_an_index_without_english_words_has_no_gloss_but_answers(index):
    db = sqlite3.connect(index.path / "passages.sqlite")
    with db:
        db.execute("DELETE FROM english_words")
        db.execute("UPDATE state SET value = value + 1 WHERE key = 'generation'")
    db.close()
    index.reload()
    assert gloss.gloss(index.db, index.multilingual_embedder, "саранча", "ru") == []
    assert index.search("саранча уничтожает урожай", k=1)[0].source.endswith("locusts.txt")


def real_words(english: str):
    """A database whose English words are `english`, embedded by the real multilingual
    model, and that model."""
    from diplosearch.embed.multilingual import load_multilingual

    use = load_multilingual("multilingual")
    db = sqlite3.connect(":memory:")
    db.executescript("CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                     + dict(migrations.MIGRATIONS)["010_english_words"])
    with db:
        vocabulary.count(db, [english] * vocabulary.MIN_COUNT)
    vocabulary.embed_missing(db, use)
    return db, use


@pytest.mark.model
def test_the_real_multilingual_model_glosses_un_words():
    db, use = real_words("weapons embargo civilians humanitarian assistance terrorism climate "
                         "children soldiers sanctions ceasefire refugees elections peacekeeping")
    def of(question, lang):
        return set(gloss.gloss(db, use, question, lang))
    assert {"weapons", "embargo"} <= of("embargo sur les armes", "fr")
    assert {"children", "soldiers"} <= of("niños soldados", "es")
    assert "weapons" in of("оружие", "ru")
    assert "civilians" in of("حماية المدنيين", "ar")
    assert {"humanitarian", "assistance"} <= of("人道主义援助", "zh")
    assert "les" not in of("embargo sur les armes", "fr")


def test_the_note_says_which_english_words_were_searched_for(index):
    from diplosearch.retrieval import ranking

    searched = gloss.with_settings(index.db, index.multilingual_embedder,
                                   "саранча уничтожает урожай", "ru", ranking.RANKING)
    assert {"locusts", "destroy", "crops"} <= set(searched)
    assert index.search("саранча уничтожает урожай", k=1).note == \
        "English words searched for: " + " ".join(searched)
    assert index.search("locusts destroy crops", k=1).note == ""


def test_the_note_says_when_nothing_could_be_glossed_and_why(index):
    assert "no word of this question matched" in index.search("ксизи плуг", k=1).note
    db = sqlite3.connect(index.path / "passages.sqlite")
    with db:     # as an index made before its English words were kept
        db.execute("DELETE FROM english_words")
        db.execute("UPDATE state SET value = value + 1 WHERE key = 'generation'")
    db.close()
    index.reload()
    note = index.search("саранча уничтожает урожай", k=1).note
    assert "keeps no English words" in note and "diplosearch index upgrade ix" in note


def test_keyword_mode_says_it_matches_the_questions_own_words(index):
    note = index.search("саранча", k=1, mode="keyword").note
    assert "keyword mode matches its own words" in note and "hybrid" in note
    assert index.search("locusts", k=1, mode="keyword").note == ""


def test_months_named_are_glossed_by_their_english_names(index):
    # the fake model knows no month: the names come from the CLDR tables
    assert gloss.gloss(index.db, index.multilingual_embedder, "саранча в феврале", "ru") == [
        "february", "locusts"]
    assert gloss.gloss(index.db, index.multilingual_embedder, "2020年1月", "zh") == ["january"]
    assert "january" in gloss.gloss(index.db, index.multilingual_embedder,
                                    "كانون الثاني 2020", "ar")


def test_a_name_the_model_cannot_place_is_matched_by_its_letters(tmp_path):
    built = one_record(tmp_path, "Mr. Kyslytsya (Ukraine): Shelling in Donbas goes on. Donbas "
                                 "needs the ceasefire, it needs aid, and Donbas needs the "
                                 "disengagement of forces.")
    db, use = built.db, built.multilingual_embedder
    assert "donbas" in gloss.gloss(db, use, "القصف في دونباس", "ar")
    assert "donbas" in gloss.gloss(db, use, "обстрелы в Донбассе", "ru")
    assert "donbas" not in gloss.gloss(db, use, "обстрелы в донбассе", "ru")  # not as a name
    assert "donbas" not in gloss.gloss(db, use, "القصف في دونباس", "ar", names=False)
    # "نيدز" is spelt as "needs" is, but the records write "needs" in lower case: no name
    assert transliteration.consonants(transliteration.latin("نيدز", "ar")) == "nds"
    assert vocabulary.capitalised(db, "needs") == 0.0
    assert vocabulary.capitalised(db, "donbas") == 1.0
    assert "needs" not in gloss.gloss(db, use, "نيدز", "ar")


def test_a_chinese_gloss_keeps_the_questions_order(tmp_path):
    built = one_record(tmp_path, "Mr. Sy (Senegal): Terrorism threatens peacekeeping. "
                                 "Terrorism kills peacekeeping staff, and terrorism makes "
                                 "peacekeeping harder.")
    # a run of four characters and a later run of two: the gloss follows the question
    assert gloss.gloss(built.db, built.multilingual_embedder, "恐怖主义维和", "zh") == [
        "terrorism", "peacekeeping"]


def test_chinese_runs_are_glossed_at_their_own_floor(monkeypatch):
    from dataclasses import replace

    from diplosearch.retrieval import ranking

    floors = {}

    def recorded(db, embedder, question, language, floor, *rest):
        floors[language] = floor
        return []

    monkeypatch.setattr(gloss, "gloss", recorded)
    settings = replace(ranking.RANKING, gloss_floor=0.6, gloss_floor_zh=0.7)
    for question, language in (("维和", "zh"), ("оружие", "ru"), ("السلاح", "ar"), ("armes", "fr")):
        gloss.with_settings(None, None, question, language, settings)
    assert floors == {"zh": 0.7, "ru": 0.6, "ar": 0.6, "fr": 0.6}


@pytest.fixture
def small_glossary(tmp_path, monkeypatch):
    from diplosearch.text import glossary

    path = tmp_path / "glossary.tsv"
    path.write_text("famine\tfamine\thambruna\tмассовый голод\tالمجاعة\t饥荒\n"
                    "locust swarms\tessaims\tenjambres\tсаранча\tأسراب الجراد\t蝗群\n",
                    encoding="utf-8")
    monkeypatch.setattr(glossary, "GLOSSARY", path)
    glossary._table.cache_clear()
    yield
    glossary._table.cache_clear()


def test_a_term_in_the_glossary_stands_for_its_words(index, small_glossary):
    def of(glossary):
        return gloss.gloss(index.db, index.multilingual_embedder, "саранча и массовый голод",
                           "ru", glossary=glossary)
    # the fake model reads "саранча" as "locusts" and places "массовый голод" nowhere
    assert of("off") == ["locusts"]
    assert of("add") == ["locust", "swarms", "famine", "locusts"]
    assert of("replace") == ["locust", "swarms", "famine"]


@pytest.mark.model
def test_the_glossary_gives_un_terms_but_not_function_words_their_meaning():
    db, use = real_words("sanctions veto leaders civilians namely which peacekeepers "
                         "mercenaries")

    def of(question, lang):
        return set(gloss.gloss(db, use, question, lang, floor=0.6, glossary="replace"))
    assert "sanctions" in of("الجزاءات المفروضة على سوريا", "ar")
    assert "veto" in of("استخدام حق النقض", "ar")
    assert "mercenaries" in of("иностранные наемники", "ru")
    assert "namely" not in of("أي القادة", "ar")      # "أي", which: a function word
