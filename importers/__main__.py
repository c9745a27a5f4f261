"""CLI: ``python -m importers sync PATH [--dry-run] [--json] [--as-of YYYY-MM-DD]`` and ``export PATH``.

Exit codes: 0 applied (or would apply), 1 validation errors (nothing written), 2 unreadable input, another
import running or a database fault (nothing written), 3 applied but the search index update failed
(``python -m search reindex`` repairs it).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from datetime import date
from functools import partial
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from app.db import DB_FAULT_MESSAGES, db_fault, make_engine
from app.settings import get_settings
from importers.console import print_report
from importers.export import export_workbook
from importers.report import SyncReport
from importers.sync import sync_workbook


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"„{text}“ ist kein Datum im Format JJJJ-MM-TT") from exc


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m importers", description="Arbeitsmappe ↔ Datenbank abgleichen"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    sync = commands.add_parser("sync", help="Arbeitsmappe (.xlsx, .ods, .csv, Ordner oder .zip) einlesen")
    sync.add_argument("path", type=Path)
    sync.add_argument(
        "--dry-run", action="store_true", help="nur prüfen und Änderungen zeigen, nichts speichern"
    )
    sync.add_argument("--json", action="store_true", help="Bericht als JSON auf stdout")
    sync.add_argument("--as-of", type=_as_of, default=None, help="Stichtag JJJJ-MM-TT (Standard: heute)")
    sync.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SEKUNDEN",
        help="so lange auf einen bereits laufenden Import warten (Standard: 0 = sofort abbrechen)",
    )
    export = commands.add_parser("export", help="Katalog als Arbeitsmappe (.xlsx) schreiben")
    export.add_argument("path", type=Path)
    return parser


def _run_sync(args: argparse.Namespace, argv: list[str]) -> int:
    settings = get_settings()
    engine = make_engine(settings.database_url)
    command = "python -m importers " + shlex.join(argv)
    out = Console(highlight=False, soft_wrap=True)  # no hard wraps: reports end up in logs and mails
    err = Console(stderr=True, highlight=False)
    sync = partial(
        sync_workbook,
        args.path,
        engine=engine,
        settings=settings,
        dry_run=args.dry_run,
        as_of=args.as_of,
        command=command,
        lock_wait_seconds=args.wait,
    )
    try:
        if args.json:
            report = sync()
        else:
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TimeElapsedColumn(),
                console=err,
                transient=True,
            ) as bar:
                task = bar.add_task("Start", total=5)

                def progress(stage: str, step: int, steps: int) -> None:
                    bar.update(task, description=stage, completed=step, total=steps)

                report = sync(progress=progress)
    except SQLAlchemyError as exc:
        fault = db_fault(exc)
        if fault is not None and fault != "unreachable":
            message = f"{DB_FAULT_MESSAGES[fault]} Es wurde nichts gespeichert."
        else:
            message = (
                "Die Datenbank ist nicht erreichbar oder nicht eingerichtet "
                f"({type(exc).__name__}). Bitte DATABASE_URL prüfen und `python -m app.migrate` ausführen."
            )
        report = SyncReport(file_name=args.path.name, dry_run=args.dry_run, fatal=message)
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        print_report(report, out, show_diff=args.dry_run)
    return report.exit_code


def _run_export(args: argparse.Namespace) -> int:
    settings = get_settings()
    engine = make_engine(settings.database_url)
    err = Console(stderr=True, highlight=False)
    if args.path.suffix.lower() != ".xlsx":
        err.print("Der Export schreibt eine Excel-Arbeitsmappe: bitte einen Dateinamen auf .xlsx angeben.")
        return 2
    try:
        with Session(engine) as session:
            export_workbook(session, args.path)
    except (SQLAlchemyError, OSError) as exc:
        err.print(f"Export fehlgeschlagen: {exc}", markup=False)
        return 2
    finally:
        engine.dispose()
    Console(highlight=False).print(f"Arbeitsmappe geschrieben: {args.path}", markup=False)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    if args.command == "sync":
        return _run_sync(args, argv)
    return _run_export(args)


if __name__ == "__main__":
    raise SystemExit(main())
