"""CLI: ``python -m search reindex`` (full rebuild, no downtime, progress bar), ``… status`` (exit 1 when the
index drifted from the database) and ``… repair`` (re-index what drifted)."""

from __future__ import annotations

import argparse
import subprocess
import sys

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from app.db import make_engine
from app.settings import get_settings
from search import get_backend
from search.drift import check_index, repair_index
from search.engine_process import ensure_local_engine
from search.indexing import index_offers


def reindex() -> int:
    settings = get_settings()
    engine = make_engine(settings.database_url)
    console = Console(stderr=True)
    with Progress(
        TextColumn("Suchindex"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    ) as bar:
        task = bar.add_task("reindex", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        outcome = index_offers(engine, settings, progress=progress)
    engine.dispose()
    print(outcome.message)
    return 0 if outcome.ok else 1


def status() -> int:
    """Backend, reachability and a document-by-document comparison; exit 1 on ANY drift or when down."""
    settings = get_settings()
    backend = get_backend(settings)
    healthy = backend.healthy()
    print(f"Backend:            {backend.name}")
    print(f"Zustand:            {'erreichbar' if healthy else 'NICHT erreichbar'}")
    if not healthy:
        return 1
    report = check_index(settings)
    for line in report.lines():
        print(line)
    return 0 if report.ok else 1


def repair() -> int:
    """Re-index what drifted (or rebuild); exit 0 when the index is in step afterwards."""
    report = repair_index(get_settings())
    print(report.message)
    return 0 if report.ok else 1


def ensure_engine() -> int:
    try:
        print(ensure_local_engine(get_settings()))
    except (RuntimeError, OSError, subprocess.CalledProcessError) as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m search", description="Suchindex verwalten")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("reindex", help="Index vollständig neu aufbauen (ohne Ausfallzeit)")
    sub.add_parser(
        "status", help="Index Dokument für Dokument mit der Datenbank vergleichen (Exit 1 bei Abweichung)"
    )
    sub.add_parser("repair", help="abweichende Dokumente neu indexieren (bei Bedarf neu aufbauen)")
    sub.add_parser(
        "ensure-engine", help="lokales Meilisearch starten, falls konfiguriert und nicht erreichbar"
    )
    args = parser.parse_args(argv)
    commands = {"reindex": reindex, "status": status, "repair": repair, "ensure-engine": ensure_engine}
    return commands[args.command]()


if __name__ == "__main__":
    sys.exit(main())
