"""One shard's work on a Ray worker: read its files, split them into passages and embed them,
exactly as a local build or add does it file by file (`store.writer.add_sources`).

A shard is a list of files in the build's order, each with what the driver knows of it: the
indexed document it would update (its sha256 and metadata, so an unchanged file is neither
split nor embedded), or that its name is held by a different document (refused without
being read). Its *context* is the files before it that belong to the same meetings: the
worker reads them first for their invitations (`documents.leave_invitations`), so that a
resumption's briefers keep the affiliation their meeting's first record gave them, whichever
worker reads which record; in an add, a resumption whose first record is already indexed
starts from that record's invitations, which the driver reads from the index for it
(`writer.indexed_invitations`). A meeting's records are recognised by their file names, as
`sources.reading_order` recognises them.

The worker returns, per file and in order, what the local loop would have done with it
(indexed, unchanged, or skipped, with its reader's warnings) and, for the passages, the
English vectors, the sentence vectors pooled from the same forward pass, and the
multilingual vectors: everything a local commit computes, so the merge runs no model.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
from pathlib import Path

import numpy as np

SHARD_FORMAT = 3   # 3: passages carry the context the model read (a shard of 2 is made again)


class ShardWorker:
    """One Ray actor: loads the models once, then reads, splits and embeds shards."""

    def __init__(self, model, device: str, max_tokens: int, min_tokens: int, max_bytes: int,
                 done: frozenset[str], backend: str | None = None, purpose: str = "build",
                 multilingual: str = "") -> None:
        from ..embed.models import canonical_name

        self.model, self.device, self.max_bytes, self.done = model, device, max_bytes, done
        self.backend, self.purpose, self.multilingual = backend, purpose, multilingual
        self.name = canonical_name(model)
        self.max_tokens, self.min_tokens = max_tokens, min_tokens
        self._embedder = self._second = None

    @property
    def embedder(self):
        if self._embedder is None:   # not for a shard already written: no load at all
            from ..embed.models import load_embedder

            self._embedder = load_embedder(self.model, device=self.device,
                                           backend=self.backend, purpose=self.purpose)
        return self._embedder

    @property
    def second(self):
        if self._second is None and self.multilingual:
            from ..embed.multilingual import load_multilingual

            self._second = load_multilingual(self.multilingual)
        return self._second

    def __call__(self, batch: dict) -> dict:
        out: dict[str, list] = {"shard": [], "key": [], "payload": [], "arrays": []}
        for shard, spec in zip(batch["shard"], batch["spec"]):
            key, payload, arrays = self.run(json.loads(str(spec)))
            out["shard"].append(int(shard))
            out["key"].append(key)
            out["payload"].append(payload)
            out["arrays"].append(arrays)
        return out

    def run(self, spec: dict) -> tuple[str, str, bytes]:
        """One shard: its key, its JSON payload and its arrays (an .npz file's bytes), or
        the key alone when the driver already holds that shard."""
        read = [_read(f, self.max_bytes) for f in spec["files"]]
        context = [_read(f, self.max_bytes) for f in spec["context"]]
        key = self.key(spec, read, context)
        if key in self.done:
            return key, "", b""
        meetings: dict = {}
        indexed = spec.get("indexed", {})
        for f, (source, _) in zip(spec["context"], context):
            if source is not None and not _unchanged(f, source):
                from ..ingest.documents import leave_invitations

                _seed(meetings, source.metadata, indexed)
                leave_invitations(source, meetings)
        records, inputs = self.split(spec["files"], read, meetings, indexed)
        payload = {"format": SHARD_FORMAT, "model": self.embedder.name,
                   "dimension": self.embedder.dimension,
                   "backend": getattr(self.embedder, "backend", None),
                   "max_tokens": self.budget, "multilingual": self.multilingual,
                   "multilingual_dimension": self.second.dimension if self.second else 0,
                   "records": records}
        return key, json.dumps(payload), self.embed(inputs)

    @property
    def budget(self) -> int:
        return min(self.max_tokens, self.embedder.max_tokens)   # as a local build caps it

    def key(self, spec: dict, read: list, context: list) -> str:
        """A content hash of a shard's inputs: same files, context and settings, same key."""
        h = hashlib.sha256(json.dumps([SHARD_FORMAT, self.name, self.max_tokens,
                                       self.min_tokens, self.multilingual]).encode())
        for f, (source, problem) in [*zip(spec["files"], read), *zip(spec["context"], context)]:
            facts = [source.sha256, source.encoding, source.metadata] if source else problem
            h.update(json.dumps([f, facts], sort_keys=True).encode())
        h.update(json.dumps(spec.get("indexed", {}), sort_keys=True).encode())
        return h.hexdigest()[:32]

    def split(self, files: list[dict], read: list, meetings: dict,
              indexed: dict) -> tuple[list[dict], list[str]]:
        """Each file's record, as the local loop treats it, and the passages to embed, as
        (text, context) pairs."""
        from ..errors import SourceError
        from ..ingest.documents import to_passages

        records, inputs = [], []
        for f, (source, problem) in zip(files, read):
            rec = {"path": f["path"], "key": f["key"], "absolute": f["absolute"],
                   "warnings": source.warnings if source else []}
            records.append(rec)
            if source is None:
                rec.update(status="skipped", problem=problem)
                continue
            if _unchanged(f, source):
                rec["status"] = "unchanged"
                continue
            try:
                _seed(meetings, source.metadata, indexed)
                passages = to_passages(source, self.embedder.count_tokens, self.budget,
                                       self.min_tokens, meetings=meetings)
                if not passages:
                    raise SourceError(source.file.path, "no text to index")
            except SourceError as exc:
                rec.update(status="skipped", problem=exc.problem)
                continue
            rec.update(status="indexed", sha256=source.sha256, encoding=source.encoding,
                       metadata=source.metadata,
                       passages=[dataclasses.asdict(p) for p in passages])
            inputs.extend((p.text, p.context) for p in passages)
        return records, inputs

    def embed(self, inputs: list[tuple[str, str | None]]) -> bytes:
        """The shard's arrays: English vectors, sentence vectors (with each text's count,
        -1 for none) and multilingual vectors, as `writer._commit` computes them."""
        from ..embed.models import embed_all, embed_all_spans
        from ..ingest.passages import model_text, pooled_spans, stored_spans

        texts = [model_text(text, context) for text, context in inputs]
        vecs, per_sentence = embed_all_spans(
            self.embedder, texts, [pooled_spans(stored_spans(t), c) for t, c in inputs])
        per_sentence = per_sentence or [None] * len(texts)
        counts = np.array([-1 if v is None else len(v) for v in per_sentence], np.int32)
        kept = [v for v in per_sentence if v is not None]
        dim = self.embedder.dimension
        sentences = np.concatenate(kept) if kept else np.zeros((0, dim), np.float32)
        second = embed_all(self.second, texts, 1024) if self.second and texts else \
            np.zeros((0, 0), np.float32)
        buffer = io.BytesIO()
        np.savez(buffer, vectors=vecs, sentence_counts=counts, sentences=sentences,
                 multilingual=second)
        return buffer.getvalue()


def _read(f: dict, max_bytes: int):
    """(SourceText, None), or (None, the problem) for a file refused or unreadable."""
    from ..errors import SourceError
    from ..ingest.sources import SourceFile, read_source

    if f.get("clash"):   # checked before reading, as the local loop does
        return None, f"a different document is indexed as {f['key']!r}"
    try:
        return read_source(SourceFile(Path(f["absolute"]), f["key"]), max_bytes), None
    except SourceError as exc:
        return None, exc.problem


def _seed(meetings: dict, metadata: dict, indexed: dict) -> None:
    """What `writer.indexed_invitations` does before a local add reads a record: a
    resumption whose meeting no record of this add has opened starts from the invitations
    of the meeting's indexed first record (`indexed`, read from the index by the driver)."""
    from ..ingest.documents import meeting_of
    from ..ingest.speakers import Speaker

    meeting = meeting_of(metadata)
    if meeting is None or meeting in meetings or "(Resumption" not in metadata.get("symbol", ""):
        return
    meetings[meeting] = {name: Speaker(**s) for name, s in indexed.get(meeting, {}).items()}


def _unchanged(f: dict, source) -> bool:
    """The same bytes and metadata as the indexed document it updates (`writer._unchanged`)."""
    existing = f.get("existing")
    return existing is not None and existing["sha256"] == source.sha256 and \
        existing["metadata"] == source.metadata
