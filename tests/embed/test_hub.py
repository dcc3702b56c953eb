"""Model and reranker names the hub would have to supply fail at once, in one line, when
the hub cannot be reached or HF_HUB_OFFLINE is set; local folders and cached names load."""

import os

import pytest
from typer.testing import CliRunner

from diplosearch.cli import app
from diplosearch.embed import hub
from diplosearch.embed.models import SentenceTransformerEmbedder
from diplosearch.errors import ModelLoadError

RERANKER = "cross-encoder/ms-marco-MiniLM-L6-v2"


@pytest.fixture(autouse=True)
def empty_hub_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")          # restored after each test
    monkeypatch.delenv("HTTPS_PROXY", raising=False)
    monkeypatch.delenv("https_proxy", raising=False)
    return tmp_path / "hf-cache"


@pytest.fixture
def hub_down(monkeypatch):
    """A hub endpoint that refuses connections (port 9 on loopback: nothing listens)."""
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")


def test_offline_names_the_setting_without_probing(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(hub, "unreachable", lambda *a, **k: pytest.fail("probed the hub"))
    with pytest.raises(ModelLoadError, match="nor in the Hugging Face cache.*HF_HUB_OFFLINE"):
        hub.require_loadable(RERANKER, "reranker")


def test_an_unreachable_hub_is_named(hub_down):
    with pytest.raises(ModelLoadError, match=r"and 127\.0\.0\.1 is unreachable: "):
        hub.require_loadable("someone/some-model")


def test_a_name_the_hub_does_not_have_fails_at_once(monkeypatch):
    """A hub that answers 404 for the name (a typo): one line, no retries."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class NotFound(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_error(404)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), NotFound)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{server.server_port}")
    try:
        with pytest.raises(ModelLoadError, match="127.0.0.1 has no model 'sentence-transformers/"
                                                 "all-mpnet-base-v3'"):
            hub.require_loadable("all-mpnet-base-v3", owners=("sentence-transformers",))
    finally:
        server.shutdown()


def test_a_model_name_fails_before_sentence_transformers_loads(hub_down, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def guarded(name, *args, **kwargs):
        assert not name.startswith("sentence_transformers"), "imported before the check"
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", guarded)
    with pytest.raises(ModelLoadError, match="cannot load model 'someone/some-model'"):
        SentenceTransformerEmbedder("someone/some-model").dimension


def test_local_folders_and_cached_names_pass(tmp_path, empty_hub_cache, hub_down, monkeypatch):
    hub.require_loadable(str(tmp_path))
    (empty_hub_cache / "models--cross-encoder--ms-marco-MiniLM-L6-v2" / "snapshots" / "abc").mkdir(
        parents=True)
    hub.require_loadable(RERANKER)
    hub.require_loadable("ms-marco-MiniLM-L6-v2", owners=("cross-encoder",))
    # Cached, hub down: load from the cache without asking the hub first.
    assert os.environ["HF_HUB_OFFLINE"] == "1"


@pytest.mark.parametrize("args", [
    ["search", "sanctions", "--rerank", RERANKER],
    ["index", "build", "{seed}", "--name", "m", "--model", "someone/some-model", "--no-progress"],
])
def test_cli_says_so_in_one_line(args, seed_dir, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    result = CliRunner().invoke(app, [str(seed_dir) if a == "{seed}" else a for a in args])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("error: cannot load") and result.output.count("\n") == 1
    assert "HF_HUB_OFFLINE is set" in result.output
