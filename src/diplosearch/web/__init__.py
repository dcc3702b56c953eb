"""The local web page and JSON API (`diplosearch serve`), over the same library calls as
the CLI. Needs the `web` extra: pip install 'diplosearch[web]'.

    from diplosearch.web import create_app
    app = create_app("my-index")        # an ASGI app: uvicorn, or FastAPI's TestClient

FastAPI, uvicorn and Jinja2 are imported only when an app is made or served.
"""

from __future__ import annotations

import ipaddress
import os
from typing import Any

from ..errors import DiplosearchError

LOOPBACK_NAMES = ["127.0.0.1", "localhost", "::1", "[::1]"]


def create_app(index: str | os.PathLike[str] | None = None, **options: Any):
    """The FastAPI app serving `index` (default: as `open_index`); see `app.create_app`."""
    require_web_extra()
    from .app import create_app as make

    return make(index, **options)


def is_loopback(host: str) -> bool:
    """Whether `host` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(index: str | os.PathLike[str] | None = None, host: str = "127.0.0.1",
          port: int = 8000, log_level: str = "info") -> None:
    """Serve the web page and API until interrupted.

    On a loopback address only requests naming this machine (localhost, 127.0.0.1) are
    answered, which stops other sites from reaching the server through DNS rebinding.
    """
    require_web_extra()
    import uvicorn

    hosts = LOOPBACK_NAMES if is_loopback(host) else None
    uvicorn.run(create_app(index, allowed_hosts=hosts, warm=True), host=host, port=port,
                log_level=log_level, server_header=False)


def require_web_extra() -> None:
    try:
        import fastapi  # noqa: F401
        import jinja2  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise DiplosearchError(f"the web page needs the web extra ({exc.name} is missing): "
                               "pip install 'diplosearch[web]'") from None
