"""A real HTTP server on 127.0.0.1 that answers as the UN's Official Document System does
(as far as public code that uses it shows): `/api/symbol/access?s=&l=&t=pdf` redirects to
a PDF path, an unknown symbol gets a small HTML page with status 200. It serves real
records from the shared corpus. Scripted faults per symbol: `busy` (one 429, then the
document), `drop` (the PDF's connection closes half-way once), `upper` (the redirect
names the path in upper case; only the lower-case path exists), `error` (a redirect to
/error).

There is no French (or other non-English) S/PV PDF in the shared corpus: for any language
but English the server sends the English record's bytes, as a stand-in."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

PDFS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "unsc_2020_pires" / "speeches_pdf"
APP_PAGE = (b"<!doctype html><html><head><title>Official Document System</title></head>"
            b"<body><div id=\"root\"></div><script src=\"/static/js/main.js\"></script>"
            b"</body></html>")


class OdsServer:
    """`with OdsServer(faults={"S/PV.8700": "busy"}) as ods:` then `ods.url`, `ods.requests`."""

    def __init__(self, faults: dict[str, str] | None = None, port: int = 0) -> None:
        self.faults = dict(faults or {})
        self.requests: list[tuple[str, dict[str, str]]] = []   # (path and query, headers)
        self.spent: set[str] = set()        # faults already played once
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):   # noqa: N802  (the stdlib's name)
                server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                server.answer(self)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> "OdsServer":
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def once(self, symbol: str, fault: str) -> bool:
        if self.faults.get(symbol) == fault and (symbol, fault) not in self.spent:
            self.spent.add((symbol, fault))
            return True
        return False

    def answer(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)           # absolute when reached as a proxy
        if parts.path == "/api/symbol/access":
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            return self.access(h, query.get("s", ""), query.get("l", ""))
        if parts.path.startswith("/doc/"):
            return self.document(h, parts.path)
        if parts.path == "/error":
            return send(h, 200, APP_PAGE, "text/html")
        send(h, 404, b"not found", "text/plain")

    def access(self, h, symbol: str, lang: str) -> None:
        if self.once(symbol, "busy"):
            return send(h, 429, b"slow down", "text/plain", {"Retry-After": "0"})
        if self.faults.get(symbol) == "error":
            return send(h, 302, b"", "text/plain", {"Location": "/error"})
        name = symbol.replace("/", "_") + "_E.pdf"
        if not (PDFS / name).is_file():
            return send(h, 200, APP_PAGE, "text/html; charset=utf-8")
        path = f"/doc/undoc/gen/{lang}/{name.lower()}"
        if self.faults.get(symbol) == "upper":
            path = path.upper().replace("/DOC/", "/doc/", 1)
        send(h, 302, b"", "text/plain", {"Location": path})

    def document(self, h, path: str) -> None:
        if path != path.lower():
            return send(h, 404, b"not found", "text/plain")
        name = path.rsplit("/", 1)[1]
        match = [p for p in PDFS.glob("*.pdf") if p.name.lower() == name]
        if not match:
            return send(h, 404, b"not found", "text/plain")
        data = match[0].read_bytes()
        symbol = match[0].name.removesuffix("_E.pdf").replace("_", "/")
        if self.once(symbol, "drop"):     # promise the whole file, send half, hang up
            h.send_response(200)
            h.send_header("Content-Type", "application/pdf")
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data[:len(data) // 2])
            h.wfile.flush()
            h.close_connection = True
            return
        send(h, 200, data, "application/pdf")


def send(h, status: int, body: bytes, kind: str, headers: dict[str, str] | None = None) -> None:
    h.send_response(status)
    h.send_header("Content-Type", kind)
    h.send_header("Content-Length", str(len(body)))
    for key, value in (headers or {}).items():
        h.send_header(key, value)
    h.end_headers()
    h.wfile.write(body)
