"""Full-page cache for anonymous public GET pages (issue 9: load and cost).

Shared-nothing: each worker process keeps its own LRU of finished responses (status, headers, body, exactly as
the inner app – GZip included – produced them). What makes it correct across workers:

- Only anonymous GET/HEAD requests for public page paths are looked up; only 200 responses without
  ``Set-Cookie``, without degraded search and of at most ``MAX_BODY_BYTES`` are stored, and only for browsers
  without a CSRF cookie (a form's token is bound to it; without one, a form sets the cookie – not stored).
  The key is method, host, path + raw query, the effective locale and the Accept-Encoding class.
- Every entry belongs to a *generation*. The generation moves on when the catalogue version in the database
  changes – read at most once per ``page_cache_seconds`` per process – and at once in this process after any
  non-GET request completes. Entries of an older generation are never served.
- Which pages may be stored is said by the routes themselves: a router or route that depends on
  ``CachedPage`` marks its 200 responses storable; nothing else is ever stored.
- The catalogue version is the counter of ``app.catalogue.version``: it moves inside every transaction that
  changes public content (request and CLI sessions through ``app.search_sync``, the importer explicitly).
- What the database version cannot see – the search index updated after the commit, Meilisearch going down or
  coming back, offers passing their end date – is bounded by ``MAX_ENTRY_AGE_SECONDS``.

Worst case on another worker: a catalogue change shows after ≤ ``page_cache_seconds`` (plus one request).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import anyio
from fastapi import Depends, FastAPI
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.auth.cookies import CSRF_COOKIE, SESSION_COOKIE
from app.catalogue import version
from app.i18n import LOCALE_COOKIE, negotiate_locale
from app.settings import Settings
from search.base import SearchQuery, SearchResult, SearchUnavailable

log = logging.getLogger(__name__)

MAX_ENTRIES = 2_000
MAX_BODY_BYTES = 512 * 1024
MAX_ENTRY_AGE_SECONDS = 10.0
FILL_WAIT_SECONDS = 5.0  # longest wait for a concurrent request building the same page
# Paths whose last render was not storable (no route flag): not looked up again, so they never wait.
MAX_KNOWN_UNCACHEABLE = 10_000
_SESSION_COOKIES = (SESSION_COOKIE, f"__Host-{SESSION_COOKIE}")
# A page rendered for a browser with this cookie may carry a CSRF token bound to it: served, never stored.
_CSRF_COOKIES = (CSRF_COOKIE, f"__Host-{CSRF_COOKIE}")
_LOOKUP_METHODS = frozenset({"GET", "HEAD"})

CacheKey = tuple[str, str, str, bytes, str, str]


@dataclass(frozen=True)
class Lookup:
    key: CacheKey
    may_store: bool


CatalogueVersion = tuple[int, ...]


def catalogue_version(engine: Engine) -> CatalogueVersion:
    """One round trip; called at most once per ``page_cache_seconds`` per process."""
    with engine.connect() as conn:
        return (version.read(conn),)


# --- per-request marks: code deep inside the app can veto storing the response ----------------------------


@dataclass
class _Marks:
    cacheable: bool = False  # set by the route flag (CachedPage)
    uncacheable: bool = False  # set by code that saw something the cache cannot (degraded search)


_marks: ContextVar[_Marks | None] = ContextVar("page_cache_marks", default=None)


def mark_uncacheable() -> None:
    """This response depends on something the cache cannot see (e.g. the degraded search): don't store it."""
    marks = _marks.get()
    if marks is not None:  # a mutable object: also works from the threadpool's copied context
        marks.uncacheable = True


def _mark_cacheable() -> None:
    marks = _marks.get()
    if marks is not None:
        marks.cacheable = True


# The route flag: ``APIRouter(dependencies=[CachedPage])`` or ``@router.get(..., dependencies=[CachedPage])``.
CachedPage = Depends(_mark_cacheable)


class DegradationWatch:
    """Wraps the search backend: a request whose search fell back to the database is not cached."""

    def __init__(self, backend: Any) -> None:
        self._backend = backend

    def __getattr__(self, name: str) -> Any:
        return getattr(self._backend, name)

    def search(self, query: SearchQuery) -> SearchResult:
        try:
            result: SearchResult = self._backend.search(query)
        except SearchUnavailable:
            mark_uncacheable()
            raise
        return result


# --- the store ----------------------------------------------------------------------------------------------


