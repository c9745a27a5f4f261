"""``make prod-smoke``: the production topology on this machine, end to end.

A private PostgreSQL database on 127.0.0.1:5432, the real Meilisearch binary and ``uvicorn --workers 2``
(both on free ports), everything configured through environment variables as in compose.yaml
(ENV=production). Steps: migrate, import the sample workbook, reindex, search; provider login → edit →
admin approval → the change is visible on EVERY worker; sessions and the login rate limit hold across
workers; Meilisearch killed → pages still answer with the degraded notice; Meilisearch restarted empty →
``python -m search reindex`` restores the search.

Requests are pinned to a worker by opening connections until one is accepted by that process (found via
/proc: the worker that owns the server end of our TCP connection). Only our own processes are stopped.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import psycopg
from bs4 import BeautifulSoup, Tag

from app.page_cache import MAX_ENTRY_AGE_SECONDS
from app.settings import DEFAULT_PAGE_CACHE_SECONDS

ROOT = Path(__file__).resolve().parent.parent
MEILI_BINARY = ROOT / ".cache" / "meilisearch" / "meilisearch"
SAMPLE = ROOT / "data" / "familienwegweiser-beispiel.xlsx"
PG_ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=test connect_timeout=3"
WORKERS = 2
MAX_CONNECT_ATTEMPTS = 200  # to reach one particular worker
ADMIN = ("smoke-verwaltung@example.org", "Rauchprobe-Verwaltung-" + secrets.token_urlsafe(8))
PROVIDER = ("smoke-traeger@example.org", "Rauchprobe-Traeger-" + secrets.token_urlsafe(8))
# The page cache (app/page_cache.py, on by default in production): another worker shows an approved change
# after at most one version check; what the database cannot see (Meilisearch down/back) after the entry age.
CATALOGUE_STALENESS = DEFAULT_PAGE_CACHE_SECONDS + 1
SEARCH_STATE_STALENESS = MAX_ENTRY_AGE_SECONDS + 1


class SmokeFailure(AssertionError):
    pass


def check(condition: object, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


def step(message: str) -> None:
    print(f"✓ {message}", flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(condition: Callable[[], bool], what: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SmokeFailure(f"Zeitüberschreitung: {what}")
        time.sleep(0.1)


def eventually(probe: Callable[[], None], seconds: float) -> None:
    """Retries a check for ``seconds`` (a worker's page cache may answer from before the change)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            probe()
            return
        except SmokeFailure:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


# --- processes --------------------------------------------------------------------------------------------


@dataclass
class Topology:
    env: dict[str, str]
    app_port: int
    meili_port: int
    meili_key: str
    workdir: Path
    meili: subprocess.Popen[bytes] | None = None
    uvicorn: subprocess.Popen[bytes] | None = None
    logs: list[Path] = field(default_factory=list)

    def run(self, *args: str, stdin: str | None = None) -> str:
        result = subprocess.run(  # noqa: S603 – our own python modules
            [sys.executable, "-m", *args],
            cwd=ROOT,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode != 0:
            raise SmokeFailure(f"`python -m {' '.join(args)}` schlug fehl:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start_meilisearch(self, data_dir: Path) -> None:
        log = self.workdir / f"meilisearch-{len(self.logs)}.log"
        self.logs.append(log)
        command = [
            str(MEILI_BINARY),
            "--db-path", str(data_dir),
            "--dump-dir", str(self.workdir / "dumps"),
            "--http-addr", f"127.0.0.1:{self.meili_port}",
            "--master-key", self.meili_key,
            "--env", "production",
            "--no-analytics",
        ]  # fmt: skip
        with log.open("ab") as out:
            self.meili = subprocess.Popen(command, stdout=out, stderr=out, cwd=self.workdir)  # noqa: S603
        wait_until(lambda: _http_ok(self.meili_port, "/health"), "Meilisearch startet")

    def kill_meilisearch(self) -> None:
        if self.meili is not None and self.meili.poll() is None:
            self.meili.send_signal(signal.SIGKILL)
            self.meili.wait(timeout=10)
        self.meili = None

    def start_uvicorn(self) -> None:
        log = self.workdir / "uvicorn.log"
        self.logs.append(log)
        command = [
            sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory",
            "--host", "127.0.0.1", "--port", str(self.app_port), "--workers", str(WORKERS),
            "--log-level", "warning",
        ]  # fmt: skip
        with log.open("ab") as out:
            self.uvicorn = subprocess.Popen(command, stdout=out, stderr=out, cwd=ROOT, env=self.env)  # noqa: S603
        wait_until(lambda: _http_ok(self.app_port, "/healthz"), "uvicorn-Worker starten", seconds=60)
        wait_until(lambda: len(self.worker_pids()) == WORKERS, f"{WORKERS} Worker-Prozesse", seconds=30)

    def stop_uvicorn(self) -> None:
        if self.uvicorn is not None and self.uvicorn.poll() is None:
            self.uvicorn.send_signal(signal.SIGTERM)
            try:
                self.uvicorn.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.uvicorn.kill()
                self.uvicorn.wait(timeout=10)
        self.uvicorn = None

    def worker_pids(self) -> set[int]:
        """uvicorn's worker processes: children of our uvicorn parent (not multiprocessing helpers)."""
        if self.uvicorn is None:
            return set()
        pids = set()
        for pid in _children(self.uvicorn.pid):
            cmdline = _cmdline(pid)
            if "resource_tracker" not in cmdline and "semaphore_tracker" not in cmdline:
                pids.add(pid)
        return pids


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == parent:
            found.append(int(entry.name))
    return found


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _http_ok(port: int, path: str) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", path)
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False


# --- HTTP with a cookie jar and worker attribution --------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: str
    worker: int

    def soup(self) -> BeautifulSoup:
        return BeautifulSoup(self.body, "html.parser")

    def json(self) -> Any:
        return json.loads(self.body)


def _server_pid(app_port: int, client_port: int, candidates: set[int]) -> int | None:
    """The worker owning the server end of the connection from ``client_port`` (via /proc/net/tcp)."""
    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            local_port = int(parts[1].rsplit(":", 1)[1], 16)
            remote_port = int(parts[2].rsplit(":", 1)[1], 16)
            if local_port == app_port and remote_port == client_port and parts[3] == "01":
                inode = parts[9]
    if inode is None:
        return None
    target = f"socket:[{inode}]"
    for pid in candidates:
        fd_dir = Path("/proc") / str(pid) / "fd"
        try:
            for fd in fd_dir.iterdir():
                try:
                    if os.readlink(fd) == target:
                        return pid
                except OSError:
                    continue
        except OSError:
            continue
    return None


class Browser:
    """One visitor: cookies (also Secure ones: plain HTTP to 127.0.0.1) and requests pinned to workers."""

    def __init__(self, topology: Topology) -> None:
        self.topology = topology
        self.cookies: dict[str, str] = {}

    def _connect(self, worker: int | None) -> tuple[http.client.HTTPConnection, int]:
        workers = self.topology.worker_pids()
        for _ in range(MAX_CONNECT_ATTEMPTS):
            conn = http.client.HTTPConnection("127.0.0.1", self.topology.app_port, timeout=15)
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            response.read()
            assert conn.sock is not None
            pid = _server_pid(self.topology.app_port, conn.sock.getsockname()[1], workers)
            if pid is not None and (worker is None or pid == worker):
                return conn, pid
            conn.close()
        raise SmokeFailure(f"Keine Verbindung zu Worker {worker} nach {MAX_CONNECT_ATTEMPTS} Versuchen")

    def request(
        self, method: str, path: str, *, form: list[tuple[str, str]] | None = None, worker: int | None = None
    ) -> Reply:
        conn, pid = self._connect(worker)
        headers = {"Accept": "text/html,application/json"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        conn.close()
        for raw in response.headers.get_all("set-cookie") or []:
            cookie: SimpleCookie = SimpleCookie()
            cookie.load(raw)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Reply(response.status, response.headers, text, pid)

    def get(self, path: str, worker: int | None = None) -> Reply:
        return self.request("GET", path, worker=worker)

    def submit(
        self,
        page: Reply,
        form_selector: str,
        changes: dict[str, str] | None = None,
        *,
        worker: int | None = None,
    ) -> Reply:
        """Post an HTML form as a browser would (all current values, hidden CSRF token included)."""
        form = page.soup().select_one(form_selector)
        check(isinstance(form, Tag), f"Formular {form_selector} fehlt")
        assert isinstance(form, Tag)
        return self.request(
            "POST", str(form["action"]), form=_form_values(form, changes or {}), worker=worker
        )


def _form_values(form: Tag, changes: dict[str, str]) -> list[tuple[str, str]]:
    values: list[tuple[str, str]] = []
    for element in form.select("input[name], select[name], textarea[name]"):
        name = str(element["name"])
        if element.name == "input":
            kind = str(element.get("type", "text"))
            if kind in ("submit", "button", "file") or (
                kind in ("checkbox", "radio") and not element.has_attr("checked")
            ):
                continue
            values.append((name, str(element.get("value", ""))))
        elif element.name == "select":
            values.extend(
                (name, str(o.get("value", o.get_text()))) for o in element.select("option[selected]")
            )
        else:
            values.append((name, element.get_text()))
    for name, value in changes.items():
        values = [(n, v) for n, v in values if n != name] + [(name, value)]
    return values


# --- the smoke --------------------------------------------------------------------------------------------


@contextmanager
def private_database() -> Iterator[str]:
    name = f"fw_smoke_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _first_public_offer(env: dict[str, str]) -> tuple[str, str, str]:
    """(offer id, title, its Träger id) – a public offer of the imported sample."""
    from app.catalogue.service import list_public_offers
    from app.db import make_engine, session_scope

    engine = make_engine(env["DATABASE_URL"])
    try:
        with session_scope(engine) as session:
            offer = list_public_offers(session, limit=1)[0]
            return offer.external_id, offer.titel, offer.einrichtung.traeger.external_id
    finally:
        engine.dispose()


def _on_every_worker(topology: Topology, what: str, probe: Callable[[int], None]) -> None:
    for pid in sorted(topology.worker_pids()):
        probe(pid)
    step(f"{what} – auf allen {WORKERS} Workern")


def run(topology: Topology) -> None:
    topology.run("app.migrate")
    out = topology.run("importers", "sync", str(SAMPLE), "--json")
    report = json.loads(out)
    check(report.get("ok"), f"Import nicht ok: {out[:500]}")
    step("Migration und Import der Beispiel-Arbeitsmappe in PostgreSQL")
    topology.run("search", "reindex")
    step("Suchindex in Meilisearch aufgebaut (python -m search reindex)")
    offer_id, title, traeger_id = _first_public_offer(topology.env)
    topology.run("app.cli", "create-admin", ADMIN[0], stdin=ADMIN[1] + "\n")
    topology.run("app.cli", "create-provider", PROVIDER[0], "--traeger", traeger_id, stdin=PROVIDER[1] + "\n")
    topology.start_uvicorn()
    workers = topology.worker_pids()
    step(f"uvicorn mit {len(workers)} Worker-Prozessen: {sorted(workers)}")

    visitor = Browser(topology)
    word = title.split()[0]

    def search_works(pid: int) -> None:
        api = visitor.get(f"/api/v1/offers?q={quote(word)}", worker=pid)
        check(api.status == 200 and api.json()["total"] >= 1, f"Suche nach {word!r} leer: {api.body[:300]}")
        check(api.json()["hinweis"] is None, "Suche lief nicht über Meilisearch")
        page = visitor.get(f"/angebote?q={quote(word)}", worker=pid)
        check(page.status == 200 and not page.soup().select('[data-testid="degraded"]'), "Ergebnisseite")

    _on_every_worker(topology, f"Suche nach „{word}“ über Meilisearch (API und Ergebnisseite)", search_works)

    # Provider edits, admin approves: sessions live in the database, so any worker may serve any step.
    # Each step on the other worker than the one before: sessions and CSRF must not depend on the process.
    first, second = sorted(workers)[:2]
    provider = Browser(topology)
    login = provider.get("/anmelden", worker=first)
    form = {"email": PROVIDER[0], "passwort": PROVIDER[1]}
    reply = provider.submit(login, "form[action='/anmelden']", form, worker=second)
    check(
        reply.status == 303 and reply.headers["location"] == "/anbieter", f"Träger-Anmeldung: {reply.status}"
    )
    marker = "Rauchprobe" + secrets.token_hex(3)
    new_title = f"{title} {marker}"
    edit = provider.get(f"/anbieter/angebote/{offer_id}/bearbeiten", worker=first)
    check(edit.status == 200, f"Bearbeiten-Seite: {edit.status}")
    saved = provider.submit(edit, "form[action$='/bearbeiten']", {"titel": new_title}, worker=second)
    check(
        saved.status == 303 and "entwurf" in saved.headers["location"],
        f"Entwurf: {saved.status} {saved.headers.get('location')} {saved.body[:300]}",
    )
    step(f"Träger meldet sich an und ändert den Titel (Formular von Worker {first}, gesendet an {second})")

    admin = Browser(topology)
    form = {"email": ADMIN[0], "passwort": ADMIN[1]}
    reply = admin.submit(
        admin.get("/anmelden", worker=second), "form[action='/anmelden']", form, worker=first
    )
    check(reply.status == 303, f"Verwaltungs-Anmeldung: {reply.status}")
    queue = admin.get("/verwaltung/entwuerfe", worker=second)
    links = [str(a["href"]) for a in queue.soup().select("a[href^='/verwaltung/entwuerfe/']")]
    check(links, "Kein Entwurf in der Warteschlange")
    draft = admin.get(links[0], worker=first)
    approved = admin.submit(draft, "form[action$='/freigeben']", worker=second)
    check(
        approved.status == 303 and "freigegeben" in approved.headers["location"],
        f"Freigabe: {approved.status}",
    )
    check("suchindex" not in approved.headers["location"], "Suchindex nach der Freigabe nicht aktualisiert")
    step(f"Verwaltung gibt den Entwurf frei (Anmeldung Worker {first}, Freigabe Worker {second})")

    def change_visible(pid: int) -> None:
        def page_shows_it() -> None:
            page = visitor.get(f"/angebote/{quote(offer_id)}", worker=pid)
            check(page.status == 200 and marker in page.body, f"Änderung auf Worker {pid} nicht sichtbar")
            api = visitor.get(f"/api/v1/offers?q={marker}", worker=pid).json()
            check(
                [i["id"] for i in api["items"]] == [offer_id], f"Suche nach {marker} auf Worker {pid}: {api}"
            )

        eventually(page_shows_it, CATALOGUE_STALENESS)
        check(admin.get("/verwaltung", worker=pid).status == 200, f"Sitzung auf Worker {pid} unbekannt")

    _on_every_worker(
        topology, "Änderung auf der Detailseite und in der Suche sichtbar, Sitzung gültig", change_visible
    )

    # Login rate limit: failures counted in the database, alternating workers.
    attacker = Browser(topology)
    login_page = attacker.get("/anmelden")
    statuses = []
    served_by = set()
    pids = sorted(workers)
    for attempt in range(8):
        pid = pids[attempt % len(pids)]
        reply = attacker.request(
            "POST", "/anmelden", form=_login_form(login_page, ADMIN[0], "falsch-" + str(attempt)), worker=pid
        )
        statuses.append(reply.status)
        served_by.add(reply.worker)
    check(statuses[:5] == [400] * 5 and set(statuses[5:]) == {429}, f"Ratenbegrenzung: {statuses}")
    check(served_by == workers, "Fehlversuche nicht auf alle Worker verteilt")
    step(f"Ratenbegrenzung gilt über Worker hinweg (Antworten {statuses})")

    topology.kill_meilisearch()

    def degraded(pid: int) -> None:
        def notice_shown() -> None:
            page = visitor.get(f"/angebote?q={quote(word)}", worker=pid)
            check(page.status == 200, f"Ergebnisseite ohne Meilisearch: {page.status}")
            check(page.soup().select('[data-testid="degraded"]'), "Hinweis auf die einfache Suche fehlt")
            api = visitor.get(f"/api/v1/offers?q={marker}", worker=pid).json()
            check(api["hinweis"] and [i["id"] for i in api["items"]] == [offer_id], f"Datenbanksuche: {api}")

        eventually(notice_shown, SEARCH_STATE_STALENESS)
        check(visitor.get(f"/angebote/{quote(offer_id)}", worker=pid).status == 200, "Detailseite")
        health = visitor.get("/healthz", worker=pid)
        check(health.status == 200 and health.json()["status"] == "degraded", f"/healthz: {health.body}")

    _on_every_worker(
        topology, "Meilisearch beendet: Seiten antworten mit Hinweis, Datenbanksuche findet", degraded
    )

    topology.start_meilisearch(topology.workdir / "meili-neu")
    topology.run("search", "reindex")

    def restored(pid: int) -> None:
        def search_is_back() -> None:
            api = visitor.get(f"/api/v1/offers?q={marker}", worker=pid).json()
            check(
                api["hinweis"] is None and [i["id"] for i in api["items"]] == [offer_id],
                f"Nach reindex: {api}",
            )
            page = visitor.get(f"/angebote?q={quote(word)}", worker=pid)
            check(
                not page.soup().select('[data-testid="degraded"]'), "Hinweis nach Wiederherstellung noch da"
            )

        eventually(search_is_back, SEARCH_STATE_STALENESS)

    _on_every_worker(
        topology, "Meilisearch leer neu gestartet, reindex stellt die Suche wieder her", restored
    )


def _login_form(page: Reply, email: str, password: str) -> list[tuple[str, str]]:
    form = page.soup().select_one("form[action='/anmelden']")
    assert isinstance(form, Tag)
    return _form_values(form, {"email": email, "passwort": password})


def main() -> int:
    started = time.monotonic()
    problems = []
    if not MEILI_BINARY.exists():
        problems.append(f"{MEILI_BINARY} fehlt (make meilisearch)")
    if not SAMPLE.exists():
        problems.append(f"{SAMPLE} fehlt")
    try:
        psycopg.connect(PG_ADMIN_DSN).close()
    except psycopg.OperationalError:
        problems.append("PostgreSQL auf 127.0.0.1:5432 ist nicht erreichbar")
    if problems:
        print("Produktions-Smoke nicht möglich: " + "; ".join(problems), file=sys.stderr)
        return 2
    with ExitStack() as stack:
        workdir = Path(tempfile.mkdtemp(prefix="fw-smoke-"))
        stack.callback(shutil.rmtree, workdir, True)
        database_url = stack.enter_context(private_database())
        app_port, meili_port = free_port(), free_port()
        meili_key = secrets.token_urlsafe(24)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MEILI_", "DATABASE_", "SEARCH_"))}
        env.update(
            ENV="production",
            DATABASE_URL=database_url,
            SEARCH_BACKEND="meilisearch",
            MEILI_URL=f"http://127.0.0.1:{meili_port}",
            MEILI_MASTER_KEY=meili_key,
            MEILI_INDEX="angebote",
            SECRET_KEY=secrets.token_urlsafe(48),
            BASE_URL=f"http://127.0.0.1:{app_port}",
            UPLOAD_DIR=str(workdir / "uploads"),
            SEARCH_INDEX_PATH=str(workdir / "search.db"),
        )
        topology = Topology(
            env=env, app_port=app_port, meili_port=meili_port, meili_key=meili_key, workdir=workdir
        )
        stack.callback(topology.kill_meilisearch)
        stack.callback(topology.stop_uvicorn)  # runs first: workers stop before the engine and database go
        print(
            f"Produktions-Smoke: PostgreSQL {database_url.rsplit('/', 1)[1]}, Meilisearch :{meili_port}, "
            f"App :{app_port}",
            flush=True,
        )
        try:
            topology.start_meilisearch(workdir / "meili")
            step(f"Meilisearch {_meili_version(topology)} gestartet (Produktionsmodus, Hauptschlüssel)")
            run(topology)
        except SmokeFailure as exc:
            print(f"✗ {exc}", file=sys.stderr)
            for log in topology.logs:
                if log.exists():
                    print(
                        f"--- {log.name} (Ende) ---\n{log.read_text(errors='replace')[-3000:]}",
                        file=sys.stderr,
                    )
            return 1
    print(f"Produktions-Smoke bestanden in {time.monotonic() - started:.1f} s.")
    return 0


def _meili_version(topology: Topology) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", topology.meili_port, timeout=5)
    conn.request("GET", "/version", headers={"Authorization": f"Bearer {topology.meili_key}"})
    data = json.loads(conn.getresponse().read())
    conn.close()
    return str(data.get("pkgVersion", "?"))


if __name__ == "__main__":
    raise SystemExit(main())
