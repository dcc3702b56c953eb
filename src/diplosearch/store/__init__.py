"""The index on disk: a directory with a manifest, an SQLite database and vector files.

`paths` resolves index names; `manifest` is the self-description; `database` and
`migrations` the SQLite schema and queries (the second keyword table's words for Chinese,
Arabic and Russian come from `text.wordsplit`); `vectors` the append-only segment files and
`ann`/`ann_update` the approximate (IVF) structure for large indexes; `locking` the one
writer; `snapshot` what readers see while another process writes; `writer` adds and
removes documents (embedding what is new); `recovery`, `verify` and `repair` keep the
directory consistent after crashes or tampering.

May import: `ingest` (passages to store), `embed` (vectors to write), `text` (words and
languages), `diplosearch.errors`.
Never imports `retrieval`, `index`, `cli`, `web` or `scale`.
"""