@dataclass
class Entry:
    start: Message
    body: bytes
    generation: int
    stored_at: float


@dataclass
class PageCache:
    """One process's entries and the catalogue version they belong to."""

    seconds: float
    max_entries: int = MAX_ENTRIES
    max_body_bytes: int = MAX_BODY_BYTES
    max_age: float = MAX_ENTRY_AGE_SECONDS
    clock: Callable[[], float] = time.monotonic
    generation: int = 0
    version: CatalogueVersion | None = None
    checked_at: float = float("-inf")
    entries: OrderedDict[CacheKey, Entry] = field(default_factory=OrderedDict)
    uncacheable_paths: set[str] = field(default_factory=set)
    filling: dict[CacheKey, anyio.Event] = field(default_factory=dict)
    refreshing: bool = False
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def busy(self) -> bool:
        """A version check or page rebuild is still running in the background."""
        return bool(self._tasks)

    def run_in_background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)  # a reference, so the task isn't collected half-way
        task.add_done_callback(self._tasks.discard)

    @property
    def enabled(self) -> bool:
        return self.seconds > 0

    def invalidate(self) -> None:
        self.generation += 1
        self.entries.clear()

    async def current_generation(self, engine: Engine) -> int | None:
        """The generation valid now; None when the version can't be read (then nothing is cached).

        Only the very first check is awaited. Later ones run in the background while requests go on with the
        known version: under load the query waits long for the GIL, and no visitor should wait for it.
        """
        due = self.clock() - self.checked_at >= self.seconds
        if due and not self.refreshing:
            if self.version is None:
                await self._refresh_version(engine)
            else:
                self.run_in_background(self._refresh_version(engine))
        return None if self.version is None else self.generation

    async def _refresh_version(self, engine: Engine) -> None:
        started = self.clock()
        self.refreshing = True
        try:
            version: CatalogueVersion | None = await anyio.to_thread.run_sync(catalogue_version, engine)
        except SQLAlchemyError as exc:
            log.warning("Seiten-Zwischenspeicher aus: Katalogstand nicht lesbar (%s)", exc)
            version = None
        finally:
            self.refreshing = False
        self.checked_at = started
        if version is None or version != self.version:
            self.version = version
            self.invalidate()

    def get(self, key: CacheKey, generation: int) -> Entry | None:
        """The entry of this generation (also an expired one: see ``expired``)."""
        entry = self.entries.get(key)
        if entry is None:
            return None
        if entry.generation != generation:
            del self.entries[key]
            return None
        self.entries.move_to_end(key)
        return entry

    def expired(self, entry: Entry) -> bool:
        return self.clock() - entry.stored_at > self.max_age

    def put(self, key: CacheKey, entry: Entry) -> None:
        if entry.generation != self.generation:  # invalidated while the page was being built
            return
        self.entries[key] = entry
        self.entries.move_to_end(key)
        while len(self.entries) > self.max_entries:
            self.entries.popitem(last=False)


# --- the middleware -----------------------------------------------------------------------------------------


def _headers(scope: Scope) -> dict[bytes, bytes]:
    # Later duplicates win; the headers we read (host, cookie, accept-encoding) come once from browsers.
    return {name.lower(): value for name, value in scope.get("headers", [])}


def _cookies(raw: bytes | None) -> dict[str, str]:
    # Starlette's own parser: exactly the cookies app/auth will see (a session must never go unnoticed).
    return cookie_parser(raw.decode("latin-1")) if raw else {}


def _query_lang(query_string: bytes) -> str | None:
    for part in query_string.split(b"&"):
        name, _sep, value = part.partition(b"=")
        if name == b"lang":
            return value.decode("latin-1")
    return None


def _storable(start: Message, marks: _Marks) -> bool:
    if start["status"] != 200 or not marks.cacheable or marks.uncacheable:
        return False
    for name, value in start.get("headers", []):
        lowered = name.lower()
        if lowered == b"set-cookie":
            return False
        if lowered == b"cache-control" and (b"no-store" in value or b"private" in value):
            return False
    return True


