"""Meilisearch backend (HTTP via httpx, ``Accept-Encoding: identity`` – gzip cost ~40 ms per response).

Documents carry the analysed tokens of search.text (folded words and Snowball stems, the title's compound
parts in a field of their own, synonyms in another), and a query is sent as its analysed tokens too, so
Meilisearch and the embedded backend match the same tokens and rank alike (the embedded backend mirrors
Meilisearch's typo and attribute rules). A query only carries stems, so the exact form is told apart by a
filter on the title's words as written (``title_words``): one multi-search request asks for the hits with
every typed word in the title, and for the others. ``localizedAttributes`` stays unset: Meilisearch 1.21's
German segmenter breaks unknown words into fragments (see shared/engine-notes.md). Filter strings are built
only by :func:`filter_expression`, every value through :func:`quote`.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from typing import Any

import httpx

from app.catalogue.text import fold
from search.base import (
    FACETS,
    Highlights,
    OfferDocument,
    SearchQuery,
    SearchResult,
    SearchUnavailable,
    Sort,
    list_card,
)
from search.documents import (
    EXACT_FIELD,
    SEARCHABLE_FIELDS,
    exact_words,
    facet_values,
    fingerprint,
    searchable_text,
)
from search.text import analyse_query

log = logging.getLogger(__name__)

BATCH_SIZE = 1_000
TASK_TIMEOUT_SECONDS = 300.0
_WRITE_TIMEOUT_SECONDS = 30.0
_NO_AGE_MIN, _NO_AGE_MAX = -1.0, 999.0
_SAFE_KEY = re.compile(r"^[A-Za-z0-9_-]{1,400}$")
# A rebuild lock older than this belongs to a run that died (10,000 offers take well under a minute).
REBUILD_LOCK_MAX_AGE_SECONDS = 1800.0


class SearchIndexError(SearchUnavailable):
    """Meilisearch refused a write (failed task); the message carries its reason."""


class MeiliHttpError(SearchUnavailable):
    def __init__(self, status: int, detail: str) -> None:
        self.status = status
        super().__init__(f"Meilisearch antwortet {status}: {detail}")


def quote(value: str | int | float | bool) -> str:
    """The one escaping function for filter values: a double-quoted string with ``\\`` and ``"`` escaped."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(float(value))
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _any_of(attribute: str, values: Sequence[str | int]) -> str:
    return f"{attribute} IN [{', '.join(quote(v) for v in values)}]"


def filter_expression(query: SearchQuery) -> list[str]:
    """AND across the returned clauses, OR inside each; city-wide offers match every district filter."""
    clauses: list[str] = []
    for attribute, values in query.district_filters():
        clauses.append(f"(stadtweit = true OR {_any_of(attribute, values)})")
    for attribute, values in query.value_filters():
        clauses.append(_any_of(attribute, values))
    if query.alter is not None:
        clauses.append(f"alter_von <= {quote(query.alter)} AND alter_bis >= {quote(query.alter)}")
    if query.kostenlos is not None:
        clauses.append(f"kostenlos = {quote(query.kostenlos)}")
    if query.barrierefrei is not None:
        clauses.append(f"barrierefrei = {quote(query.barrierefrei)}")
    return clauses


def document_key(external_id: str) -> str:
    """Meilisearch ids allow only ``A-Za-z0-9_-``; other workbook ids get a stable hashed key."""
    if _SAFE_KEY.match(external_id):
        return external_id
    return "h_" + hashlib.sha256(external_id.encode()).hexdigest()[:32]


def to_meili(doc: OfferDocument) -> dict[str, Any]:
    body: dict[str, Any] = {
        "key": document_key(doc.id),
        "id": doc.id,
        "display_title": doc.title,
        "display_description": doc.description,
        "name_sort": fold(doc.title),
        "alter_von": doc.alter_von if doc.alter_von is not None else _NO_AGE_MIN,
        "alter_bis": doc.alter_bis if doc.alter_bis is not None else _NO_AGE_MAX,
        "stadtweit": doc.stadtweit,
        "fingerprint": document_fingerprint(doc),
        "card": list_card(doc),
        **searchable_text(doc),
        EXACT_FIELD: exact_words(doc),
    }
    for name, values in facet_values(doc).items():
        body[name] = values
    body["kostenlos"] = doc.kostenlos
    body["barrierefrei"] = doc.barrierefrei
    if doc.lat is not None and doc.lon is not None:
        body["_geo"] = {"lat": doc.lat, "lng": doc.lon}
    return body


