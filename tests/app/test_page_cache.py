"""The full-page cache (app/page_cache.py) on SQLite and PostgreSQL, through the whole app.

A served-from-cache page is proven without timing: a row is changed directly in the database (no audit entry,
so the catalogue version stays the same) and the page still shows the old value; the clock is injected.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlmodel import Session, select

from app.admin import moderation
from app.auth.models import UserAccount
from app.catalogue import version as catalogue_version_counter
from app.catalogue.models import Angebot, Einrichtung
from app.main import create_app
from app.page_cache import MAX_ENTRY_AGE_SECONDS, PageCache, catalogue_version
from app.provider import service as provider_service
from app.provider.models import Draft, DraftKind
from app.settings import Environment, SearchBackendName, Settings
from importers.sync import sync_workbook
from scripts.prod_smoke import SAMPLE as SAMPLE_WORKBOOK
from scripts.prod_smoke import free_port
from tests import factories

INTERVAL = 4.0  # seconds between version checks; the tests move the injected clock instead of waiting


@dataclass
class FakeClock:
    now: float = 1_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Site:
    app: FastAPI
    client: TestClient
    clock: FakeClock
    engine: Engine

    @property
    def cache(self) -> PageCache:
        cache: PageCache = self.app.state.page_cache
        return cache

    def get(self, path: str, **headers: str) -> tuple[int, str]:
        self.client.cookies.clear()  # every request states its own cookies
        response = self.client.get(path, headers=headers)
        return response.status_code, response.text

    def heading(self, path: str, **headers: str) -> str:
        status, text = self.get(path, **headers)
        assert status == 200, (path, status, text[:300])
        h1 = BeautifulSoup(text, "html.parser").select_one("h1")
        assert h1 is not None
        return h1.get_text(" ", strip=True)

    def settle(self) -> None:
        """Waits for the cache's background work (version check, page rebuild) – not a timing assertion."""
        deadline = time.monotonic() + 30
        while self.cache.busy:
            assert time.monotonic() < deadline, "background work of the page cache did not finish"
            time.sleep(0.01)

    def rename(self, external_id: str, name: str) -> None:
        """Changes the page's data behind the cache's back: raw SQL, the catalogue version stays."""
        table = Einrichtung.__table__  # type: ignore[attr-defined]
        with self.engine.begin() as conn:
            conn.execute(update(table).where(table.c.external_id == external_id).values(name=name))


def _site(settings: Settings, engine: Engine, **overrides: object) -> Iterator[Site]:
    app = create_app(settings.model_copy(update={"page_cache_seconds": INTERVAL, **overrides}))
    clock = FakeClock()
    app.state.page_cache.clock = clock
    with TestClient(app) as client:
        yield Site(app, client, clock, engine)
    app.state.engine.dispose()


@pytest.fixture
def site(settings: Settings, engine: Engine) -> Iterator[Site]:
    yield from _site(settings, engine)


@pytest.fixture
def place(engine: Engine) -> str:
    with Session(engine) as session:
        row = factories.einrichtung(session, name="Familienzentrum Lobeda")
        factories.angebot(session, einrichtung_row=row, titel="Elterncafé Lobeda")
        session.commit()
        return row.external_id


def _change_another_offer(engine: Engine) -> None:
    with Session(engine) as session:
        factories.angebot(session, titel="Spielkreis Nord")
        session.commit()


def _commit_an_import(engine: Engine) -> None:
    # The importer writes with Core and moves the version itself, inside its transaction.
    with engine.begin() as conn:
        catalogue_version_counter.bump(conn)


@pytest.mark.parametrize("write", [_change_another_offer, _commit_an_import], ids=["session", "import"])
def test_page_is_served_from_cache_until_the_catalogue_version_changes(
    site: Site, place: str, engine: Engine, write: object
) -> None:
    path = f"/einrichtungen/{place}"
    assert "Familienzentrum Lobeda" in site.heading(path)
    site.rename(place, "Familienzentrum Winzerla")
    site.clock.now += INTERVAL + 1
    assert "Familienzentrum Lobeda" in site.heading(path), "no version change: the stored page is served"
    site.settle()
    assert "Familienzentrum Lobeda" in site.heading(path)

    assert callable(write)
    write(engine)
    site.clock.now += INTERVAL / 2
    assert "Familienzentrum Lobeda" in site.heading(path), "the version is read at most once per interval"
    site.clock.now += INTERVAL / 2 + 1
    assert "Familienzentrum Lobeda" in site.heading(path), "this request starts the check in the background"
    site.settle()
    assert "Familienzentrum Winzerla" in site.heading(path)


