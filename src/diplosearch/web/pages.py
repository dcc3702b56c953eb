"""HTML for people: Jinja2 templates with autoescaping (every piece of document text is
escaped; only `emphasise_html`'s own <mark> tags pass through), error pages instead of
stack traces, and the headers that keep the pages to themselves."""

from __future__ import annotations

import jinja2
from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from ..errors import (
    DiplosearchError,
    FilterValueError,
    IndexDamagedError,
    IndexLockedError,
    IndexNotFoundError,
    ModelLoadError,
    ModelMismatchError,
    NotFoundError,
    QueryError,
)
from ..retrieval.context import Context
from ..retrieval.results import Hit, emphasise_html, short_lead

# What each library error means to a client: its fault (4xx) or the server's set-up (503).
STATUS = [(QueryError, 400), (FilterValueError, 400), (NotFoundError, 404),
          (IndexNotFoundError, 503),
          (IndexDamagedError, 503), (IndexLockedError, 503), (ModelMismatchError, 503),
          (ModelLoadError, 503)]
HEADERS = {
    # Scripts, styles and requests only from this server; no inline script can run, so
    # even text that slipped past escaping could not execute.
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
                               "connect-src 'self'; img-src 'self'; form-action 'self'; "
                               "base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

_env = jinja2.Environment(loader=jinja2.PackageLoader("diplosearch.web", "templates"),
                          autoescape=True, undefined=jinja2.StrictUndefined,
                          trim_blocks=True, lstrip_blocks=True)
_env.filters["emphasise"] = lambda hit: Markup(_emphasised_hit(hit))
_env.filters["best_sentence"] = lambda hit: Markup(_best_sentence(hit))
_env.filters["marked"] = lambda ctx, number: Markup(_marked_paragraph(ctx, number))
templates = Jinja2Templates(env=_env)


def _best_sentence(hit: Hit) -> str:
    """The highlighted sentence alone (escaped, marked), else the passage's start."""
    if hit.highlights:
        start, end = hit.highlights[0]
        return emphasise_html(hit.text[start:end], ((0, end - start),))
    return emphasise_html(hit.text[:240] + ("…" if len(hit.text) > 240 else ""), ())


def _emphasised_hit(hit: Hit) -> str:
    """A hit's text, escaped, its best sentence in <mark>, "…" where a window of a longer
    paragraph leaves text out."""
    first, last = hit.window or (1, hit.parts)
    lead = f'<span class="lead">{emphasise_html(short_lead(hit.lead_in), ())}</span><br>' \
        if hit.lead_in else ""
    return lead + ("… " if first > 1 else "") + emphasise_html(hit.text, hit.highlights) + (
        " …" if last < hit.parts else "")


def _marked_paragraph(ctx: Context, number: int) -> str:
    """A paragraph of a passage's context, escaped, the passage in <mark>, "…" where cut."""
    text = dict(ctx.paragraphs)[number]
    before, after = ctx.clipped.get(number, (False, False))
    spans = (ctx.marks[number],) if number in ctx.marks else ()
    return ("… " if before else "") + emphasise_html(text, spans) + (" …" if after else "")


def render(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
    return templates.TemplateResponse(request, name, {"index_label": _label(request), **context},
                                      status_code=status)


def _label(request: Request) -> str:
    return request.app.state.session.label


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def _status(exc: DiplosearchError) -> int:
    return next((code for kind, code in STATUS if isinstance(exc, kind)), 500)


def install(app: FastAPI, allowed_hosts: list[str] | None) -> None:
    """Error pages, security headers and (optionally) the Host check."""
    @app.exception_handler(DiplosearchError)
    async def library_error(request: Request, exc: DiplosearchError) -> Response:
        status = _status(exc)
        if _wants_json(request):
            return JSONResponse({"detail": str(exc)}, status_code=status)
        return render(request, "error.html", status=status, status_code=status, message=str(exc),
                      missing=isinstance(exc, (IndexNotFoundError, IndexDamagedError)))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            return await request_validation_exception_handler(request, exc)
        problems = [f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in exc.errors()]
        return render(request, "error.html", status=422, status_code=422,
                      message="; ".join(problems), missing=False)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_json(request) or exc.status_code == 405:
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                                headers=getattr(exc, "headers", None))
        return render(request, "error.html", status=exc.status_code,
                      status_code=exc.status_code, message=str(exc.detail), missing=False)

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        message = "the server met an unexpected error; its log says more"
        if _wants_json(request):
            return JSONResponse({"detail": message}, status_code=500)
        return render(request, "error.html", status=500, status_code=500, message=message,
                      missing=False)

    @app.middleware("http")
    async def headers(request: Request, call_next) -> Response:
        response = await call_next(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    if allowed_hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)
