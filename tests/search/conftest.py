"""Search fixtures: a real Meilisearch process, both backends, and one small catalogue indexed into them."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from app.catalogue.districts import DistrictResolver
from app.settings import SearchBackendName, Settings
from search import get_backend
from search.base import SearchBackend, SearchResult
from search.indexing import index_offers
from search.params import parse_offer_params
from search.service import search_offers
from tests import db as testdb
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
MEILI_BIN = ROOT / ".cache" / "meilisearch" / "meilisearch"
MASTER_KEY = "test-master-key-" + "k" * 24
BACKENDS = ["sqlite", pytest.param("meilisearch", marks=pytest.mark.meili)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class MeiliServer:
    url: str
    process: subprocess.Popen[bytes]


def start_meili(directory: Path) -> MeiliServer:
    """The real Meilisearch binary on a free port with a throw-away database."""
    if not MEILI_BIN.exists():
        subprocess.run([str(ROOT / "scripts" / "fetch-meilisearch.sh")], check=False, timeout=300)
    if not MEILI_BIN.exists():
        pytest.skip("Meilisearch-Binary fehlt (make meilisearch)")
    port = free_port()
    process = subprocess.Popen(
        [
            *(str(MEILI_BIN), "--db-path", str(directory / "db"), "--dump-dir", str(directory / "dumps")),
            *("--http-addr", f"127.0.0.1:{port}", "--master-key", MASTER_KEY),
            *("--no-analytics", "--env", "development"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=0.5).status_code == 200:
                return MeiliServer(url, process)
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("Meilisearch ist nicht gestartet")
        time.sleep(0.1)


def stop_meili(server: MeiliServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)


@pytest.fixture(scope="session")
def meili_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MeiliServer]:
    """One Meilisearch for the whole run (each test uses its own index); stopped after the run."""
    data = tmp_path_factory.mktemp("meili")
    server = start_meili(data)
    yield server
    stop_meili(server)
    shutil.rmtree(data, ignore_errors=True)


def backend_settings(
    kind: str, request: pytest.FixtureRequest, database_url: str, directory: Path
) -> Settings:
    if kind == "meilisearch":
        server: MeiliServer = request.getfixturevalue("meili_server")
        return Settings(
            database_url=database_url,
            search_backend=SearchBackendName.meilisearch,
            meili_url=server.url,
            meili_master_key=MASTER_KEY,
            meili_index=f"t_{uuid.uuid4().hex[:10]}",
            search_index_path=directory / "search.db",
        )
    return Settings(database_url=database_url, search_index_path=directory / "search.db")


@dataclass
class World:
    """A catalogue indexed into one backend; ``ids`` maps a short name to the offer's workbook id."""

    engine: Engine
    settings: Settings
    backend: SearchBackend
    ids: dict[str, str]

    def find(self, q: str = "", **params: str | list[str]) -> SearchResult:
        raw = {"q": [q]} | {k: [v] if isinstance(v, str) else v for k, v in params.items()}
        with Session(self.engine) as session:
            query = parse_offer_params(raw, DistrictResolver.from_session(session))
            return search_offers(session, self.backend, query)

    def names(self, result: SearchResult) -> list[str]:
        by_id = {v: k for k, v in self.ids.items()}
        return [by_id[i] for i in result.ids]