def test_entries_expire_after_the_maximum_age(site: Site, place: str) -> None:
    # What the database version can't see (search index, engine outage) is bounded by the entry age.
    path = f"/einrichtungen/{place}"
    site.heading(path)
    site.rename(place, "Familienzentrum Ammerbach")
    site.clock.now += MAX_ENTRY_AGE_SECONDS - 1
    assert "Familienzentrum Lobeda" in site.heading(path)
    site.clock.now += 2
    assert "Familienzentrum Lobeda" in site.heading(path), "served once more while rebuilt in the background"
    site.settle()
    assert "Familienzentrum Ammerbach" in site.heading(path)


def test_replayed_response_has_identical_headers_and_body(site: Site, place: str) -> None:
    path = f"/einrichtungen/{place}"
    first = site.client.get(path, headers={"Accept-Encoding": "gzip"})
    site.rename(place, "Anderer Name")
    second = site.client.get(path, headers={"Accept-Encoding": "gzip"})
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert second.headers.multi_items() == first.headers.multi_items()
    assert first.headers["content-encoding"] == "gzip"
    assert "content-security-policy" in first.headers


def test_a_write_request_in_this_process_invalidates_at_once(site: Site, place: str) -> None:
    path = f"/einrichtungen/{place}"
    site.heading(path)
    site.rename(place, "Familienzentrum Nord")
    site.client.post("/anmelden", data={"email": "x@example.org", "passwort": "falsch"})  # refused (no CSRF)
    assert "Familienzentrum Nord" in site.heading(path)


def test_authenticated_requests_are_neither_served_nor_stored(site: Site, place: str) -> None:
    path = f"/einrichtungen/{place}"
    site.heading(path)
    site.rename(place, "Familienzentrum Ost")
    assert "Familienzentrum Ost" in site.heading(path, Cookie="fw_session=irgendein-token")
    # The logged-in response did not replace the anonymous entry.
    assert "Familienzentrum Lobeda" in site.heading(path)


def test_responses_setting_a_cookie_are_not_stored(site: Site, place: str) -> None:
    path = f"/einrichtungen/{place}?lang=en"  # remembers the language in a cookie
    response = site.client.get(path)
    assert "lang=en" in response.headers["set-cookie"]
    site.rename(place, "Family Centre West")
    assert "Family Centre West" in site.heading(path)


def test_pages_with_a_csrf_token_are_not_stored(site: Site, engine: Engine, place: str) -> None:
    with Session(engine) as session:
        offer = session.exec(select(Angebot)).one()
        external_id = offer.external_id
    path = f"/angebote/{external_id}"
    first = site.client.get(path)  # sets the anonymous CSRF cookie (the feedback form)
    assert "set-cookie" in first.headers
    csrf_cookie = dict(site.client.cookies)
    status, text = site.get(path, Cookie="; ".join(f"{k}={v}" for k, v in csrf_cookie.items()))
    assert status == 200 and 'name="csrf_token"' in text
    with Session(engine) as session:
        row = session.exec(select(Angebot).where(Angebot.external_id == external_id)).one()
        row.titel = "Elterncafé Neu"
        session.add(row)
        session.commit()
    status, text = site.get(path, Cookie="; ".join(f"{k}={v}" for k, v in csrf_cookie.items()))
    assert "Elterncafé Neu" in text, "a page carrying one browser's CSRF token must never be replayed"


