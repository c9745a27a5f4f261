"""CLI: ``python -m search reindex`` (full rebuild, no downtime, progress bar) and ``… status``."""

from __future__ import annotations

import argparse
import subprocess
import sys

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlmodel import Session

from app.db import make_engine
from app.settings import get_settings
from search import get_backend
from search.documents import count_public
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
    settings = get_settings()
    backend = get_backend(settings)
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        public = count_public(session)
    engine.dispose()
    healthy = backend.healthy()
    print(f"Backend:            {backend.name}")
    if healthy:
        indexed = backend.count()
        print("Zustand:            erreichbar")
        print(f"Dokumente im Index: {indexed}")
    else:
        indexed = -1
        print("Zustand:            NICHT erreichbar")
    print(f"Öffentliche Angebote in der Datenbank: {public}")
    if healthy and indexed != public:
        print("Hinweis: Index und Datenbank weichen ab – `python -m search reindex` ausführen.")
    return 0 if healthy else 1


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
    sub.add_parser("status", help="Backend, Dokumentanzahl und Erreichbarkeit anzeigen")
    sub.add_parser(
        "ensure-engine", help="lokales Meilisearch starten, falls konfiguriert und nicht erreichbar"
    )
    args = parser.parse_args(argv)
    commands = {"reindex": reindex, "status": status, "ensure-engine": ensure_engine}
    return commands[args.command]()


if __name__ == "__main__":
    sys.exit(main())
