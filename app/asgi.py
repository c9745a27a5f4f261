"""What the app's pure-ASGI middlewares share: HTTP-only dispatch and adding headers as a response starts."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

Header = tuple[bytes, bytes]


def send_adding_headers(send: Send, extra: Callable[[Sequence[Header]], Iterable[Header]]) -> Send:
    """Wraps ``send``: on ``http.response.start`` the headers ``extra`` returns (it sees the response's own,
    decided only then) are appended; every other message passes unchanged."""

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            added = list(extra(headers))
            if added:
                message["headers"] = headers + added
        await send(message)

    return send_with_headers


class HttpMiddleware:
    """Base of the pure-ASGI middlewares: lifespan and websocket scopes pass by, HTTP goes to ``http``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.http(scope, receive, send)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError
