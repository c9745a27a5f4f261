"""Running jobs under their lease: once by name (cron) or in a loop that runs whatever is due (compose)."""

from __future__ import annotations

import logging
import signal
import threading
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine

from app.db import utcnow
from app.jobs import lock
from app.jobs.tasks import JOBS, Job
from app.settings import Settings

log = logging.getLogger(__name__)
# Longer than any job takes; a worker that dies mid-job frees it after this.
LEASE = timedelta(minutes=30)


@dataclass(frozen=True)
class Outcome:
    name: str
    ran: bool
    summary: str
    ok: bool = True


def run_job(engine: Engine, settings: Settings, job: Job) -> Outcome:
    if not lock.acquire(engine, job.name, LEASE):
        return Outcome(job.name, ran=False, summary="läuft gerade in einem anderen Prozess – übersprungen")
    try:
        summary = job.run(engine, settings, utcnow())
    except Exception as exc:
        log.exception("Job %s fehlgeschlagen", job.name)
        lock.release(engine, job.name, f"FEHLER: {type(exc).__name__}: {exc}")
        return Outcome(job.name, ran=True, summary=f"Fehler: {exc}", ok=False)
    lock.release(engine, job.name, summary)
    return Outcome(job.name, ran=True, summary=summary)


def due_jobs(engine: Engine) -> list[Job]:
    now = utcnow()
    due = []
    for job in JOBS.values():
        last = lock.last_finished(engine, job.name)
        if last is None or now - last >= job.every:
            due.append(job)
    return due


def run_due(engine: Engine, settings: Settings) -> list[Outcome]:
    return [run_job(engine, settings, job) for job in due_jobs(engine)]


def loop(engine: Engine, settings: Settings, *, rounds: int | None = None) -> None:
    """Every JOBS_INTERVAL_SECONDS run the due jobs; SIGTERM/SIGINT end it after the current round."""
    stop = threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
    done = 0
    try:
        while not stop.is_set():
            for outcome in run_due(engine, settings):
                log.info("%s: %s", outcome.name, outcome.summary)
            done += 1
            if rounds is not None and done >= rounds:
                break
            stop.wait(settings.jobs_interval_seconds)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
