"""Search latency: 10,000 generated offers, 300 mixed queries, both backends in-process, plus the app on top.

Goals (2-core machine, uncached, with the German analysis chain): index build ≤ 5 s embedded; embedded
backend call with facets p50 ≤ 1 ms and p99 ≤ 7 ms; Meilisearch p50 ≤ 10 ms including HTTP;
``GET /api/v1/offers`` end to end ≤ 2× the raw backend call for the same query; the results page
``/angebote`` with the page cache off ≤ 3×. The app is called in-process through its whole middleware stack
(``benchmarks.asgi_driver``), without an HTTP client's cost. Printed with their goals, never asserted.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from fastapi.responses import Response
from sqlmodel import Session, select

from app.catalogue import vocab
from app.catalogue.districts import DistrictResolver
from app.catalogue.models import Angebot, Einrichtung
from app.catalogue.service import public_offer_clause
from app.catalogue.text import fold
from app.db import make_engine
from app.deps import SearchDep, SessionDep, SettingsDep
from app.main import create_app
from app.migrate import upgrade
from app.page_cache import CachedPage
from app.settings import PROJECT_ROOT, Environment, SearchBackendName, Settings
from benchmarks.asgi_driver import running
from benchmarks.generate_workbook import generate, write_xlsx
from importers.sync import sync_workbook
from search import get_backend
from search.base import SearchBackend
from search.indexing import index_offers
from search.params import parse_offer_params

OFFERS = 10_000
SEED = 7
GOAL_BUILD_SECONDS = 5.0
GOAL_API_RATIO = 2.0
GOAL_PAGE_RATIO = 3.0
QUERIES = 300
RUNS = 3
MEILI_BIN = PROJECT_ROOT / ".cache" / "meilisearch" / "meilisearch"
MEILI_KEY = "bench-master-key-" + "b" * 24
Params = dict[str, list[str]]


def _empty_route(session: SessionDep, backend: SearchDep, settings: SettingsDep) -> Response:
    """What the framework costs a search route before it does anything: middleware, routing, session."""
    return Response(b'{"total":0}', media_type="application/json")


def _typo(word: str, rnd: random.Random) -> str:
    """One edit (swap, deletion or substitution) – within Meilisearch's threshold for words of ≥ 5 letters."""
    i = rnd.randrange(1, len(word) - 1)
    kind = rnd.choice(("swap", "delete", "replace"))
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "delete":
        return word[:i] + word[i + 1 :]
    return word[:i] + rnd.choice("aeiourstn") + word[i + 1 :]


def build_queries(titles: list[str], rnd: random.Random) -> tuple[list[Params], list[tuple[Params, str]]]:
    """Mixed queries; also returns the typo subset with the word each should find."""
    words = sorted({w for t in titles for w in t.split() if len(w) >= 5 and w.isalpha()})
    slugs = [o.slug for o in vocab.ORTSTEILE]
    queries: list[Params] = []
    typos: list[tuple[Params, str]] = []
    for n in range(QUERIES):
        kind = n % 5
        word = rnd.choice(words)
        if kind == 0:
            params: Params = {"q": [word]}
        elif kind == 1:
            params = {"q": [_typo(word, rnd)]}
        elif kind == 2:
            params = {"q": [word[: rnd.randint(3, 6)]]}
        elif kind == 3:
            params = {"q": [f"{word} {rnd.choice(words)}"]}
        else:
            params = {"q": [rnd.choice(["", word, word[:4]])]}
        if kind == 1 and len(typos) < 20 and len(word) >= 6:
            typos.append((params, word))  # the typo sample carries no filter that could hide its word
        elif rnd.random() < 0.3:
            extra = rnd.choice(("ortsteil", "zielgruppe", "thema", "kostenlos", "alter"))
            params[extra] = {
                "ortsteil": [rnd.choice(slugs)],
                "zielgruppe": [rnd.choice(vocab.ZIELGRUPPEN).code],
                "thema": [rnd.choice(vocab.THEMEN).code],
                "kostenlos": ["true"],
                "alter": [str(rnd.randint(0, 12))],
            }[extra]
        queries.append(params)
    return queries, typos


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return statistics.median(ordered), pick(0.95), pick(0.99)


