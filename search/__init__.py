"""Search: one contract (search.base), two backends (SQLite FTS5, Meilisearch), one German text layer."""

from __future__ import annotations

from app.settings import SearchBackendName, Settings
from search.base import SearchBackend


def get_backend(settings: Settings) -> SearchBackend:
    """The configured backend (``SEARCH_BACKEND``): ``sqlite`` (default, no server) or ``meilisearch``."""
    if settings.search_backend is SearchBackendName.meilisearch:
        from search.meili import MeiliBackend

        return MeiliBackend(
            url=settings.meili_url,
            api_key=settings.meili_master_key,
            index=settings.meili_index,
            timeout=settings.meili_timeout_seconds,
        )
    from search.sqlite_fts import SqliteFtsBackend

    return SqliteFtsBackend(settings.search_index_path)


__all__ = ["get_backend"]
