"""Cell and form values: parsers and formatters (dates, money, numbers, booleans, ages, terms, districts).

Parsers take a raw value (str/int/float/bool/date/datetime/None, from a workbook cell or a form field) and
return a Python value, ``None`` for an empty value, or raise :class:`ParseError` with a German message saying
how to fix it. The formatters are their inverse (used by the exporter): ``parse_x(format_x(v)) == v``.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from rapidfuzz import fuzz, process

from app.catalogue import vocab
from app.catalogue.districts import DistrictMatch, DistrictResolver, UnknownDistrict
from app.catalogue.text import fold_key as _fold_key
from app.catalogue.vocab import Term
from app.i18n import current_locale

# Workbooks repeat the same vocabulary values thousands of times: normalise each distinct text once.
fold_key = functools.lru_cache(maxsize=8192)(_fold_key)


class ParseError(ValueError):
    """A cell value that cannot be understood; the message is German and tells how to fix it."""


# --- cell text --------------------------------------------------------------------------------------------

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f\u2009\u200a\u2002\u2003]+")


def cell_text(value: Any) -> str:
    """A cell as clean text: NBSP → space, trailing spaces gone, line breaks kept as ``\\n``."""
    if type(value) is str:
        if value.isprintable() and "  " not in value and value == value.strip():
            return value  # the common case: nothing to clean (NBSP, tabs and line breaks are not printable)
        return _clean_text(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        return str(int(value)) if value.is_integer() else format_decimal(value)
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M") if value.time() != time(0) else format_date(value.date())
    if isinstance(value, date):
        return format_date(value)
    return _clean_text(str(value))


def _clean_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = _CONTROL.sub("", text)  # NUL and friends: invisible, and PostgreSQL refuses NUL in text
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def single_line(value: Any) -> str:
    text = cell_text(value)
    return text if "\n" not in text else " ".join(text.split())


def is_empty(value: Any) -> bool:
    if value is None or value == "":
        return True
    if type(value) is str:
        return not value.strip()  # str.strip also removes NBSP and line breaks
    return cell_text(value) == ""


def split_multi(value: Any, *, commas: bool = True) -> list[str]:
    """``a; b``, line breaks, and (where the vocabulary has no commas) ``a, b``."""
    pattern = r"[;\n,]" if commas else r"[;\n]"
    parts = [" ".join(p.split()) for p in re.split(pattern, cell_text(value))]
    result: list[str] = []
    for part in parts:
        if part and part not in result:
            result.append(part)
    return result


def format_multi(values: Iterable[str]) -> str:
    return "; ".join(values)


# --- numbers, money, dates, booleans ----------------------------------------------------------------------

_EXCEL_EPOCH = date(1899, 12, 30)
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2100, 12, 31)
_MAX_CENTS = 2_147_483_647  # the database column is a 32-bit integer
_DE_DATE = re.compile(r"^(\d{1,2})\s*\.\s*(\d{1,2})\s*\.\s*(\d{2}|\d{4})(?:,?\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")


def _check_range(value: date) -> date:
    if not MIN_DATE <= value <= MAX_DATE:
        raise ParseError(
            f"Das Datum {format_date(value)} liegt nicht zwischen 1900 und 2100 – Tippfehler im Jahr?"
        )
    return value


def _from_serial(serial: float) -> date:
    if not math.isfinite(serial) or serial < 1 or serial > (MAX_DATE - _EXCEL_EPOCH).days:
        raise ParseError(f"„{serial}“ ist keine Datumszahl; bitte als TT.MM.JJJJ eingeben.")
    return _check_range(_EXCEL_EPOCH + timedelta(days=int(serial)))


def parse_date(value: Any) -> date | None:
    """``TT.MM.JJJJ``, ``T.M.JJ``, ISO ``JJJJ-MM-TT``, date cells and Excel serial numbers."""
    if isinstance(value, bool):
        raise ParseError("Ein Wahrheitswert ist kein Datum; bitte als TT.MM.JJJJ eingeben.")
    if isinstance(value, datetime):
        return _check_range(value.date())
    if isinstance(value, date):
        return _check_range(value)
    if isinstance(value, int | float):
        return _from_serial(float(value))
    text = single_line(value)
    if not text:
        return None
    if text.isdigit() and 3 <= len(text) <= 5:
        return _from_serial(float(text))
    if match := _DE_DATE.match(text):
        day, month, year = (int(g) for g in match.groups())
        if len(match.group(3)) == 2:
            year += 2000 if year < 70 else 1900
    elif match := _ISO_DATE.match(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        raise ParseError(f"„{text}“ ist kein Datum; erwartet wird TT.MM.JJJJ, z. B. 31.12.2025.")
    try:
        return _check_range(date(year, month, day))
    except ValueError as exc:
        raise ParseError(f"„{text}“ ist ein unmögliches Datum (Tag oder Monat gibt es nicht).") from exc


def format_date(value: date | None) -> str:
    return "" if value is None else f"{value.day:02d}.{value.month:02d}.{value.year:04d}"


def _decimal_from_text(text: str, what: str) -> Decimal:
    """German number text (``1.234,50``, ``12 500``, ``3,5``) – also tolerates ``3.50`` and ``1,234.50``."""
    compact = re.sub(r"[\s'’]", "", text)
    if not re.fullmatch(r"\d[\d.,]*", compact):
        raise ParseError(f"„{text}“ ist kein {what}; erwartet z. B. 1.234,50.")
    last_comma, last_dot = compact.rfind(","), compact.rfind(".")
    if last_comma >= 0 and last_dot >= 0:
        decimal_sep = "," if last_comma > last_dot else "."
    elif last_comma >= 0:
        decimal_sep = "," if compact.count(",") == 1 else ""
    elif last_dot >= 0:
        groups = compact.split(".")
        decimal_sep = "" if len(groups) > 2 or len(groups[-1]) == 3 else "."
    else:
        decimal_sep = ""
    thousands_sep = "." if decimal_sep in (",", "") and "." in compact else ","
    integer, _, fraction = compact.rpartition(decimal_sep) if decimal_sep else (compact, "", "")
    if decimal_sep and not integer:
        integer, fraction = fraction, ""
    groups = integer.split(thousands_sep) if thousands_sep in integer else [integer]
    if (len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:]))) or (
        not all(g.isdigit() for g in groups) or (fraction and not fraction.isdigit())
    ):
        raise ParseError(f"„{text}“ ist kein gültiger {what}; erwartet z. B. 1.234,50.")
    return Decimal("".join(groups) + ("." + fraction if fraction else ""))


def parse_decimal(value: Any, *, what: str = "Zahl") -> Decimal | None:
    if isinstance(value, bool):
        raise ParseError(f"Ein Wahrheitswert ist keine {what}.")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ParseError(f"„{value}“ ist keine {what}.")
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    text = single_line(value)
    if not text:
        return None
    negative = text[0] in "-−–"
    number = _decimal_from_text(text.lstrip("-−– ").strip(), what)
    return -number if negative else number


def parse_money_cents(value: Any) -> int | None:
    """Euros → integer cents: ``12.500,00 €``, ``12500``, ``12 500``, ``3,50 EUR`` or a numeric cell."""
    if isinstance(value, str | bytes):
        text = re.sub(r"(€|EUR|Euro)", "", single_line(value), flags=re.IGNORECASE).strip()
        if not text:
            if single_line(value):
                raise ParseError("Es fehlt der Betrag; erwartet z. B. 1.234,50 €.")
            return None
        value = text
    amount = parse_decimal(value, what="Betrag")
    if amount is None:
        return None
    if amount < 0:
        raise ParseError(
            f"Der Betrag {format_money(int(amount * 100))} ist negativ; Beträge müssen ≥ 0 sein."
        )
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ParseError("Ein Betrag hat höchstens zwei Nachkommastellen (Cent).")
    if cents > _MAX_CENTS:
        raise ParseError("Der Betrag ist unplausibel groß (über 21 Mio. €) – Tippfehler?")
    return int(cents)


def format_money(cents: int | None) -> str:
    """Integer cents → ``1.234,56 €`` (plain spaces, so the text survives CSV round trips)."""
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    return f"{sign}{euros:,}".replace(",", ".") + f",{rest:02d} €"


def format_decimal(value: float | Decimal) -> str:
    text = f"{value}" if isinstance(value, Decimal) else repr(float(value))
    if "e" in text.lower():
        text = f"{Decimal(text):f}"
    return text.replace(".", ",")


def parse_float(value: Any, *, what: str = "Zahl") -> float | None:
    number = parse_decimal(value, what=what)
    return None if number is None else float(number)


def parse_int(value: Any, *, what: str = "ganze Zahl") -> int | None:
    number = parse_decimal(value, what=what)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ParseError(f"„{cell_text(value)}“ ist keine {what}.")
    return int(number)


def parse_year(value: Any) -> int | None:
    year = parse_int(value, what="Jahreszahl")
    if year is not None and not 1990 <= year <= 2100:
        raise ParseError(f"„{cell_text(value)}“ ist kein plausibles Jahr (vierstellig, z. B. 2024).")
    return year


_TRUE = {"ja", "j", "x", "1", "wahr", "true", "yes", "y", "erforderlich"}
_FALSE = {"nein", "n", "0", "falsch", "false", "no", "nicht erforderlich"}


def parse_bool(value: Any) -> bool | None:
    """``ja/nein``, ``x``, ``1/0``, ``wahr/falsch`` and Boolean cells."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = single_line(value).casefold()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ParseError(
        f"„{single_line(value)}“ ist weder ja noch nein; erlaubt sind ja/nein, x, 1/0, wahr/falsch."
    )


