"""The web page and the MCP server load every model a search may need as they start, the
multilingual one included, so that their first question in any language is as fast as the
rest; a command-line search loads the multilingual model only for a question that needs it."""

from __future__ import annotations

import pytest

import diplosearch as ds
from diplosearch.embed.multilingual import UseEmbedder

pytestmark = pytest.mark.model


@pytest.fixture
def ml_index(seed_dir, hashing) -> str:
    """The founding statement, English vectors from the hashing model, multilingual vectors
    from the bundled multilingual model."""
    ds.build_index([seed_dir], "seed-ml", model=hashing, multilingual=True)
    return "seed-ml"


def _loaded(index) -> bool:
    second = index._multilingual
    return isinstance(second, UseEmbedder) and second._model is not None \
        and index._ml_vectors is not None


def test_index_warm_loads_the_multilingual_model(ml_index):
    index = ds.open_index(ml_index)
    index.search("foreign terrorist fighters", k=1)   # English: the second model is not needed
    assert not _loaded(index)
    index.warm()
    assert _loaded(index)


def test_the_web_app_loads_it_at_start(ml_index):
    from fastapi.testclient import TestClient

    from diplosearch.web import create_app

    app = create_app(ml_index, warm=True)
    with TestClient(app):
        session = app.state.session
        session._pool.submit(lambda: None).result(timeout=120)   # the warm-up ran before it
        assert _loaded(session._index)


def test_the_mcp_server_loads_it_at_start(ml_index, monkeypatch):
    pytest.importorskip("mcp")
    from diplosearch import mcp_server

    indexes = mcp_server.Indexes(ml_index)
    indexes.warm()
    indexes._pool.submit(lambda: None).result(timeout=120)   # the warm-up ran before it
    assert _loaded(indexes._open[ml_index])
    # and `diplosearch mcp` (serve) starts the server with that warm-up
    started = []
    monkeypatch.setattr(mcp_server.Indexes, "warm", lambda self: started.append(self.default))
    mcp_server.create_server(ml_index, warm=True)
    assert started == [ml_index]
