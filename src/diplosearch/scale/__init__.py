"""Beyond one machine and one process: distributed builds and adds on Ray (`ray_build`, the
driver; `worker`, what each Ray actor does with a shard; `shards`, the shard files and their
merge) and synthetic indexes for scale benchmarks (`synthetic`).

May import: `index` (to finish a build the ordinary way), `store`, `embed`, `ingest`.
Imported only by `cli` and the benchmarks; nothing below imports it.
"""
