"""Embedded search backend: SQLite FTS5 in its own file, no server.

Text matching uses FTS5 over the folded index terms (compound parts and synonyms are in the document); typo
tolerance expands every query word to the indexed terms within Meilisearch's typo thresholds (Damerau/OSA via
rapidfuzz); the last word is also a prefix. Ranking mirrors the Meilisearch backend (``_Ranking``): every
typed word as written in the title first, then fewer typos, then the fields each concept is found in (the
title's compound parts have a column of their own, below the title's words). Filters and facet counts are
plain SQL on side tables. A rebuild writes a fresh file and atomically replaces the old one, so searches never
see a half index.

Crash safety: the swap takes the old file's write lock first (which makes SQLite roll back the hot journal of
a writer that died mid-transaction) and removes its journal files, so no stale journal can ever be "rolled
back" into the fresh file. The live file is checked with ``PRAGMA quick_check`` once per file per process;
an unreadable or inconsistent index raises :class:`SearchUnavailable` (the site falls back to the database).
"""

from __future__ import annotations

import hashlib
import heapq
import json
import math
import os
import sqlite3
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

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
from search.documents import EXACT_FIELD, SEARCHABLE_FIELDS, exact_words, facet_values, searchable_text
from search.text import QueryAnalysis, analyse_query, concept_tokens, max_typos, stem

