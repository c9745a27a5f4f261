"""Typed request dependencies. Views receive these; services take them as keyword arguments."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, TypeVar

from fastapi import Depends, HTTPException, Request
from sqlmodel import Session

from app.catalogue.districts import Districts
from app.search_sync import track
from app.settings import Settings
from search.base import SearchBackend

T = TypeVar("T")


def or_404(found: T | None, detail: str | None = None) -> T:
    """What a URL names, or 404 Not Found where there is none (or none to show)."""
    if found is None:
        raise HTTPException(status_code=404, detail=detail)
    return found


# The two lookups below are async on purpose: a sync dependency costs a thread-pool round trip per request.
async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """The request's unit of work: committed once when the view returns, before the response is sent.

    Registered with ``scope="function"`` so the commit happens before a redirect reaches the browser (a
    request-scoped ``yield`` would commit after the response). Any exception rolls everything back. Views and
    services never commit themselves.
    """
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        track(session, request.app.state.settings)
        try:
            yield session
            session.commit()
        except HTTPException as exc:
            # A redirect raised on the way (e.g. to the login page) is a normal answer, not a failure.
            if exc.status_code < 400:
                session.commit()
            else:
                session.rollback()
            raise
        except BaseException:
            session.rollback()
            raise


def districts_of(request: Request, session: Session) -> Districts:
    """The district table (resolver and grouped list), cached per app and catalogue version."""
    cache = request.app.state.districts
    found: Districts = cache.get(session)
    return found


async def get_search(request: Request) -> SearchBackend:
    backend: SearchBackend = request.app.state.search
    return backend


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SearchDep = Annotated[SearchBackend, Depends(get_search)]