def typo_free_words(bodies: Iterable[dict[str, Any]]) -> list[str]:
    """Indexed tokens long enough for a typo: a query token that is one of them is a known word, not a typo
    (as in the embedded backend: "schuld" must not also find "schule")."""
    found: set[str] = set()
    for body in bodies:
        for field in SEARCHABLE_FIELDS:
            found.update(t for t in str(body.get(field, "")).split() if len(t) >= 5)
    return sorted(found)


def index_settings(known_words: Sequence[str] = ()) -> dict[str, Any]:
    return {
        # title > institution > zielgruppen/themen > places > description > synonyms (search.documents)
        "searchableAttributes": list(SEARCHABLE_FIELDS),
        # Name sorting (and the empty query) is a pure sort, as in the embedded backend.
        "rankingRules": ["words", "sort", "typo", "attribute", "exactness", "proximity"],
        "displayedAttributes": ["id", "display_title", "display_description", "fingerprint", "card"],
        # EXACT_FIELD: the title's words as written, for the exact-word tier of a search (see search()).
        "filterableAttributes": [*FACETS, "stadtweit", "alter_von", "alter_bis", "_geo", EXACT_FIELD],
        "sortableAttributes": ["name_sort", "key", "_geo"],
        # synonyme.txt is applied at indexing time (the "synonyms" field), identically for both backends.
        "synonyms": {},
        "typoTolerance": {
            "enabled": True,
            "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9},
            "disableOnWords": list(known_words),
        },
        "pagination": {"maxTotalHits": 100_000},
        "faceting": {"maxValuesPerFacet": 200},
    }


# Settings whose value the search depends on, compared with the live index by the drift check (the list of
# typo-free words follows the documents and is left out).
_CHECKED_SETTINGS = (
    "searchableAttributes",
    "rankingRules",
    "displayedAttributes",
    "filterableAttributes",
    "sortableAttributes",
    "synonyms",
)


def settings_problems(live: dict[str, Any]) -> list[str]:
    """The settings of ``index_settings`` that the live index does not have (German, for messages)."""
    wanted = index_settings()
    problems = []
    for name in _CHECKED_SETTINGS:
        have, want = live.get(name), wanted[name]
        if name not in ("searchableAttributes", "rankingRules") and isinstance(want, list):
            have, want = sorted(map(str, have or [])), sorted(map(str, want))
        if have != want:
            problems.append(f"Einstellung {name} weicht ab")
    typos = live.get("typoTolerance") or {}
    if typos.get("minWordSizeForTypos") != wanted["typoTolerance"]["minWordSizeForTypos"]:
        problems.append("Einstellung typoTolerance weicht ab")
    return problems


@lru_cache(maxsize=1)
def settings_version() -> str:
    """A hash of the index settings: part of every document's fingerprint, so changed settings in the code
    make every document stale and the repair rebuilds the index with them."""
    return hashlib.blake2b(repr(index_settings()).encode(), digest_size=8).hexdigest()


def document_fingerprint(doc: OfferDocument) -> str:
    """What a document is stored with: its content fingerprint and the settings it was indexed for."""
    return f"{fingerprint(doc)}-{settings_version()}"