def format_bool(value: bool | None) -> str:
    return "" if value is None else ("ja" if value else "nein")


# --- ages -------------------------------------------------------------------------------------------------

# "months"/"years" too: the English interface writes ages that way (format_age) and must read them back.
_AGE = re.compile(
    r"^(\d+(?:[.,]\d+)?)\s*(monate?n?|months?|mon\.?|m|jahren?|jahre|years?|j\.?)?$", re.IGNORECASE
)
MAX_AGE = 120


def parse_age(value: Any) -> float | None:
    """Years; ``0`` = from birth; ``6 Monate`` → 0.5."""
    if isinstance(value, bool):
        raise ParseError("Ein Wahrheitswert ist kein Alter.")
    if isinstance(value, int | float):
        years = float(value)
    else:
        text = single_line(value)
        if not text:
            return None
        match = _AGE.match(text)
        if not match:
            raise ParseError(
                f"„{text}“ ist kein Alter; erwartet Jahre (z. B. 3) oder Monate (z. B. 6 Monate)."
            )
        number = float(match.group(1).replace(",", "."))
        unit = (match.group(2) or "").casefold()
        years = _months_to_years(number) if unit.startswith("m") else number
    if not math.isfinite(years) or not 0 <= years <= MAX_AGE:
        raise ParseError(f"„{cell_text(value)}“ ist kein plausibles Alter (0 bis {MAX_AGE} Jahre).")
    return years


