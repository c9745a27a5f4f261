"""What the app's pure-ASGI middlewares share: adding headers to a response as it starts."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from starlette.types import Message, Send

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
