"""When the approximate (IVF) search structure is rebuilt after writes, and how a new one is
committed: built from the live vectors, recorded in the database's state, then the manifest
synced and files no longer named removed (`recovery`). Callers hold the writer lock."""

from __future__ import annotations

from pathlib import Path

from . import ann, database
from .recovery import remove_orphans, sync_manifest


def needs_rebuild(db) -> str | None:
    """The ANN kind to (re)build after a write, or None: none exists and the size calls for
    one, the uncovered delta is large, or many covered passages were removed. A flat choice
    with a stale ANN gives "flat" (drop it)."""
    live = database.tally(db, "passages")
    kind = ann.resolve(database.get_state(db, "index_type") or "auto", live)
    state = ann.ann_state(db)
    if kind == "flat":
        return "flat" if state else None
    if not state or state["ann_kind"] != kind:
        return kind if live else None
    max_id, rows = int(state["ann_max_id"]), int(state["ann_rows"])
    # ids only grow: counting the passages added since the build reads just those rows
    delta = int(db.execute("SELECT COUNT(*) FROM passages WHERE id > ?", (max_id,)).fetchone()[0])
    covered = live - delta
    if delta > max(ann.DELTA_MIN, ann.DELTA_SHARE * covered) \
            or rows - covered > ann.DEAD_SHARE * rows:
        return kind
    return None


def optimize(index_dir: Path, db, manifest, kind: str) -> str:
    """Build (or drop, for "flat") the search structure and commit it. Caller holds the
    writer lock. Returns the kind now in use."""
    live = ann.LiveMap(index_dir, db, manifest.dimension) if kind != "flat" else None
    new = ann.write_ann(index_dir, ann.build(kind, live)) if live is not None and len(live) else None
    with database.transaction(db):
        db.executemany("DELETE FROM state WHERE key = ?", [(k,) for k in ann.STATE_KEYS])
        if new:
            values = {"ann_file": new[0], "ann_sha256": new[1], "ann_kind": kind,
                      "ann_max_id": int(live.ids.max()), "ann_rows": len(live)}
            for key, value in values.items():
                database.set_state(db, key, value)
        database.set_state(db, "generation", int(database.get_state(db, "generation")) + 1)
    sync_manifest(index_dir, db, manifest)
    remove_orphans(index_dir, db)
    return kind if new else "flat"
