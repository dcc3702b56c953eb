"""Whether a model name can be loaded, decided in milliseconds before any heavy import.

A name that is neither a local folder nor in the Hugging Face cache needs the hub. With the
hub unreachable (or `HF_HUB_OFFLINE=1`), sentence-transformers finds that out only after a
minute of retries and prints each one; `require_loadable` says so in one line at once.
Nothing here imports huggingface_hub: its settings are read when it is first imported, so
setting `HF_HUB_OFFLINE` here, before that, still takes effect.
"""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path
from urllib.parse import urlparse

from ..errors import ModelLoadError

PROBE_SECONDS = 1.5   # a connection to the hub that takes longer counts as unreachable
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


def unreachable(timeout: float = PROBE_SECONDS) -> str | None:
    """Why the hub (or the HTTPS proxy in front of it) cannot be reached, or None if a TCP
    connection opens within `timeout`. The probe runs on a thread, so a name lookup that
    hangs costs `timeout`, not the resolver's own half minute."""
    endpoint = urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    proxy = os.environ.get("HTTPS_PROXY") or os.environ.get("https_proxy")
    target = urlparse(proxy) if proxy else endpoint
    host = target.hostname or "huggingface.co"
    port = target.port or (443 if target.scheme == "https" else 80)
    outcome: list[str | None] = []

    def probe() -> None:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                outcome.append(None)
        except OSError as exc:
            outcome.append(exc.strerror or str(exc) or type(exc).__name__)

    thread = threading.Thread(target=probe, daemon=True, name="diplosearch-hub-probe")
    thread.start()
    thread.join(timeout + 0.1)
    if not outcome:
        return f"{host} did not answer within {timeout:.1f} s"
    return None if outcome[0] is None else f"{host}: {outcome[0]}"


def require_loadable(name: str, what: str = "model", owners: tuple[str, ...] = ()) -> None:
    """Return if `name` is a local folder, is cached, or the hub can be reached; else raise
    ModelLoadError in one line. A cached model with the hub unreachable loads offline, so
    it does not wait on the hub either."""
    if Path(name).expanduser().is_dir():
        return
    if is_cached(name, owners):
        if not offline() and unreachable() is not None:
            os.environ["HF_HUB_OFFLINE"] = "1"
        return
    if offline():
        raise ModelLoadError(f"cannot load {what} {name!r}: it is not a local folder nor in the "
                             f"Hugging Face cache ({hub_cache()}), and HF_HUB_OFFLINE is set")
    why = unreachable()
    if why is not None:
        raise ModelLoadError(f"cannot load {what} {name!r}: it is not a local folder nor in the "
                             f"Hugging Face cache, and the hub is unreachable ({why})")
