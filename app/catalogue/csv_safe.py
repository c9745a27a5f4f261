"""CSV files a spreadsheet cannot turn into formulas (CSV/formula injection, OWASP).

Every CSV download goes through :func:`neutralise` – via :func:`writer` / :func:`dict_writer` – so a text
starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading ``'`` and is shown as text,
never executed (``=HYPERLINK(…)`` in a provider's title stays harmless). Plain numbers (``-12,50``) stay
numbers: they cannot be formulas.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import IO, Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def neutralise(value: Any) -> str:
    """The CSV cell text: ``None`` → empty, bools ``true``/``false``, dangerous text prefixed with ``'``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


class SafeWriter:
    """``csv.writer`` whose every cell went through :func:`neutralise`."""

    def __init__(self, out: IO[str], **fmtparams: Any) -> None:
        self._writer = csv.writer(out, **fmtparams)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([neutralise(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class SafeDictWriter(csv.DictWriter):
    """``csv.DictWriter`` whose every cell went through :func:`neutralise`."""

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({k: neutralise(v) for k, v in rowdict.items()})


def writer(out: IO[str], **fmtparams: Any) -> SafeWriter:
    return SafeWriter(out, **fmtparams)


def dict_writer(out: IO[str], fieldnames: Sequence[str], **fmtparams: Any) -> SafeDictWriter:
    return SafeDictWriter(out, fieldnames=fieldnames, **fmtparams)
