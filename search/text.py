"""The search analysis shared by every backend, at index and at query time.

On top of ``app.catalogue.text.fold`` (ä/ae, ö/oe, ü/ue, ß/ss compare equal) this module builds what both
backends index and query with: stop and question words (stopwords-iso plus a family list), compound parts
from the german-nouns lexicon (``search.lexicon``) and ``wortteile.txt``, Snowball stems (PyStemmer),
synonyms from the editable ``synonyme.txt``, Meilisearch's typo thresholds and the escaped highlight markup.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import Stemmer
from markupsafe import Markup, escape
from rapidfuzz.distance import OSA

from app.catalogue.text import fold, fold_key, words
from search.lexicon import lexicon

_WORD_RUN = re.compile(r"\w+(?:[-'’]\w+)*")

SEARCH_DIR = Path(__file__).resolve().parent
SYNONYMS_FILE = SEARCH_DIR / "synonyme.txt"
WORD_PARTS_FILE = SEARCH_DIR / "wortteile.txt"


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Linking elements between compound parts ("Erziehung-s-beratung", "Familie-n-café", "Kind-er-garten").
_FUGEN = ("s", "es", "n", "en", "er", "e", "ens")
_MIN_PART = 3
_MIN_COMPOUND = 6
# Verb prefixes before a verb stem in a compound's left part ("Vorlesepaten", "Mitmachzirkus").
_VERB_PREFIXES = _word_set("vor mit nach auf aus ein an ab zu be ver er ent um zusammen")
# Adjectives ("kostenlose", "barrierefreie", "vertrauliche") are no noun compounds, even
# where their tail happens to be a noun form ("Lose", "Freie").
_ADJECTIVE = re.compile(r"(los|frei|lich|ig|bar|voll|sam|haft)(e|en|er|es|em)?$")
# Parts are split again only when long enough to be compounds themselves ("tagespflege", not "jugend").
_MIN_INNER_COMPOUND = 8
MAX_QUERY_WORDS = 10
# Nouns of the lexicon that are really suffixes: "Nachbar|schaft" is not a compound of "Schaft".
_NOT_HEADS = _word_set(
    "schaft schaften tum tums ion ionen ei eien ung ling linge heit keit nis isse ismus ist isten ant anten "
    "ent "
    "enten ler ner rich lein chen ine ier iers ation tion ur ee age ade ette eur eure tor toren ern ens nen "
    "ten ren"
)
# Words of the stop-word list that mean something in a family directory ("Recht", "offener Treff",
# "Leichte Sprache", "allein erziehend", "Tag der offenen Tür" …): they stay searchable.
_KEEP = _word_set(
    "allein mensch menschen jahr jahre jahren tag tage tagen zeit mann gott kleine kleinen kleiner kleines "
    "morgen ende offen recht rechte rechten weg uhr gross grosse grossen grosser grosses leicht ordnung "
    "sache teil ernst hoch mittel schluss lang lange kurz neue neuen tel startseite ei"
)
# What people put around the subject when they type a question ("wo kann mein Kind turnen",
# "gibt es Hilfe bei Schulden in Jena"): none of it narrows the search.
_QUESTION_WORDS = _word_set(
    "wo wie was wer wann welche welcher welches gibt gibts gibt's finde finden findet suche suchen sucht "
    "brauche brauchen braucht benoetige benoetigen hilft helfen bekomme bekommen kann koennen moechte "
    "moechten will wollen wuerde gerne gern bitte ich mein meine meinem meinen meiner mir mich wir uns unser "
    "unsere jemand irgendwo angebot angebote hier jena es"
)


@lru_cache(maxsize=100_000)
def _folded(raw_word: str) -> tuple[str, ...]:
    """``words`` of one word run, cached: the same words recur in thousands of documents."""
    return tuple(words(raw_word))


@cache
def stopwords() -> frozenset[str]:
    """German stop words (the maintained stopwords-iso list, folded) plus question words, minus ``_KEEP``."""
    import stopwordsiso

    listed = {fold_key(w) for w in stopwordsiso.stopwords("de")}
    return frozenset((listed | _QUESTION_WORDS | {"fuer", "fur", "ueber"}) - _KEEP - {""})


def query_words(text: str) -> list[str]:
    """Folded words of a search query without stop and question words (unless nothing else is left).

    At most ``MAX_QUERY_WORDS`` – Meilisearch also ignores words after the tenth.
    """
    found = words(text)
    stop = stopwords()
    meaningful = [w for w in found if w not in stop]
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


# --- stemming -------------------------------------------------------------------------------------------

_stemmers = threading.local()
# Plurals in -s after a vowel, which Snowball's German rules leave alone.
_S_PLURALS = ("as", "os", "ys")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball German stem of a folded word: familien/familie → famili, gaerten/garten → gart.

    Snowball's German stemmer reads ae/oe/ue as umlauts, so folded words stem like the written ones.
    """
    stemmer = getattr(_stemmers, "german", None)
    if stemmer is None:  # a PyStemmer object is not thread-safe: one per thread
        stemmer = _stemmers.german = Stemmer.Stemmer("german")
    # Babys, Omas, Kitas, Fotos: Snowball keeps that s ("kostenlos" is no plural)
    if len(word) >= 4 and word.endswith(_S_PLURALS) and not word.endswith("los"):
        word = word[:-1]
    result: str = stemmer.stemWord(word)
    if result.endswith("eln"):  # "basteln" like "Bastel-kiste", "krabbeln" like "Krabbel-gruppe"
        result = result[:-1]
    return result if len(result) >= 2 else word


