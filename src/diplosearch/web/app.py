"""The FastAPI app: HTML pages for people (search, a passage in context, positions over
time) and a JSON API under /api, both thin layers over `Index.search`, `Index.show` and
`timeline.positions`. Read-only: every route is a GET.
"""

from __future__ import annotations

import os
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Path, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from .._version import __version__
from ..retrieval.timeline import positions
from . import pages
from .models import ContextOut, IndexOut, PositionsOut, SearchOut
from .session import IndexSession

# Bounds on what one request may ask, so no request can tie the server up for long.
MAX_QUERY = 500        # characters; a question, not a document
MAX_K = 50
MAX_CONTEXT = 10       # paragraphs either side
MAX_FILTER = 200       # characters of one filter value
MAX_VALUES = 20        # values of one repeatable filter
MAX_COUNTRIES = 30     # rows of the positions table

Mode = Literal["hybrid", "semantic", "keyword"]
Question = Annotated[str, Query(min_length=1, max_length=MAX_QUERY,
                                description="A question in plain language.")]
Filter = Annotated[list[str] | None, Query(max_length=MAX_VALUES)]
DateQ = Annotated[str | None, Query(max_length=40, description=(
    "Inclusive: YYYY, YYYY-MM, YYYY-MM-DD or a month name ('September 2024')."))]
PassageId = Annotated[int, Path(ge=1, description="A passage id (the `id` of a hit).")]
ContextQ = Annotated[int, Query(ge=0, le=MAX_CONTEXT, description="Paragraphs either side.")]
LangQ = Annotated[Literal["ar", "en", "es", "fr", "ru", "zh"] | None, Query(
    description="The same paragraph in the record's version in this language, when indexed.")]


def create_app(index: str | os.PathLike[str] | None = None, *,
               allowed_hosts: list[str] | None = None, warm: bool = False) -> FastAPI:
    """The web app for `index` (a name or path; None: as `open_index`).

    Args:
        index: the index to serve; it may be missing at start-up (the pages say so).
        allowed_hosts: Host headers to answer (None: any), against DNS rebinding.
        warm: load the index and model in the background when the server starts.
    """
    session = IndexSession(index)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        if warm:
            session.warm()
        yield
        session.close()

    app = FastAPI(title="diplosearch", version=__version__, lifespan=lifespan,
                  description="Semantic search over diplomatic texts, with a citation for "
                              "every passage. Read-only.",
                  docs_url=None, redoc_url=None)  # their pages load scripts from a CDN
    app.state.session = session
    pages.install(app, allowed_hosts)
    app.mount("/static", StaticFiles(packages=[("diplosearch.web", "static")]), name="static")
    _api_routes(app, session)
    _page_routes(app, session)
    return app


def _filters(country, speaker, doc, body, since, until) -> dict[str, Any]:
    """`Index.search`'s filter arguments; a form's empty fields mean no filter."""
    def values(given: list[str] | None) -> list[str] | None:
        return [v for v in given or [] if v.strip()] or None

    return {"country": values(country), "speaker": values(speaker), "doc": values(doc),
            "body": values(body), "since": since or None, "until": until or None}


def _api_routes(app: FastAPI, session: IndexSession) -> None:
    @app.get("/api/search", response_model=SearchOut, tags=["api"])
    async def api_search(q: Question, k: Annotated[int, Query(ge=1, le=MAX_K)] = 10,
                         mode: Mode = "hybrid", country: Filter = None, speaker: Filter = None,
                         doc: Filter = None, body: Filter = None, since: DateQ = None,
                         until: DateQ = None,
                         group_by: Literal["country", "speaker", "doc"] | None = None,
                         per_group: Annotated[int, Query(ge=1, le=5)] = 1,
                         highlight: bool = True) -> dict[str, Any]:
        """The passages that best answer `q`, best first, each with its citation."""
        res = await session.call(
            lambda idx: idx.search(q, k=k, mode=mode, group_by=group_by, per_group=per_group,
                                   highlight=highlight,
                                   **_filters(country, speaker, doc, body, since, until)))
        return {"query": res.query, "index": res.index, "count": len(res),
                "hits": res.to_dicts(), "note": res.note}

    @app.get("/api/passages/{id}", response_model=ContextOut, tags=["api"])
    async def api_passage(id: PassageId, context: ContextQ = 1,
                          lang: LangQ = None) -> dict[str, Any]:
        """A passage with `context` paragraphs of its document on either side; with `lang`,
        the same paragraph of the record in that language."""
        return (await session.call(lambda idx: idx.show(id, context=context, lang=lang))).to_dict()

    @app.get("/api/positions", response_model=PositionsOut, tags=["api"])
    async def api_positions(q: Question, by: Literal["year", "meeting"] = "year",
                            countries: Annotated[int, Query(ge=1, le=MAX_COUNTRIES)] = 10,
                            mode: Mode = "hybrid") -> dict[str, Any]:
        """For `q`, the best passage of each country in each year (or meeting)."""
        found = await session.call(positions, q, by=by, countries=countries, mode=mode)
        return found.to_dict()

    @app.get("/api/index", response_model=IndexOut, tags=["api"])
    async def api_index() -> dict[str, Any]:
        """What the index holds and can be filtered by."""
        return await session.call(_about)


def _about(idx) -> dict[str, Any]:
    return {"name": idx.name, "model": idx.manifest.model, **idx.manifest.counts,
            "facets": idx.facets(limit=500)}


def _page_routes(app: FastAPI, session: IndexSession) -> None:
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def search_page(request: Request,
                          q: Annotated[str, Query(max_length=MAX_QUERY)] = "",
                          k: Annotated[int, Query(ge=1, le=MAX_K)] = 10, mode: Mode = "hybrid",
                          country: Filter = None,
                          speaker: Annotated[str, Query(max_length=MAX_FILTER)] = "",
                          since: Annotated[str, Query(max_length=40)] = "",
                          until: Annotated[str, Query(max_length=40)] = ""):
        filters = _filters(country, [speaker], None, None, since, until)

        def run(idx):
            hits = idx.search(q, k=k, mode=mode, highlight=True, **filters) if q.strip() else None
            return _about(idx), hits

        about, hits = await session.call(run)
        return pages.render(request, "search.html", about=about, hits=hits, q=q, k=k,
                            mode=mode, country=filters["country"] or [], speaker=speaker,
                            since=since, until=until, max_query=MAX_QUERY, max_k=MAX_K)

    @app.get("/passages/{id}", response_class=HTMLResponse, include_in_schema=False)
    async def passage_page(request: Request, id: PassageId, context: ContextQ = 2,
                           lang: LangQ = None):
        shown = await session.call(lambda idx: idx.show(id, context=context, lang=lang))
        return pages.render(request, "passage.html", shown=shown, context=context,
                            max_context=MAX_CONTEXT)

    @app.get("/positions", response_class=HTMLResponse, include_in_schema=False)
    async def positions_page(request: Request,
                             q: Annotated[str, Query(max_length=MAX_QUERY)] = "",
                             by: Literal["year", "meeting"] = "year", mode: Mode = "hybrid",
                             countries: Annotated[int, Query(ge=1, le=MAX_COUNTRIES)] = 10):
        found = await session.call(positions, q, by=by, countries=countries, mode=mode) \
            if q.strip() else None
        return pages.render(request, "positions.html", found=found, q=q, by=by, mode=mode,
                            countries=countries, max_query=MAX_QUERY)

