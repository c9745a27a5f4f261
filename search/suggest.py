"""Did-you-mean for a query that found nothing: the closest words of public offer titles and labels."""

from __future__ import annotations

import threading
from datetime import datetime

from rapidfuzz import fuzz, process
from sqlmodel import Session, col, func, select

from app.catalogue import service, vocab
from app.catalogue.models import Angebot, Einrichtung
from search.text import fold, query_words

_lock = threading.Lock()
_cache: dict[str, tuple[tuple[int, datetime | None], dict[str, str]]] = {}
_MIN_SCORE = 70


def _vocabulary(session: Session) -> dict[str, str]:
    """folded word -> how it is written; rebuilt when the public offers change."""
    url = str(session.get_bind().engine.url)
    stamp_stmt = (
        select(func.count(), func.max(Angebot.updated_at))
        .select_from(Angebot)
        .join(Einrichtung)
        .where(service.public_offer_clause())
    )
    count, latest = session.exec(stamp_stmt).one()
    stamp = (int(count), latest)
    with _lock:
        cached = _cache.get(url)
        if cached and cached[0] == stamp:
            return cached[1]
    titles = session.exec(
        select(Angebot.title).join(Einrichtung).where(service.public_offer_clause()).order_by(col(Angebot.id))
    ).all()
    labels = [t.de for t in (*vocab.ZIELGRUPPEN, *vocab.THEMEN)] + [o.name for o in vocab.ORTSTEILE]
    words: dict[str, str] = {}
    for text in (*titles, *labels):
        for raw in text.replace("-", " ").split():
            shown = raw.strip(".,;:!?()„“\"'")
            key = fold(shown)
            if len(key) >= 3 and key not in words:
                words[key] = shown
    with _lock:
        _cache[url] = (stamp, words)
    return words


def suggest(session: Session, q: str) -> str | None:
    """A corrected query, or None when every word is known or nothing is close enough."""
    words = _vocabulary(session)
    corrected: list[str] = []
    changed = False
    for word in query_words(q):
        if word in words:
            corrected.append(words[word])
            continue
        best = process.extractOne(word, list(words), scorer=fuzz.ratio, score_cutoff=_MIN_SCORE)
        if best is None:
            corrected.append(word)
            continue
        corrected.append(words[best[0]])
        changed = True
    return " ".join(corrected) if changed else None
