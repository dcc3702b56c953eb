"""Beyond one machine and one process: distributed builds on Ray (`ray_build`, with the
shard files it writes and merges in `shards`) and synthetic indexes for scale benchmarks
(`synthetic`).

May import: `index` (to finish a build the ordinary way), `store`, `embed`, `ingest`.
Imported only by `cli` and the benchmarks; nothing below imports it.
"""
