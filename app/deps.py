"""Typed request dependencies. Views receive these; services take them as keyword arguments."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from app.settings import Settings
from search.base import SearchBackend


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """One session per request, committed once at the request boundary; any error rolls it back."""
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def get_search(request: Request) -> SearchBackend:
    backend: SearchBackend = request.app.state.search
    return backend


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[Session, Depends(get_session)]
SearchDep = Annotated[SearchBackend, Depends(get_search)]
