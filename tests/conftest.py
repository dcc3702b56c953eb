"""Shared fixtures. Every test runs with DIPLOSEARCH_HOME in a temporary folder, so no
test reads or writes a real user's indexes."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SEED = SHARED / "seed" / "unsc_2019-09-25_csto_semerikov.txt"
SLICE = REPO / "scripts" / "default_corpus"
QUESTION = "what measures target foreign terrorist fighters"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("DIPLOSEARCH_HOME", str(home))
    # A test that unsets DIPLOSEARCH_HOME finds the default home (the user data folder) here.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "user-data"))
    monkeypatch.delenv("DIPLOSEARCH_INDEX", raising=False)
    monkeypatch.chdir(tmp_path)
    return home


@pytest.fixture(scope="session", autouse=True)
def isolated_model_cache(tmp_path_factory):
    """ONNX exports of the model go to a temporary folder (made once per session), never to
    the user's ~/.cache. Session-scoped so that session fixtures such as real_embedder see it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DIPLOSEARCH_CACHE", str(tmp_path_factory.mktemp("model-cache")))
        patch.delenv("DIPLOSEARCH_BACKEND", raising=False)
        yield


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "corpus").is_dir():
        raise RuntimeError(f"{SHARED} is missing: tests need the shared corpora beside the repo")
    return SHARED


@pytest.fixture(scope="session")
def real_embedder():
    """The bundled all-MiniLM-L6-v2, loaded once for the whole session."""
    from diplosearch.embed.models import load_embedder

    embedder = load_embedder()
    embedder.embed(["warm up"])
    return embedder


@pytest.fixture
def hashing():
    from diplosearch import HashingEmbedder

    return HashingEmbedder()


@pytest.fixture
def seed_dir(tmp_path) -> Path:
    """A folder holding a copy of the founding statement and its metadata sidecar."""
    folder = tmp_path / "seed"
    folder.mkdir()
    (folder / SEED.name).write_bytes(SEED.read_bytes())
    sidecar = SLICE / "seed" / (SEED.name + ".meta.json")
    if not sidecar.exists():
        sidecar = SLICE / "seed" / (SEED.stem + ".meta.json")
    (folder / sidecar.name).write_bytes(sidecar.read_bytes())
    return folder
