"""``GET /healthz``: database and search engine status as JSON."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

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
    checks["search"] = "ok" if search.healthy() else f"down: {search.name}"
    status = "ok" if checks["search"] == "ok" else "degraded"
    return JSONResponse(
        {"status": status if healthy else "down", "checks": checks}, status_code=200 if healthy else 503
    )
