#!/usr/bin/env python3
"""Write src/diplosearch/embed/reference/all-MiniLM-L6-v2.npz: the probe texts of
`embed.export` and the vectors sentence-transformers (torch) gives them with the bundled
model. The torch-free export of the bundled model (`embed.bert_graph`) is checked against
these on every machine, so it never needs torch to know it reproduces torch.

    python scripts/make_reference_vectors.py

Run it again only if the probe texts change (tests/embed/test_bert_graph.py checks the
file against torch).
"""

from __future__ import annotations

import numpy as np

from diplosearch.embed.export import _PROBES, BUNDLED_SHA256, REFERENCE, weights_sha256
from diplosearch.embed.models import DEFAULT_MODEL, SentenceTransformerEmbedder, default_model_path


def main() -> int:
    if weights_sha256(default_model_path()) != BUNDLED_SHA256:
        raise SystemExit("the installed model's weights are not the published ones")
    vectors = SentenceTransformerEmbedder(DEFAULT_MODEL).embed(list(_PROBES))
    REFERENCE.parent.mkdir(parents=True, exist_ok=True)
    np.savez(REFERENCE, texts=np.array(_PROBES), vectors=vectors.astype(np.float32))
    print(f"wrote {REFERENCE} ({len(_PROBES)} texts, {vectors.shape[1]} dimensions)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
