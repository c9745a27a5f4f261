"""Requests are bounded before any route, CSRF or login check reads them; HEAD works wherever GET does.

Body limits per route class: the workbook upload may carry ``IMPORT_MAX_BYTES`` (plus form overhead),
the logged-in areas (``/verwaltung``, ``/anbieter``, ``/konto``) 1 MB of form fields, everything else –
anonymous forms such as login and feedback – 64 KB. A declared ``Content-Length`` beyond the limit is
refused with 413 before a byte is read; a body without one is counted while it streams in.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.settings import Settings

UPLOAD_PATHS = ("/verwaltung/import/pruefen",)
PRIVATE_PREFIXES = ("/verwaltung", "/anbieter", "/konto")
PRIVATE_MAX_BYTES = 1024 * 1024
PUBLIC_MAX_BYTES = 64 * 1024
_FORM_OVERHEAD = 1024 * 1024
_MESSAGE = "Die Anfrage ist zu groß und wurde nicht angenommen.".encode()


class BodyTooLarge(HTTPException):
    """Raised while the body streams in; FastAPI passes HTTP exceptions on, so the answer is a 413 page."""

    def __init__(self) -> None:
        super().__init__(status_code=413, detail=_MESSAGE.decode())


def body_limit(path: str, settings: Settings) -> int:
    if path in UPLOAD_PATHS:
        return settings.import_max_bytes + _FORM_OVERHEAD
    if path.startswith(PRIVATE_PREFIXES):
        return PRIVATE_MAX_BYTES
    return PUBLIC_MAX_BYTES


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope["path"], self.settings)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _refuse(send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await _refuse(send)


async def _refuse(send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(_MESSAGE)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": _MESSAGE})


class HeadAsGetMiddleware:
    """HEAD is answered like GET without the body (FastAPI routes declare GET only and would say 405)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_without_body)
