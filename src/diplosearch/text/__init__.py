"""Language at the level of text, one home for every stage that needs it.

`language` says which UN language a text is in (questions, and passages when an index
stores multilingual vectors); `wordsplit` cuts text into the words that keyword search
indexes and matches: Chinese characters, Arabic and Russian light stems, the stop words,
the terms of a query.

The bottom layer: `ingest`, `store` and `retrieval` all import it, so a question no longer
climbs from retrieval down to store and back for its words.

May import: the standard library and `diplosearch.errors`. Never imports another
diplosearch package.
"""