def _months_to_years(months: float) -> float:
    return round(months / 12, 4)


def _months(years: float) -> float | None:
    """The months that :func:`parse_age` turns back into ``years``: whole if possible, else decimals."""
    for months in (float(round(years * 12)), round(years * 12, 3)):
        if months > 0 and _months_to_years(months) == years:
            return months
    return None


def format_age(years: float | None, locale: str | None = None) -> str:
    """An age as people read it – on cards, in easy language, in form fields and workbook cells alike.

    Whole years as an integer (``3``); below one year in months (``6 Monate``, ``1 Monat``, ``3,6 Monate``;
    English ``6 months``); any other age as a decimal with the locale's separator (``1,5``; English ``1.5``).
    :func:`parse_age` reads every output back to the same value (a months text only where it does).
    ``locale`` defaults to the current request's; workbook cells and German messages pass ``"de"``.
    """
    if years is None:
        return ""
    if float(years).is_integer():
        return str(int(years))
    english = (locale or current_locale.get()) == "en"
    months = _months(years) if 0 < years < 1 else None
    if months is not None:
        number = str(int(months)) if months.is_integer() else format_decimal(months)
        if english:
            return f"{number.replace(',', '.')} {'month' if months == 1 else 'months'}"
        return f"{number} {'Monat' if months == 1 else 'Monate'}"
    text = format_decimal(years)
    return text.replace(",", ".") if english else text


# --- vocabularies -----------------------------------------------------------------------------------------


def _term_index(terms: Iterable[Term]) -> dict[str, str]:
    index: dict[str, str] = {}
    for term in terms:
        for name in (term.code, term.de, term.en, *term.aliases):
            index.setdefault(fold_key(name), term.code)
    return index


_ZIELGRUPPEN = _term_index(vocab.ZIELGRUPPEN)
_THEMEN = _term_index(vocab.THEMEN)
_EINRICHTUNGSARTEN = _term_index(vocab.EINRICHTUNGSARTEN)
_TRAEGERARTEN = _term_index(vocab.TRAEGERARTEN)
_STATUS = _term_index(vocab.STATUS_TERMS)
_HF: dict[str, int] = {}
for _hf in vocab.HANDLUNGSFELDER:
    for _name in (
        str(_hf.number),
        _hf.code,
        f"HF {_hf.number}",
        f"Handlungsfeld {_hf.number}",
        _hf.name,
        *_hf.aliases,
    ):
        _HF[fold_key(_name)] = _hf.number
_SPRACHEN = {fold_key(s): s for s in vocab.SPRACHEN}


