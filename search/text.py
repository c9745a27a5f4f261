"""The search analysis shared by every backend, at index and at query time.

On top of ``app.catalogue.text.fold`` (ä/ae, ö/oe, ü/ue, ß/ss compare equal) this module builds what both
search backends index and query with: words, compound parts (``Erziehungsberatung`` also
carries ``beratung``), synonyms from the editable ``synonyme.txt``, Meilisearch's typo thresholds and the
escaped highlight markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from markupsafe import Markup, escape
from rapidfuzz.distance import OSA

from app.catalogue.text import fold_key, words

_WORD_RUN = re.compile(r"\w+(?:[-'’]\w+)*")

SEARCH_DIR = Path(__file__).resolve().parent
SYNONYMS_FILE = SEARCH_DIR / "synonyme.txt"
WORD_PARTS_FILE = SEARCH_DIR / "wortteile.txt"

# Linking elements between compound parts ("Erziehung-s-beratung", "Familie-n-café").
_FUGEN = ("", "s", "n", "en", "es", "er", "e")
_MIN_PART = 3
MAX_QUERY_WORDS = 10
# The linking "s" follows these endings ("Erziehung-s-", "Gesundheit-s-", "Schwangerschaft-s-").
_S_FUGE_AFTER = ("ung", "heit", "keit", "schaft", "ion", "taet", "ling", "tum")
_MIN_COMPOUND = 7

# Words that carry no meaning in a search for offers ("Krabbelgruppe für Kinder in Jena").
_STOPWORD_TEXT = (
    "der die das den dem des ein eine einer eines einem einen und oder fuer mit in im am an auf "
    "bei von vom zu zum zur ab aus nach ueber unter fur"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@lru_cache(maxsize=100_000)
def _folded(raw_word: str) -> tuple[str, ...]:
    """``words`` of one word run, cached: the same words recur in thousands of documents."""
    return tuple(words(raw_word))


def query_words(text: str) -> list[str]:
    """Folded words of a search query without stop words (unless the query is only stop words).

    At most ``MAX_QUERY_WORDS`` – Meilisearch also ignores words after the tenth.
    """
    found = words(text)
    meaningful = [w for w in found if w not in STOPWORDS]
    return (meaningful or found)[:MAX_QUERY_WORDS]


def max_typos(word: str) -> int:
    """Meilisearch's default: no typo below 5 letters, one for 5–8, two from 9 letters on."""
    if len(word) >= 9:
        return 2
    if len(word) >= 5:
        return 1
    return 0


def within_typos(query_word: str, term: str) -> bool:
    """Damerau/OSA distance, so swapped neighbours count as one typo."""
    allowed = max_typos(query_word)
    if allowed == 0:
        return query_word == term
    return OSA.distance(query_word, term, score_cutoff=allowed) <= allowed


# --- compounds --------------------------------------------------------------------------------------------