# --- compounds ------------------------------------------------------------------------------------------


def _read_list(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


@cache
def local_parts() -> frozenset[str]:
    """Local words the lexicon lacks (``wortteile.txt``) plus the words of the vocabulary labels."""
    from app.catalogue import vocab  # local import: app.catalogue imports this module

    parts = {w for line in _read_list(WORD_PARTS_FILE) for w in words(line)}
    for term in (*vocab.ZIELGRUPPEN, *vocab.THEMEN, *vocab.EINRICHTUNGSARTEN):
        parts.update(words(term.de))
    return frozenset(p for p in parts if len(p) >= 4 and p not in stopwords())


def _is_word(part: str) -> bool:
    """A noun of the lexicon or a local word – never a stop word ("Aus|bildung" is not "aus" + "Bildung")."""
    return (part in lexicon().nouns or part in local_parts()) and part not in stopwords()


def _head(part: str) -> bool:
    return len(part) >= _MIN_PART and part not in _NOT_HEADS and _is_word(part)


@lru_cache(maxsize=200_000)
def _modifier(part: str) -> str | None:
    """The word a compound's left part stands for, or None.

    Accepts a noun as it is ("Kinder-"), a noun plus linking element ("Erziehung-s-", "Familie-n-"),
    a noun with its final -e dropped ("Schul-weg" = Schule), and a verb stem ("Lern-hilfe", "Krabbel-gruppe").
    """
    if len(part) < _MIN_PART:
        return None
    if part not in _NOT_HEADS and _is_word(part):
        return part
    verbs = lexicon().verb_stems
    if part in verbs:  # before the linking elements: "Wander-gruppe" is not "Wand-er-gruppe"
        return part + ("n" if part.endswith(("el", "er")) else "en")
    for fuge in _FUGEN:
        bare = part.removesuffix(fuge)
        if bare != part and len(bare) >= _MIN_PART and bare not in _NOT_HEADS and _is_word(bare):
            return bare
    if len(part) >= 4 and _is_word(part + "e"):
        return part + "e"
    bare = part[:-1] if part.endswith("e") else part  # "Les-e-paten", "Wart-e-zimmer"
    if bare != part and bare in verbs:
        return bare + "en"
    for prefix in _VERB_PREFIXES:  # "Vor-les-e-paten", "Mit-mach-zirkus"
        if bare.startswith(prefix) and bare[len(prefix) :] in verbs:
            return bare + "en"
    return None


@lru_cache(maxsize=200_000)
def _segment(word: str) -> tuple[str, ...] | None:
    """Fewest parts that make up ``word`` (the word itself counts), or None."""
    if _head(word):
        return (word,)
    return _best_cut(word)


def _best_cut(word: str) -> tuple[str, ...] | None:
    """Fewest parts (at least two) making up ``word``, the last a known noun; ties: the longest last part."""
    best: tuple[str, ...] | None = None
    for cut in range(_MIN_PART, len(word) - _MIN_PART + 1):
        modifier = _modifier(word[:cut])
        if modifier is None:
            continue
        rest = _segment(word[cut:])
        if rest is None:
            continue
        if best is None or len(rest) + 1 < len(best):
            best = (modifier, *rest)
    return best


@lru_cache(maxsize=200_000)
def _split(word: str) -> tuple[str, ...]:
    if len(word) < _MIN_COMPOUND or not word.isalpha() or _ADJECTIVE.search(word):
        return ()
    return _best_cut(word) or ()


def split_compound(word: str) -> list[str]:
    """Parts of a folded German compound as dictionary words, or [] for a word that is not one.

    "familienberatung" → ["familien", "beratung"]; "schulweg" → ["schule", "weg"];
    "erziehungsberatung" → ["erziehung", "beratung"]; "lernhilfe" → ["lernen", "hilfe"].
    """
    return list(_split(word))


@lru_cache(maxsize=200_000)
def word_tokens(word: str) -> tuple[str, ...]:
    """What one folded word of a document is indexed as: the word, its stem, and the stems of its parts
    (parts split again, so "kindertagespflege" also carries "tag" and "pfleg")."""
    tokens = [word, stem(word)]
    pending = list(_split(word))
    while pending:
        part = pending.pop(0)
        tokens.append(stem(part))
        if len(part) >= _MIN_INNER_COMPOUND:
            pending.extend(_split(part))
    return tuple(dict.fromkeys(tokens))


def _stems(word: str) -> tuple[str, ...]:
    """``word_tokens`` without the word as written: its stem and its parts' stems."""
    tokens = word_tokens(word)
    return tokens if tokens[0] == stem(word) else tokens[1:]


@lru_cache(maxsize=50_000)
def concept_tokens(word: str) -> tuple[str, ...]:
    """What one folded query word searches for: the stems of its parts if it is a compound, else its stem.

    A document with the compound itself carries the same part stems, so both are found.
    """
    parts = _split(word)
    if parts:
        return tuple(dict.fromkeys(stem(p) for p in parts))
    return (stem(word),)


@dataclass(frozen=True)
class QueryAnalysis:
    """A query after the analysis chain: ``words`` as typed (folded, no stop words), ``tokens`` to match
    (every one required), and whether the last token is still being typed (prefix)."""

    words: tuple[str, ...]
    tokens: tuple[str, ...]
    prefix: bool

    @property
    def exact(self) -> tuple[str, ...]:
        """The typed words themselves: documents with all of them rank above stemmed/split matches."""
        return self.words


def _plain_vowels(word: str) -> str:
    """The folded umlauts as Snowball's stems write them (ae → a, oe → o, ue → u, not after q)."""
    return re.sub(r"(?<!q)([aou])e", r"\1", word)


@lru_cache(maxsize=2_000)
def analyse_query(q: str) -> QueryAnalysis:
    found = query_words(q)
    tokens: list[str] = []
    for word in found:
        tokens.extend(concept_tokens(word))
    # The last word counts as still being typed – unless the query ends with a space, or the word is complete
    # enough to be split or stemmed (a prefix of "krbbelgrp" would find far more than the user meant).
    prefix = bool(found) and not q.endswith(" ") and concept_tokens(found[-1]) == (_plain_vowels(found[-1]),)
    # Meilisearch reads at most ten query words: both backends search the same first ten tokens.
    return QueryAnalysis(tuple(found), tuple(dict.fromkeys(tokens))[:MAX_QUERY_WORDS], prefix)


# --- synonyms -------------------------------------------------------------------------------------------


def _key(text: str) -> str:
    return " ".join(stem(w) for w in words(text))


@dataclass(frozen=True)
class Synonyms:
    """``a, b, c`` lines are equivalent groups; ``a, b => c`` means a search for a or b also finds c.

    Keys are stemmed ("Kinderärzte" in a text finds the line "Kinderarzt, Kinderärztin"); a key of two words
    matches two neighbouring words of a text ("Leichte Sprache").
    """

    # key of an indexed word (or two) -> the texts a document with it should also be found by
    found_by: dict[str, tuple[str, ...]]

    def for_words(self, folded: Sequence[str]) -> list[str]:
        """The synonym texts a document with these folded words (or their compound parts) also carries."""
        extra: list[str] = []
        stems = [stem(w) for w in folded]
        for i, word in enumerate(folded):
            for token in _stems(word):
                extra.extend(self.found_by.get(token, ()))
            if i + 1 < len(stems):
                extra.extend(self.found_by.get(f"{stems[i]} {stems[i + 1]}", ()))
        return extra

    def expand(self, terms: Iterable[str]) -> set[str]:
        """Folded words plus the folded words of their synonyms."""
        result = set(terms)
        for text in self.for_words(sorted(result)):
            result.update(words(text))
        return result


def parse_synonyms(lines: Iterable[str]) -> Synonyms:
    found_by: dict[str, list[str]] = {}
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if "=>" in line:
            left, right = line.split("=>", 1)
            queries = [w.strip() for w in left.split(",") if fold(w)]
            for target in (w for w in right.split(",") if fold(w)):
                found_by.setdefault(_key(target), []).extend(q for q in queries if _key(q) != _key(target))
        else:
            group = [w.strip() for w in line.split(",") if fold(w)]
            for word in group:
                found_by.setdefault(_key(word), []).extend(g for g in group if _key(g) != _key(word))
    return Synonyms({k: tuple(dict.fromkeys(v)) for k, v in found_by.items()})


@cache
def synonyms() -> Synonyms:
    return parse_synonyms(_read_list(SYNONYMS_FILE))


# --- what gets indexed ----------------------------------------------------------------------------------


def _text_words(text: str) -> tuple[list[str], list[str]]:
    """Folded words of a text, and hyphen compounds joined ("Eltern-Kind-Turnen" → "elternkindturnen")."""
    found: list[str] = []
    joined: list[str] = []
    for run in _WORD_RUN.findall(text):
        run_words = _folded(run)
        if len(run_words) > 1:
            joined.append("".join(run_words))
        found.extend(run_words)
    return found, joined


@dataclass(frozen=True)
class TextAnalysis:
    """What a text is indexed as, by rank: ``whole`` – each word as written and its stem; ``parts`` – the
    stems of its compound parts that are no whole word of the text (a part matches less than a word);
    ``synonyms`` – what synonyme.txt adds (stems only, none the text already has); ``words`` – the words as
    written alone (hyphen compounds also joined), for the exact-word tier; ``terms`` – whole words and parts
    together, each word's parts next to it (for fields that do not rank parts apart)."""

    words: tuple[str, ...]
    whole: tuple[str, ...]
    parts: tuple[str, ...]
    synonyms: tuple[str, ...]
    terms: tuple[str, ...]


@lru_cache(maxsize=50_000)
def analyse_text(text: str) -> TextAnalysis:
    """A text's index tokens. Cached: labels and institution names recur in thousands of documents."""
    found, joined = _text_words(text)
    written = tuple(dict.fromkeys((*found, *joined)))
    whole: dict[str, None] = {}
    for word in written:
        whole.update(dict.fromkeys((word, stem(word))))
    terms = dict.fromkeys(t for word in written for t in word_tokens(word))
    parts = dict.fromkeys(t for t in terms if t not in whole)
    extra: dict[str, None] = {}
    for synonym in synonyms().for_words(found):
        for word in words(synonym):
            extra.update(dict.fromkeys(t for t in _stems(word) if t not in terms))
    return TextAnalysis(written, tuple(whole), tuple(parts), tuple(extra), tuple(terms))


def index_terms(text: str) -> list[str]:
    """Index tokens of a text: each word, its stem and its compound parts' stems (no duplicates)."""
    return list(analyse_text(text).terms)


def synonym_terms(text: str) -> list[str]:
    """Tokens a text is also found by through ``synonyme.txt`` (indexed in a field of its own, so they
    rank below the document's own words)."""
    return list(analyse_text(text).synonyms)


# --- highlighting -----------------------------------------------------------------------------------------


@lru_cache(maxsize=1_000)
def _highlight_terms(q: str) -> tuple[tuple[str, ...], str | None]:
    analysis = analyse_query(q)
    prefix = analysis.words[-1] if analysis.prefix else None
    return analysis.tokens, prefix


@lru_cache(maxsize=100_000)
def _word_matches(word: str, query: tuple[str, ...], prefix_word: str | None) -> bool:
    """Does one folded text word match the query (word, stem or compound part; within typos; as prefix)?"""
    candidates = word_tokens(word)
    for q in query:
        for cand in candidates:
            if cand == q or within_typos(q, cand):
                return True
    return prefix_word is not None and word.startswith(prefix_word)


def highlight(text: str, q: str, *, snippet: int | None = None) -> Markup:
    """Escape ``text`` and wrap the words that match the query in ``<mark>``.

    Escaping happens first, per piece, so workbook content such as ``<script>`` stays text.
    With ``snippet``, cut the text to about that many characters around the first match.
    """
    query, prefix_word = _highlight_terms(q)

    def matches(run: re.Match[str]) -> bool:
        return any(_word_matches(w, query, prefix_word) for w in _folded(run.group()))

    start, end = 0, len(text)
    if snippet is not None and len(text) > snippet:
        # Long texts: the first match within what a snippet can reach fixes the window; only words inside
        # the window are tested after that.
        first = next((m.start() for m in _WORD_RUN.finditer(text, 0, snippet * 8) if matches(m)), 0)
        start = max(0, first - snippet // 3)
        end = min(len(text), start + snippet)
    pieces: list[str] = ["…"] if start > 0 else []
    cursor = start
    for run in _WORD_RUN.finditer(text):
        s, e = run.span()
        if s >= end:
            break
        if s < start or e > end or not matches(run):
            continue
        pieces.append(str(escape(text[cursor:s])))
        pieces.append(f"<mark>{escape(text[s:e])}</mark>")
        cursor = e
    pieces.append(str(escape(text[cursor:end])))
    if end < len(text):
        pieces.append("…")
    return Markup("".join(pieces))  # noqa: S704 – every text piece above went through escape()
