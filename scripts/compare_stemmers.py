#!/usr/bin/env python3
"""Our keyword stemmers against Snowball (PyStemmer): speed per word and what they conflate.

    python scripts/compare_stemmers.py [--questions more.jsonl ...] [--repeat 20]

Words: every word of the questions in scripts/data/multilingual_dev.jsonl (and any
--questions files of the same shape: {"questions": {"en": ..., "fr": ..., ...}}), real
analyst wording in each language. (The corpora themselves are English, so they hold no
Arabic or Russian words.)

  ar, ru   ours: light10 / Dolamic-Savoy (`text.stemmers`, pure Python, measured uncached)
  fr, es   ours: what the main keyword table does to them, SQLite FTS5's
           'porter unicode61 remove_diacritics 2' (the English Porter stemmer)
  against  Snowball arabic / russian / french / spanish through PyStemmer (C)

Printed per language: words and distinct words; µs per word for each (the word list
repeated --repeat times, best of 3 runs; SQLite's tokenizer is not timed per word);
distinct stems (fewer: more conflation); and, over the hand-written inflection families
below, how many each conflates to one stem and how many stems two families share.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import time
from pathlib import Path

from diplosearch.text import stemmers

ROOT = Path(__file__).resolve().parents[1]
SNOWBALL = {"ar": "arabic", "ru": "russian", "fr": "french", "es": "spanish"}
_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
FAMILIES = {   # inflected forms of one word each, as UN texts write them
    "ru": ["резолюция резолюции резолюцию резолюцией резолюций резолюциями",
           "безопасность безопасности безопасностью",
           "совет совета совету советом совете",
           "государство государства государств государствам государствами",
           "мирный мирная мирное мирные мирного мирных",
           "санкция санкции санкций санкциям санкциями",
           "беженец беженцы беженцев беженцам",
           "переговоры переговоров переговорах переговорам",
           "принять принял приняла приняли принятие принятия"],
    "ar": ["الأمن أمن والأمن بالأمن للأمن",
           "القرار قرار القرارات قرارات بالقرار والقرار",
           "السلام سلام والسلام للسلام",
           "اللاجئين لاجئين اللاجئون لاجئ",
           "المدنيين مدنيين المدنيون",
           "العقوبات عقوبات والعقوبات",
           "الانتخابات انتخابات والانتخابات",
           "الحكومة حكومة الحكومات حكومات",
           "المفاوضات مفاوضات والمفاوضات"],
    "fr": ["résolution résolutions", "conseil conseils", "humanitaire humanitaires",
           "négociation négociations", "armé armée armés armées", "nucléaire nucléaires",
           "réfugié réfugiés réfugiée réfugiées", "sanction sanctions",
           "soutenir soutient soutenons soutenu", "pacifique pacifiques"],
    "es": ["resolución resoluciones", "consejo consejos",
           "humanitario humanitaria humanitarios humanitarias", "negociación negociaciones",
           "armado armada armados armadas", "nuclear nucleares",
           "refugiado refugiados refugiada", "sanción sanciones",
           "apoyar apoya apoyamos apoyado", "pacífico pacífica pacíficos"],
}


def words(paths: list[Path]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {lang: [] for lang in SNOWBALL}
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            questions = json.loads(line).get("questions", {}) if line.strip() else {}
            for lang in found:
                text = _MARKS.sub("", questions.get(lang, "")).lower()
                found[lang] += [w for w in re.findall(r"\w+", text) if not w.isdigit()]
    return found


def ours(lang: str):
    """Our stemmer of `lang` as one function of a list of words."""
    if lang == "ar":
        return lambda ws: [stemmers.arabic_light(w) for w in ws]
    if lang == "ru":
        return lambda ws: [stemmers.russian_light(w) for w in ws]
    return porter_in_sqlite


def porter_in_sqlite(ws: list[str]) -> list[str]:
    """Each word as FTS5's main-table tokenizer indexes it."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(w, tokenize='porter unicode61 "
               "remove_diacritics 2')")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    db.executemany("INSERT INTO t(rowid, w) VALUES (?, ?)", enumerate(ws, 1))
    by_row = dict(db.execute("SELECT doc, term FROM v"))
    return [by_row.get(i, "") for i in range(1, len(ws) + 1)]


def per_word_us(stem, ws: list[str], repeat: int) -> float:
    sample = ws * repeat
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        stem(sample)
        best = min(best, time.perf_counter() - started)
    return best / len(sample) * 1e6


def family_scores(stem, families: list[str]) -> tuple[int, int]:
    """(families conflated to one stem, stems shared by two families or more)."""
    stems = [set(stem(f.split())) for f in families]
    whole = sum(len(s) == 1 for s in stems)
    seen: dict[str, int] = {}
    for s in stems:
        for x in s:
            seen[x] = seen.get(x, 0) + 1
    return whole, sum(n > 1 for n in seen.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, nargs="*", default=[])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    found = words([ROOT / "scripts/data/multilingual_dev.jsonl", *args.questions])
    for lang, ws in found.items():
        snow = stemmers.snowball(SNOWBALL[lang])
        mine, theirs = ours(lang), (lambda batch, s=snow: [s(w) for w in batch])
        distinct = sorted(set(ws))
        a, b = mine(distinct), theirs(distinct)
        speed = "-" if lang in ("fr", "es") else f"{per_word_us(mine, ws, args.repeat):.2f}"
        fa, fb = family_scores(mine, FAMILIES[lang]), family_scores(theirs, FAMILIES[lang])
        same = sum(x == y for x, y in zip(a, b))
        print(f"{lang}: {len(ws)} words, {len(distinct)} distinct | us/word ours {speed}, "
              f"snowball {per_word_us(theirs, ws, args.repeat):.2f} | distinct stems ours "
              f"{len(set(a))}, snowball {len(set(b))}, same stem for {same} "
              f"words | families whole ours {fa[0]}/{len(FAMILIES[lang])} (shared stems "
              f"{fa[1]}), snowball {fb[0]}/{len(FAMILIES[lang])} ({fb[1]})")
        for family in FAMILIES[lang]:
            x, y = mine(family.split()), theirs(family.split())
            if len(set(x)) > 1 or len(set(y)) > 1:
                print(f"    {family}\n      ours {' '.join(x)}\n      snow {' '.join(y)}")


if __name__ == "__main__":
    main()
