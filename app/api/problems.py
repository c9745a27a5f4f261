"""The documented shapes of the API's error answers (OpenAPI), so every status code has its media type."""

from __future__ import annotations

from pydantic import BaseModel


class Problem(BaseModel):
    """An error in German, e.g. 404 for an unknown id."""

    detail: str


class InvalidParameter(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class InvalidParameters(BaseModel):
    """422: one German message per parameter (FastAPI's usual shape)."""

    detail: list[InvalidParameter]
