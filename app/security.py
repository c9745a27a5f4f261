"""Security headers for every response: strict CSP (no inline scripts or styles), no framing, no sniffing."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.types import Receive, Scope, Send

from app.asgi import Header, HttpMiddleware, send_adding_headers

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"geolocation=(self), camera=(), microphone=(), interest-cohort=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


class SecurityHeadersMiddleware(HttpMiddleware):
    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:

        await self.app(scope, receive, send_adding_headers(send, _missing_security_headers))


def _missing_security_headers(headers: Sequence[Header]) -> list[Header]:
    """A security header the response already carries is kept, not doubled."""
    present = {name.lower() for name, _ in headers}
    return [h for h in SECURITY_HEADERS if h[0] not in present]