def test_language_and_encoding_get_their_own_entries(site: Site, place: str) -> None:
    path = f"/einrichtungen/{place}"
    german = site.get(path, Cookie="lang=de", **{"Accept-Encoding": "gzip"})[1]
    english = site.get(path, Cookie="lang=en", **{"Accept-Encoding": "gzip"})[1]
    assert BeautifulSoup(german, "html.parser").html["lang"] == "de"  # type: ignore[index]
    assert BeautifulSoup(english, "html.parser").html["lang"] == "en"  # type: ignore[index]
    identity = site.client.get(path, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in identity.headers

    site.rename(place, "Familienzentrum Süd")
    # Each variant is served from its own entry ...
    assert site.get(path, Cookie="lang=en", **{"Accept-Encoding": "gzip"})[1] == english
    assert site.get(path, Cookie="lang=de", **{"Accept-Encoding": "gzip"})[1] == german
    assert "content-encoding" not in site.client.get(path, headers={"Accept-Encoding": "identity"}).headers
    # ... and a variant not asked for before is built fresh.
    assert "Familienzentrum Süd" in site.heading(path, Cookie="lang=en", **{"Accept-Encoding": "identity"})


def test_non_200_responses_are_not_stored(site: Site, engine: Engine) -> None:
    assert site.get("/einrichtungen/E-9999")[0] == 404
    with Session(engine) as session:
        factories.einrichtung(session, external_id="E-9999", name="Neu eröffnet")
        session.commit()
    assert "Neu eröffnet" in site.heading("/einrichtungen/E-9999")


def test_private_paths_are_not_cached(site: Site) -> None:
    for path in ("/anmelden", "/verwaltung", "/anbieter", "/healthz", "/api/hsds/services"):
        site.get(path)
    assert site.cache.entries == {}


def test_least_recently_used_entries_are_dropped(site: Site, engine: Engine) -> None:
    with Session(engine) as session:
        ids = [factories.einrichtung(session, name=f"Haus {n}").external_id for n in range(3)]
        session.commit()
    site.cache.max_entries = 2
    for external_id in ids:
        site.heading(f"/einrichtungen/{external_id}")
    for n, external_id in enumerate(ids):
        site.rename(external_id, f"Umbenannt {n}")
    assert "Umbenannt 0" in site.heading(f"/einrichtungen/{ids[0]}"), "the oldest entry was dropped"
    assert "Haus 2" in site.heading(f"/einrichtungen/{ids[2]}")
    assert len(site.cache.entries) == 2


def test_degraded_search_pages_are_not_stored(settings: Settings, engine: Engine) -> None:
    # Meilisearch on a port nobody listens on: every search falls back to the database with a notice.
    down = {
        "search_backend": SearchBackendName.meilisearch,
        "meili_url": f"http://127.0.0.1:{free_port()}",
        "meili_timeout_seconds": 0.5,
    }
    for site in _site(settings, engine, **down):
        status, text = site.get("/angebote?q=zwergentreff")
        assert status == 200 and BeautifulSoup(text, "html.parser").select('[data-testid="degraded"]')
        with Session(engine) as session:
            new_id = factories.angebot(session, titel="Zwergentreff Lobeda").external_id
            session.commit()
        assert f"/angebote/{new_id}" in site.get("/angebote?q=zwergentreff")[1]


def test_off_by_default_only_under_test() -> None:
    assert Settings(env=Environment.test).effective_page_cache_seconds == 0
    assert Settings(env=Environment.test, page_cache_seconds=1.5).effective_page_cache_seconds == 1.5
    assert Settings(env=Environment.development).effective_page_cache_seconds > 0


def test_every_public_change_moves_the_catalogue_version(engine: Engine, settings: Settings) -> None:
    """„Angaben bestätigen“, approval and the import move the version; a rejection changes no public page."""
    seen = [catalogue_version(engine)]

    def moved() -> bool:
        seen.append(catalogue_version(engine))
        return seen[-1] != seen[-2]

    provider = UserAccount(email="traeger@example.org", role="provider")
    admin = UserAccount(email="verwaltung@example.org", role="admin")
    with Session(engine) as session:
        offer_id = factories.angebot(session, titel="Krabbelgruppe Nord").id
        session.commit()
    with Session(engine) as session:
        offer = session.get_one(Angebot, offer_id)
        provider_service.confirm_unchanged(session, user=provider, target=offer)
        session.commit()
    assert moved(), "Angaben bestätigen"
    for decide in ("approve", "reject"):
        with Session(engine) as session:
            offer = session.get_one(Angebot, offer_id)
            draft_id = provider_service.propose(
                session,
                user=provider,
                kind=DraftKind.angebot,
                einrichtung=offer.einrichtung,
                angebot=offer,
                changes={"titel": f"Krabbelgruppe {decide}"},
                base_values={"titel": offer.titel},
            ).id
            session.commit()
        moved()  # the proposal itself is recorded too (harmless: it only invalidates)
        with Session(engine) as session:
            draft = session.get_one(Draft, draft_id)
            if decide == "approve":
                moderation.approve(session, draft=draft, admin=admin)
            else:
                moderation.reject(session, draft=draft, admin=admin, reason="Bitte mit Uhrzeit")
            session.commit()
        assert moved() == (decide == "approve"), decide
    report = sync_workbook(SAMPLE_WORKBOOK, engine=engine, settings=settings, command="test")
    assert report.ok
    assert moved(), "import"
