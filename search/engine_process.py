"""Start the cached Meilisearch binary for local development (``make run`` with SEARCH_BACKEND=meilisearch).

Only when the configured MEILI_URL points at this machine and nothing answers there; its data lives under
``.cache/meilisearch/``. Production runs the official server instead.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from app.settings import PROJECT_ROOT, SearchBackendName, Settings

CACHE = PROJECT_ROOT / ".cache" / "meilisearch"
BINARY = CACHE / "meilisearch"
FETCH_SCRIPT = PROJECT_ROOT / "scripts" / "fetch-meilisearch.sh"
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def answers(url: str) -> bool:
    try:
        return httpx.get(f"{url.rstrip('/')}/health", timeout=0.5).status_code == 200
    except httpx.HTTPError:
        return False


def ensure_local_engine(settings: Settings, *, wait_seconds: float = 30.0) -> str:
    """Start Meilisearch in the background if needed; returns what happened, in German."""
    if settings.search_backend is not SearchBackendName.meilisearch:
        return "Eingebettete Suche (SQLite FTS5) – kein Suchserver nötig."
    if answers(settings.meili_url):
        return f"Meilisearch antwortet bereits unter {settings.meili_url}."
    parts = urlsplit(settings.meili_url)
    if parts.hostname not in _LOCAL_HOSTS:
        return (
            f"Meilisearch unter {settings.meili_url} antwortet nicht (entfernter Server – nicht gestartet)."
        )
    if not BINARY.exists():
        subprocess.run([str(FETCH_SCRIPT)], check=True)  # noqa: S603 – our own script
    port = parts.port or 7700
    command = [
        str(BINARY),
        "--db-path",
        str(CACHE / "data.ms"),
        "--dump-dir",
        str(CACHE / "dumps"),
        "--http-addr",
        f"{parts.hostname}:{port}",
        "--no-analytics",
        "--env",
        "development",
    ]
    if settings.meili_master_key:
        command += ["--master-key", settings.meili_master_key]
    CACHE.mkdir(parents=True, exist_ok=True)
    log = (CACHE / "meilisearch.log").open("ab")
    # Detached: it keeps running after `make` returns. The command is our cached binary, not user input.
    process = subprocess.Popen(  # noqa: S603
        command, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True, cwd=CACHE
    )
    pid_file = CACHE / "meilisearch.pid"
    pid_file.write_text(str(process.pid))
    deadline = time.monotonic() + wait_seconds
    while not answers(settings.meili_url):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"Meilisearch ließ sich nicht starten – siehe {CACHE / 'meilisearch.log'}")
        time.sleep(0.1)
    return (
        f"Meilisearch gestartet unter {settings.meili_url} (PID {process.pid}, Daten in {CACHE / 'data.ms'}; "
        f"beenden mit: kill $(cat {_relative(pid_file)}))."
    )


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)
