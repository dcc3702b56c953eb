"""Tier 3: end to end with the real bundled model (loaded once per session)."""

import hashlib
import json

import numpy as np
import pytest

import diplosearch as ds
from diplosearch.embed.models import default_model_path
from tests.conftest import QUESTION, SLICE

pytestmark = pytest.mark.model

OFFICIAL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


def test_bundled_weights_are_the_official_file():
    path = default_model_path() / "model.safetensors"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == OFFICIAL_SHA256


def test_default_index_answers_the_founding_question(real_embedder):
    idx = ds.open_index(model=real_embedder)
    hits = idx.search(QUESTION, k=2)
    seed = [h for h in hits if h.source.endswith("semerikov.txt")]
    assert seed and seed[0].paragraph == 9
    assert "foreign terrorist fighters" in seed[0].text
    assert seed[0].affiliation == "Collective Security Treaty Organization"


def test_committed_default_index_matches_current_code_and_model(real_embedder, tmp_path):
    """Rebuild the seed part the way scripts/build_default_index.py does; the committed
    index must hold the same passages with the same vectors."""
    committed = ds.open_index(model=real_embedder)
    assert committed.manifest.model == ds.DEFAULT_MODEL
    assert committed.manifest.dimension == real_embedder.dimension == 384
    fresh, _ = ds.build_index([SLICE / "seed"], tmp_path / "fresh", model=real_embedder)
    rows = committed.db.execute(
        "SELECT p.id, p.text, p.paragraph, p.part FROM passages p JOIN documents d "
        "ON d.id = p.doc_id WHERE d.key LIKE '%semerikov.txt' ORDER BY p.position").fetchall()
    new = fresh.db.execute("SELECT id, text, paragraph, part FROM passages ORDER BY position").fetchall()
    assert [tuple(r)[1:] for r in rows] == [tuple(r)[1:] for r in new]
    ids = np.array([r[0] for r in rows])
    pos = {int(i): n for n, i in enumerate(committed.vectors.ids)}
    stored = committed.vectors.index.reconstruct_batch(np.array([pos[int(i)] for i in ids]))
    assert np.allclose(stored, real_embedder.embed([r[1] for r in rows]), atol=1e-4)


def test_no_passage_exceeds_the_model_limit_on_real_speeches(real_embedder, shared, tmp_path):
    folder = shared / "corpus/unsc_2020_pires/speeches_txt_2020"
    files = sorted(folder.glob("UNSC_2020_SPV.8699_spch0[0-2]*.txt"))[:12]
    idx, report = ds.build_index(files, tmp_path / "slice", model=real_embedder)
    texts = [r[0] for r in idx.db.execute("SELECT text FROM passages")]
    sizes = real_embedder.count_tokens(texts)
    assert len(texts) > 50 and max(sizes) <= idx.manifest.max_tokens
    assert sum(s > real_embedder.max_tokens for s in sizes) == 0
    hit = idx.search("the rule of law and the Charter of the United Nations", k=1)[0]
    assert hit.doc.startswith("S/PV.8699") and hit.citation.startswith(f"{hit.doc} #")
    assert hit.affiliation or hit.role


def test_cli_search_over_the_default_index(real_embedder):
    from typer.testing import CliRunner

    from diplosearch.cli import app

    result = CliRunner().invoke(app, ["search", QUESTION, "-k", "2", "-f", "json"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert any(h["source"].endswith("semerikov.txt") and h["paragraph"] == 9 for h in hits)
