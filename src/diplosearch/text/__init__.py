"""Language at the level of text, one home for every stage that needs it.

`language` says which UN language a text is in (questions, and passages when an index
stores multilingual vectors), with its confidence; `wordsplit` cuts text into the words
that keyword search indexes and matches: Chinese characters, the stop words, the terms of
a query; `stemmers` holds the Arabic and Russian stemmers (light, or Snowball); `mentions`
finds the months, years and countries a question names, in any of the six languages;
`transliteration` spells Arabic and Cyrillic names in Latin letters to meet their English forms.

The bottom layer: `ingest`, `store` and `retrieval` all import it, so a question no longer
climbs from retrieval down to store and back for its words.

May import: the standard library, `diplosearch.errors`, and lazily fastText (language
identification), PyStemmer and anyascii. Never imports another diplosearch package.
"""
