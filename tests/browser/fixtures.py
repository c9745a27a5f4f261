"""Browser fixtures, a plugin loaded by tests/conftest.py for every test directory: a live app on a free
127.0.0.1 port with sample data, Playwright pages in Debian's chromium, an axe-core check, screenshots, and a
guard that no request leaves 127.0.0.1.

Without chromium/Playwright the tests skip locally; under CI=true a skip is a failure (tests/conftest.py).
"""

from __future__ import annotations

import importlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn
from sqlmodel import Session

from app.db import make_engine
from app.main import create_app
from app.settings import Environment, SearchBackendName, Settings
from tests import db as testdb
from tests.browser.dataset import add_known_rows

PROJECT_ROOT = Path(__file__).resolve().parents[2]
AXE_JS = PROJECT_ROOT / ".cache" / "axe" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
SAMPLE_WORKBOOK = PROJECT_ROOT / "data" / "familienwegweiser-beispiel.xlsx"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1"}
MOBILE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


# --- the live server ---------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def private_server_settings(sqlite_template: Path, tmp_path: Path, name: str) -> Settings:
    """Settings for a test's own server: a fresh migrated SQLite file, a free port, cheap argon2."""
    port = _free_port()
    return Settings(
        env=Environment.test,
        database_url=testdb.fresh_sqlite_url(sqlite_template, tmp_path),
        search_index_path=tmp_path / "search.db",
        secret_key=f"browser-{name}-" + "x" * 40,
        base_url=f"http://127.0.0.1:{port}",
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        argon2_parallelism=1,
    )


@contextmanager
def serving(settings: Settings) -> Iterator[tuple[uvicorn.Server, threading.Thread]]:
    """The app for these settings, served by uvicorn in a background thread until the block ends."""
    port = int(urlsplit(settings.base_url).port or 0)
    app = create_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("Der Test-Server ist nicht gestartet.")
        time.sleep(0.05)
    try:
        yield server, thread
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.engine.dispose()


def _fill_database(settings: Settings) -> str:
    """Sample workbook via the importer when it exists, then the known test rows; returns the source."""
    source = "factories"
    engine = make_engine(settings.database_url)
    try:
        if SAMPLE_WORKBOOK.exists():
            try:
                sync = importlib.import_module("importers.sync")
            except ImportError:
                sync = None
            if sync is not None:
                report = sync.sync_workbook(SAMPLE_WORKBOOK, engine=engine, settings=settings)
                if not report.ok:
                    pytest.fail(f"Beispiel-Arbeitsmappe ließ sich nicht importieren: {report.to_dict()}")
                source = "workbook+factories"
        with Session(engine) as session:
            add_known_rows(session)
            session.commit()
        try:
            indexing = importlib.import_module("search.indexing")
        except ImportError:
            indexing = None
        if indexing is not None:
            outcome = indexing.index_offers(engine, settings)
            if not getattr(outcome, "ok", True):
                pytest.fail(f"Suchindex ließ sich nicht aufbauen: {outcome}")
    finally:
        engine.dispose()
    return source


@dataclass
class LiveServer:
    url: str
    settings: Settings
    data_source: str
    server: uvicorn.Server = field(repr=False)
    thread: threading.Thread = field(repr=False)

    def __str__(self) -> str:
        return self.url