def _read_list(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


@cache
def word_parts() -> frozenset[str]:
    """Known compound parts (folded) from ``wortteile.txt``, plus the words of the vocabulary labels."""
    from app.catalogue import vocab  # local import: app.catalogue imports this module

    parts = {w for line in _read_list(WORD_PARTS_FILE) for w in words(line)}
    for term in (*vocab.ZIELGRUPPEN, *vocab.THEMEN, *vocab.EINRICHTUNGSARTEN):
        parts.update(words(term.de))
    return frozenset(p for p in parts if len(p) >= 4 and p not in STOPWORDS)


def split_compound(word: str) -> list[str]:
    """Parts of a folded German compound: the longest known head, then the rest the same way.

    "erziehungsberatung" → ["erziehung", "beratung"], "krabbelgruppe" → ["krabbel", "gruppe"].
    A word without a known part stays unsplit (returns []).
    """
    if len(word) < _MIN_COMPOUND:
        return []
    known = word_parts()
    for cut in range(_MIN_PART, len(word) - 3):
        head = word[cut:]
        if head in known:
            return [*_modifier_parts(word[:cut], known), head]
    for cut in range(len(word) - _MIN_PART, 3, -1):
        modifier = word[:cut]
        if modifier in known:
            return [modifier, *_split_or_self(word[cut:])]
    return []


@lru_cache(maxsize=100_000)
def _parts(word: str) -> tuple[str, ...]:
    return tuple(split_compound(word))


def _modifier_parts(modifier: str, known: frozenset[str]) -> list[str]:
    """The left side of a compound, with its linking element removed when that gives a known word."""
    result = [modifier]
    for fuge in _FUGEN[1:]:
        stem = modifier.removesuffix(fuge)
        if stem == modifier or len(stem) < _MIN_PART:
            continue
        if stem in known or (fuge == "s" and stem.endswith(_S_FUGE_AFTER)):
            result.append(stem)
            break
    inner = split_compound(modifier)
    return result + [p for p in inner if p not in result]


def _split_or_self(rest: str) -> list[str]:
    return split_compound(rest) or ([rest] if len(rest) >= _MIN_PART else [])


# --- synonyms ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Synonyms:
    """``a, b, c`` lines are equivalent groups; ``a, b => c`` means a search for a or b also finds c."""

    # indexed term -> words that should also find it
    found_by: dict[str, frozenset[str]]

    def expand(self, terms: Iterable[str]) -> set[str]:
        result = set(terms)
        for term in list(result):
            result.update(self.found_by.get(term, ()))
        return result

    def pairs(self) -> dict[str, list[str]]:
        """Meilisearch's form: query word -> the words it should also match."""
        mapping: dict[str, set[str]] = {}
        for indexed, queries in self.found_by.items():
            for query in queries:
                mapping.setdefault(query, set()).add(indexed)
        return {k: sorted(v) for k, v in sorted(mapping.items())}


def parse_synonyms(lines: Iterable[str]) -> Synonyms:
    found_by: dict[str, set[str]] = {}
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if "=>" in line:
            left, right = line.split("=>", 1)
            queries = {fold_key(w) for w in left.split(",") if fold_key(w)}
            for target in (fold_key(w) for w in right.split(",")):
                if target:
                    found_by.setdefault(target, set()).update(queries)
        else:
            group = {fold_key(w) for w in line.split(",") if fold_key(w)}
            for word in group:
                found_by.setdefault(word, set()).update(group - {word})
    return Synonyms({k: frozenset(v) for k, v in found_by.items()})


@cache
def synonyms() -> Synonyms:
    return parse_synonyms(_read_list(SYNONYMS_FILE))


# --- what gets indexed ------------------------------------------------------------------------------------


def index_terms(text: str) -> list[str]:
    """Folded words of a text plus compound parts, joined hyphen compounds and synonyms (no duplicates)."""
    terms: list[str] = []
    seen: set[str] = set()

    def add(term: str) -> None:
        if term and term not in seen:
            seen.add(term)
            terms.append(term)

    for run in _WORD_RUN.findall(text):
        run_words = _folded(run)
        if len(run_words) > 1:
            add("".join(run_words))  # "Eltern-Kind-Turnen" also as "elternkindturnen"
        for word in run_words:
            add(word)
            for part in _parts(word):
                add(part)
    for extra in sorted(synonyms().expand(seen) - seen):
        add(extra)
    return terms


def index_text(text: str) -> str:
    """What a backend stores for a searchable field: space-separated index terms."""
    return " ".join(index_terms(text))


# --- highlighting -----------------------------------------------------------------------------------------


@lru_cache(maxsize=1_000)
def _highlight_terms(q: str) -> tuple[tuple[str, ...], str | None]:
    query = tuple(query_words(q))
    return query, (query[-1] if query and not q.endswith(" ") else None)


@lru_cache(maxsize=100_000)
def _word_matches(word: str, query: tuple[str, ...], prefix_word: str | None) -> bool:
    """Does one folded text word match the query (exactly, as a compound part, within typos, as prefix)?"""
    candidates = [word, *_parts(word)]
    for q in query:
        for cand in candidates:
            if cand == q or within_typos(q, cand):
                return True
            if q == prefix_word and cand.startswith(q):
                return True
    return False


def highlight(text: str, q: str, *, snippet: int | None = None) -> Markup:
    """Escape ``text`` and wrap the words that match the query in ``<mark>``.

    Escaping happens first, per piece, so workbook content such as ``<script>`` stays text.
    With ``snippet``, cut the text to about that many characters around the first match.
    """
    query, prefix_word = _highlight_terms(q)
    # Long texts are only scanned as far as a snippet can reach.
    scanned = text if snippet is None else text[: snippet * 8]
    spans = [
        (m.start(), m.end())
        for m in _WORD_RUN.finditer(scanned)
        if any(_word_matches(w, query, prefix_word) for w in _folded(m.group()))
    ]
    start, end = 0, len(text)
    if snippet is not None and len(text) > snippet:
        first = spans[0][0] if spans else 0
        start = max(0, first - snippet // 3)
        end = min(len(text), start + snippet)
    pieces: list[str] = ["…"] if start > 0 else []
    cursor = start
    for s, e in spans:
        if s < start or e > end:
            continue
        pieces.append(str(escape(text[cursor:s])))
        pieces.append(f"<mark>{escape(text[s:e])}</mark>")
        cursor = e
    pieces.append(str(escape(text[cursor:end])))
    if end < len(text):
        pieces.append("…")
    return Markup("".join(pieces))  # noqa: S704 – every text piece above went through escape()
