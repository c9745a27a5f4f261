"""Did-you-mean for a query that found nothing: the closest words of public offer titles and labels.

A suggestion only corrects typos – each unknown word is replaced by a known word within a small edit
distance (Damerau/OSA, one more edit than the search itself tolerates), never by a merely similar-looking
word of another topic ("Familienberatung" is not "Pflegeberatung": six edits). It is offered only when it
finds something (``has_results``), trying the next-closest words when the closest do not.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA
from sqlmodel import Session, col, func, select

from app.catalogue import service, vocab
from app.catalogue.models import Angebot, Einrichtung
from app.catalogue.text import fold
from search.text import max_typos, query_words

_CANDIDATES = 3  # closest words tried per unknown word
_TRIES = 6  # suggested queries checked for results at most


@dataclass(frozen=True)
class _Words:
    shown: dict[str, str]  # folded word -> how it is written
    by_length: dict[int, list[str]]


_lock = threading.Lock()
_cache: dict[str, tuple[tuple[Any, ...], _Words, float]] = {}
_STAMP_SECONDS = 10.0


def _stamp(session: Session) -> tuple[Any, ...]:
    """Changes whenever offers or institutions change (cheap: no join, no public rule)."""
    offers = session.exec(select(func.count(), func.max(Angebot.updated_at)).select_from(Angebot)).one()
    places = session.exec(select(func.max(Einrichtung.updated_at))).one()
    return (*offers, places, date.today())


def _vocabulary(session: Session) -> _Words:
    url = str(session.get_bind().engine.url)
    now = time.monotonic()
    with _lock:
        cached = _cache.get(url)
    # The change stamp costs two scans of the offer table: checked at most every few seconds.
    if cached and now - cached[2] < _STAMP_SECONDS:
        return cached[1]
    stamp = _stamp(session)
    if cached and cached[0] == stamp:
        with _lock:
            _cache[url] = (stamp, cached[1], now)
        return cached[1]
    titles = session.exec(
        select(Angebot.titel).join(Einrichtung).where(service.public_offer_clause()).order_by(col(Angebot.id))
    ).all()
    labels = [t.de for t in (*vocab.ZIELGRUPPEN, *vocab.THEMEN)] + [o.name for o in vocab.ORTSTEILE]
    shown: dict[str, str] = {}
    for text in (*titles, *labels):
        for raw in text.replace("-", " ").split():
            word = raw.strip(".,;:!?()„“\"'")
            key = fold(word)
            if len(key) >= 3 and key not in shown:
                shown[key] = word
    by_length: dict[int, list[str]] = {}
    for key in shown:
        by_length.setdefault(len(key), []).append(key)
    words = _Words(shown, by_length)
    with _lock:
        _cache[url] = (stamp, words, now)
    return words


def _allowed_edits(word: str) -> int:
    return max_typos(word) + 1 if len(word) >= 4 else 1


def _candidates(word: str, words: _Words) -> list[str]:
    """Known words closest to an unknown one (fewest edits first, then the more similar length)."""
    allowed = _allowed_edits(word)
    pool = [
        key
        for length in range(len(word) - allowed, len(word) + allowed + 1)
        for key in words.by_length.get(length, ())
    ]
    hits = process.extract(word, pool, scorer=OSA.distance, score_cutoff=allowed, limit=None)
    ranked = sorted(hits, key=lambda h: (h[1], abs(len(h[0]) - len(word)), h[0]))
    return [h[0] for h in ranked[:_CANDIDATES]]


def suggest(session: Session, q: str, has_results: Callable[[str], bool] | None = None) -> str | None:
    """A corrected query that finds something, or None when every word is known or nothing close helps."""
    words = _vocabulary(session)
    options: list[list[str]] = []
    changed = False
    for word in query_words(q):
        if word in words.shown:
            options.append([words.shown[word]])
            continue
        found = [words.shown[c] for c in _candidates(word, words)]
        changed = changed or bool(found)
        options.append(found or [word])
    if not changed:
        return None
    for combination in itertools.islice(itertools.product(*options), _TRIES):
        suggestion = " ".join(combination)
        if has_results is None or has_results(suggestion):
            return suggestion
    return None