class MeiliBackend:
    name = "meilisearch"

    def __init__(self, *, url: str, api_key: str, index: str, timeout: float = 1.0) -> None:
        headers = {"Accept-Encoding": "identity", "Content-Type": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self.index = index
        self.timeout = min(timeout, 1.0)
        self.client = httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=self.timeout)

    # --- HTTP -------------------------------------------------------------------------------------------

    def _request(self, method: str, path: str, *, timeout: float | None = None, **kwargs: Any) -> Any:
        try:
            response = self.client.request(method, path, timeout=timeout or self.timeout, **kwargs)
        except httpx.HTTPError as exc:
            raise SearchUnavailable(f"Meilisearch nicht erreichbar ({type(exc).__name__})") from exc
        if response.status_code >= 400:
            try:
                detail = response.json().get("message", response.text)
            except ValueError:
                detail = response.text
            raise MeiliHttpError(response.status_code, detail)
        return response.json() if response.content else None

    def _write(self, method: str, path: str, **kwargs: Any) -> Any:
        task = self._request(method, path, timeout=_WRITE_TIMEOUT_SECONDS, **kwargs)
        return self._wait(task["taskUid"])

    def _wait(self, task_uid: int) -> dict[str, Any]:
        """Poll the task until it is done; a failed task raises with Meilisearch's reason."""
        deadline = time.monotonic() + TASK_TIMEOUT_SECONDS
        delay = 0.005
        while True:
            task: dict[str, Any] = self._request("GET", f"/tasks/{task_uid}", timeout=_WRITE_TIMEOUT_SECONDS)
            if task["status"] == "succeeded":
                return task
            if task["status"] in ("failed", "canceled"):
                error = (task.get("error") or {}).get("message", task["status"])
                raise SearchIndexError(
                    f"Meilisearch-Aufgabe {task_uid} ({task['type']}) fehlgeschlagen: {error}"
                )
            if time.monotonic() > deadline:
                raise SearchIndexError(
                    f"Meilisearch-Aufgabe {task_uid} nach {TASK_TIMEOUT_SECONDS:.0f} s nicht fertig"
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.25)

    def _index_exists(self, uid: str) -> bool:
        try:
            self._request("GET", f"/indexes/{uid}")
            return True
        except MeiliHttpError as exc:
            if exc.status == 404:
                return False
            raise

    def _create(self, uid: str, known_words: Sequence[str] = ()) -> None:
        self._write("POST", "/indexes", json={"uid": uid, "primaryKey": "key"})
        self._write("PATCH", f"/indexes/{uid}/settings", json=index_settings(known_words))

    def ensure_index(self) -> None:
        if not self._index_exists(self.index):
            self._create(self.index)

    def _push(self, uid: str, documents: Iterable[dict[str, Any]]) -> int:
        count = 0
        batch: list[dict[str, Any]] = []
        for body in documents:
            batch.append(body)
            if len(batch) >= BATCH_SIZE:
                self._write("POST", f"/indexes/{uid}/documents", json=batch)
                count += len(batch)
                batch = []
        if batch:
            self._write("POST", f"/indexes/{uid}/documents", json=batch)
            count += len(batch)
        return count

    # --- contract ---------------------------------------------------------------------------------------

    def upsert(self, documents: Sequence[OfferDocument]) -> None:
        self.ensure_index()
        self._push(self.index, (to_meili(d) for d in documents))

    def delete(self, ids: Iterable[str]) -> None:
        keys = [document_key(i) for i in ids]
        if keys and self._index_exists(self.index):
            self._write("POST", f"/indexes/{self.index}/documents/delete-batch", json=keys)

    def rebuild(self, documents: Iterable[OfferDocument]) -> int:
        """Fill a fresh index, check it, swap it with the live one in one step, then drop the old data.

        One rebuild at a time (a lock index in Meilisearch itself, so it holds across hosts): a second run
        would otherwise delete the first run's fresh index as a "leftover", and the next document batch would
        silently re-create it without settings.
        """
        with self._rebuild_lock():
            self._drop_leftovers()
            fresh = f"{self.index}_neu_{int(time.time() * 1000)}"
            bodies = [to_meili(d) for d in documents]
            self._create(fresh, typo_free_words(bodies))
            try:
                count = self._push(fresh, bodies)
                self._check_fresh(fresh, count)
                self.ensure_index()
                self._write("POST", "/swap-indexes", json=[{"indexes": [self.index, fresh]}])
            except BaseException:
                self._drop(fresh)
                raise
            self._drop(fresh)  # after the swap it holds the old documents
            return count

    @property
    def _lock_uid(self) -> str:
        return f"{self.index}_sperre"

    @contextmanager
    def _rebuild_lock(self) -> Iterator[None]:
        """Creating an index is atomic in Meilisearch's task queue: who creates the lock index holds it."""
        for _attempt in range(2):
            try:
                self._write("POST", "/indexes", json={"uid": self._lock_uid, "primaryKey": "key"})
                break
            except SearchIndexError as exc:
                if "already exists" not in str(exc):
                    raise
                since = self._lock_since()
                if since is not None and time.time() - since.timestamp() > REBUILD_LOCK_MAX_AGE_SECONDS:
                    log.warning("Verwaiste Neuaufbau-Sperre %s von %s entfernt", self._lock_uid, since)
                    self._drop(self._lock_uid)
                    continue
                when = since.astimezone().strftime("%d.%m.%Y, %H:%M:%S") if since else "unbekannt"
                raise SearchIndexError(
                    f"Ein anderer Neuaufbau des Suchindex läuft seit {when} – "
                    "bitte warten, bis er fertig ist."
                ) from exc
        else:
            raise SearchIndexError("Die Neuaufbau-Sperre des Suchindex ließ sich nicht setzen.")
        try:
            yield
        finally:
            self._drop(self._lock_uid)

    def _lock_since(self) -> datetime | None:
        try:
            info = self._request("GET", f"/indexes/{self._lock_uid}")
        except MeiliHttpError:
            return None
        try:
            return datetime.fromisoformat(str(info["createdAt"]).replace("Z", "+00:00"))
        except (KeyError, ValueError):
            return None

    def _check_fresh(self, uid: str, expected: int) -> None:
        """Before the swap: every document arrived and the settings are ours (not Meilisearch's defaults)."""
        stats = self._request("GET", f"/indexes/{uid}/stats")
        settings = self._request("GET", f"/indexes/{uid}/settings")
        problems = []
        if int(stats["numberOfDocuments"]) != expected:
            problems.append(f"{stats['numberOfDocuments']} statt {expected} Dokumente")
        problems += settings_problems(settings)
        if problems:
            raise SearchIndexError(f"Neuer Meilisearch-Index {uid} unvollständig: {', '.join(problems)}")

    @staticmethod
    def fingerprint_of(doc: OfferDocument) -> str:
        """What :meth:`fingerprints` reports for this document when the index is in step."""
        return document_fingerprint(doc)

    def fingerprints(self) -> dict[str, str]:
        """Workbook id → fingerprint of every indexed document (for the drift check); every document counts
        as drifted while the live index settings differ from ours (changed behind the application's back)."""
        found = self._stored_fingerprints()
        try:
            live = self._request("GET", f"/indexes/{self.index}/settings", timeout=_WRITE_TIMEOUT_SECONDS)
        except MeiliHttpError as exc:
            if exc.status == 404:
                return found
            raise
        problems = settings_problems(live)
        if problems:
            log.warning("Meilisearch-Index %s: %s", self.index, "; ".join(problems))
            return dict.fromkeys(found, "einstellungen-veraltet")
        return found

    def _stored_fingerprints(self) -> dict[str, str]:
        found: dict[str, str] = {}
        offset = 0
        while True:
            try:
                page = self._request(
                    "GET",
                    f"/indexes/{self.index}/documents",
                    params={"fields": "id,fingerprint", "limit": 1000, "offset": offset},
                    timeout=_WRITE_TIMEOUT_SECONDS,
                )
            except MeiliHttpError as exc:
                if exc.status == 404:
                    return found
                raise
            results = page.get("results", [])
            found.update({str(d["id"]): str(d.get("fingerprint", "")) for d in results})
            offset += len(results)
            if not results or offset >= int(page.get("total", 0)):
                return found

    @property
    def _state_uid(self) -> str:
        return f"{self.index}_zustand"

    def synced_through(self) -> str | None:
        try:
            doc = self._request("GET", f"/indexes/{self._state_uid}/documents/sync")
        except MeiliHttpError as exc:
            if exc.status == 404:
                return None
            raise
        value = doc.get("synced_through") if isinstance(doc, dict) else None
        return str(value) if value else None

    def mark_synced(self, stamp: str) -> None:
        self._write(
            "POST",
            f"/indexes/{self._state_uid}/documents",
            params={"primaryKey": "key"},
            json=[{"key": "sync", "synced_through": stamp}],
        )

    def _drop_leftovers(self) -> None:
        """Fresh indexes of an interrupted earlier rebuild would otherwise stay forever."""
        listing = self._request("GET", "/indexes", params={"limit": 1000})
        for entry in listing.get("results", []):
            if str(entry.get("uid", "")).startswith(f"{self.index}_neu_"):  # safe: we hold the lock
                self._drop(entry["uid"])

    def _drop(self, uid: str) -> None:
        try:
            self._write("DELETE", f"/indexes/{uid}")
        except SearchUnavailable as exc:
            log.warning("Altes Meilisearch-Index %s nicht gelöscht: %s", uid, exc)

    def count(self) -> int:
        stats = self._request("GET", f"/indexes/{self.index}/stats")
        return int(stats["numberOfDocuments"])

    def healthy(self) -> bool:
        try:
            return bool(self._request("GET", "/health").get("status") == "available")
        except SearchUnavailable:
            return False

    def search(self, query: SearchQuery) -> SearchResult:
        analysis = analyse_query(query.q)
        words = analysis.tokens
        text = " ".join(words) + (" " if words and not analysis.prefix else "")
        body: dict[str, Any] = {
            "q": text,
            "filter": filter_expression(query),
            "facets": [f for f in query.facets if f in FACETS],
            "attributesToRetrieve": ["id", "display_title", "display_description", "card"],
            "matchingStrategy": "all",
        }
        sort = _sort(query, bool(words))
        if sort:
            body["sort"] = sort
        found: dict[str, Any] | None = None
        if words and not sort and analysis.words:
            found = self._tiered(body, analysis.words, query.offset, query.limit)
        if found is None:
            found = self._request(
                "POST", f"/indexes/{self.index}/search", json=_paged(body, query.offset, query.limit)
            )
            if len(words) > 1 and _total(found) == 0:
                # No document has every token: like the embedded backend, let the commonest go first.
                body["matchingStrategy"] = "frequency"
                found = self._request(
                    "POST", f"/indexes/{self.index}/search", json=_paged(body, query.offset, query.limit)
                )
        hits = found["hits"]
        highlights = Highlights(
            query.q, {h["id"]: (h.get("display_title", ""), h.get("display_description", "")) for h in hits}
        )
        facets = {
            name: {str(value): int(n) for value, n in counts.items() if n}
            for name, counts in (found.get("facetDistribution") or {}).items()
        }
        return SearchResult(
            total=_total(found),
            ids=[h["id"] for h in hits],
            facets={k: v for k, v in facets.items() if v},
            highlights=highlights,
            backend=self.name,
            cards={h["id"]: h["card"] for h in hits if isinstance(h.get("card"), dict)},
        )

    def _tiered(
        self, body: dict[str, Any], typed: Sequence[str], offset: int, limit: int
    ) -> dict[str, Any] | None:
        """Exact words first: the offers whose title has every typed word as it was typed, then the rest –
        two queries with complementary filters in one multi-search request, so each tier keeps Meilisearch's
        ranking (typo, attribute, exactness) and the tiers add up to the plain result. A query can only carry
        the analysed tokens (stems, parts), so a filter on the title's words as written is what tells the
        exact form apart. None when nothing matches (the caller relaxes the query)."""
        exact = " AND ".join(f"{EXACT_FIELD} = {quote(w)}" for w in typed)
        first, rest = (body | {"filter": [*body["filter"], clause]} for clause in (exact, f"NOT ({exact})"))
        queries = [{"indexUid": self.index, **_paged(q, offset, limit)} for q in (first, rest)]
        on_top, below = self._request("POST", "/multi-search", json={"queries": queries})["results"]
        in_first = _total(on_top)
        if in_first + _total(below) == 0:
            return None
        hits = on_top["hits"]
        # The page continues into the second tier, whose window the first request could only guess
        # (right on the first page and whenever the first tier is empty).
        start = max(offset - in_first, 0)
        missing = limit - len(hits)
        if missing > 0 and offset > 0 and in_first > 0:
            again = rest | {"offset": start, "limit": missing, "facets": []}
            hits = hits + self._request("POST", f"/indexes/{self.index}/search", json=again)["hits"]
        elif missing > 0:
            hits = hits + below["hits"][:missing]
        facets: dict[str, dict[str, int]] = {}
        for result in (on_top, below):
            for name, counts in (result.get("facetDistribution") or {}).items():
                merged = facets.setdefault(name, {})
                for value, n in counts.items():
                    merged[value] = merged.get(value, 0) + int(n)
        return {"hits": hits, "totalHits": in_first + _total(below), "facetDistribution": facets}

    def close(self) -> None:
        self.client.close()


def _paged(body: dict[str, Any], offset: int, limit: int) -> dict[str, Any]:
    """Whole pages ask for ``page`` (exact ``totalHits``); other windows for offset and limit."""
    if offset % limit == 0:
        return body | {"page": offset // limit + 1, "hitsPerPage": limit}
    return body | {"offset": offset, "limit": limit}


def _total(found: dict[str, Any]) -> int:
    return int(found.get("totalHits", found.get("estimatedTotalHits", 0)))


def _sort(query: SearchQuery, has_text: bool) -> list[str]:
    if query.sort is Sort.distance and query.lat is not None and query.lon is not None:
        return [f"_geoPoint({query.lat!r}, {query.lon!r}):asc", "name_sort:asc", "key:asc"]
    if query.sort is Sort.name or not has_text:
        return ["name_sort:asc", "key:asc"]
    return []


__all__ = ["SEARCHABLE_FIELDS", "MeiliBackend", "SearchIndexError", "filter_expression", "quote"]
