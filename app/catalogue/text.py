"""German text folding: the one place where ä/ae, ö/oe, ü/ue, ß/ss, accents, case and dashes compare equal.

Used by the importer's matching, district and vocabulary resolution, the forms and the search analysis.
"""

from __future__ import annotations

import re
import unicodedata

_TRANSLITERATE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower-case, transliterate umlauts and ß, strip other accents, collapse non-letters to single spaces."""
    text = unicodedata.normalize("NFC", text).casefold().translate(_TRANSLITERATE)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", text).strip()


def fold_key(text: str) -> str:
    """``fold`` without any separators: "Lobeda-West" = "lobeda west" = "LobedaWest"."""
    return fold(text).replace(" ", "")


def slug(text: str) -> str:
    """URL/filter code of a free label: "Deutsche Gebärdensprache" → "deutsche-gebaerdensprache"."""
    return fold(text).replace(" ", "-")


def words(text: str) -> list[str]:
    """Folded words of a text, in order."""
    return fold(text).split()