def _unknown_term(text: str, terms: Sequence[Term], what: str) -> ParseError:
    labels = [t.de for t in terms]
    close = process.extract(text, labels, scorer=fuzz.WRatio, processor=fold_key, limit=2, score_cutoff=80)
    hint = f" Meinten Sie {' oder '.join(f'„{c[0]}“' for c in close)}?" if close else ""
    return ParseError(f"„{text}“ ist keine bekannte {what}.{hint} Erlaubt: {', '.join(labels)}.")


def _parse_terms(value: Any, terms: Sequence[Term], index: dict[str, str], what: str) -> list[str]:
    codes: list[str] = []
    for part in split_multi(value):
        code = index.get(fold_key(part))
        if code is None:
            raise _unknown_term(part, terms, what)
        if code not in codes:
            codes.append(code)
    return codes


def parse_zielgruppen(value: Any) -> list[str]:
    """Labels or codes of the Zielgruppen, multi-value → codes."""
    return _parse_terms(value, vocab.ZIELGRUPPEN, _ZIELGRUPPEN, "Zielgruppe")


def parse_themen(value: Any) -> list[str]:
    return _parse_terms(value, vocab.THEMEN, _THEMEN, "Thema-Bezeichnung")


def parse_traegerart(value: Any) -> str | None:
    text = single_line(value)
    if not text:
        return None
    code = _TRAEGERARTEN.get(fold_key(text))
    if code is None:
        raise _unknown_term(text, vocab.TRAEGERARTEN, "Trägerart")
    return code


def parse_einrichtungsart(value: Any) -> str | None:
    """Code of the Einrichtungsart, or ``None`` when unknown (the caller stores ``sonstige`` and warns)."""
    text = single_line(value)
    if not text:
        return None
    return _EINRICHTUNGSARTEN.get(fold_key(text)) or _EINRICHTUNGSARTEN.get(fold_key(text.split("(")[0]))


def parse_status(value: Any) -> str | None:
    text = single_line(value)
    if not text:
        return None
    code = _STATUS.get(fold_key(text))
    if code is None:
        raise ParseError(
            f"„{text}“ ist kein Status; erlaubt: aktiv, vorübergehend geschlossen, geschlossen, umgezogen."
        )
    return str(code)


def parse_handlungsfeld(value: Any) -> int | None:
    """``1``–``6``, ``HF 3`` or the Handlungsfeld's name."""
    if isinstance(value, bool):
        raise ParseError("Ein Wahrheitswert ist kein Handlungsfeld (1–6).")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = single_line(value)
    if not text:
        return None
    number = _HF.get(fold_key(text))
    if number is None:
        raise ParseError(
            f"„{text}“ ist kein Handlungsfeld; erlaubt: 1–6, „HF 3“ oder der Name, z. B. "
            "„Beratung, Unterstützung und Information“."
        )
    return number


def parse_sprachen(value: Any) -> list[str]:
    """Known languages get their canonical spelling; others are kept as written."""
    return [_SPRACHEN.get(fold_key(p), p) for p in split_multi(value)]


_BARRIEREFREI = {"ja": "ja", "nein": "nein", "teilweise": "teilweise", "teilw": "teilweise"}
_BARRIEREFREI |= {
    "eingeschraenkt": "teilweise",
    "x": "ja",
    "1": "ja",
    "0": "nein",
    "wahr": "ja",
    "falsch": "nein",
}


def parse_barrierefrei(value: Any) -> tuple[str | None, str | None]:
    """``ja``, ``nein``, ``teilweise`` with an optional note after ``:`` → (code, note)."""
    if isinstance(value, bool):
        return ("ja" if value else "nein"), None
    text = cell_text(value)
    if not text:
        return None, None
    head, _, note = text.partition(":")
    code = _BARRIEREFREI.get(fold_key(head))
    if code is None:
        raise ParseError(
            f"„{single_line(text)}“: erlaubt sind ja, nein oder teilweise, optional mit Hinweis nach "
            "Doppelpunkt (z. B. „teilweise: Aufzug im Nachbarhaus“)."
        )
    return code, (" ".join(note.split()) or None)


def format_barrierefrei(code: str | None, note: str | None) -> str:
    if code is None:
        return ""
    return f"{code}: {note}" if note else code


@dataclass(frozen=True)
class Kosten:
    art: str | None  # vocab.KostenArt or None when the cell is empty
    cents: int | None = None
    text: str | None = None


_FREE = {"kostenlos", "kostenfrei", "gratis", "frei", "umsonst", "0", "0,00", "0€", "keine", "ohne"}


