"""The SQLite schema, as named migrations applied in order and recorded in the database."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

from functools import partial

from ..text import stemmers, wordsplit

# The SQL functions that migration 009's view and triggers call, by the names it uses.
# `wordsplit.fold`'s output is part of the index format: a change to it needs new names
# and a migration that recreates the folded table with them. The one choice it takes, the
# Arabic and Russian stemmer, is the index's own: `state` row `keyword_stemmer`, set when
# the database is created (absent: "light", as every index made before the choice).
FOLD_FUNCTIONS = ("keyword_fold_1", "keyword_needs_fold_1")

# A document's text for `document_keywords`: its passages in order, joined by spaces.
DOCUMENT_TEXT_SQL = ("SELECT group_concat(text, ' ') FROM (SELECT text FROM passages "
                     "WHERE doc_id = {doc} ORDER BY position)")

# (name, SQL script). Append only: a released migration never changes.
MIGRATIONS: list[tuple[str, str]] = [
    ("001_initial", """
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,          -- path relative to the folder indexed
            path TEXT,                         -- absolute path when indexed (for matching re-adds)
            symbol TEXT,                       -- UN symbol, e.g. S/PV.8699 (Resumption 1)
            sha256 TEXT NOT NULL,              -- of the file's bytes
            encoding TEXT,
            metadata TEXT NOT NULL DEFAULT '{}',
            indexed_at TEXT NOT NULL
        );
        CREATE INDEX documents_symbol ON documents(symbol);
        CREATE TABLE segments (
            id INTEGER PRIMARY KEY,
            file TEXT NOT NULL UNIQUE,         -- name inside vectors/, never a path
            rows INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE passages (
            id INTEGER PRIMARY KEY,            -- also the vector's FAISS id; never reused
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            segment_id INTEGER NOT NULL REFERENCES segments(id),
            position INTEGER NOT NULL,
            text TEXT NOT NULL,
            text_sha256 TEXT NOT NULL,
            paragraph INTEGER NOT NULL,
            paragraph_end INTEGER NOT NULL,
            part INTEGER NOT NULL,
            parts INTEGER NOT NULL,
            speaker TEXT, affiliation TEXT, role TEXT, language TEXT,
            statement INTEGER, page INTEGER,
            line_start INTEGER NOT NULL, line_end INTEGER NOT NULL,
            char_start INTEGER NOT NULL, char_end INTEGER NOT NULL
        );
        CREATE INDEX passages_doc ON passages(doc_id, position);
        CREATE INDEX passages_segment ON passages(segment_id);
        CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO state VALUES ('generation', '0'), ('next_passage_id', '1');
    """),
    # Keyword search (BM25) over passage text, speaker and affiliation. An external-content
    # FTS5 table kept in step with `passages` by triggers, inside the same transactions,
    # so keyword and vector search can never drift apart.
    ("002_keyword_search", """
        CREATE VIRTUAL TABLE passages_fts USING fts5(
            text, speaker, affiliation, content='passages', content_rowid='id',
            tokenize='porter unicode61 remove_diacritics 2');
        INSERT INTO passages_fts(passages_fts) VALUES ('rebuild');
        CREATE TRIGGER passages_fts_insert AFTER INSERT ON passages BEGIN
            INSERT INTO passages_fts(rowid, text, speaker, affiliation)
            VALUES (new.id, new.text, new.speaker, new.affiliation);
        END;
        CREATE TRIGGER passages_fts_delete AFTER DELETE ON passages BEGIN
            INSERT INTO passages_fts(passages_fts, rowid, text, speaker, affiliation)
            VALUES ('delete', old.id, old.text, old.speaker, old.affiliation);
        END;
        CREATE TRIGGER passages_fts_update AFTER UPDATE ON passages BEGIN
            INSERT INTO passages_fts(passages_fts, rowid, text, speaker, affiliation)
            VALUES ('delete', old.id, old.text, old.speaker, old.affiliation);
            INSERT INTO passages_fts(rowid, text, speaker, affiliation)
            VALUES (new.id, new.text, new.speaker, new.affiliation);
        END;
    """),
    # Columns that search filters use, lifted out of the metadata JSON so they can be indexed.
    ("004_filter_columns", """
        ALTER TABLE documents ADD COLUMN date TEXT;
        ALTER TABLE documents ADD COLUMN body TEXT;
        UPDATE documents SET date = json_extract(metadata, '$.date'),
                             body = json_extract(metadata, '$.body');
        CREATE INDEX documents_date ON documents(date);
        CREATE INDEX passages_affiliation ON passages(affiliation COLLATE NOCASE);
        CREATE INDEX passages_speaker ON passages(speaker COLLATE NOCASE);
    """),
    # Where a passage sits in a resolution: "PP 3" (preambular) or "OP 6" (operative).
    ("003_passage_section", """
        ALTER TABLE passages ADD COLUMN section TEXT;
    """),
    # Counts kept by triggers, so that a write to a large index never scans it to learn
    # how many documents and passages it holds or how many of a segment's vectors are
    # live; and the keyword index is refreshed only when the words change, not when
    # compaction moves a passage to another segment or an add renumbers its position.
    ("005_tallies", """
        ALTER TABLE segments ADD COLUMN live INTEGER NOT NULL DEFAULT 0;
        UPDATE segments SET live = (SELECT COUNT(*) FROM passages p WHERE p.segment_id = segments.id);
        CREATE TABLE tallies (name TEXT PRIMARY KEY, n INTEGER NOT NULL);
        INSERT INTO tallies VALUES ('documents', (SELECT COUNT(*) FROM documents)),
                                   ('passages', (SELECT COUNT(*) FROM passages));
        CREATE TRIGGER documents_tally_insert AFTER INSERT ON documents BEGIN
            UPDATE tallies SET n = n + 1 WHERE name = 'documents';
        END;
        CREATE TRIGGER documents_tally_delete AFTER DELETE ON documents BEGIN
            UPDATE tallies SET n = n - 1 WHERE name = 'documents';
        END;
        CREATE TRIGGER passages_tally_insert AFTER INSERT ON passages BEGIN
            UPDATE tallies SET n = n + 1 WHERE name = 'passages';
            UPDATE segments SET live = live + 1 WHERE id = new.segment_id;
        END;
        CREATE TRIGGER passages_tally_delete AFTER DELETE ON passages BEGIN
            UPDATE tallies SET n = n - 1 WHERE name = 'passages';
            UPDATE segments SET live = live - 1 WHERE id = old.segment_id;
        END;
        CREATE TRIGGER passages_tally_move AFTER UPDATE OF segment_id ON passages
        WHEN old.segment_id IS NOT new.segment_id BEGIN
            UPDATE segments SET live = live - 1 WHERE id = old.segment_id;
            UPDATE segments SET live = live + 1 WHERE id = new.segment_id;
        END;
        DROP TRIGGER passages_fts_update;
        CREATE TRIGGER passages_fts_update AFTER UPDATE OF text, speaker, affiliation ON passages
        BEGIN
            INSERT INTO passages_fts(passages_fts, rowid, text, speaker, affiliation)
            VALUES ('delete', old.id, old.text, old.speaker, old.affiliation);
            INSERT INTO passages_fts(rowid, text, speaker, affiliation)
            VALUES (new.id, new.text, new.speaker, new.affiliation);
        END;
    """),
    # Keyword search in Chinese, Arabic and Russian (see `wordsplit`): a second FTS5 table
    # over the passages' text as `keyword_fold_1` rewrites it, for the passages that have
    # Han, kana, Arabic or Cyrillic letters only; its content is a view, so 'rebuild' and
    # 'delete' fold the text again and nothing is stored twice. The SQL functions come
    # from `register_functions` on every connection.
    ("009_keyword_scripts", """
        CREATE VIEW passages_folded AS
            SELECT id, keyword_fold_1(text) AS text FROM passages
            WHERE keyword_needs_fold_1(text);
        CREATE VIRTUAL TABLE passages_fts_folded USING fts5(
            text, content='passages_folded', content_rowid='id',
            tokenize='porter unicode61 remove_diacritics 2');
        INSERT INTO passages_fts_folded(passages_fts_folded) VALUES ('rebuild');
        CREATE TRIGGER passages_folded_insert AFTER INSERT ON passages
        WHEN keyword_needs_fold_1(new.text) BEGIN
            INSERT INTO passages_fts_folded(rowid, text)
            VALUES (new.id, keyword_fold_1(new.text));
        END;
        CREATE TRIGGER passages_folded_delete AFTER DELETE ON passages
        WHEN keyword_needs_fold_1(old.text) BEGIN
            INSERT INTO passages_fts_folded(passages_fts_folded, rowid, text)
            VALUES ('delete', old.id, keyword_fold_1(old.text));
        END;
        CREATE TRIGGER passages_folded_update AFTER UPDATE OF text ON passages BEGIN
            INSERT INTO passages_fts_folded(passages_fts_folded, rowid, text)
            SELECT 'delete', old.id, keyword_fold_1(old.text)
            WHERE keyword_needs_fold_1(old.text);
            INSERT INTO passages_fts_folded(rowid, text)
            SELECT new.id, keyword_fold_1(new.text) WHERE keyword_needs_fold_1(new.text);
        END;
    """),
    # Each embedded part's sentences: spans in its text and vectors pooled from the part's
    # own forward pass (int8, one scale per vector), so a search marks a hit's best sentence
    # with a few dot products instead of running the model over every sentence it shows.
    ("006_sentence_vectors", """
        CREATE TABLE passage_sentences (
            passage_id INTEGER PRIMARY KEY REFERENCES passages(id) ON DELETE CASCADE,
            spans BLOB NOT NULL,               -- int32 [start, end) pairs in the part's text
            scales BLOB NOT NULL,              -- float32, one per sentence
            vectors BLOB NOT NULL              -- int8, sentences x dimension
        );
    """),
    # A second vector per passage from the multilingual model (embed/multilingual.py), so
    # questions in other languages find English records and English questions find records
    # in other languages. float16, L2-normalised; kept in the database so it commits,
    # cascades and rolls back with its passage.
    ("008_multilingual_vectors", """
        CREATE TABLE multilingual_vectors (
            passage_id INTEGER PRIMARY KEY REFERENCES passages(id) ON DELETE CASCADE,
            vector BLOB NOT NULL,
            lang TEXT NOT NULL DEFAULT 'en'    -- the passage's language (ingest/language.py)
        );
        CREATE INDEX multilingual_vectors_lang ON multilingual_vectors(lang);
    """),
    # The English words of the index's passages, counted, with a multilingual vector for
    # each written often enough (store/vocabulary.py): what a question in another language
    # is glossed into, word by word (retrieval/gloss.py). Filled by builds and `index upgrade`.
    ("010_english_words", """
        CREATE TABLE english_words (
            word TEXT PRIMARY KEY,
            count INTEGER NOT NULL,
            vector BLOB                        -- float16, once count reaches MIN_COUNT
        );                                     -- (rowid: a 1 KiB blob per row would overflow
                                               -- a WITHOUT ROWID table's pages: 4.6 KiB a row)
    """),
    # A resolution's whole text for keyword search (BM25 over documents, `retrieval.ranking`
    # `with_document_keywords`): its paragraphs seldom name their subject ("Decides that the
    # measures imposed by paragraph 3 … shall not apply to …"), the resolution as a whole
    # does. Resolutions only (a symbol with /RES/); the writer refreshes a row when it
    # writes the document's passages, and a row goes with its document. The FTS5 table
    # takes its text from the rows themselves, so a delete always removes what was added.
    ("011_document_keywords", f"""
        CREATE TABLE document_keywords (
            doc_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
            text TEXT NOT NULL
        );
        CREATE VIRTUAL TABLE document_keywords_fts USING fts5(
            text, content='document_keywords', content_rowid='doc_id',
            tokenize='porter unicode61 remove_diacritics 2');
        CREATE TRIGGER document_keywords_insert AFTER INSERT ON document_keywords BEGIN
            INSERT INTO document_keywords_fts(rowid, text) VALUES (new.doc_id, new.text);
        END;
        CREATE TRIGGER document_keywords_delete AFTER DELETE ON document_keywords BEGIN
            INSERT INTO document_keywords_fts(document_keywords_fts, rowid, text)
            VALUES ('delete', old.doc_id, old.text);
        END;
        INSERT INTO document_keywords (doc_id, text)
            SELECT d.id, ({DOCUMENT_TEXT_SQL.format(doc="d.id")}) FROM documents d
            WHERE d.symbol LIKE '%/RES/%' AND EXISTS (SELECT 1 FROM passages p
                                                      WHERE p.doc_id = d.id);
    """),
    # What the model reads before a passage and never shows (`ingest.resolutions.contexts`:
    # a resolution's subject and lead-in); NULL for none. Kept so that vectors made later
    # (`index upgrade`, `repair`) read what the build's did. A passage written before it
    # has none until its document is built again.
    ("012_passage_context", """
        ALTER TABLE passages ADD COLUMN context TEXT;
    """),
]
# Migrations a reader can do without: an index that lacks them still answers every query,
# less well (see `retrieval.keyword`; without 008, no multilingual vectors), so a
# read-only copy such as the bundled index works
# until its next write or rebuild.
# 006: without stored sentence vectors, a search embeds the shown sentences to mark one.
# 008: without multilingual vectors, questions in other languages get the English model.
# 010: without English words, a question in another language has no word-by-word gloss.
# 011: without resolutions' whole texts, a resolution is ranked by its paragraphs alone.
# 012: read by writers only (the model's input), never by a search.
OPTIONAL_FOR_READERS = frozenset({"009_keyword_scripts", "006_sentence_vectors",
                                  "008_multilingual_vectors", "010_english_words",
                                  "011_document_keywords", "012_passage_context"})


def pending(db: sqlite3.Connection, create: bool = True) -> list[str]:
    """Names of migrations not yet applied to `db` (read-only callers pass create=False)."""
    if create:
        db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    done = {row[0] for row in db.execute("SELECT name FROM schema_migrations")}
    return [name for name, _ in MIGRATIONS if name not in done]


def migrate(db: sqlite3.Connection) -> list[str]:
    """Apply pending migrations, each in its own transaction. Returns their names."""
    register_functions(db)    # the keyword triggers call these functions
    names = pending(db)
    scripts = dict(MIGRATIONS)
    for name in names:
        stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
        # One transaction per migration: a crash leaves it wholly applied or not at all.
        db.executescript(f"BEGIN; {scripts[name]}; INSERT INTO schema_migrations "
                         f"VALUES ('{name}', '{stamp}'); COMMIT;")
    return names


def register_functions(db: sqlite3.Connection) -> None:
    """Give `db` the SQL functions that migration 009's view and triggers call, folding
    with the stemmer the index was made with."""
    fold = partial(wordsplit.fold, stemmer=keyword_stemmer(db))
    db.create_function(FOLD_FUNCTIONS[0], 1, fold, deterministic=True)
    db.create_function(FOLD_FUNCTIONS[1], 1, wordsplit.needs_fold, deterministic=True)


def keyword_stemmer(db: sqlite3.Connection) -> str:
    """The Arabic and Russian stemmer of this index's second keyword table."""
    try:
        row = db.execute("SELECT value FROM state WHERE key = 'keyword_stemmer'").fetchone()
    except sqlite3.OperationalError:        # no state table yet: a database being created
        return stemmers.LIGHT
    return stemmers.checked(row[0]) if row else stemmers.LIGHT
