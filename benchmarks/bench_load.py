"""Load and cost at 10,000 offers on the production topology (PostgreSQL, Meilisearch, 2 uvicorn workers).

- Results page requests/s at concurrency 32 (wrk, loopback) next to a minimal Starlette app returning the same
  bytes with the same server and worker count, in the same run: goal ≥ 0.5× that ceiling, p99 ≤ 100 ms.
- The same with the page cache off over ≥ 150 different query/filter URLs (a long tail of searches, as real
  traffic is): goal ≥ 0.25× the ceiling. Next to it, Meilisearch alone answering the very searches these
  pages send (same connections, same machine): the ceiling of any uncached page that must ask the engine.
- Resident memory of each worker after the load (10,000 offers in the database and the index).
- Import of the 10,000-offer workbook into PostgreSQL (incl. the importer's index update) and a full reindex.
- Time and size of the full HSDS export at that size.

Everything runs on 127.0.0.1 with our own processes (a private database, dropped at the end). Printed, never
asserted. Needs PostgreSQL on 127.0.0.1:5432, wrk and the Meilisearch binary (make meilisearch).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlsplit

import psycopg

from app.catalogue.districts import DistrictResolver
from app.db import make_engine
from app.migrate import upgrade
from app.public import results
from app.settings import PROJECT_ROOT, Environment, SearchBackendName, Settings
from benchmarks.generate_workbook import generate, write_xlsx
from importers.sync import sync_workbook
from scripts.prod_smoke import WORKERS, Topology, free_port, private_database, wait_until
from search.indexing import index_offers
from search.meili import MeiliBackend

OFFERS = 10_000
SEED = 7
CONNECTIONS = 32
THREADS = 2
WARMUP_SECONDS = 3
DURATION_SECONDS = 10
RESULTS_PAGE = "/angebote?q=beratung"
GOAL_RATIO = 0.5
SEQUENTIAL_REQUESTS = 20
GOAL_P99_MS = 100.0
GOAL_UNCACHED_RATIO = 0.25
UNCACHED_URLS = 160
_WORDS = (
    "beratung", "familie", "krabbelgruppe", "kinder", "turnen", "senioren", "hilfe bei schulden", "ferien",
    "frühstück", "eltern", "sport", "musik", "garten", "jugendliche", "schwangerschaft", "spielgruppe",
    "wo kann mein kind turnen", "familienberatung", "stillen", "lernen", "hausaufgaben", "café", "treff",
    "alleinerziehende", "bewegung", "basteln", "deutsch lernen", "fahrrad", "computerkurs", "babys",
)  # fmt: skip
_FILTERS = (
    "", "&ortsteil=winzerla", "&ortsteil=neulobeda", "&zielgruppe=familien", "&thema=beratung",
    "&kostenlos=true", "&alter=4", "&sort=name", "&seite=2", "&ortsteil=jena-nord&kostenlos=true",
)  # fmt: skip


@dataclass
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    errors: str


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise ValueError(f"unbekannte Zeitangabe von wrk: {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def wrk(url: str, seconds: int, script: Path | None = None) -> WrkResult:
    command = [
        "wrk",
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "10s",
        *(["-s", str(script)] if script is not None else []),
        url,
    ]
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout  # noqa: S603
    rps_match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    latencies = dict(re.findall(r"^\s*(50|99)%\s+(\S+)\s*$", out, flags=re.MULTILINE))
    if rps_match is None or not {"50", "99"} <= latencies.keys():
        raise SystemExit(f"wrk-Ausgabe nicht lesbar:\n{out}")
    rps = float(rps_match.group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*$", out, flags=re.MULTILINE)
    return WrkResult(
        rps,
        _ms(latencies["50"]),
        _ms(latencies["99"]),
        int(non_2xx.group(1)) if non_2xx else 0,
        errors.group(0) if errors else "",
    )


def uncached_urls(count: int = UNCACHED_URLS) -> list[str]:
    """Different results-page URLs: words × filters, each once (no two requests share a cache entry)."""
    urls = [f"/angebote?q={quote_plus(w)}{f}" for f in _FILTERS for w in _WORDS]
    return urls[:count]


def _rotating_script(paths: list[str], directory: Path) -> Path:
    """A wrk Lua script that requests the paths in turn."""
    listed = ",\n".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in paths)
    script = directory / "rotate.lua"
    script.write_text(
        f"local paths = {{\n{listed}\n}}\nlocal n = 0\n"
        "request = function()\n  n = n + 1\n  return wrk.format('GET', paths[(n % #paths) + 1])\nend\n",
        encoding="utf-8",
    )
    return script


def engine_searches(urls: list[str], settings: Settings) -> list[tuple[str, dict[str, Any]]]:
    """The Meilisearch requests (path, body) the results page sends for ``urls``, as the backend sent them."""
    recorded: list[tuple[str, dict[str, Any]]] = []

    class Recording(MeiliBackend):
        def _request(self, method: str, path: str, *, timeout: float | None = None, **kwargs: Any) -> Any:
            if path.endswith("search"):  # /indexes/…/search and /multi-search
                recorded.append((path, kwargs["json"]))
            return super()._request(method, path, timeout=timeout, **kwargs)

    backend = Recording(
        url=settings.meili_url, api_key=settings.meili_master_key, index=settings.meili_index, timeout=30.0
    )
    resolver = DistrictResolver.default()
    try:
        for url in urls:  # parsed as the results page parses them
            pairs = parse_qsl(urlsplit(url).query)
            backend.search(results.parse_page(pairs, resolver, None, results.page_number(pairs)))
    finally:
        backend.close()
    return recorded


def _engine_script(requests: list[tuple[str, dict[str, Any]]], key: str, directory: Path) -> Path:
    """A wrk Lua script that POSTs the recorded search requests to Meilisearch in turn."""
    listed = ",\n".join(
        f"{{'{path}', [==[{json.dumps(body, ensure_ascii=False)}]==]}}" for path, body in requests
    )
    script = directory / "engine.lua"
    script.write_text(
        f"local requests = {{\n{listed}\n}}\nlocal n = 0\n"
        f'wrk.headers["Authorization"] = "Bearer {key}"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        "request = function()\n  n = n + 1\n  local r = requests[(n % #requests) + 1]\n"
        "  return wrk.format('POST', r[1], nil, r[2])\nend\n",
        encoding="utf-8",
    )
    return script


def _fetch(port: int, path: str, timeout: float = 30) -> tuple[int, bytes, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body, response.getheader("content-type", "")


def _rss_mb(pid: int) -> float:
    for line in (Path("/proc") / str(pid) / "status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _measure(label: str, port: int, script: Path | None = None, path: str = RESULTS_PAGE) -> WrkResult:
    url = f"http://127.0.0.1:{port}{path}"
    wrk(url, WARMUP_SECONDS, script)
    result = wrk(url, DURATION_SECONDS, script)
    print(
        f"{label:38} {result.requests_per_second:8.1f} Anfragen/s, p50 {result.p50_ms:6.1f} ms, "
        f"p99 {result.p99_ms:6.1f} ms"
        + (f", {result.non_2xx} Fehlantworten" if result.non_2xx else "")
        + (f", {result.errors}" if result.errors else ""),
        flush=True,
    )
    return result


def _start_baseline(
    body_file: Path, content_type: str, port: int, env: dict[str, str], log: Path
) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "uvicorn", "benchmarks.load_baseline:app", "--host", "127.0.0.1",
        "--port", str(port), "--workers", str(WORKERS), "--log-level", "warning",
    ]  # fmt: skip
    baseline_env = env | {"BENCH_BODY_FILE": str(body_file), "BENCH_CONTENT_TYPE": content_type}
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=baseline_env, stdout=out, stderr=out)  # noqa: S603
    wait_until(lambda: _fetch_ok(port), "Vergleichs-App startet", seconds=30)
    return process


def _fetch_ok(port: int) -> bool:
    try:
        return _fetch(port, "/")[0] == 200
    except OSError:
        return False


def main() -> None:
    missing = [tool for tool in ("wrk",) if shutil.which(tool) is None]
    if missing or not (PROJECT_ROOT / ".cache" / "meilisearch" / "meilisearch").exists():
        print(
            f"übersprungen: {', '.join(missing) or 'Meilisearch-Binärdatei'} fehlt "
            "(wrk: apt-get install wrk; Meilisearch: make meilisearch)"
        )
        return
    with ExitStack() as stack:
        workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
        stack.callback(shutil.rmtree, workdir, True)
        try:
            database_url = stack.enter_context(private_database())
        except psycopg.OperationalError as exc:
            print(f"übersprungen: PostgreSQL auf 127.0.0.1:5432 nicht erreichbar ({exc})")
            return
        app_port, meili_port, baseline_port = free_port(), free_port(), free_port()
        meili_key = secrets.token_urlsafe(24)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MEILI_", "DATABASE_", "SEARCH_"))}
        env.update(
            ENV="production",
            DATABASE_URL=database_url,
            SEARCH_BACKEND="meilisearch",
            MEILI_URL=f"http://127.0.0.1:{meili_port}",
            MEILI_MASTER_KEY=meili_key,
            SECRET_KEY=secrets.token_urlsafe(48),
            BASE_URL=f"http://127.0.0.1:{app_port}",
            UPLOAD_DIR=str(workdir / "uploads"),
        )
        topology = Topology(
            env=env, app_port=app_port, meili_port=meili_port, meili_key=meili_key, workdir=workdir
        )
        stack.callback(topology.kill_meilisearch)
        stack.callback(topology.stop_uvicorn)
        topology.start_meilisearch(workdir / "meili")

        workbook = workdir / "gross.xlsx"
        write_xlsx(generate(OFFERS, SEED), workbook)
        settings = Settings(
            env=Environment.test,
            database_url=database_url,
            search_backend=SearchBackendName.meilisearch,
            meili_url=env["MEILI_URL"],
            meili_master_key=meili_key,
            meili_timeout_seconds=30.0,
            secret_key=env["SECRET_KEY"],
        )
        upgrade(database_url)
        engine = make_engine(database_url)
        try:
            started = time.perf_counter()
            report = sync_workbook(workbook, engine=engine, settings=settings, command="bench_load")
            import_seconds = time.perf_counter() - started
            if not report.ok:
                raise SystemExit(f"Import fehlgeschlagen: {report.to_dict()}")
            started = time.perf_counter()
            outcome = index_offers(engine, settings)
            reindex_seconds = time.perf_counter() - started
        finally:
            engine.dispose()
        print(f"Import {OFFERS:,} Angebote in PostgreSQL (mit Index-Aktualisierung): {import_seconds:.1f} s")
        print(
            f"Vollständiger Neuaufbau des Meilisearch-Index: {reindex_seconds:.1f} s "
            f"({outcome.indexed} Dokumente)"
        )

        topology.start_uvicorn()
        status, body, content_type = _fetch(app_port, RESULTS_PAGE)
        if status != 200:
            raise SystemExit(f"Ergebnisseite antwortet mit {status}")
        body_file = workdir / "ergebnisseite.html"
        body_file.write_bytes(body)
        print(
            f"Ergebnisseite {RESULTS_PAGE}: {len(body) / 1024:.1f} KB, {WORKERS} Worker, "
            f"{CONNECTIONS} Verbindungen"
        )

        app_result = _measure("Familienwegweiser (PostgreSQL+Meili)", app_port)
        rss = {pid: _rss_mb(pid) for pid in sorted(topology.worker_pids())}
        topology.stop_uvicorn()
        # Uncached: the page cache off, and every request of a round a different search.
        urls = uncached_urls()
        topology.env["PAGE_CACHE_SECONDS"] = "0"
        topology.start_uvicorn()
        statuses = {_fetch(app_port, u)[0] for u in urls}
        print(f"Ohne Seiten-Cache: {len(set(urls))} verschiedene Such-URLs im Wechsel (Antworten {statuses})")
        uncached_result = _measure(
            "Familienwegweiser ungecacht (PG+Meili)", app_port, _rotating_script(urls, workdir)
        )
        del topology.env["PAGE_CACHE_SECONDS"]
        topology.stop_uvicorn()
        bodies = engine_searches(urls, settings)
        engine_result = _measure(
            "Meilisearch allein, dieselben Suchen",
            meili_port,
            _engine_script(bodies, meili_key, workdir),
            path="/",
        )
        topology.start_uvicorn()
        for path in ("/api/hsds/services?per_page=50", "/api/hsds/services?per_page=50&full=true"):
            times = []
            for _ in range(SEQUENTIAL_REQUESTS):
                started = time.perf_counter()
                _fetch(app_port, path)
                times.append((time.perf_counter() - started) * 1000)
            median = statistics.median(times)
            print(f"{path}: Median {median:.0f} ms (einzeln, {SEQUENTIAL_REQUESTS} Anfragen)")
        for label in ("erste Anfrage", "zweite Anfrage"):
            # Two tries: the second request may land on the other worker, which builds its own copy.
            started = time.perf_counter()
            status, export, _type = _fetch(app_port, "/api/hsds/export.zip", timeout=300)
            print(
                f"HSDS-Gesamtexport ({label}): {time.perf_counter() - started:.1f} s, "
                f"{len(export) / 1e6:.1f} MB (Status {status})"
            )
        topology.stop_uvicorn()

        baseline = _start_baseline(body_file, content_type, baseline_port, env, workdir / "baseline.log")
        stack.callback(_stop, baseline)
        baseline_result = _measure("Minimale Starlette-App, gleiche Bytes", baseline_port)

    ratio = app_result.requests_per_second / baseline_result.requests_per_second
    print(
        f"Verhältnis {ratio:.3f}× der Obergrenze – Ziel ≥ {GOAL_RATIO}× "
        f"({'erreicht' if ratio >= GOAL_RATIO else 'VERFEHLT'})"
    )
    p99_ok = app_result.p99_ms <= GOAL_P99_MS
    print(
        f"p99 unter Last {app_result.p99_ms:.1f} ms – Ziel ≤ {GOAL_P99_MS:.0f} ms, Verhältnis "
        f"{app_result.p99_ms / GOAL_P99_MS:.2f} ({'erreicht' if p99_ok else 'VERFEHLT'})"
    )
    uncached_ratio = uncached_result.requests_per_second / baseline_result.requests_per_second
    print(
        f"Ungecacht {uncached_ratio:.3f}× der Obergrenze – Ziel ≥ {GOAL_UNCACHED_RATIO}× "
        f"({'erreicht' if uncached_ratio >= GOAL_UNCACHED_RATIO else 'VERFEHLT'}), p99 "
        f"{uncached_result.p99_ms:.1f} ms"
    )
    engine_ratio = uncached_result.requests_per_second / engine_result.requests_per_second
    print(
        f"Ungecacht {engine_ratio:.2f}× dessen, was Meilisearch allein mit denselben Suchen schafft "
        f"({engine_result.requests_per_second:.0f} Anfragen/s) – jede ungecachte Seite fragt die Suchmaschine"
    )
    print("Speicher je Worker (RSS nach der Last): " + ", ".join(f"{mb:.0f} MB" for mb in rss.values()))


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


if __name__ == "__main__":
    main()