class PageCacheMiddleware:
    """Outermost middleware: replays stored responses, stores new ones, invalidates after writes."""

    def __init__(self, app: ASGIApp, *, cache: PageCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.cache.enabled:
            await self.app(scope, receive, send)
            return
        if scope["method"] not in _LOOKUP_METHODS:
            try:
                await self.app(scope, receive, send)
            finally:
                # After the write has committed (and the search index followed): this worker shows it at once.
                self.cache.invalidate()
            return
        lookup = self._lookup(scope)
        if lookup is None:
            await self.app(scope, receive, send)
            return
        generation = await self.cache.current_generation(scope["app"].state.engine)
        if generation is None:
            await self.app(scope, receive, send)
            return
        entry = self.cache.get(lookup.key, generation)
        pending = self.cache.filling.get(lookup.key)
        if entry is None and pending is not None:
            # Another request is building this page: wait for it instead of rendering it N times at once.
            with anyio.move_on_after(FILL_WAIT_SECONDS):
                await pending.wait()
            entry = self.cache.get(lookup.key, generation)
        if entry is not None:
            if self.cache.expired(entry) and lookup.key not in self.cache.filling:
                # Rebuilt in the background; until then the expired copy answers (no visitor waits for it).
                self._refill_in_background(scope, lookup.key, generation)
            await send(entry.start)
            await send({"type": "http.response.body", "body": entry.body, "more_body": False})
        elif lookup.may_store and pending is None:
            done = self.cache.filling[lookup.key] = anyio.Event()
            try:
                await self._fill(scope, receive, send, lookup.key, generation)
            finally:
                del self.cache.filling[lookup.key]
                done.set()
        else:
            await self.app(scope, receive, send)

    def _refill_in_background(self, scope: Scope, key: CacheKey, generation: int) -> None:
        done = self.cache.filling[key] = anyio.Event()
        own_scope = {**scope, "state": dict(scope.get("state", {}))}
        requested = False

        async def receive() -> Message:
            nonlocal requested
            if not requested:
                requested = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await anyio.sleep_forever()
            raise AssertionError("unreachable")

        async def discard(message: Message) -> None:
            return None

        async def refill() -> None:
            try:
                await self._fill(own_scope, receive, discard, key, generation)
            except Exception:
                log.exception("Seite %s nicht neu aufgebaut", key[2])
            finally:
                del self.cache.filling[key]
                done.set()

        self.cache.run_in_background(refill())

    def _lookup(self, scope: Scope) -> Lookup | None:
        path: str = scope["path"]
        if path in self.cache.uncacheable_paths:
            return None
        headers = _headers(scope)
        cookies = _cookies(headers.get(b"cookie"))
        if any(name in cookies for name in _SESSION_COOKIES):
            return None
        query_string: bytes = scope.get("query_string", b"")
        locale = negotiate_locale(_query_lang(query_string), cookies.get(LOCALE_COOKIE))
        # Same test as Starlette's GZipMiddleware: the inner app answers "gzip" or identity.
        encoding = "gzip" if b"gzip" in headers.get(b"accept-encoding", b"") else "identity"
        host = headers.get(b"host", b"").decode("latin-1")
        key = (scope["method"], host, path, query_string, locale, encoding)
        return Lookup(key, may_store=not any(name in cookies for name in _CSRF_COOKIES))

    async def _fill(self, scope: Scope, receive: Receive, send: Send, key: CacheKey, generation: int) -> None:
        marks = _Marks()
        token = _marks.set(marks)
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        complete = False

        async def recording_send(message: Message) -> None:
            nonlocal start, size, complete
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body" and size <= self.cache.max_body_bytes:
                body = message.get("body", b"")
                chunks.append(body)
                size += len(body)
                complete = not message.get("more_body", False)
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            _marks.reset(token)
        if not marks.cacheable and len(self.cache.uncacheable_paths) < MAX_KNOWN_UNCACHEABLE:
            self.cache.uncacheable_paths.add(key[2])
        if start is None or not complete or size > self.cache.max_body_bytes or not _storable(start, marks):
            # The page as it is now can't be kept: an older copy (e.g. from before a search outage) goes too.
            self.cache.entries.pop(key, None)
            return
        stored = {"type": "http.response.start", "status": start["status"], "headers": list(start["headers"])}
        self.cache.put(key, Entry(stored, b"".join(chunks), generation, self.cache.clock()))


def install(app: FastAPI, settings: Settings) -> None:
    """Called last in ``create_app``: wraps everything (GZip included) and watches the search backend."""
    cache = PageCache(seconds=settings.effective_page_cache_seconds)
    app.state.page_cache = cache
    if cache.enabled:
        app.state.search = DegradationWatch(app.state.search)
        app.add_middleware(PageCacheMiddleware, cache=cache)