@dataclass
class Samples:
    """Per query: wall-clock ms and CPU ms of this process (all threads) – CPU shows the cost when the
    machine is shared and wall-clock time mostly measures waiting for a core."""

    wall: list[float]
    cpu: list[float]


def measure(call: Callable[[Params], object], queries: list[Params]) -> Samples:
    """Median over RUNS of each query's latency (after one warm-up pass)."""
    for params in queries:
        call(params)
    walls: list[list[float]] = []
    cpus: list[list[float]] = []
    for _ in range(RUNS):
        wall, cpu = [], []
        for params in queries:
            started, started_cpu = time.perf_counter(), time.process_time()
            call(params)
            cpu.append((time.process_time() - started_cpu) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
        walls.append(wall)
        cpus.append(cpu)
    median = lambda runs: [statistics.median(v) for v in zip(*runs, strict=True)]  # noqa: E731
    return Samples(median(walls), median(cpus))


def _report(label: str, samples: Samples, goal: str) -> tuple[float, float]:
    """Prints wall and CPU percentiles; returns both p50."""
    p50s = []
    for kind, values in (("Zeit", samples.wall), ("CPU ", samples.cpu)):
        p50, p95, p99 = percentiles(values)
        print(f"{label:<34} {kind} p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  p99 {p99:6.2f} ms  ({goal})")
        p50s.append(p50)
    return p50s[0], p50s[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_meili(directory: Path) -> tuple[subprocess.Popen[bytes], str] | None:
    if not MEILI_BIN.exists():
        print("Meilisearch-Binary fehlt (make meilisearch) – Meilisearch wird nicht gemessen.")
        return None
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 – the cached server binary
        [
            *(str(MEILI_BIN), "--db-path", str(directory / "meili"), "--http-addr", f"127.0.0.1:{port}"),
            *("--master-key", MEILI_KEY, "--no-analytics", "--env", "development"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=0.5).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    print("Meilisearch startete nicht – wird nicht gemessen.")
    return None


def _typo_hits(
    search: Callable[[Params], list[str]], typos: list[tuple[Params, str]], titles: dict[str, str]
) -> int:
    found = 0
    for params, word in typos:
        ids = search(params)
        if any(fold(word) in fold(titles.get(i, "")) for i in ids):
            found += 1
    return found


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        directory = Path(tmp)
        started = time.perf_counter()
        workbook = directory / "gross.xlsx"
        write_xlsx(generate(OFFERS, SEED), workbook)
        url = f"sqlite:///{directory / 'bench.db'}"
        upgrade(url)
        settings = Settings(env=Environment.test, database_url=url, search_index_path=directory / "search.db")
        engine = make_engine(url)
        report = sync_workbook(workbook, engine=engine, settings=settings, command="bench_search")
        if not report.ok:
            raise SystemExit(f"Import fehlgeschlagen: {report.all_errors()[:3]}")
        print(f"Daten: {OFFERS} Angebote erzeugt und importiert in {time.perf_counter() - started:.1f} s")
        print(f"Maschinenlast (1 min): {os.getloadavg()[0]:.1f} bei {os.cpu_count()} Kernen")

        with Session(engine) as session:
            public = select(Angebot.external_id, Angebot.titel).join(Einrichtung).where(public_offer_clause())
            titles = dict(session.exec(public).all())
            resolver = DistrictResolver.from_session(session)
        queries, typos = build_queries(sorted(titles.values()), random.Random(SEED))  # noqa: S311 – reproducible test data
        parsed = [parse_offer_params(p, resolver) for p in queries]
        by_key = {id(p): q for p, q in zip(queries, parsed, strict=True)}

        def raw(backend: SearchBackend) -> Callable[[Params], object]:
            return lambda params: backend.search(by_key[id(params)])

        started, started_cpu = time.perf_counter(), time.process_time()
        outcome = index_offers(engine, settings)
        build, build_cpu = time.perf_counter() - started, time.process_time() - started_cpu
        print(
            f"Eingebetteter Index: {outcome.indexed} Dokumente in {build:.1f} s (CPU {build_cpu:.1f} s), "
            f"Ziel ≤ {GOAL_BUILD_SECONDS:.0f} s: Verhältnis {build / GOAL_BUILD_SECONDS:.2f} "
            f"(CPU {build_cpu / GOAL_BUILD_SECONDS:.2f})"
        )
        embedded = get_backend(settings)
        embedded_samples = measure(raw(embedded), queries)
        embedded_p50 = _report("Eingebettet (SQLite FTS5)", embedded_samples, "Ziel p50 ≤ 1 ms, p99 ≤ 7 ms")
        for kind, values in (("Zeit", embedded_samples.wall), ("CPU", embedded_samples.cpu)):
            p50, _p95, p99 = percentiles(values)
            print(f"  Verhältnis zum Ziel ({kind}): p50 {p50 / 1.0:.2f}, p99 {p99 / 7.0:.2f} (≤ 1: erreicht)")
        found = _typo_hits(lambda p: embedded.search(by_key[id(p)]).ids, typos, titles)
        print(f"  Tippfehler-Stichprobe gefunden: {found} von {len(typos)}")

        # Settings(env=test) switch the page cache off: every request below is answered uncached.
        app = create_app(settings)
        app.add_api_route("/bench/leer", _empty_route, dependencies=[CachedPage], include_in_schema=False)
        # First in the routing table: a route added last is matched against all 120 others first, which the
        # search routes (near the front) are not.
        app.router.routes.insert(0, app.router.routes.pop())
        with running(app) as client:
            pages = {path: client.get(path, queries[0])[0] for path in ("/api/v1/offers", "/angebote")}
            if set(pages.values()) != {200}:
                raise SystemExit(f"Antwort nicht 200: {pages}")
            api_samples = measure(lambda p: client.get("/api/v1/offers", p), queries)
            page_samples = measure(lambda p: client.get("/angebote", p), queries)
            floor_samples = measure(lambda p: client.get("/bench/leer", p), queries)
        app.state.engine.dispose()
        floor = _report("Leere Route, gleiche Abhängigkeiten", floor_samples, "Untergrenze des Rahmens")
        print(
            f"  Rahmen allein (Middleware, Routing, Sitzung): {floor[0] / embedded_p50[0]:.2f}× Backend "
            "– so viel kostet jede solche Route, bevor sie etwas tut"
        )
        for label, samples, goal in (
            ("GET /api/v1/offers (eingebettet)", api_samples, GOAL_API_RATIO),
            ("GET /angebote ohne Seiten-Cache", page_samples, GOAL_PAGE_RATIO),
        ):
            p50s = _report(label, samples, f"Ziel ≤ {goal:.0f}× Backend")
            for kind, n, app_values, raw_values in (
                ("Zeit", 0, samples.wall, embedded_samples.wall),
                ("CPU", 1, samples.cpu, embedded_samples.cpu),
            ):
                ratios = [a / b for a, b in zip(app_values, raw_values, strict=True) if b > 0]
                print(
                    f"  Verhältnis zum Backend ({kind}): p50 {p50s[n] / embedded_p50[n]:.2f}×, "
                    f"Median je Anfrage {statistics.median(ratios):.2f}× (Ziel ≤ {goal:.0f}×)"
                )

        meili = _start_meili(directory)
        if meili is not None:
            process, meili_url = meili
            try:
                meili_settings = settings.model_copy(
                    update={
                        "search_backend": SearchBackendName.meilisearch,
                        "meili_url": meili_url,
                        "meili_master_key": MEILI_KEY,
                    }
                )
                started = time.perf_counter()
                outcome = index_offers(engine, meili_settings)
                print(
                    f"Meilisearch-Index: {outcome.indexed} Dokumente in {time.perf_counter() - started:.1f} s"
                )
                backend = get_backend(meili_settings)
                meili_samples = measure(raw(backend), queries)
                meili_p50 = _report("Meilisearch (HTTP, identity)", meili_samples, "Ziel p50 ≤ 10 ms")
                found = _typo_hits(lambda p: backend.search(by_key[id(p)]).ids, typos, titles)
                print(f"  Tippfehler-Stichprobe gefunden: {found} von {len(typos)}")
                print(
                    f"  Verhältnis Meilisearch/eingebettet p50 (Zeit): {meili_p50[0] / embedded_p50[0]:.2f}×"
                )
            finally:
                process.terminate()
                process.wait(timeout=10)
        engine.dispose()
        shutil.rmtree(directory / "meili", ignore_errors=True)


if __name__ == "__main__":
    main()
