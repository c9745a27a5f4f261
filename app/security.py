"""Security headers for every response: strict CSP (no inline scripts or styles), no framing, no sniffing."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from starlette.types import ASGIApp, Receive, Scope, Send

from app.asgi import Header, HttpMiddleware, send_adding_headers
from app.settings import Environment, Settings

log = logging.getLogger("app.security")

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
    """Adds the headers above; under ENV=production also Strict-Transport-Security (HSTS_MAX_AGE_SECONDS)."""

    def __init__(self, app: ASGIApp, settings: Settings | None = None) -> None:
        super().__init__(app)
        self.headers = SECURITY_HEADERS
        if settings is not None and settings.is_production:
            hsts = f"max-age={settings.hsts_max_age_seconds}; includeSubDomains".encode()
            self.headers = (*SECURITY_HEADERS, (b"strict-transport-security", hsts))

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:

        await self.app(scope, receive, send_adding_headers(send, self._missing))

    def _missing(self, headers: Sequence[Header]) -> list[Header]:
        """A security header the response already carries is kept, not doubled."""
        present = {name.lower() for name, _ in headers}
        return [h for h in self.headers if h[0] not in present]


_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def _is_loopback(host: str) -> bool:
    return host in _LOOPBACK or host.startswith("127.")


def warn_if_exposed_in_development(settings: Settings, host: str | None = None) -> bool:
    """ENV=development on an address others can reach: demo accounts, no HSTS, weak secret – say so loudly.

    ``host`` is where the server listens (``HOST``, as ``make run`` passes it) or where a request arrived."""
    host = settings.host if host is None else host
    if settings.env is not Environment.development or _is_loopback(host):
        return False
    log.warning(
        "\n%s\nACHTUNG: ENV=development, aber der Server lauscht auf %s (nicht nur lokal). Entwicklungsmodus "
        "heißt: Demo-Zugänge mit bekannten Passwörtern, kein HSTS, zufälliger SECRET_KEY. Für einen Betrieb "
        "ENV=production setzen (siehe README, Betrieb).\n%s",
        "!" * 100, host, "!" * 100,
    )  # fmt: skip
    return True


class ExposedDevelopmentWarning:
    """ENV=development only: the first request that arrived on a non-loopback address logs the warning too
    (for servers started without ``HOST``, e.g. ``uvicorn --host 0.0.0.0`` by hand)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.warned = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.warned and scope["type"] == "http" and scope.get("server"):
            self.warned = warn_if_exposed_in_development(self.settings, str(scope["server"][0]))
        await self.app(scope, receive, send)