# The FTS columns: the ranked fields, then the title's words as written (only for the exact-word tier).
_COLUMNS = (*SEARCHABLE_FIELDS, EXACT_FIELD)
# bm25 weights in _COLUMNS order: title > title parts > institution > groups > places > description >
# synonyms; the exact-word column only sorts into a tier, it adds no score.
_WEIGHTS = (100.0, 100.0, 20.0, 10.0, 8.0, 1.0, 0.5, 0.0)
_TITLE = "{title title_parts}"  # FTS5 column filter: the title's words or its compound parts
# Up to this many hits the fields each concept is found in are read and ranked exactly (_field_costs).
_FIELD_COST_MAX = 64
# Above this many hits bm25 is not computed (common prefixes like "Fam"): tiers and name order rank them.
_BM25_MAX = 400
# How long to wait for a lock held by another connection: writers queue, searches give up and degrade.
_READ_WAIT_MS = 1_000
_WRITE_WAIT_MS = 30_000
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS doc (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    name_key TEXT NOT NULL,
    alter_von REAL NOT NULL,
    alter_bis REAL NOT NULL,
    kostenlos INTEGER NOT NULL,
    barrierefrei INTEGER NOT NULL,
    stadtweit INTEGER NOT NULL,
    lat REAL,
    lon REAL,
    card TEXT NOT NULL DEFAULT '{{}}'
);
CREATE TABLE IF NOT EXISTS facet (
    doc INTEGER NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (doc, name, value)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS facet_value ON facet (name, value, doc);
CREATE INDEX IF NOT EXISTS doc_name ON doc (name_key, id);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5({", ".join(_COLUMNS)}, prefix='2 3 4 5 6');
CREATE VIRTUAL TABLE IF NOT EXISTS fts_terms USING fts5vocab(fts, 'row');
INSERT OR IGNORE INTO meta VALUES ('generation', '0');
"""  # noqa: S608 – SQL from module constants only
# The file layout the code expects; a file written with another layout (other columns, e.g. after an update)
# reports every document as drifted, so `python -m search repair` rebuilds it.
SCHEMA_VERSION = hashlib.blake2b(_SCHEMA.encode(), digest_size=8).hexdigest()
_NO_AGE_MIN, _NO_AGE_MAX = -1.0, 999.0
_SIDE_FILES = ("-journal", "-wal", "-shm")
# Errors that mean "this index file cannot answer": a search degrades, healthz says down, never a 500.
_UNREADABLE = (sqlite3.Error, OSError, KeyError, IndexError, ValueError, TypeError)


# Index file versions (path, inode, mtime, size) that passed quick_check in this process.
_CHECKED: set[tuple[str, int, int, int]] = set()
_CHECKED_LOCK = threading.Lock()


class IndexCorrupt(SearchUnavailable):
    """``PRAGMA quick_check`` failed: the file must be rebuilt (``python -m search reindex``)."""


def _remove_with_side_files(path: Path) -> None:
    for candidate in (path, *(path.with_name(path.name + s) for s in _SIDE_FILES)):
        candidate.unlink(missing_ok=True)


def _mask(rowids: Iterable[int], size: int) -> int:
    """A set of rowids as one big integer bitmap (bit n = rowid n), for fast facet counting."""
    bits = bytearray(size // 8 + 1)
    for rowid in rowids:
        bits[rowid >> 3] |= 1 << (rowid & 7)
    return int.from_bytes(bits, "little")


@dataclass
class _FacetBitmaps:
    """Per facet value the bitmap of documents that carry it; counting is then AND + popcount."""

    size: int
    everything: int
    values: dict[str, dict[str, int]]
    # The same as sets, for filtering: a filter is set arithmetic in memory instead of a join per hit.
    members: dict[tuple[str, str], frozenset[int]]
    stadtweit: frozenset[int]

    @classmethod
    def load(cls, conn: sqlite3.Connection) -> _FacetBitmaps:
        size = int(conn.execute("SELECT coalesce(max(rowid), 0) FROM doc").fetchone()[0])
        grouped: dict[tuple[str, str], list[int]] = defaultdict(list)
        for doc, name, value in conn.execute("SELECT doc, name, value FROM facet"):
            grouped[(name, value)].append(doc)
        values: dict[str, dict[str, int]] = defaultdict(dict)
        for (name, value), docs in grouped.items():
            values[name][value] = _mask(docs, size)
        everything = _mask((r[0] for r in conn.execute("SELECT rowid FROM doc")), size)
        members = {key: frozenset(docs) for key, docs in grouped.items()}
        stadtweit = frozenset(r[0] for r in conn.execute("SELECT rowid FROM doc WHERE stadtweit = 1"))
        return cls(size, everything, dict(values), members, stadtweit)

    def allowed(self, query: SearchQuery) -> set[int] | None:
        """Documents passing the facet filters (AND across, OR within; city-wide offers pass every district
        filter), or None when no such filter is set."""
        result: set[int] | None = None

        def any_of(name: str, values: Iterable[str]) -> set[int]:
            found: set[int] = set()
            for value in values:
                found |= self.members.get((name, value), frozenset())
            return found

        clauses = [any_of(n, v) | self.stadtweit for n, v in query.district_filters()]
        clauses += [any_of(n, v) for n, v in query.value_filters()]
        for name, flag in (("kostenlos", query.kostenlos), ("barrierefrei", query.barrierefrei)):
            if flag is not None:
                clauses.append(any_of(name, ["true" if flag else "false"]))
        for clause in sorted(clauses, key=len):
            result = clause if result is None else result & clause
        return result

    def count(self, matched: int, wanted: Iterable[str]) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        for name in wanted:
            found = {v: (matched & m).bit_count() for v, m in self.values.get(name, {}).items()}
            found = {v: n for v, n in found.items() if n}
            if found:
                counts[name] = found
        return counts


@dataclass
class _Order:
    """Per rowid: position in name order and coordinates – sorting happens in Python on these."""

    name_rank: dict[int, int]
    coords: dict[int, tuple[float, float]]
    by_name: list[int]  # every rowid in name order

    @classmethod
    def load(cls, conn: sqlite3.Connection) -> _Order:
        ranked = [r[0] for r in conn.execute("SELECT rowid FROM doc ORDER BY name_key, id")]
        coords = conn.execute("SELECT rowid, lat, lon FROM doc WHERE lat IS NOT NULL AND lon IS NOT NULL")
        return cls({r: n for n, r in enumerate(ranked)}, {r[0]: (r[1], r[2]) for r in coords}, ranked)


@dataclass
class _Snapshot:
    vocabulary: _Vocabulary
    facets: _FacetBitmaps
    order: _Order


@dataclass
class _Vocabulary:
    by_length: dict[int, list[str]]
    terms: frozenset[str]
    frequency: dict[str, int]  # term -> number of documents with it

    @classmethod
    def load(cls, conn: sqlite3.Connection) -> _Vocabulary:
        by_length: dict[int, list[str]] = defaultdict(list)
        frequency = dict(conn.execute("SELECT term, doc FROM fts_terms"))
        for term in frequency:
            by_length[len(term)].append(term)
        return cls(dict(by_length), frozenset(frequency), frequency)

    def typo_matches(self, word: str) -> list[str]:
        """Indexed terms within typo distance – none but the word itself when it is indexed (a known word
        is not a typo: "schulden" must not also find "Schule")."""
        allowed = max_typos(word)
        if allowed == 0 or word in self.terms:
            return [word] if word in self.terms else []
        found: list[str] = []
        for length in range(len(word) - allowed, len(word) + allowed + 1):
            candidates = self.by_length.get(length)
            if not candidates:
                continue
            hits = process.extract(word, candidates, scorer=OSA.distance, score_cutoff=allowed, limit=None)
            found.extend(h[0] for h in hits)
        return found


class SqliteFtsBackend:
    name = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._snapshot_lock = threading.Lock()
        self._snapshot_key: tuple[int, str] | None = None
        self._snapshot: _Snapshot | None = None

    # --- connections ------------------------------------------------------------------------------------

    def _connect(self, path: Path) -> sqlite3.Connection:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            path, timeout=_READ_WAIT_MS / 1000, check_same_thread=False, isolation_level=None
        )
        try:
            exists = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone()
            if exists is None:  # only a new file needs the schema (a write: wait like a writer)
                conn.execute(f"PRAGMA busy_timeout = {_WRITE_WAIT_MS}")
                # Rollback journal (not WAL) so a rebuilt file can atomically replace this one.
                conn.execute("PRAGMA journal_mode=DELETE")
                conn.executescript(_SCHEMA)
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        except BaseException:
            conn.close()
            raise
        return conn

    def _verify(self, conn: sqlite3.Connection) -> None:
        """``PRAGMA quick_check`` (≈ 20 ms per 10 MB) once per file version and process – again only after
        the file changed; raises :class:`IndexCorrupt`."""
        info = os.stat(self.path)
        key = (str(self.path.resolve()), info.st_ino, info.st_mtime_ns, info.st_size)
        with _CHECKED_LOCK:
            if key in _CHECKED:
                return
        problems = [r[0] for r in conn.execute("PRAGMA quick_check(5)")]
        if problems != ["ok"]:
            raise IndexCorrupt(f"Suchindex {self.path} ist beschädigt: {'; '.join(problems)}")
        with _CHECKED_LOCK:
            if len(_CHECKED) > 256:  # every write makes a new version: forget the old ones
                _CHECKED.clear()
            _CHECKED.add(key)

    def _conn(self) -> tuple[sqlite3.Connection, int]:
        """This thread's connection; reopened when a rebuild has replaced the file."""
        try:
            inode = os.stat(self.path).st_ino
        except FileNotFoundError:
            inode = -1
        cached = getattr(self._local, "conn", None)
        if cached is None or self._local.inode != inode or inode == -1:
            if cached is not None:
                cached.close()
            self._local.conn = None
            conn = self._connect(self.path)
            try:
                self._verify(conn)
            except BaseException:
                conn.close()
                raise
            self._local.conn = conn
            self._local.inode = os.stat(self.path).st_ino
        return self._local.conn, self._local.inode

    def _current(self, conn: sqlite3.Connection, inode: int) -> _Snapshot:
        """Vocabulary and facet bitmaps of the index as it is now (reloaded after every write)."""
        generation = conn.execute("SELECT value FROM meta WHERE key='generation'").fetchone()[0]
        key = (inode, generation)
        with self._snapshot_lock:
            if self._snapshot is None or self._snapshot_key != key:
                self._snapshot = _Snapshot(
                    _Vocabulary.load(conn), _FacetBitmaps.load(conn), _Order.load(conn)
                )
                self._snapshot_key = key
            return self._snapshot

    # --- writing ----------------------------------------------------------------------------------------

    @staticmethod
    def _write(conn: sqlite3.Connection, documents: Sequence[OfferDocument]) -> None:
        for doc in documents:
            row = conn.execute("SELECT rowid FROM doc WHERE id = ?", (doc.id,)).fetchone()
            if row is not None:
                _delete_rowid(conn, row[0])
            row_values, text, facets = _stored(doc)
            # An updated document keeps its rowid, as in Meilisearch its internal id: equally relevant hits
            # keep their order in both backends.
            cur = conn.execute(
                f"INSERT INTO doc (rowid, {', '.join(_DOC_COLUMNS)}) VALUES (?{', ?' * len(_DOC_COLUMNS)})",  # noqa: S608
                (None if row is None else row[0], *row_values),
            )
            rowid = cur.lastrowid
            conn.execute(
                f"INSERT INTO fts (rowid, {', '.join(_COLUMNS)}) VALUES (?{', ?' * len(text)})",  # noqa: S608
                (rowid, *text),
            )
            conn.executemany(
                "INSERT INTO facet (doc, name, value) VALUES (?, ?, ?)",
                [(rowid, name, value) for name, value in facets],
            )

    @staticmethod
    def _bump(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")

    def upsert(self, documents: Sequence[OfferDocument]) -> None:
        conn, _ = self._conn()
        with _transaction(conn):
            self._write(conn, documents)
            self._bump(conn)

    def delete(self, ids: Iterable[str]) -> None:
        conn, _ = self._conn()
        with _transaction(conn):
            for external_id in ids:
                row = conn.execute("SELECT rowid FROM doc WHERE id = ?", (external_id,)).fetchone()
                if row is not None:
                    _delete_rowid(conn, row[0])
            self._bump(conn)

    def rebuild(self, documents: Iterable[OfferDocument]) -> int:
        """Write a fresh file next to the old one, check it, then swap it in with one atomic rename.

        A failed rebuild (disk full, a crash of the document source) removes its partial file and leaves the
        live index as it was.
        """
        fresh = self.path.with_name(self.path.name + ".neu")
        _remove_with_side_files(fresh)  # the remains of a rebuild that was killed
        count = 0
        try:
            conn = self._connect(fresh)
            try:
                with _transaction(conn):
                    batch: list[OfferDocument] = []
                    for doc in documents:
                        batch.append(doc)
                        if len(batch) >= 500:
                            self._write(conn, batch)
                            count += len(batch)
                            batch = []
                    self._write(conn, batch)
                    count += len(batch)
                    # A fresh file gets a fresh generation: readers key caches on (inode, generation), and a
                    # recycled inode must not revive a stale cache.
                    conn.execute("UPDATE meta SET value = ? WHERE key = 'generation'", (str(time.time_ns()),))
                conn.execute("INSERT INTO fts (fts) VALUES ('optimize')")
                stored = int(conn.execute("SELECT count(*) FROM doc").fetchone()[0])
                problems = [r[0] for r in conn.execute("PRAGMA quick_check(5)")]
                if stored != count or problems != ["ok"]:
                    raise IndexCorrupt(
                        f"Neu aufgebauter Suchindex fehlerhaft ({stored} von {count} Dokumenten, "
                        f"Prüfung: {'; '.join(problems)})"
                    )
            finally:
                conn.close()
            self._swap(fresh)
        except BaseException:
            _remove_with_side_files(fresh)
            raise
        return count

    def _swap(self, fresh: Path) -> None:
        """Replace the live file with ``fresh`` so that no journal of the old file can touch the new one."""
        opened = sqlite3.connect(self.path, timeout=_WRITE_WAIT_MS / 1000, isolation_level=None)
        live: sqlite3.Connection | None = opened
        try:
            # Taking the write lock makes SQLite roll back a hot journal left by a writer that died (the old
            # file is consistent again, its journal gone) and keeps every other writer out during the rename.
            opened.execute("BEGIN IMMEDIATE")
            opened.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError:
            opened.close()  # the old file is unreadable: nothing in it to protect
            live = None
        try:
            for suffix in _SIDE_FILES:  # no writer can hold them now: any left is stale
                self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
            os.replace(fresh, self.path)
        finally:
            if live is not None:
                live.close()

    # --- reading ----------------------------------------------------------------------------------------

    def count(self) -> int:
        conn, _ = self._readable()
        return int(conn.execute("SELECT count(*) FROM doc").fetchone()[0])

    def fingerprints(self) -> dict[str, str]:
        """Workbook id → hash of what is really stored for it (row, indexed text, facets) – so any drift of
        the index content shows, also a file changed behind the application's back."""
        conn, _ = self._readable()
        try:
            schema = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if schema is None or schema[0] != SCHEMA_VERSION:  # another layout: nothing in it is current
                return {
                    r[0]: f"schema {schema[0] if schema else '-'}" for r in conn.execute("SELECT id FROM doc")
                }
            texts = {
                r[0]: tuple(r[1:])
                for r in conn.execute(f"SELECT rowid, {', '.join(_COLUMNS)} FROM fts")  # noqa: S608
            }
            facets: dict[int, list[tuple[str, str]]] = defaultdict(list)
            for doc, name, value in conn.execute(
                "SELECT doc, name, value FROM facet ORDER BY doc, name, value"
            ):
                facets[doc].append((name, value))
            rows = conn.execute(f"SELECT rowid, {', '.join(_DOC_COLUMNS)} FROM doc")  # noqa: S608
            return {
                row[1]: _content_hash(tuple(row[1:]), texts.get(row[0], ()), tuple(facets.get(row[0], ())))
                for row in rows
            }
        except _UNREADABLE as exc:
            raise SearchUnavailable(f"Suchindex {self.path} nicht lesbar: {exc}") from exc

    @staticmethod
    def fingerprint_of(doc: OfferDocument) -> str:
        """What :meth:`fingerprints` reports for this document when the index is in step."""
        return _content_hash(*_stored(doc))

    def synced_through(self) -> str | None:
        """The catalogue change stamp the index was last brought up to (see search.drift)."""
        conn, _ = self._readable()
        row = conn.execute("SELECT value FROM meta WHERE key = 'synced_through'").fetchone()
        return str(row[0]) if row else None

    def mark_synced(self, stamp: str) -> None:
        conn, _ = self._readable()
        with _transaction(conn):
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('synced_through', ?)", (stamp,))

    def _readable(self) -> tuple[sqlite3.Connection, int]:
        try:
            return self._conn()
        except SearchUnavailable:
            raise
        except _UNREADABLE as exc:
            raise SearchUnavailable(f"Suchindex {self.path} nicht lesbar: {exc}") from exc

    def healthy(self) -> bool:
        try:
            conn, _ = self._conn()
            self._verify(conn)  # the file may have been damaged in place since it was opened
            conn.execute("SELECT 1 FROM meta LIMIT 1").fetchone()
            return True
        except (SearchUnavailable, *_UNREADABLE):
            return False

    def search(self, query: SearchQuery) -> SearchResult:
        try:
            return self._search(query)
        except SearchUnavailable:
            raise
        except _UNREADABLE as exc:  # an unreadable or inconsistent index degrades like a dead server
            raise SearchUnavailable(f"Suchindex {self.path} nicht lesbar: {exc!r}") from exc

    def _search(self, query: SearchQuery) -> SearchResult:
        conn, inode = self._conn()
        # A search waits briefly for a writer's commit, then degrades instead of hanging the page.
        conn.execute(f"PRAGMA busy_timeout = {_READ_WAIT_MS}")
        analysis = analyse_query(query.q)
        where, params = _filters(query)
        snapshot = self._current(conn, inode)
        if not analysis.tokens:
            return self._run(conn, snapshot, query, None, where, params)
        vocab = snapshot.vocabulary
        variants = cache(vocab.typo_matches)  # per search: joining and grouping ask about the same tokens
        analysis = _join_unknown(analysis, variants)
        last = len(analysis.tokens) - 1
        groups: dict[str, _Group | None] = {}
        for i, token in enumerate(analysis.tokens):
            groups[token] = _match_group(
                token, variants(token), vocab, analysis.prefix and i == last, _exact_for(analysis, token)
            )
        # Like Meilisearch's "frequency" matching strategy: when no document has every token, let the
        # commonest go first (a question's one rare word is the one that matters).
        kept = list(analysis.tokens)
        while kept:
            kept_groups = [g for t in kept if (g := groups[t]) is not None]
            if len(kept_groups) == len(kept):
                ranking = _ranking(analysis, kept_groups, vocab)
                match = " AND ".join(g.fts() for g in kept_groups)
                result = self._run(conn, snapshot, query, match, where, params, ranking)
                if result.total or len(kept) == 1:
                    return result
            kept.remove(max(kept, key=lambda t: (groups[t] is None, vocab.frequency.get(t, 0))))
        return SearchResult(total=0, ids=[], backend=self.name)

    def _run(
        self,
        conn: sqlite3.Connection,
        snapshot: _Snapshot,
        query: SearchQuery,
        match: str | None,
        where: list[str],
        params: list[Any],
        ranking: _Ranking | None = None,
    ) -> SearchResult:
        """One SQL pass finds the matching rowids (and bm25 scores); counting and ordering run in memory."""
        condition = (" WHERE " + " AND ".join(where)) if where else ""
        scores: dict[int, float] = {}
        bitmaps = snapshot.facets
        allowed = bitmaps.allowed(query)
        if match is None:
            if where:
                rowids = [r[0] for r in conn.execute("SELECT doc.rowid FROM doc" + condition, params)]  # noqa: S608
            elif allowed is not None:
                rowids = list(allowed)
                allowed = None
            else:
                rowids = list(snapshot.order.name_rank)
        else:
            # Only placeholders and module constants go into the SQL text; values travel as parameters.
            tail = (
                " FROM fts"
                + (" CROSS JOIN doc ON doc.rowid = fts.rowid" if where else "")
                + " WHERE fts MATCH ?"
                + (" AND " + " AND ".join(where) if where else "")
            )
            rowids = [r[0] for r in conn.execute("SELECT fts.rowid" + tail, [match, *params])]
            every_match = len(rowids)
            if allowed is not None:
                rowids = [r for r in rowids if r in allowed]
                allowed = None
            # bm25 costs ~1 µs a matching row (filters cannot narrow it): past a few hundred matches the
            # tiers and the name order rank well enough; a few hits are ranked by their fields alone.
            if query.sort is Sort.relevance and len(rowids) > _FIELD_COST_MAX and every_match <= _BM25_MAX:
                weights = ", ".join(str(w) for w in _WEIGHTS)
                scored = conn.execute(f"SELECT fts.rowid, bm25(fts, {weights})" + tail, [match, *params])
                scores = dict(scored)
            else:
                scores = dict.fromkeys(rowids, 0.0)
        if allowed is not None:
            rowids = [r for r in rowids if r in allowed]
        unfiltered = match is None and not where and len(rowids) == len(snapshot.order.name_rank)
        matched = bitmaps.everything if unfiltered else _mask(rowids, bitmaps.size)
        total = len(rowids)
        wanted = [f for f in query.facets if f in FACETS]
        facets = bitmaps.count(matched, wanted) if total else {}
        page = self._page(conn, snapshot, query, rowids, scores, ranking)
        found = {}
        if page:
            marks = ", ".join("?" * len(page))
            found = {
                r[0]: r[1:]
                for r in conn.execute(
                    f"SELECT rowid, id, title, description, card FROM doc WHERE rowid IN ({marks})",  # noqa: S608
                    page,
                )
            }
        hits = [found[r] for r in page if r in found]
        highlights = Highlights(query.q, {h[0]: (h[1], h[2]) for h in hits})
        return SearchResult(
            total=total,
            ids=[h[0] for h in hits],
            facets=facets,
            highlights=highlights,
            backend=self.name,
            cards={h[0]: json.loads(h[3]) for h in hits},
        )

    @staticmethod
    def _page(
        conn: sqlite3.Connection,
        snapshot: _Snapshot,
        query: SearchQuery,
        rowids: list[int],
        scores: dict[int, float],
        ranking: _Ranking | None,
    ) -> list[int]:
        """The rowids of the requested page, in the requested order (ties: name, then id)."""
        wanted = query.offset + query.limit
        name_rank = snapshot.order.name_rank
        if query.sort is Sort.distance and query.lat is not None and query.lon is not None:
            # Equirectangular distance is exact enough to order places within one city.
            lat, lon, scale = query.lat, query.lon, math.cos(math.radians(query.lat)) ** 2
            coords = snapshot.order.coords
            far = (1, 0.0)
            keyed = (
                (
                    *((0, (p[0] - lat) ** 2 + (p[1] - lon) ** 2 * scale) if (p := coords.get(r)) else far),
                    name_rank[r],
                    r,
                )
                for r in rowids
            )
            return [k[-1] for k in heapq.nsmallest(wanted, keyed)][query.offset :]
        if query.sort is Sort.relevance and scores:
            # Meilisearch's ranking rules, mirrored (see _Ranking): the typed words in the title first, fewer
            # typos, then the fields the concepts are found in; for many hits bm25 and the name break ties.
            scored = any(scores.values())
            order = (lambda r: (scores[r], name_rank[r])) if scored else name_rank.__getitem__
            if ranking is None or len(rowids) < 2:
                return heapq.nsmallest(wanted, rowids, key=order)[query.offset :]
            tiers = _Tiers(conn, ranking, small=len(rowids) <= _BM25_MAX)
            if len(rowids) <= _FIELD_COST_MAX:
                costs = _field_costs(conn, rowids, ranking)
                typos = tiers.get(_Tiers.CLOSEST)
                # Ties as in Meilisearch: the older document first (rowids, like Meilisearch's internal
                # document ids, follow the order documents were first indexed in).
                return heapq.nsmallest(
                    wanted,
                    rowids,
                    key=lambda r: (costs[r][0], typos is not None and r not in typos, *costs[r][1:], r),
                )[query.offset :]
            return tiers.first(rowids, order, wanted)[query.offset :]
        if len(rowids) == len(snapshot.order.by_name):  # everything (no text, no filter): already in order
            return snapshot.order.by_name[query.offset : wanted]
        return heapq.nsmallest(wanted, rowids, key=name_rank.__getitem__)[query.offset :]


class _Tiers:
    """The tie-breaks of one search (``_Ranking``) as sets of rowids – each one FTS query, run only when the
    page needs it: the hits are split tier by tier with set operations, and a cell that is known to lie
    inside a later tier (a title with every typed word as written has them all in the title) is not split
    by it, so the queries for the lower tiers are often never run."""

    LEVELS = 6
    TITLE_WORDS, CLOSEST, TITLE_WHOLE, TITLE_ALL, TITLE_SOME, TYPED = range(LEVELS)

    def __init__(self, conn: sqlite3.Connection, ranking: _Ranking, *, small: bool) -> None:
        self.conn = conn
        self.expressions = (
            ranking.title_words,
            ranking.closest,
            ranking.title_whole,
            ranking.title_all,
            ranking.title_some,
            ranking.words if small else None,  # matching typed words costs too much for many hits
        )
        # Being in one tier means being in these later ones, too.
        after_title_words = {self.CLOSEST, self.TITLE_ALL, self.TITLE_SOME, self.TYPED}
        if ranking.plain_words:  # no typed word is a compound: its stem is a whole title word
            after_title_words.add(self.TITLE_WHOLE)
        self.implies = {
            self.TITLE_WORDS: frozenset(after_title_words),
            self.TITLE_WHOLE: frozenset({self.TITLE_ALL, self.TITLE_SOME}),
            self.TITLE_ALL: frozenset({self.TITLE_SOME}),
        }
        self._sets: dict[int, set[int] | None] = {}

    def get(self, level: int) -> set[int] | None:
        if level not in self._sets:
            expression = self.expressions[level]
            self._sets[level] = (
                None
                if expression is None
                else {
                    r[0] for r in self.conn.execute("SELECT rowid FROM fts WHERE fts MATCH ?", [expression])
                }
            )
        return self._sets[level]

    def first(self, rowids: list[int], order: Callable[[int], Any], wanted: int) -> list[int]:
        """The first ``wanted`` rowids by (not in tier 0, not in tier 1, …, ``order``)."""
        found: list[int] = []

        def walk(cell: set[int], level: int, known: frozenset[int]) -> None:
            if len(found) >= wanted or not cell:
                return
            if level == self.LEVELS or len(cell) == 1:
                found.extend(heapq.nsmallest(wanted - len(found), cell, key=order))
                return
            tier = None if level in known else self.get(level)
            if tier is None:
                walk(cell, level + 1, known)
                return
            walk(cell & tier, level + 1, known | self.implies.get(level, frozenset()))
            walk(cell - tier, level + 1, known)

        walk(set(rowids), 0, frozenset())
        return found


@dataclass(frozen=True)
class _Group:
    """What one query token matches: indexed terms (the token itself, or its typo variants when it is not
    indexed; the typed word it came from) and, while the word is being typed, every term it begins."""

    token: str
    terms: tuple[str, ...]
    prefix: str | None
    closest: tuple[str, ...] = ()  # a typo: the variants with the fewest typos, when others have more

    def fts(self) -> str:
        """The FTS5 expression: the alternatives OR'd."""
        parts = [f'"{t}"' for t in self.terms] + ([f'"{self.prefix}"*'] if self.prefix else [])
        return "(" + " OR ".join(parts) + ")"

    def position(self, words: list[str]) -> int | None:
        """Where a column holding these tokens first matches, or None."""
        first = len(words)
        for term in self.terms:
            if term in words:
                first = min(first, words.index(term))
        prefix = self.prefix
        if prefix is not None:
            first = min(first, next((p for p, w in enumerate(words) if w.startswith(prefix)), first))
        return first if first < len(words) else None


@dataclass(frozen=True)
class _Ranking:
    """Meilisearch's ranking rules (typo, attribute) and the exact-word tier of the Meilisearch backend,
    mirrored: every typed word as written in the title first, then the fewest typos, then the fields the
    concepts are found in – exactly per concept for few hits (``_field_costs``, Meilisearch's attribute
    rule sums each concept's best field), as tiers for many: every concept as a whole title word, every
    concept in the title (word or compound part), some concept in the title, the typed words anywhere."""

    groups: tuple[_Group, ...]  # one per kept token
    typed: tuple[str, ...]  # the typed words, when every one of them is indexed (else none)
    title_words: str | None  # every typed word among the title's words as written
    closest: str | None  # every typo matched with one of its closest variants (None: no such choice)
    title_whole: str  # every kept token among the title's whole words (stems), not only as a compound part
    title_all: str  # every kept token in the title or its compound parts
    title_some: str | None  # some kept token in the title or its parts (None: a single token)
    words: str | None  # every typed word as it is (not stemmed or split)
    plain_words: bool  # no typed word is a compound (its only token is its stem)


def _exact_for(analysis: QueryAnalysis, token: str) -> list[str]:
    """Typed words whose analysis yields ``token`` (bm25 then counts the exact form as an extra match)."""
    return [w for w in analysis.words if w != token and analyse_query(w).tokens[:1] == (token,)]


def _ranking(analysis: QueryAnalysis, kept: list[_Group], vocab: _Vocabulary) -> _Ranking:
    typed = [w for w in analysis.words if w in vocab.terms]
    every_typed = bool(typed) and len(typed) == len(analysis.words)
    quoted = " AND ".join(f'"{w}"' for w in typed)
    words_differ = tuple(analysis.words) != tuple(g.token for g in kept)
    closest = [g.closest for g in kept if g.closest]
    expressions = [g.fts() for g in kept]
    return _Ranking(
        groups=tuple(kept),
        typed=tuple(typed) if every_typed else (),
        title_words=" AND ".join(f"{EXACT_FIELD} : {w}" for w in typed) if every_typed else None,
        closest=" AND ".join("(" + " OR ".join(f'"{v}"' for v in c) + ")" for c in closest) or None,
        title_whole=" AND ".join(f"title : {e}" for e in expressions),
        title_all=" AND ".join(f"{_TITLE} : {e}" for e in expressions),
        title_some=f"{_TITLE} : (" + " OR ".join(expressions) + ")" if len(kept) > 1 else None,
        words=quoted if words_differ and every_typed else None,
        plain_words=all(concept_tokens(w) == (stem(w),) for w in analysis.words),
    )


def _position_cost(distance: int) -> int:
    """Meilisearch's cost of a word ``distance`` positions away from where the query has it (bucketed)."""
    for limit, cost in (
        (0, 0),
        (1, 1),
        (4, 2),
        (7, 3),
        (11, 4),
        (16, 5),
        (24, 6),
        (64, 7),
        (256, 8),
        (1024, 9),
    ):
        if distance <= limit:
            return cost
    return 10


_POSITION_COSTS = tuple(_position_cost(d) for d in range(1026))


def _field_costs(
    conn: sqlite3.Connection, rowids: list[int], ranking: _Ranking
) -> dict[int, tuple[bool, int, int]]:
    """Per hit: (not every typed word as written in the title, the sum over the concepts of the rank of the
    best field each is found in, the sum of their position costs) – Meilisearch's attribute rule (the
    attribute rank, then the word position: the i-th concept best at the i-th word of any field)."""
    marks = ", ".join("?" * len(rowids))
    columns = ", ".join((EXACT_FIELD, *SEARCHABLE_FIELDS))
    rows = conn.execute(f"SELECT rowid, {columns} FROM fts WHERE rowid IN ({marks})", rowids)  # noqa: S608
    typed = set(ranking.typed)
    costs: dict[int, tuple[bool, int, int]] = {}
    for rowid, title_words, *texts in rows:
        fields = [str(text).split() for text in texts]
        field_cost = position_cost = 0
        for i, group in enumerate(ranking.groups):
            best_field, best_position = len(fields), _POSITION_COSTS[-1]
            for rank, words in enumerate(fields):  # fields in rank order: the first found is the best
                p = group.position(words)
                if p is not None:
                    best_field = min(best_field, rank)
                    best_position = min(best_position, _POSITION_COSTS[min(abs(p - i), 1025)])
                    if best_position == 0:
                        break
            field_cost += best_field
            position_cost += best_position
        in_title = bool(typed) and typed <= set(str(title_words).split())
        costs[rowid] = (not in_title, field_cost, position_cost)
    return costs


def _join_unknown(analysis: QueryAnalysis, variants: Callable[[str], list[str]]) -> QueryAnalysis:
    """A token nothing matches, joined with its neighbour when the joined word matches (with typos): the
    splitter cut "Stilberatung" into "stil" + "berat", but the family meant "Stillberatung". Meilisearch
    tries neighbouring query words joined as well."""
    tokens = list(analysis.tokens)
    i = 0
    while i < len(tokens) - 1:
        pair = tokens[i : i + 2]
        if any(not variants(t) for t in pair) and variants(joined := "".join(pair)):
            tokens[i : i + 2] = [joined]
        i += 1
    if len(tokens) == len(analysis.tokens):
        return analysis
    return replace(analysis, tokens=tuple(dict.fromkeys(tokens)))


def _match_group(
    token: str, variants: list[str], vocab: _Vocabulary, prefix: bool, exact_words: Sequence[str] = ()
) -> _Group | None:
    """One token's alternatives (``variants``: itself, or typo variants when it is not indexed), the typed
    word it came from, and the prefix while typing; None when nothing can match."""
    alternatives = sorted(set(variants))
    closest: tuple[str, ...] = ()
    if any(v != token for v in alternatives):
        distance = {v: OSA.distance(token, v) for v in alternatives}
        fewest = min(distance.values())
        if any(d > fewest for d in distance.values()):
            closest = tuple(v for v in alternatives if distance[v] == fewest)
    # The typed word beside its stem makes bm25 prefer exact forms – where bm25 is computed at all.
    if alternatives and vocab.frequency.get(token, 0) <= _BM25_MAX:
        alternatives += [w for w in exact_words if w in vocab.terms and w not in alternatives]
    if not alternatives and not prefix:
        return None
    return _Group(token, tuple(alternatives), token if prefix else None, closest)


def _filters(query: SearchQuery) -> tuple[list[str], list[Any]]:
    """The filters SQL checks: the age range (facet filters are set arithmetic, ``_FacetBitmaps.allowed``)."""
    if query.alter is None:
        return [], []
    return ["doc.alter_von <= ? AND doc.alter_bis >= ?"], [query.alter, query.alter]


_DOC_COLUMNS = (
    "id",
    "title",
    "description",
    "name_key",
    "alter_von",
    "alter_bis",
    "kostenlos",
    "barrierefrei",
    "stadtweit",
    "lat",
    "lon",
    "card",
)


def _real(value: float | None) -> float | None:
    return None if value is None else float(value)  # REAL columns give back floats


def _stored(doc: OfferDocument) -> tuple[tuple[Any, ...], tuple[str, ...], tuple[tuple[str, str], ...]]:
    """Exactly what :meth:`SqliteFtsBackend._write` stores for a document: doc row, FTS text, facet rows."""
    row = (
        doc.id,
        doc.title,
        doc.description,
        fold(doc.title),
        _real(doc.alter_von if doc.alter_von is not None else _NO_AGE_MIN),
        _real(doc.alter_bis if doc.alter_bis is not None else _NO_AGE_MAX),
        int(doc.kostenlos),
        int(doc.barrierefrei),
        int(doc.stadtweit),
        _real(doc.lat),
        _real(doc.lon),
        json.dumps(list_card(doc), ensure_ascii=False),
    )
    text = searchable_text(doc) | {EXACT_FIELD: " ".join(exact_words(doc))}
    facets = sorted({(name, v) for name, values in facet_values(doc).items() for v in values})
    return row, tuple(text[f] for f in _COLUMNS), tuple(facets)


def _content_hash(row: tuple[Any, ...], text: tuple[Any, ...], facets: tuple[tuple[str, str], ...]) -> str:
    return hashlib.blake2b(repr((row, text, facets)).encode(), digest_size=12).hexdigest()


def _delete_rowid(conn: sqlite3.Connection, rowid: int) -> None:
    conn.execute("DELETE FROM fts WHERE rowid = ?", (rowid,))
    conn.execute("DELETE FROM facet WHERE doc = ?", (rowid,))
    conn.execute("DELETE FROM doc WHERE rowid = ?", (rowid,))


class _transaction:
    """BEGIN IMMEDIATE … COMMIT on an autocommit connection (rollback on error)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute(f"PRAGMA busy_timeout = {_WRITE_WAIT_MS}")
        # A big cache keeps a large write from spilling to the file early, which would lock readers out
        # for the whole write instead of only for the commit.
        self.conn.execute("PRAGMA cache_size = -131072")
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *_: object) -> None:
        if not exc_type:
            self.conn.execute("COMMIT")
        elif self.conn.in_transaction:
            # After SQLITE_FULL (and some I/O errors) SQLite has already rolled back; a second ROLLBACK
            # would raise "no transaction is active" and hide the real cause.
            self.conn.execute("ROLLBACK")