def build_catalogue(session: Session) -> dict[str, str]:
    """Fictional offers, each there for one behaviour of the contract."""
    zentrum = f.einrichtung(
        session, name="Familienzentrum Sonnenhof", ortsteil_slug="jena-zentrum", lat=50.9279, lon=11.5892
    )
    west = f.einrichtung(
        session,
        name="Beratungsstelle Am Steiger",
        ortsteil_slug="jena-west",
        lat=50.9262,
        lon=11.5720,
        barrierefrei="ja",
    )
    winzerla = f.einrichtung(
        session, name="Jugendhaus Wiesenweg", ortsteil_slug="winzerla", lat=50.8990, lon=11.5650
    )
    loebstedt = f.einrichtung(
        session, name="Nachbarschaftstreff Saaleaue", ortsteil_slug="loebstedt", lat=50.9560, lon=11.6000
    )
    nord = f.einrichtung(session, name="Haus der Eltern", ortsteil_slug="jena-nord", lat=50.9440, lon=11.5840)
    ohne_ort = f.einrichtung(session, name="Kinderbüro", ortsteil_slug="jena-zentrum", sprachen=["Deutsch"])
    hidden = f.einrichtung(session, name="Verborgenes Haus", ortsteil_slug="jena-zentrum", published=False)
    yesterday = date.today() - timedelta(days=1)
    rows = {
        "krabbel": f.angebot(
            session,
            einrichtung_row=zentrum,
            titel="Krabbelgruppe Zwergenland",
            zielgruppen=("eltern-baby",),
            themen=("begegnung",),
            handlungsfeld_number=3,
            alter_von=0,
            alter_bis=3,
            kosten_art="kostenlos",
            sprachen=["Deutsch", "Englisch"],
        ),
        "schwanger": f.angebot(
            session,
            einrichtung_row=west,
            titel="Schwangerschaftsberatung",
            zielgruppen=("werdende-eltern",),
            themen=("beratung",),
            handlungsfeld_number=4,
            kosten_art="kostenlos",
            sprachen=["Deutsch", "Arabisch"],
        ),
        "hausaufgaben": f.angebot(
            session,
            einrichtung_row=winzerla,
            titel="Hausaufgabenhilfe für Grundschulkinder",
            zielgruppen=("kinder",),
            themen=("bildung",),
            handlungsfeld_number=3,
            alter_von=6,
            alter_bis=12,
        ),
        "turnen": f.angebot(
            session,
            einrichtung_row=zentrum,
            titel="Eltern-Kind-Turnen",
            ortsteile=("neulobeda",),
            zielgruppen=("familien",),
            themen=("bewegung",),
            alter_von=1,
            alter_bis=6,
            kosten_art="betrag",
            kosten_cents=300,
        ),
        "erziehung": f.angebot(
            session,
            einrichtung_row=nord,
            titel="Erziehungsberatung",
            beschreibung="Hilfe bei Fragen zur Erziehung. <script>alert('x')</script> Termine auf Anfrage",
            zielgruppen=("familien",),
            themen=("beratung",),
            handlungsfeld_number=4,
        ),
        "cafe": f.angebot(
            session,
            einrichtung_row=zentrum,
            titel="Familiencafé am Markt",
            zielgruppen=("familien",),
            themen=("begegnung",),
        ),
        "senioren_loebstedt": f.angebot(
            session,
            einrichtung_row=loebstedt,
            titel="Seniorengymnastik",
            zielgruppen=("senioren",),
            themen=("bewegung",),
            handlungsfeld_number=6,
        ),
        "senioren_winzerla": f.angebot(
            session,
            einrichtung_row=winzerla,
            titel="Seniorengymnastik",
            zielgruppen=("senioren",),
            themen=("bewegung",),
            handlungsfeld_number=6,
        ),
        "kita": f.angebot(
            session, einrichtung_row=nord, titel="Kindertagesstätte Regenbogen: Tag der offenen Tür"
        ),
        "grosseltern": f.angebot(
            session, einrichtung_row=loebstedt, titel="Großelternnachmittag", zielgruppen=("grosseltern",)
        ),
        "oma_erna": f.angebot(session, einrichtung_row=ohne_ort, titel="Vorlesen mit Oma Erna"),
        "muetter": f.angebot(session, einrichtung_row=west, titel="Mütterfrühstück"),
        "strasse": f.angebot(session, einrichtung_row=ohne_ort, titel="Spielstraße im Damenviertel"),
        "telefon": f.angebot(
            session, einrichtung_row=zentrum, titel="Elterntelefon", stadtweit=True, themen=("beratung",)
        ),
        # not public – must never be found
        "unpublished": f.angebot(
            session, einrichtung_row=zentrum, titel="Krabbelgruppe Geheim", published=False
        ),
        "expired": f.angebot(
            session, einrichtung_row=zentrum, titel="Krabbelgruppe Alt", gueltig_bis=yesterday
        ),
        "closed": f.angebot(session, einrichtung_row=zentrum, titel="Krabbelgruppe Zu", status="geschlossen"),
        "hidden_place": f.angebot(session, einrichtung_row=hidden, titel="Krabbelgruppe Versteckt"),
        "paused": f.angebot(
            session, einrichtung_row=nord, titel="Babymassage", status="voruebergehend-geschlossen"
        ),
    }
    session.commit()
    return {name: row.external_id for name, row in rows.items()}


PUBLIC = {
    "krabbel",
    "schwanger",
    "hausaufgaben",
    "turnen",
    "erziehung",
    "cafe",
    "senioren_loebstedt",
    "senioren_winzerla",
    "kita",
    "grosseltern",
    "oma_erna",
    "muetter",
    "strasse",
    "telefon",
    "paused",
}


def indexed_world(
    request: pytest.FixtureRequest,
    sqlite_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
    build: Callable[[Session], dict[str, str]],
) -> Iterator[World]:
    """A catalogue built by ``build`` in a fresh SQLite database, indexed into the backend of this run."""
    directory = tmp_path_factory.mktemp("world")
    url = testdb.fresh_sqlite_url(sqlite_template, directory)
    settings = backend_settings(request.param, request, url, directory)
    engine = testdb.engine_for(url)
    with Session(engine, expire_on_commit=False) as session:
        ids = build(session)
    outcome = index_offers(engine, settings)
    assert outcome.ok, outcome.message
    yield World(engine, settings, get_backend(settings), ids)
    engine.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """The catalogue in a fresh SQLite database, indexed into the backend of this run (read-only tests)."""
    yield from indexed_world(request, sqlite_template, tmp_path_factory, build_catalogue)


@pytest.fixture(params=BACKENDS)
def fresh_world(request: pytest.FixtureRequest, sqlite_url: str, tmp_path: Path) -> Iterator[World]:
    """Like ``world`` but per test, for tests that change data."""
    settings = backend_settings(request.param, request, sqlite_url, tmp_path)
    engine = testdb.engine_for(sqlite_url)
    with Session(engine, expire_on_commit=False) as session:
        ids = build_catalogue(session)
    outcome = index_offers(engine, settings)
    assert outcome.ok, outcome.message
    yield World(engine, settings, get_backend(settings), ids)
    engine.dispose()
