"""``python -m app.jobs`` runs the loop; ``python -m app.jobs run-once NAME`` one job (for cron); ``list``."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from app.db import make_engine
from app.jobs.runner import loop, run_job
from app.jobs.tasks import JOBS
from app.settings import Settings, get_settings


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.jobs", description="Regelmäßige Aufgaben")
    commands = parser.add_subparsers(dest="command")
    once = commands.add_parser("run-once", help="eine Aufgabe einmal ausführen (für cron)")
    once.add_argument("name", choices=sorted(JOBS))
    commands.add_parser("list", help="Aufgaben auflisten")
    args = parser.parse_args(argv)
    if args.command == "list":
        for job in JOBS.values():
            print(f"{job.name:<24} alle {job.every}  {job.description}")
        return 0
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = settings or get_settings()
    engine = make_engine(settings.database_url)
    try:
        if args.command == "run-once":
            outcome = run_job(engine, settings, JOBS[args.name])
            print(f"{outcome.name}: {outcome.summary}", file=sys.stdout if outcome.ok else sys.stderr)
            return 0 if outcome.ok else 1
        loop(engine, settings)
        return 0
    finally:
        engine.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
