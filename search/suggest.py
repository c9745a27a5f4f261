"""Did-you-mean for a query that found nothing: the closest words of public offer titles and labels."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

from rapidfuzz import fuzz, process
from sqlmodel import Session, col, func, select

from app.catalogue import service, vocab
from app.catalogue.models import Angebot, Einrichtung
from app.catalogue.text import fold
from search.text import query_words

_MIN_SCORE = 70
_LENGTH_SLACK = 3


@dataclass(frozen=True)
class _Words:
    shown: dict[str, str]  # folded word -> how it is written
    by_length: dict[int, list[str]]


_lock = threading.Lock()
_cache: dict[str, tuple[tuple[Any, ...], _Words]] = {}


def _stamp(session: Session) -> tuple[Any, ...]:
    """Changes whenever offers or institutions change (cheap: no join, no public rule)."""
    offers = session.exec(select(func.count(), func.max(Angebot.updated_at)).select_from(Angebot)).one()
    places = session.exec(select(func.max(Einrichtung.updated_at))).one()
    return (*offers, places, date.today())


def _vocabulary(session: Session) -> _Words:
    url = str(session.get_bind().engine.url)
    stamp = _stamp(session)
    with _lock:
        cached = _cache.get(url)
        if cached and cached[0] == stamp:
            return cached[1]
    titles = session.exec(
        select(Angebot.title).join(Einrichtung).where(service.public_offer_clause()).order_by(col(Angebot.id))
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
        _cache[url] = (stamp, words)
    return words


def suggest(session: Session, q: str) -> str | None:
    """A corrected query, or None when every word is known or nothing is close enough."""
    words = _vocabulary(session)
    corrected: list[str] = []
    changed = False
    for word in query_words(q):
        if word in words.shown:
            corrected.append(words.shown[word])
            continue
        candidates = [
            key
            for length in range(len(word) - _LENGTH_SLACK, len(word) + _LENGTH_SLACK + 1)
            for key in words.by_length.get(length, ())
        ]
        best = process.extractOne(word, candidates, scorer=fuzz.ratio, score_cutoff=_MIN_SCORE)
        if best is None:
            corrected.append(word)
            continue
        corrected.append(words.shown[best[0]])
        changed = True
    return " ".join(corrected) if changed else None
