"""Whether a model name can be loaded, decided in milliseconds before any heavy import.

A name that is neither a local folder nor in the Hugging Face cache needs the hub. With the
hub unreachable (or `HF_HUB_OFFLINE=1`), or a name the hub does not have, sentence-transformers
finds that out only after a minute of retries and prints each one; `require_loadable` says
so in one line within `PROBE_SECONDS`.
Nothing here imports huggingface_hub: its settings are read when it is first imported, so
setting `HF_HUB_OFFLINE` here, before that, still takes effect.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from urllib.parse import urlparse

from ..errors import ModelLoadError

PROBE_SECONDS = 1.5   # a hub that takes longer to answer counts as unreachable
_TRUE = ("1", "on", "yes", "true")


def hub_cache() -> Path:
    """The Hugging Face hub cache, in huggingface_hub's own order of settings."""
    for var in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        if os.environ.get(var):
            return Path(os.environ[var]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "huggingface" / "hub"


def is_cached(name: str, owners: tuple[str, ...] = ()) -> bool:
    """A snapshot of `name` (or of `owner/name`, for short names) is in the hub cache."""
    candidates = [name] if "/" in name else [name, *(f"{o}/{name}" for o in owners)]
    for repo in candidates:
        snapshots = hub_cache() / ("models--" + repo.replace("/", "--")) / "snapshots"
        if snapshots.is_dir() and any(snapshots.iterdir()):
            return True
    return False


def offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in _TRUE


def unreachable(repos: list[str] | None = None, timeout: float = PROBE_SECONDS) -> str | None:
    """Why the hub cannot supply any of `repos`, or None when it answers for one of them
    (or answers in a way only huggingface_hub can judge: 401/403 for a gated model, which a
    token may open). Asks the hub's model API (through any HTTPS proxy, as huggingface_hub
    would) on a thread, so a name lookup that hangs costs `timeout`, not half a minute."""
    import urllib.error
    import urllib.request

    endpoint = (os.environ.get("HF_ENDPOINT") or "https://huggingface.co").rstrip("/")
    host = urlparse(endpoint).hostname or endpoint
    outcome: list[str | None] = []

    def probe() -> None:
        why = None
        for repo in repos or ["sentence-transformers/all-MiniLM-L6-v2"]:
            try:
                with urllib.request.urlopen(f"{endpoint}/api/models/{repo}", timeout=timeout):
                    outcome.append(None)
                    return
            except urllib.error.HTTPError as exc:
                if exc.code != 404:
                    outcome.append(None)
                    return
                why = why or f"{host} has no model {repo!r}"
            except (OSError, ValueError) as exc:
                reason = getattr(exc, "reason", exc)
                why = f"{host} is unreachable: {getattr(reason, 'strerror', None) or reason}"
                break
        outcome.append(why)

    thread = threading.Thread(target=probe, daemon=True, name="diplosearch-hub-probe")
    thread.start()
    thread.join(timeout + 0.2)
    if not outcome:
        return f"{host} did not answer within {timeout:.1f} s"
    return outcome[0]


def require_loadable(name: str, what: str = "model", owners: tuple[str, ...] = ()) -> None:
    """Return if `name` is a local folder, is cached, or the hub has it; else raise
    ModelLoadError in one line. A cached model with the hub out of reach loads offline, so
    it does not wait on the hub either."""
    if Path(name).expanduser().is_dir():
        return
    repos = [name] if "/" in name else [*(f"{o}/{name}" for o in owners), name]
    if is_cached(name, owners):
        if not offline() and unreachable(repos) is not None:
            os.environ["HF_HUB_OFFLINE"] = "1"
        return
    if offline():
        raise ModelLoadError(f"cannot load {what} {name!r}: it is not a local folder nor in the "
                             f"Hugging Face cache ({hub_cache()}), and HF_HUB_OFFLINE is set")
    why = unreachable(repos)
    if why is not None:
        raise ModelLoadError(f"cannot load {what} {name!r}: it is not a local folder nor in the "
                             f"Hugging Face cache, and {why}")
