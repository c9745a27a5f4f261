"""The German word list the compound splitter works with: every noun form of the ``german-nouns`` package.

``german-nouns`` (PyPI, data from the German Wiktionary, CC BY-SA 4.0) ships ~100,000 nouns with all their
inflected forms. From it we keep, folded (ä = ae …):

- ``nouns``: every form of every common noun (no first names, surnames, places, abbreviations, letters),
  so heads like "gaerten", "aerzte", "beratungen" are known in their inflected forms too;
- ``verb_stems``: the stems of nominalised infinitives ("das Lernen" → "lern", "das Krabbeln" → "krabbel"),
  which German uses as the first part of compounds ("Lernhilfe", "Krabbelgruppe", "Schwimmkurs").

Parsing the package's 20 MB CSV takes ~1.5 s, so the derived list is kept in a small cache file (rebuilt when
the package version changes). Nothing is downloaded at run time: the data comes with the installed package.
"""

from __future__ import annotations

import csv
import importlib.metadata
import importlib.resources
import logging
import os
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)

_FORMAT = 2
_MIN_LENGTH = 3
# Wiktionary word classes that are not common nouns: a family never searches for them as compound parts.
_NOT_COMMON = frozenset(
    {
        "Buchstabe",
        "Abkürzung",
        "Vorname",
        "Nachname",
        "Familienname",
        "Eigenname",
        "Straßenname",
        "Toponym",
        "Symbol",
        "Affix",
        "Suffix",
        "Gebundenes Lexem",
        "Ortsnamengrundwort",
        "Wortverbindung",
        "Redewendung",
        "Grußformel",
        "Geflügeltes Wort",
    }
)
# Columns before the inflected forms in nouns.csv: lemma, pos, genus, genus 1-4.
_FIRST_FORM_COLUMN = 7
_PLURAL_COLUMN = 16  # "nominativ plural"


@dataclass(frozen=True)
class Lexicon:
    nouns: frozenset[str]
    verb_stems: frozenset[str]


_TRANSLITERATE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})


def _fold(text: str) -> str:
    """Like search.text.fold_key for the plain words of the lexicon (fast: 2.5 million cells)."""
    return text.lower().translate(_TRANSLITERATE)


def _cache_file() -> Path:
    version = importlib.metadata.version("german-nouns")
    base = Path(tempfile.gettempdir())
    return base / f"familienwegweiser-lexikon-{version}-{_FORMAT}.txt"


def _parse_package() -> Lexicon:
    nouns: set[str] = set()
    verb_stems: set[str] = set()
    source = importlib.resources.files("german_nouns").joinpath("nouns.csv")
    with source.open(encoding="utf-8") as handle:
        rows = csv.reader(handle)
        next(rows)
        for row in rows:
            if len(row) < _FIRST_FORM_COLUMN or _NOT_COMMON.intersection(row[1].split(",")):
                continue
            lemma = row[0]
            if not lemma[:1].isupper() or " " in lemma:
                continue
            forms = {_fold(lemma), *(_fold(cell) for cell in row[_FIRST_FORM_COLUMN:] if cell)}
            nouns.update(f for f in forms if len(f) >= _MIN_LENGTH and f.isascii() and f.isalpha())
            folded = _fold(lemma)
            # "das Lernen", "das Lesen", "das Wandern": a verb used as a noun (neuter, no plural) gives a
            # compound stem ("Lern-hilfe", "Les-e-paten"); "das Becken" (plural "Becken") is no verb.
            plural = row[_PLURAL_COLUMN] if len(row) > _PLURAL_COLUMN else ""
            if row[2] == "n" and not plural and folded.endswith(("en", "eln", "ern")) and len(folded) >= 5:
                stem = (
                    folded[:-2]
                    if folded.endswith("en") and not folded.endswith(("eln", "ern"))
                    else folded[:-1]
                )
                verb_stems.add(stem)
    return Lexicon(frozenset(nouns), frozenset(verb_stems))


def _read(path: Path) -> Lexicon | None:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    nouns_text, _, verbs_text = text.partition("\n--\n")
    if not nouns_text or not verbs_text:
        return None
    return Lexicon(frozenset(nouns_text.split()), frozenset(verbs_text.split()))


def _write(path: Path, lexicon: Lexicon) -> None:
    body = " ".join(sorted(lexicon.nouns)) + "\n--\n" + " ".join(sorted(lexicon.verb_stems)) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        partial.write_text(body, encoding="utf-8")
        os.replace(partial, path)
    except OSError as exc:  # a read-only disk only costs the parse time on every start
        log.warning("Lexikon-Cache %s nicht schreibbar: %s", path, exc)


@cache
def lexicon() -> Lexicon:
    """The noun lexicon (from the cache file, or parsed from the package once)."""
    path = _cache_file()
    found = _read(path)
    if found is None:
        found = _parse_package()
        _write(path, found)
    return found
