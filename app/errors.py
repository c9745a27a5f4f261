"""German error pages for browsers, JSON errors for the API."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from app.db import db_fault
from app.i18n import gettext as _
from app.templating import render

APP_DIR = Path(__file__).resolve().parent
log = logging.getLogger(__name__)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def _page(request: Request, status_code: int, title: str, message: str) -> Response:
    return render(
        request,
        "errors/error.html",
        {"status_code": status_code, "title": title, "message": message},
        status_code=status_code,
    )


TITLES = {
    400: "Ungültige Anfrage",
    403: "Zugriff verweigert",
    404: "Seite nicht gefunden",
    405: "Methode nicht erlaubt",
    410: "Nicht mehr verfügbar",
    422: "Ungültige Eingabe",
    429: "Zu viele Anfragen",
}


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    headers = getattr(exc, "headers", None)
    if _wants_json(request):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)
    title = _(TITLES.get(exc.status_code, "Fehler"))
    if exc.status_code == 404:
        message = _("Die aufgerufene Seite gibt es nicht (mehr). Vielleicht hilft die Suche weiter.")
    else:
        message = str(exc.detail) if exc.detail else title
    response = _page(request, exc.status_code, title, message)
    if headers:
        response.headers.update(headers)
    return response


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    if _wants_json(request):
        return JSONResponse({"detail": errors}, status_code=422)
    message = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in errors)
    return _page(request, 422, _(TITLES[422]), message)


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("Unbehandelter Fehler bei %s", request.url.path, exc_info=exc)
    if _wants_json(request):
        return JSONResponse({"detail": "Interner Fehler"}, status_code=500)
    return _page(
        request,
        500,
        _("Interner Fehler"),
        _("Leider ist ein Fehler aufgetreten. Bitte versuchen Sie es später noch einmal."),
    )


# Seconds a client should wait after a 503 caused by a busy database (an import's write phase is shorter).
RETRY_AFTER_SECONDS = 30


async def database_error(request: Request, exc: Exception) -> Response:
    """A locked, full or read-only database is a temporary outage (503), not a bug (500)."""
    fault = db_fault(exc)
    if fault is None or fault == "unreachable":
        return await server_error(request, exc)
    log.warning("Datenbank gerade nicht beschreibbar (%s) bei %s: %s", fault, request.url.path, exc)
    if fault == "busy":
        message = _(
            "Gerade werden viele Daten gespeichert (zum Beispiel ein Import). Ihre Eingabe wurde nicht "
            "gespeichert – bitte in einer halben Minute noch einmal absenden."
        )
    else:
        message = _(
            "Die Daten können gerade nicht gespeichert werden. Ihre Eingabe wurde nicht gespeichert – bitte "
            "später noch einmal versuchen."
        )
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if _wants_json(request):
        return JSONResponse({"detail": message}, status_code=503, headers=headers)
    response = _page(request, 503, _("Vorübergehend nicht verfügbar"), message)
    response.headers.update(headers)
    return response
