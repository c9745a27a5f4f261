"""Calls an ASGI app in-process, without an HTTP client: what the app costs, all middleware included.

TestClient adds its own httpx request building and a thread hop per call (≈ 1 ms here), which is cost of the
test harness, not of the app; the load benchmark measures the real HTTP path with wrk.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
from typing import Any
from urllib.parse import urlencode

from starlette.types import ASGIApp, Message


class AsgiDriver:
    def __init__(self, app: ASGIApp, loop: asyncio.AbstractEventLoop) -> None:
        self._app = app
        self._loop = loop

    def get(self, path: str, params: dict[str, list[str]] | None = None) -> tuple[int, bytes]:
        """One GET request as a browser on the same host would send it; (status, body)."""
        return self._loop.run_until_complete(self._get(path, urlencode(params or {}, doseq=True)))

    async def _get(self, path: str, query: str) -> tuple[int, bytes]:
        scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": [(b"host", b"127.0.0.1:8000"), (b"accept", b"text/html,application/json")],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
        }
        status, body = 0, bytearray()

        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                body.extend(message.get("body", b""))

        await self._app(scope, receive, send)
        return status, bytes(body)


@contextmanager
def running(app: Any) -> Iterator[AsgiDriver]:
    """The app with its lifespan entered, on an event loop of its own."""
    loop = asyncio.new_event_loop()
    lifespan: AbstractAsyncContextManager[Any] = app.router.lifespan_context(app)
    try:
        loop.run_until_complete(lifespan.__aenter__())
        try:
            yield AsgiDriver(app, loop)
        finally:
            loop.run_until_complete(lifespan.__aexit__(None, None, None))
    finally:
        loop.close()