@pytest.fixture(scope="session")
def live_server_settings(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    directory = tmp_path_factory.mktemp("live")
    port = _free_port()
    return Settings(
        env=Environment.test,
        database_url=testdb.fresh_sqlite_url(sqlite_template, directory),
        search_backend=SearchBackendName.sqlite,
        search_index_path=directory / "search.db",
        secret_key="browser-test-secret-" + "x" * 40,
        base_url=f"http://127.0.0.1:{port}",
    )


@pytest.fixture(scope="session")
def live_server(live_server_settings: Settings) -> Iterator[LiveServer]:
    """The app served by uvicorn in a background thread (one per pytest process); ``.url`` is its base."""
    settings = live_server_settings
    source = _fill_database(settings)
    with serving(settings) as (server, thread):
        yield LiveServer(settings.base_url, settings, source, server, thread)


# --- Playwright --------------------------------------------------------------------------------------------


_SHARED_BROWSER: dict[str, Any] = {}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One chromium per pytest process.

    Other test modules import this fixture, which registers it again; a second ``sync_playwright()`` in the
    same thread fails ("Sync API inside the asyncio loop"), so every registration shares one instance and the
    one that started it stops it.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the machine
        pytest.skip("Playwright ist nicht installiert")
    if not CHROMIUM.exists():
        pytest.skip("Debians chromium (/usr/bin/chromium) fehlt – apt-get install chromium")
    if "browser" in _SHARED_BROWSER:
        yield _SHARED_BROWSER["browser"]
        return
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        _SHARED_BROWSER["browser"] = browser
        try:
            yield browser
        finally:
            _SHARED_BROWSER.pop("browser", None)
            browser.close()
    finally:
        playwright.stop()


class RequestGuard:
    """Aborts and records every request that would leave 127.0.0.1, and every CSP violation."""

    def __init__(self) -> None:
        self.external: list[str] = []
        self.csp_violations: list[str] = []

    def route(self, route: Any) -> None:
        url = route.request.url
        scheme = urlsplit(url).scheme
        if scheme in ("data", "blob", "about") or urlsplit(url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.external.append(url)
            route.abort()

    def console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)

    def check(self) -> None:
        assert not self.external, f"Anfragen außerhalb von 127.0.0.1: {self.external}"
        assert not self.csp_violations, f"CSP-Verstöße: {self.csp_violations}"


def new_guarded_context(browser: Any, **options: Any) -> tuple[Any, RequestGuard]:
    """A browser context whose requests may only go to 127.0.0.1 (others are aborted and reported)."""
    options.setdefault("viewport", DESKTOP)
    options.setdefault("locale", "de-DE")
    context = browser.new_context(**options)
    guard = RequestGuard()
    context.route("**/*", guard.route)
    return context, guard


@pytest.fixture
def context_factory(browser: Any) -> Iterator[Any]:
    """Make more contexts (e.g. ``java_script_enabled=False``); each is guarded and closed at the end."""
    made: list[tuple[Any, RequestGuard]] = []

    def make(**options: Any) -> Any:
        context, guard = new_guarded_context(browser, **options)
        context.on("page", lambda p: p.on("console", guard.console))
        made.append((context, guard))
        return context

    yield make
    for context, guard in made:
        context.close()
        guard.check()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page (1280 px wide, German) in its own guarded context; fails the test on external requests."""
    context, guard = new_guarded_context(browser)
    page = context.new_page()
    page.on("console", guard.console)
    page.set_default_timeout(10_000)
    try:
        yield page
    finally:
        context.close()
    guard.check()


# --- helpers -----------------------------------------------------------------------------------------------


def assert_no_axe_violations(page: Any, *, label: str = "") -> None:
    """Run axe-core (all default rules incl. WCAG 2.1 A/AA) on the current page; fail listing each violation.

    axe is evaluated through the DevTools protocol, which the page's CSP does not restrict, so the strict
    policy stays on while testing.
    """
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} fehlt – `make axe` lädt axe-core")
    page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
    violations = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary),
            }));
        }"""
    )
    if violations:
        where = label or page.url
        details = json.dumps(violations, indent=2, ensure_ascii=False)
        pytest.fail(f"axe-core meldet {len(violations)} Verstöße auf {where}:\n{details}")


def save_screenshot(page: Any, name: str) -> Path:
    """Full-page screenshot into test-artifacts/ (git-ignored), named by page type and viewport width."""
    ARTIFACTS.mkdir(exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    path = ARTIFACTS / f"{name}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def has_horizontal_scroll(page: Any) -> bool:
    script = "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
    return bool(page.evaluate(script))