def parse_kosten(value: Any) -> Kosten:
    """``kostenlos``/``0``, an amount (``3,50 €``) or free text (``nach Einkommen``)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        cents = parse_money_cents(value)
        return Kosten("kostenlos") if cents == 0 else Kosten("betrag", cents)
    text = single_line(value)
    if not text:
        return Kosten(None)
    if fold_key(text) in {fold_key(f) for f in _FREE}:
        return Kosten("kostenlos")
    if re.fullmatch(r"-?\s*[\d.,\s]+\s*(€|EUR|Euro)?", text, flags=re.IGNORECASE):
        cents = parse_money_cents(text)
        return Kosten("kostenlos") if cents == 0 else Kosten("betrag", cents)
    return Kosten("text", None, text)


def format_kosten(kosten: Kosten) -> str:
    if kosten.art == "kostenlos":
        return "kostenlos"
    if kosten.art == "betrag":
        return format_money(kosten.cents)
    return kosten.text or ""


# --- contact data -----------------------------------------------------------------------------------------

_EMAIL_RE = re.compile(r"^[^@\s<>;,]+@[^@\s<>;,]+\.[A-Za-z]{2,}$")
_URL_RE = re.compile(r"^https?://[^\s/]+\.[^\s/]+(/\S*)?$", re.IGNORECASE)


def parse_email(value: Any) -> str | None:
    text = single_line(value).removeprefix("mailto:").strip()
    if not text:
        return None
    if not _EMAIL_RE.match(text):
        raise ParseError(f"„{text}“ ist keine E-Mail-Adresse (Form: name@beispiel.de).")
    return text


def parse_url(value: Any) -> str | None:
    """A web address; ``www.x.de`` gets ``https://``."""
    text = single_line(value)
    if not text:
        return None
    if not re.match(r"^https?://", text, re.IGNORECASE):
        text = "https://" + text.lstrip("/")
    if not _URL_RE.match(text):
        raise ParseError(f"„{single_line(value)}“ ist keine Web-Adresse (Form: www.beispiel.de).")
    return text


def parse_phone(value: Any) -> str | None:
    if isinstance(value, float | int) and not isinstance(value, bool):
        if not math.isfinite(value) or value != int(value) or value <= 0:
            raise ParseError(f"„{value}“ ist keine Telefonnummer (z. B. 03641 49-1234).")
        value = "0" + str(int(value))  # a number cell lost the leading zero of the area code
    text = single_line(value)
    if not text:
        return None
    if sum(c.isdigit() for c in text) < 4 or re.search(r"[^\d\s+()/\-–.]", text.split(" (")[0]):
        raise ParseError(f"„{text}“ ist keine Telefonnummer (z. B. 03641 49-1234).")
    return text


def parse_plz(value: Any) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not float(value).is_integer():
            raise ParseError(f"„{value}“ ist keine Postleitzahl (fünf Ziffern).")
        value = f"{int(value):05d}"
    text = single_line(value).replace(" ", "")
    if not text:
        return None
    if not re.fullmatch(r"\d{5}", text):
        raise ParseError(f"„{text}“ ist keine Postleitzahl (fünf Ziffern, z. B. 07743).")
    return text


def parse_text(value: Any) -> str | None:
    return cell_text(value) or None


def parse_line(value: Any) -> str | None:
    return single_line(value) or None


def parse_id_list(value: Any) -> list[str]:
    """Multi-value ids (``A-0001; A-0002``), in order, without duplicates; each checked like an id."""
    ids: list[str] = []
    for part in split_multi(value):
        found = parse_external_id(part)
        if found and found not in ids:
            ids.append(found)
    return ids


def parse_external_id(value: Any) -> str | None:
    text = single_line(value)
    if len(text) > 60:
        raise ParseError("Eine ID hat höchstens 60 Zeichen.")
    return text or None


# --- districts --------------------------------------------------------------------------------------------


def parse_districts(value: Any, resolver: DistrictResolver) -> DistrictMatch | None:
    """A multi-value district cell (names, aliases, Planungsräume, ``stadtweit``) → slugs, or suggestions."""
    parts = split_multi(value, commas=True)
    if not parts:
        return None
    try:
        return resolver.resolve_many(parts)
    except UnknownDistrict as exc:
        hint = f" – meinten Sie {', '.join(exc.suggestions)}?" if exc.suggestions else ""
        raise ParseError(
            f"Unbekannter Ortsteil „{exc.text}“{hint} Erlaubt sind die 30 Ortsteile, ihre Aliase, "
            "Planungsräume und „stadtweit“."
        ) from exc
