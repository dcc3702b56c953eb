"""Shapes of the JSON API's answers, for its OpenAPI description. The data itself comes
from the library's own `to_dict` methods (`Hit.to_dict`, `Context.to_dict`...)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ..retrieval.results import Hit

# The hit schema is the library's own dataclass, so the API describes every field a
# `Hit` has, including fields added after this file was written.
HitOut = Hit


class SearchOut(BaseModel):
    query: str
    index: str
    count: int
    hits: list[HitOut]
    note: str = ""   # e.g. a question not in English on an index without multilingual vectors


class ParagraphOut(BaseModel):
    paragraph: int
    text: str
    mark: list[int] | None = Field(None, description="the passage's [start, end) in text")
    clipped: list[bool] = Field([False, False], description="text left out before, after "
                                "(an over-long paragraph shown in part)")


class ContextOut(BaseModel):
    hit: HitOut
    paragraphs: list[ParagraphOut]
    note: str = Field("", description="with `lang`: how the paragraph was found in that "
                                       "language's record")


class CountryPositions(BaseModel):
    country: str
    cells: dict[str, HitOut] = Field(description="period → the country's best hit in it")


class PositionsOut(BaseModel):
    query: str
    by: str
    periods: list[str]
    countries: list[CountryPositions]


class IndexOut(BaseModel):
    name: str
    model: str
    documents: int = 0
    passages: int = 0
    facets: dict
