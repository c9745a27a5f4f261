"""``GET /healthz``: database and search engine status as JSON."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from search.drift import index_lag_seconds

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    checks: dict[str, Any] = {}
    try:
        with request.app.state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means "down"
        checks["database"] = f"down: {type(exc).__name__}"
    healthy = checks["database"] == "ok"
    # The site keeps answering without the search engine (database fallback): "degraded", not an outage.
    search = request.app.state.search
    if not search.healthy():  # unreachable, or an index file that fails its integrity check
        checks["search"] = f"down: {search.name}"
    else:
        checks["search"] = "ok"
        lag = index_lag_seconds(request.app.state.engine, search) if healthy else None
        if lag is not None and lag > request.app.state.settings.index_max_lag_seconds:
            checks["search"] = f"degraded: index behind ({lag:.0f} s)"
    status = "ok" if checks["search"] == "ok" else "degraded"
    return JSONResponse(
        {"status": status if healthy else "down", "checks": checks}, status_code=200 if healthy else 503
    )
