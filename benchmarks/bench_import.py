"""Import speed: a 10,000-offer workbook (own generator) into an empty migrated SQLite file, then a
no-change re-sync.

Goals on the 2-core machine: first sync ≤ 10 s, unchanged re-sync ≤ 3 s (reading, validating, diffing, writing
and the search-index update included; the stages are printed separately).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from app.db import make_engine
from app.migrate import upgrade
from app.settings import Environment, Settings
from benchmarks.generate_workbook import generate, write_xlsx
from importers.sync import sync_workbook

OFFERS = 10_000
SEED = 7
GOAL_FIRST_SECONDS = 10.0
GOAL_RESYNC_SECONDS = 3.0


def _load() -> str:
    try:
        return ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unbekannt"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        directory = Path(tmp)
        workbook = directory / "gross.xlsx"
        started = time.perf_counter()
        dataset = generate(OFFERS, SEED)
        write_xlsx(dataset, workbook, reproducible=False)
        rows = sum(len(r) for r in dataset.sheets.values())
        print(
            f"Arbeitsmappe: {rows} Zeilen ({OFFERS} Angebote) "
            f"in {time.perf_counter() - started:.1f} s erzeugt"
        )

        url = f"sqlite:///{directory / 'bench.db'}"
        upgrade(url)
        settings = Settings(env=Environment.test, database_url=url, search_index_path=directory / "search.db")
        engine = make_engine(url)
        try:
            for label, goal in (
                ("Erster Import", GOAL_FIRST_SECONDS),
                ("Erneuter Import ohne Änderung", GOAL_RESYNC_SECONDS),
            ):
                started, cpu_started = time.perf_counter(), time.process_time()
                report = sync_workbook(workbook, engine=engine, settings=settings, command="bench_import")
                seconds = time.perf_counter() - started
                cpu = time.process_time() - cpu_started
                if not report.ok:
                    raise SystemExit(f"Import fehlgeschlagen: {report.all_errors()[:3]}")
                print(
                    f"{label}: {seconds:.2f} s, {rows / seconds:,.0f} Zeilen/s, "
                    f"{report.total_changes} Änderungen – Ziel ≤ {goal:.0f} s, "
                    f"Verhältnis {seconds / goal:.2f} ({'erreicht' if seconds <= goal else 'VERFEHLT'}); "
                    f"CPU-Zeit {cpu:.2f} s (Verhältnis {cpu / goal:.2f})"
                )
                print("    Stufen: " + ", ".join(f"{k} {v:.2f} s" for k, v in report.timings.items()))
                own = seconds - report.timings.get("Suchindex", 0.0)
                print(
                    f"    davon Import ohne Suchindex-Aktualisierung: {own:.2f} s, "
                    f"Verhältnis zum Ziel {own / goal:.2f}; CPU-Last der Maschine: {_load()}"
                )
        finally:
            engine.dispose()


if __name__ == "__main__":
    main()
