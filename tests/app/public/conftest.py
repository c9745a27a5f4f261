"""Public-site fixtures: the known catalogue rows in the test database (SQLite and PostgreSQL), indexed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.settings import Settings
from search.indexing import index_offers
from tests.browser.dataset import KNOWN, KnownIds, add_known_rows


@pytest.fixture
def known(engine: Engine, settings: Settings) -> KnownIds:
    with Session(engine) as session:
        add_known_rows(session)
        session.commit()
    outcome = index_offers(engine, settings)
    assert outcome.ok, outcome.message
    return KNOWN


@pytest.fixture
def soup(client: TestClient) -> Callable[..., BeautifulSoup]:
    """GET a page, check the status, return the parsed HTML."""

    def get(path: str, status: int = 200) -> BeautifulSoup:
        response = client.get(path)
        assert response.status_code == status, (path, response.status_code, response.text[:500])
        return BeautifulSoup(response.text, "html.parser")

    return get
