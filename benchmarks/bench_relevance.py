"""Relevance on the sample workbook: the judged queries of benchmarks/relevance.py against both backends.

Prints "X/N passed" per backend, the failures, and on how many queries both backends put the same offer first
(compared by title: the sample has several same-titled offers whose order among themselves is a free tie).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlmodel import Session, select

from app.catalogue.districts import DistrictResolver
from app.catalogue.models import Angebot
from app.db import make_engine
from app.migrate import upgrade
from app.settings import PROJECT_ROOT, Environment, SearchBackendName, Settings
from benchmarks.bench_search import MEILI_KEY, _start_meili
from benchmarks.relevance import JUDGED, Judged
from importers.sync import sync_workbook
from search import get_backend
from search.base import SearchBackend
from search.indexing import index_offers
from search.params import parse_offer_params

SAMPLE = PROJECT_ROOT / "data" / "familienwegweiser-beispiel.xlsx"
LIMIT = 10
Search = Callable[[str], list[str]]


def passed(judged: Judged, ids: list[str], titles: dict[str, str]) -> bool:
    shown = [(i, titles.get(i, "")) for i in ids]
    if any(t in judged.absent for _, t in shown):
        return False
    head = shown[: judged.within]
    return not judged.expected or any(i in judged.expected or t in judged.expected for i, t in head)


def evaluate(label: str, search: Search, titles: dict[str, str]) -> dict[str, list[str]]:
    """Runs every judged query; prints the score and the failures; returns the hits per query."""
    hits: dict[str, list[str]] = {}
    failures: list[str] = []
    for judged in JUDGED:
        ids = search(judged.q)
        hits[judged.q] = ids
        if not passed(judged, ids, titles):
            top = ", ".join(titles.get(i, i) for i in ids[:3]) or "nichts"
            wanted = judged.expected[0] if judged.expected else f"nicht {judged.absent[0]}"
            failures.append(f"    ✗ [{judged.kind}] {judged.q!r}: erwartet {wanted!r}, kam: {top}")
    print(f"Relevanz {label}: {len(JUDGED) - len(failures)}/{len(JUDGED)} passed")
    for line in failures:
        print(line)
    return hits


def _searcher(backend: SearchBackend, resolver: DistrictResolver) -> Search:
    def search(q: str) -> list[str]:
        query = parse_offer_params({"q": [q], "limit": [str(LIMIT)]}, resolver)
        return backend.search(query).ids

    return search


def main() -> None:
    if not SAMPLE.exists():
        print(f"{SAMPLE} fehlt – Relevanz nicht gemessen.")
        return
    with tempfile.TemporaryDirectory(prefix="bench-relevanz-") as tmp:
        directory = Path(tmp)
        url = f"sqlite:///{directory / 'relevanz.db'}"
        upgrade(url)
        settings = Settings(env=Environment.test, database_url=url, search_index_path=directory / "search.db")
        engine = make_engine(url)
        report = sync_workbook(SAMPLE, engine=engine, settings=settings, command="bench_relevance")
        if not report.ok:
            raise SystemExit(f"Import fehlgeschlagen: {report.all_errors()[:3]}")
        started = time.perf_counter()
        index_offers(engine, settings)
        print(f"Beispieldaten indexiert (eingebettet) in {time.perf_counter() - started:.2f} s")
        with Session(engine) as session:
            titles = {a.external_id: a.titel for a in session.exec(select(Angebot)).all()}
            resolver = DistrictResolver.from_session(session)
        embedded = evaluate("eingebettet (SQLite FTS5)", _searcher(get_backend(settings), resolver), titles)

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
                index_offers(engine, meili_settings)
                backend = get_backend(meili_settings)
                remote = evaluate("Meilisearch", _searcher(backend, resolver), titles)
                same = [
                    q
                    for q in embedded
                    if embedded[q][:1] == remote[q][:1] or _same_title(embedded[q], remote[q], titles)
                ]
                print(f"Gleicher erster Treffer (Titel) in beiden Backends: {len(same)}/{len(embedded)}")
                for q in embedded:
                    if q not in same:
                        first = [
                            titles.get(ids[0], "–") if ids else "nichts" for ids in (embedded[q], remote[q])
                        ]
                        print(f"    ≠ {q!r}: eingebettet {first[0]!r}, Meilisearch {first[1]!r}")
            finally:
                process.terminate()
                process.wait(timeout=10)
        engine.dispose()
        shutil.rmtree(directory / "meili", ignore_errors=True)


def _same_title(a: list[str], b: list[str], titles: dict[str, str]) -> bool:
    return bool(a) and bool(b) and titles.get(a[0]) == titles.get(b[0])


if __name__ == "__main__":
    main()
