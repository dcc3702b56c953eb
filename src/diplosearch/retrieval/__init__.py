"""A query in, ranked and cited hits out.

`pipeline` runs a search: keyword (`keyword`, SQLite FTS5) and/or vector retrieval,
`filters`, `fusion` of the two lists, optional reranking, grouping and the best sentence of
each hit (`highlight`); `results` holds what comes back (`Hit`, `SearchResults`, citations);
`timeline` asks one question per period (positions over time); `tables` writes every
passage with its citation as JSON lines, CSV or Parquet (`Index.export`).

Named `retrieval`, not `search`: a subpackage `diplosearch.search` would shadow the public
function `diplosearch.search` once imported.

May import: `store`, `embed`, `ingest`, `text`, `diplosearch.errors`. Never imports `index`, `cli`,
`web` or `scale`: what it needs of an open index is stated as a Protocol (`pipeline.Index`).
"""
