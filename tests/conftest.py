"""Shared fixtures: settings, a real database (SQLite always, PostgreSQL where it answers), app client."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

import app.models  # noqa: F401  (all tables registered)
from app.main import create_app
from app.settings import Environment, Settings
from tests import db as testdb

BACKENDS = ["sqlite", "postgresql"]
# Fixture plugins every test directory shares (instead of conftests that re-export them).
pytest_plugins = ["tests.browser.fixtures", "tests.app.auth.fixtures"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return testdb.migrated_sqlite_template(tmp_path_factory.mktemp("dbtemplate"))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    if not testdb.postgres_available():
        if testdb.IN_CI:
            pytest.fail(
                "PostgreSQL auf 127.0.0.1:5432 ist nicht erreichbar – unter CI=true ist das ein Fehler."
            )
        pytest.skip("PostgreSQL not reachable on 127.0.0.1:5432")
    with testdb.private_postgres_database() as url:
        yield url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty (reference data only) database; every test gets its own."""
    if request.param == "sqlite":
        yield testdb.fresh_sqlite_url(sqlite_template, tmp_path)
        return
    url: str = request.getfixturevalue("postgres_url")
    engine = testdb.engine_for(url)
    testdb.reset_postgres(engine)
    engine.dispose()
    yield url


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """SQLite only – for tests where the database kind does not matter (browser, search, …)."""
    return testdb.fresh_sqlite_url(sqlite_template, tmp_path)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Test settings; cheap argon2 (the production cost lives in Settings' defaults)."""
    return Settings(
        env=Environment.test,
        database_url=database_url,
        search_index_path=tmp_path / "search.db",
        upload_dir=tmp_path / "uploads",
        secret_key="test-secret-key-" + "x" * 40,
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        argon2_parallelism=1,
    )


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = testdb.engine_for(settings.database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """The one app client: HTTPS (outside development cookies are Secure and __Host-, which httpx only sends
    over https); redirects are not followed, so tests see the 303s they assert on."""
    app = create_app(settings)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client
    app.state.engine.dispose()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Under CI=true nothing may be skipped: a skipped browser/Meilisearch/PostgreSQL test is a failure."""
    report: pytest.TestReport = yield
    if testdb.IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"Übersprungen unter CI=true ist ein Fehler: {report.longrepr}"
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Show that the database tests really ran on both databases."""
    counts: dict[str, dict[str, int]] = {b: {"passed": 0, "failed": 0, "skipped": 0} for b in BACKENDS}
    for outcome in ("passed", "failed", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            if getattr(report, "when", "call") not in ("call", "setup"):
                continue
            if outcome == "passed" and report.when != "call":
                continue
            for backend in BACKENDS:
                if f"[{backend}" in report.nodeid or f"-{backend}]" in report.nodeid:
                    counts[backend][outcome] += 1
    terminalreporter.write_sep("-", "Datenbank-Läufe")
    for backend, c in counts.items():
        terminalreporter.write_line(
            f"{backend}: {c['passed']} bestanden, {c['failed']} fehlgeschlagen, {c['skipped']} übersprungen"
        )
