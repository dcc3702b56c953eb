"""Building a whole index beside its target and swapping it in only when complete, so a
failed or interrupted build leaves whatever was at the target untouched. Shared by local
builds (`diplosearch.index.build_index`) and Ray builds (`scale.ray_build`)."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

from . import ann, database, writer
from .locking import writer_lock
from .manifest import Manifest, write_manifest


def build_aside(target: Path, manifest: Manifest, what: str, fill) -> writer.BuildReport:
    """Create an index in a temporary folder beside `target`, `fill(folder, manifest)` it
    (holding its writer lock), and swap it in only when complete; on any failure the folder
    is removed and whatever was at `target` is untouched. Shared by local and Ray builds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.building-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        db = database.create(tmp)
        with database.transaction(db):
            database.set_state(db, "index_type", ann.check_type(manifest.index_type))
        db.close()
        write_manifest(tmp, manifest)
        with writer_lock(tmp):
            report = fill(tmp, manifest)
        writer.require_sources(report, what)
        finalise_db(tmp)
        writer.replace_dir(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return report


def finalise_db(index_dir: Path) -> None:
    """Fold the WAL into the database so a finished index is a plain set of files."""
    db = sqlite3.connect(index_dir / database.DB_NAME)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("PRAGMA journal_mode=DELETE")
    db.close()
    (index_dir / ".lock").unlink(missing_ok=True)
