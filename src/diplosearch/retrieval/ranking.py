"""How candidates become a ranking, in settings measured one by one on the analysts' dev
questions (`scripts/rank_variants.py`), and the signals applied after fusion.

`RANKING` holds the settings the pipeline uses; a variant is `dataclasses.replace(RANKING,
...)` set in its place (the experiment script does this). Each setting's comment says what
it is; the README's "How good is it?" gives the held-out figures.

Every variant tried, and what it scored on the dev half of the analysts' questions, is in
scripts/data/ranking_variants.md; each was kept only where it helped.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from ..store import database
from ..text.mentions import periods
from . import keyword, names

Ranked = list[tuple[int, float]]
Places = dict[int, tuple[str, tuple[int, int]]]   # passage id → (meeting, (document, paragraph))


@dataclass(frozen=True)
class Ranking:
    depth: int = 100                 # first-pass candidates from each retriever, whatever k is
    semantic_weight: float = 0.5     # score fusion: weight of the semantic list (keyword: 1 − it)
    rocchio: float = 0.0             # English question: weight of its top passages' mean vector
    rocchio_passages: int = 5        #   (pseudo-relevance feedback in vector space)
    paragraph_evidence: float = 0.3  # share of a paragraph's second-best part added to its best
    meeting_evidence: float = 0.3    # share of its meeting's best paragraphs' mean score
    meeting_paragraphs: int = 3      #   added to each candidate of a meeting record
    evidence_symbols: tuple[str, ...] = ("S/PV.",)  # both only for records whose symbol
                                     #   starts so: a Security Council meeting treats one
                                     #   agenda item, and its long turns are one paragraph
                                     #   of many parts. Elsewhere they were measured to
                                     #   hurt: a General Debate statement lent its own
                                     #   paragraphs weight (−0.010), and on ArguAna a long
                                     #   argument's two parts outranked the right one
                                     #   (nDCG@10 −0.045); () any record
    document_keywords: float = 0.4   # times a resolution's whole-text BM25 for the question's
                                     #   words (min-max over the candidates' resolutions),
                                     #   added to each of its paragraphs (migration 011).
                                     #   Chosen on 72 spent questions (English +0.033); 40
                                     #   untouched: en +0.041, fr +0.098, es +0.043, ru
                                     #   +0.076, ar +0.061, zh +0.052
    document_keywords_gloss: bool = True   # ... a question in another language's words: its
                                     #   English gloss (`gloss`); against none, 72 spent
                                     #   questions, +0.039 (ru) to +0.072 (zh)
    date_prior: float = 0.2          # added to a passage dated in a month or year the question names
    place_prior: float = 0.0         # added to a statement by a country the question names
    # A question not in English (`crosslingual.semantic_top`): weights of the multilingual
    # model's list, the English model's on the question as written, and the English model's
    # on the multilingual model's best passages; Latin-script languages (French, Spanish)
    # and the others apart, since the English model reads some French and Spanish only.
    foreign_latin: tuple[float, float, float] = (1.0, 1.0, 1.0)
    foreign_other: tuple[float, float, float] = (1.0, 0.0, 1.0)
    feedback_passages: int = 5
    expansion_terms: int = 10        # question not in English, English records: this many words
    expansion_weight: float = 0.5   #   of its best passages as a keyword list, at this weight
    unsure_both: bool = True         # unsure between English and French/Spanish: search both
    # A question not in English, English records: its word-by-word gloss (`gloss`) as an
    # English keyword question, fused with the feedback words at this weight, and embedded
    # by the English model as a fourth semantic list at this weight (0: not used)
    gloss_keywords: float = 0.7      #   (.5 → .7 at the floors below: MRR@10 +0.015 to
                                     #   +0.030 in each of the five languages, recall@10
                                     #   within ±0.004)
    gloss_semantic: float = 2.0
    gloss_floor: float = 0.6         #   least cosine of a question's word to its English gloss
    gloss_floor_zh: float = 0.7      #   ... of a Chinese run's: runs of two to four characters
                                     #   are cut anywhere, and a lower floor lets chance runs
                                     #   in (.6: zh −0.014, fr +0.010, ru +0.016, ar +0.013)
    gloss_per_word: int = 2          #   English words at most per word of the question,
    gloss_margin: float = 0.05       #   each within this of the closest
    gloss_dictionary: float = 0.15   #   Chinese: CC-CEDICT's meanings lifted this far above
                                     #   the floor (0: not used)
    gloss_glossary: str = "replace"  #   the English words of the UN terms the question holds
                                     #   (`text.glossary`) stand for those words in the gloss
                                     #   instead of the model's nearest ones ("replace"), or
                                     #   beside them ("add"), or not at all ("off"). Against
                                     #   "off" on the 586 spent questions, recall@10 fr
                                     #   +0.005, es +0.030, ru +0.035, ar +0.048, zh +0.026
                                     #   ("add": +0.011, +0.025, +0.028, +0.044, +0.023)
    gloss_glossary_names: bool = True   # ... and the names it lists ("Abyei", "Rohingya"):
                                     #   against none on the 729 spent questions, recall@10
                                     #   fr +0.007, es +0.005, ru +0.021, ar +0.005, zh +0.016
    gloss_adapter: float = 1.0       #   the English query adapter (`embed.adapter`) on the
                                     #   gloss's vector, this far. 5-fold by writer (each
                                     #   fold's matrix fitted without its writers' English
                                     #   questions), recall@10 against none: fr +0.035,
                                     #   es +0.033, ru +0.038, ar +0.030, zh +0.038 (each
                                     #   interval about ±0.008); MRR@10 fr −0.003 to zh +0.029
    gloss_names: bool = True         #   Arabic, Russian: a word that glosses into nothing
                                     #   matched by its letters to a name the index writes
    query_adapter: float = 1.0       # English question: its vector moved by the English model's
                                     #   adapter (`embed.adapter`) this far (0: not at all).
                                     #   Fitted on 809 questions; 5-fold by writer, hybrid
                                     #   recall@10 against none +0.041 (+0.033, +0.048) at 1,
                                     #   +0.021 at .5 (729 questions: 1.5 +0.033, 2 −0.045)
    feedback_adapter: float = 0.5    #   ... and for the fused list English feedback draws its
                                     #   statements from, this far (below 0: as searched).
                                     #   At 1 the feedback's first statements change and the
                                     #   founding question's ¶9 fell to third in hybrid mode;
                                     #   drawn at .5, ¶9 is first, and 5-fold: 1 with this
                                     #   against .5 as before, recall@10 +0.019 (+0.014,
                                     #   +0.024), MRR@10 +0.007 (+0.003, +0.012)
    adapter_max_words: int = 40      #   ... a question of at most this many words: the fitted
                                     #   ones have 2-31; a longer query is a passage to match
                                     #   (ArguAna's arguments, 46-868 words: semantic nDCG@10
                                     #   0.4920 → 0.4704 with the adapter)
    procedural_penalty: float = 0.2  # taken from a short procedural turn ("I now give the
                                     #   floor to ..."): never an answer, seldom quotable
    header_prior: float = 0.0        # English question: times the share of its words found in
                                     #   the passage's header (meeting topic, speaker's country)
    english_feedback: int = 3        # English question, score fusion: the question and the
    english_feedback_weight: float = 0.3   # words that mark the best passages of the fused
                                     #   list's first 3 statements (`keyword.expansion`), as a
                                     #   keyword list fused with it at this weight (0: not used)
    statement_repeat: float = 1.0    # taken from a statement's paragraphs after its best one:
                                     #   the first page shows more statements, not three
                                     #   paragraphs of one (0: not used). 1 against .4:
                                     #   809 spent questions, English recall@10 +0.002
                                     #   (+0.001, +0.003); the resolutions, whose short
                                     #   paragraphs crowd the page with one resolution's,
                                     #   and the 2015-2016 General Debate +0.016 (+0.004,
                                     #   +0.032), the other languages +0.004 to +0.009;
                                     #   40 untouched questions on the resolutions +0.026
                                     #   (+0.003, +0.055)


RANKING = Ranking()


def with_paragraph_evidence(db: sqlite3.Connection, pairs: Ranked, share: float,
                            symbols: tuple[str, ...] = (), where: Places | None = None) -> Ranked:
    """Each paragraph's best part plus `share` of its second best part's score: a paragraph
    that answers in two places outranks one that brushes the subject once. The weaker parts
    stay, at their own scores (the hit is the paragraph, at its best part's rank), so the
    candidates keep their number: the search knows when its retrievers ran out.
    `symbols`: only paragraphs of records whose symbol starts with one of them; `where`:
    the candidates' `meetings`, when the caller has read them already."""
    if share <= 0 or not pairs:
        return pairs
    where = where if where is not None else meetings(db, [pid for pid, _ in pairs])
    keys = {pid: key for pid, (meeting, key) in where.items()
            if not symbols or meeting.startswith(symbols)}
    best: dict[tuple[int, int], list[float]] = {}
    first: dict[tuple[int, int], int] = {}
    for pid, score in pairs:
        key = keys.get(pid)
        if key is None:
            continue
        first.setdefault(key, pid)
        best.setdefault(key, []).append(score)
    lift = {first[key]: share * s[1] for key, s in best.items() if len(s) > 1}
    scored = [(pid, score + lift.get(pid, 0.0)) for pid, score in pairs]
    return sorted(scored, key=lambda item: (-item[1], item[0]))


_RESUMPTION = re.compile(r"\s*\(Resumption \d+\)\s*$")


def with_meeting_evidence(db: sqlite3.Connection, pairs: Ranked, share: float,
                          paragraphs_counted: int = 3, symbols: tuple[str, ...] = (),
                          where: Places | None = None) -> Ranked:
    """Each candidate plus `share` of the mean score of its meeting's best paragraphs among
    the candidates (a meeting: a record and its resumptions; a document without a symbol
    stands alone). `symbols`: only records whose symbol starts with one of them are lifted.
    A debate that answers the question in several statements lifts each of them; with the
    statement-repeat placement, those statements rather than more paragraphs of one.
    `where`: the candidates' `meetings`, when the caller has read them already."""
    if share <= 0 or not pairs:
        return pairs
    where = where if where is not None else meetings(db, [pid for pid, _ in pairs])
    if symbols:
        where = {pid: m for pid, m in where.items() if m[0].startswith(symbols)}
    best: dict[str, dict[tuple[int, int], float]] = {}
    for pid, score in pairs:
        if pid in where:
            meeting, para = where[pid]
            seen = best.setdefault(meeting, {})
            seen[para] = max(seen.get(para, score), score)
    lift = {m: sum(sorted(v.values(), reverse=True)[:paragraphs_counted]) / paragraphs_counted
            for m, v in best.items()}
    scored = [(pid, score + share * lift[where[pid][0]]) if pid in where else (pid, score)
              for pid, score in pairs]
    return sorted(scored, key=lambda item: (-item[1], item[0]))


def with_document_keywords(db: sqlite3.Connection, pairs: Ranked, question: str,
                           share: float) -> Ranked:
    """Each candidate from a resolution plus `share` of its resolution's BM25 for
    `question` over whole resolutions (min-max over the candidates' resolutions): a
    paragraph that decides a measure seldom names whom it is for ("Decides that the
    measures imposed by paragraph 3 … shall not apply to …"), its resolution does. An index
    made before migration 011, or without resolutions, ranks as before."""
    expression = keyword.match_expression(question) if share > 0 and pairs else None
    if expression is None or not db.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'document_keywords_fts'").fetchone():
        return pairs
    doc_of = dict(database.by_ids(db, "SELECT id, doc_id FROM passages WHERE id IN ({ids})",
                                  [pid for pid, _ in pairs]))
    known = {doc for doc, in database.by_ids(     # the candidates' resolutions
        db, "SELECT doc_id FROM document_keywords WHERE doc_id IN ({ids})",
        sorted(set(doc_of.values())))}
    # BM25 over whole resolutions, as FTS5 scores them (lower is better); one with no word
    # of the question scores 0
    scores = {doc: -score for doc, score in db.execute(
        "SELECT rowid, bm25(document_keywords_fts) FROM document_keywords_fts "
        "WHERE document_keywords_fts MATCH ?", (expression,)) if doc in known} if known else {}
    if not scores:
        return pairs
    low = min(scores.get(doc, 0.0) for doc in known)
    high = max(scores.values())
    span = high - low
    if span <= 0:
        return pairs
    scored = [(pid, score + share * (scores.get(doc_of[pid], 0.0) - low) / span)
              if doc_of.get(pid) in known else (pid, score) for pid, score in pairs]
    return sorted(scored, key=lambda item: (-item[1], item[0]))


def meetings(db: sqlite3.Connection, ids: list[int]) -> Places:
    """Passage id → (its meeting, (document id, paragraph))."""
    return {pid: (_RESUMPTION.sub("", symbol) if symbol else f"#{doc}", (doc, para))
            for pid, doc, para, symbol in database.by_ids(
                db, "SELECT p.id, p.doc_id, p.paragraph, d.symbol FROM passages p "
                    "JOIN documents d ON d.id = p.doc_id WHERE p.id IN ({ids})", ids)}


def with_priors(db: sqlite3.Connection, pairs: Ranked, question: str, language: str,
                date_prior: float, place_prior: float) -> Ranked:
    """Candidates lifted, never filtered, by what the question names: `date_prior` for a
    passage of a month or year it names ("in January 2020"), `place_prior` for a statement
    by a country it names."""
    if not pairs or (date_prior <= 0 and place_prior <= 0):
        return pairs
    when = periods(question) if date_prior > 0 else []
    who = names.named_in(db, question, language) if place_prior > 0 else set()
    if not when and not who:
        return pairs
    facts = dated(db, [pid for pid, _ in pairs])
    scored = []
    for pid, score in pairs:
        date, affiliation = facts.get(pid, (None, None))
        lift = date_prior if any(p.matches(date) for p in when) else 0.0
        lift += place_prior if affiliation in who else 0.0
        scored.append((pid, score + lift))
    return sorted(scored, key=lambda item: (-item[1], item[0]))


def dated(db: sqlite3.Connection, ids: list[int]) -> dict[int, tuple[str | None, str | None]]:
    """Passage id → (its document's date, or its year when only that is known; affiliation)."""
    return {pid: (date, aff) for pid, date, aff in database.by_ids(
        db, "SELECT p.id, COALESCE(d.date, json_extract(d.metadata, '$.year')), p.affiliation "
            "FROM passages p JOIN documents d ON d.id = p.doc_id WHERE p.id IN ({ids})", ids)}


_HEADER_WORD = re.compile(r"[a-z][a-z'-]+")


def with_header(db: sqlite3.Connection, pairs: Ranked, question: str, weight: float) -> Ranked:
    """Candidates lifted by `weight` times the share of the question's content words
    (stemmed, stop words left out) that their header holds: the meeting's topic ("The
    situation in Libya") and the country spoken for, which a passage itself may never
    name."""
    if weight <= 0 or not pairs:
        return pairs
    asked = _stems(question)
    if not asked:
        return pairs
    heads = headers(db, [pid for pid, _ in pairs])
    cache: dict[str, set[str]] = {}
    scored = []
    for pid, score in pairs:
        head = heads.get(pid, "")
        words = cache[head] if head in cache else cache.setdefault(head, _stems(head))
        scored.append((pid, score + weight * len(asked & words) / len(asked)))
    return sorted(scored, key=lambda item: (-item[1], item[0]))


def _stems(text: str) -> set[str]:
    import Stemmer

    from ..text.wordsplit import STOPWORDS

    words = [w for w in _HEADER_WORD.findall(text.lower()) if w not in STOPWORDS]
    return set(Stemmer.Stemmer("english").stemWords(words))


def headers(db: sqlite3.Connection, ids: list[int]) -> dict[int, str]:
    """Passage id → its meeting's topic and its speaker's country, as one line."""
    return {pid: f"{topic or ''} {aff or ''}" for pid, topic, aff in database.by_ids(
        db, "SELECT p.id, json_extract(d.metadata, '$.topic'), p.affiliation FROM passages p "
            "JOIN documents d ON d.id = p.doc_id WHERE p.id IN ({ids})", ids)}


_PROCEDURAL = re.compile(r"^\s*(?:I (?:now )?(?:give the floor|call on|shall now give the floor|"
                         r"invite)|I thank (?:the|Mr|Ms|Mrs|him|her|His|Her).{0,80}?"
                         r"(?:briefing|statement|remarks)\.?\s*$)", re.IGNORECASE)


def with_procedural_penalty(db: sqlite3.Connection, pairs: Ranked, penalty: float,
                            longest: int = 300) -> Ranked:
    """Candidates that are a short procedural turn ("I now give the floor to the
    representative of Yemen.", "I call on the Minister for Foreign Affairs of Timor-Leste.",
    "I thank Mr. X for his briefing.") lowered by `penalty`: they match a question's names
    and nothing else (new-user trial: second for an Arabic question on Yemen)."""
    if penalty <= 0 or not pairs:
        return pairs
    rows = dict(database.by_ids(db, "SELECT id, text FROM passages WHERE id IN ({ids}) "
                                    f"AND length(text) < {longest}", [p for p, _ in pairs]))
    scored = [(pid, score - penalty if pid in rows and _PROCEDURAL.match(rows[pid]) else score)
              for pid, score in pairs]
    return sorted(scored, key=lambda item: (-item[1], item[0]))


def with_statement_repeat(db: sqlite3.Connection, pairs: Ranked, penalty: float) -> Ranked:
    """A statement's candidate paragraphs after its best one placed as if `penalty` lower
    (a statement: one speaker's turn in a record, or a document without turns), so the
    first page shows more statements; an analyst asking who said what wants ten speakers,
    not three paragraphs of one. Each keeps its own score (a ranked list shows it capped by
    the hit above, `pipeline.falling`; a grouped one as it is)."""
    if penalty <= 0 or not pairs:
        return pairs
    where = {pid: ((doc, statement), para) for pid, doc, statement, para in database.by_ids(
        db, "SELECT id, doc_id, statement, paragraph FROM passages WHERE id IN ({ids})",
        [p for p, _ in pairs])}
    best: dict[tuple, int] = {}      # statement → its best paragraph
    placed = []
    for pid, score in pairs:         # best first
        later = pid in where and best.setdefault(where[pid][0], where[pid][1]) != where[pid][1]
        placed.append((score - penalty if later else score, pid, score))
    placed.sort(key=lambda item: (-item[0], item[1]))
    return [(pid, score) for _, pid, score in placed]


def first_statements(db: sqlite3.Connection, pairs: Ranked, count: int,
                     looked_at: int = 50) -> list[int]:
    """The best passage of each of the first `count` statements in `pairs` (among its first
    `looked_at`): feedback from several speakers, not from three parts of one long turn."""
    head = [pid for pid, _ in pairs[:looked_at]] if count > 0 else []
    where = {pid: (doc, statement) for pid, doc, statement in database.by_ids(
        db, "SELECT id, doc_id, statement FROM passages WHERE id IN ({ids})", head)}
    seen, chosen = set(), []
    for pid in head:
        key = where.get(pid, ("#", pid))
        if key not in seen:
            seen.add(key)
            chosen.append(pid)
            if len(chosen) == count:
                break
    return chosen
