"""Value parsers: every tolerance rule of the spreadsheet format, and properties over arbitrary input."""

from __future__ import annotations

import contextlib
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.catalogue import values as c
from app.catalogue.districts import DistrictResolver
from app.i18n import current_locale

ANY_CELL = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
)
RESOLVER = DistrictResolver.default()


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("31.12.2025", date(2025, 12, 31)),
        ("1.2.24", date(2024, 2, 1)),
        ("01.02.99", date(1999, 2, 1)),
        ("2025-03-04", date(2025, 3, 4)),
        ("04.03.2025 00:00", date(2025, 3, 4)),  # a date cell exported to CSV with its time
        (" 04.03.2025\u00a0", date(2025, 3, 4)),
        (date(2024, 5, 6), date(2024, 5, 6)),
        (datetime(2024, 5, 6, 13, 0), date(2024, 5, 6)),
        (45658, date(2025, 1, 1)),  # Excel serial number
        (45658.75, date(2025, 1, 1)),
        ("45658", date(2025, 1, 1)),
        ("", None),
        (None, None),
    ],
)
def test_parse_date_accepts_the_documented_forms(cell: Any, expected: date | None) -> None:
    assert c.parse_date(cell) == expected


@pytest.mark.parametrize("cell", ["31.02.2025", "32.1.2025", "2025-13-01", "morgen", "1.1.2250", True, -5])
def test_parse_date_rejects_impossible_dates(cell: Any) -> None:
    with pytest.raises(c.ParseError):
        c.parse_date(cell)


@pytest.mark.parametrize(
    ("cell", "cents"),
    [
        ("12.500,00 €", 1_250_000),
        ("12500", 1_250_000),
        ("12 500", 1_250_000),
        ("12\u00a0500 €", 1_250_000),
        ("1.234,50", 123_450),
        ("3,50 €", 350),
        ("3,5", 350),
        ("3.50", 350),
        ("1,234.50", 123_450),
        ("EUR 7", 700),
        (12500, 1_250_000),
        (35246.14, 3_524_614),
        (0, 0),
        ("", None),
    ],
)
def test_parse_money_cents(cell: Any, cents: int | None) -> None:
    assert c.parse_money_cents(cell) == cents


@pytest.mark.parametrize(
    "cell", ["-5,00 €", -3, "12,345,6", "1.2.3,4", "zwölf Euro", "3,505", "€", "99999999999"]
)
def test_parse_money_rejects_negative_and_unparseable(cell: Any) -> None:
    with pytest.raises(c.ParseError):
        c.parse_money_cents(cell)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        *[("ja", True), ("Ja ", True), ("x", True), ("1", True), (1, True), ("wahr", True), (True, True)],
        *[("nein", False), ("0", False), (0, False), ("falsch", False), (False, False), ("", None)],
    ],
)
def test_parse_bool(cell: Any, expected: bool | None) -> None:
    assert c.parse_bool(cell) is expected


def test_parse_bool_rejects_other_words() -> None:
    with pytest.raises(c.ParseError, match="ja/nein"):
        c.parse_bool("vielleicht")


@pytest.mark.parametrize(
    ("cell", "years"),
    [
        ("6 Monate", 0.5),
        ("18 Monate", 1.5),
        ("3", 3.0),
        (3, 3.0),
        ("0", 0.0),
        ("2,5", 2.5),
        ("3 Jahre", 3.0),
        ("6 months", 0.5),
        ("2 years", 2.0),
    ],
)
def test_parse_age(cell: Any, years: float) -> None:
    assert c.parse_age(cell) == years


@pytest.mark.parametrize("cell", ["-1", "200", "alt", "drei"])
def test_parse_age_rejects(cell: str) -> None:
    with pytest.raises(c.ParseError):
        c.parse_age(cell)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("ja", ("ja", None)),
        ("nein", ("nein", None)),
        ("teilweise: Aufzug im Nachbarhaus", ("teilweise", "Aufzug im Nachbarhaus")),
        ("Teilweise:  Rampe  ", ("teilweise", "Rampe")),
        ("", (None, None)),
    ],
)
def test_parse_barrierefrei(cell: str, expected: tuple[str | None, str | None]) -> None:
    assert c.parse_barrierefrei(cell) == expected


def test_parse_barrierefrei_rejects_unknown() -> None:
    with pytest.raises(c.ParseError, match="teilweise"):
        c.parse_barrierefrei("meistens")


@pytest.mark.parametrize(
    ("cell", "number"),
    [
        *[("3", 3), (3.0, 3), ("HF 3", 3), ("hf4", 4), ("Dialog der Generationen", 6)],
        *[
            ("Vereinbarkeit von Familie, Beruf sowie Mobilität", 2),
            ("Steuerung, Vernetzung, Nachhaltigkeit", 1),
        ],
    ],
)
def test_parse_handlungsfeld(cell: Any, number: int) -> None:
    assert c.parse_handlungsfeld(cell) == number


@pytest.mark.parametrize("cell", ["7", "HF 0", "Bildung"])
def test_parse_handlungsfeld_rejects(cell: str) -> None:
    with pytest.raises(c.ParseError):
        c.parse_handlungsfeld(cell)


def test_vocabulary_accepts_labels_codes_and_separators() -> None:
    cell = "Eltern mit Babys und Kleinkindern (0–3 J.); alleinerziehende,\nSENIORINNEN UND SENIOREN"
    assert c.parse_zielgruppen(cell) == ["eltern-baby", "alleinerziehende", "senioren"]
    assert c.parse_themen("Sport; begegnung") == ["bewegung", "begegnung"]


def test_unknown_zielgruppe_lists_the_allowed_values() -> None:
    with pytest.raises(c.ParseError) as info:
        c.parse_zielgruppen("Familien; Teenager")
    message = str(info.value)
    assert "Teenager" in message
    assert "Alleinerziehende" in message and "Großeltern" in message


def test_contact_fields() -> None:
    assert c.parse_url("www.example.org/x") == "https://www.example.org/x"
    assert c.parse_url("http://example.org") == "http://example.org"
    assert c.parse_email("mailto:info@example.org") == "info@example.org"
    assert c.parse_plz(7743) == "07743"
    assert c.parse_plz("07 745") == "07745"
    with pytest.raises(c.ParseError):
        c.parse_email("info(at)example.org")
    with pytest.raises(c.ParseError):
        c.parse_plz("0774")


def test_kosten_forms() -> None:
    assert c.parse_kosten("kostenlos") == c.Kosten("kostenlos")
    assert c.parse_kosten("0") == c.Kosten("kostenlos")
    assert c.parse_kosten("3,50 €") == c.Kosten("betrag", 350)
    assert c.parse_kosten(2.5) == c.Kosten("betrag", 250)
    assert c.parse_kosten("nach Einkommen") == c.Kosten("text", None, "nach Einkommen")
    with pytest.raises(c.ParseError):
        c.parse_kosten("-3,00 €")


def test_cell_text_cleans_spaces_but_keeps_paragraphs() -> None:
    assert c.cell_text("  Kita\u00a0Sonnenschein \t") == "Kita Sonnenschein"
    assert c.cell_text("Absatz eins. \r\n\r\nAbsatz zwei.  ") == "Absatz eins.\n\nAbsatz zwei."
    assert c.single_line("Zeile\neins") == "Zeile eins"
    assert c.cell_text("Kita\x00 Sonne\x1b") == "Kita Sonne"


def test_districts_resolve_and_suggest() -> None:
    match = c.parse_districts("Winzerla; Lobeda-West", RESOLVER)
    assert match is not None and set(match.ortsteile) == {"winzerla", "neulobeda"}
    stadtweit = c.parse_districts("ganz Jena", RESOLVER)
    assert stadtweit is not None and stadtweit.stadtweit
    with pytest.raises(c.ParseError, match=r"Neulobeda|Lobeda-Altstadt"):
        c.parse_districts("Lobda-Altstdt", RESOLVER)


# --- properties ---------------------------------------------------------------------------------------------

PARSERS = [
    c.parse_date,
    c.parse_money_cents,
    c.parse_bool,
    c.parse_age,
    c.parse_handlungsfeld,
    c.parse_zielgruppen,
    c.parse_themen,
    c.parse_barrierefrei,
    c.parse_kosten,
    c.parse_plz,
    c.parse_email,
    c.parse_url,
    c.parse_phone,
    c.parse_status,
    c.parse_traegerart,
    c.parse_year,
    c.parse_float,
]


@pytest.mark.parametrize("parser", PARSERS, ids=lambda p: p.__name__)
@settings(max_examples=150, deadline=None)
@given(cell=ANY_CELL)
def test_parsers_raise_only_parse_errors(parser: Any, cell: Any) -> None:
    with contextlib.suppress(c.ParseError):
        parser(cell)


@settings(max_examples=150, deadline=None)
@given(cell=ANY_CELL)
def test_district_parser_raises_only_parse_errors(cell: Any) -> None:
    with contextlib.suppress(c.ParseError):
        c.parse_districts(cell, RESOLVER)


@given(st.dates(min_value=c.MIN_DATE, max_value=c.MAX_DATE))
def test_exported_dates_parse_back(value: date) -> None:
    assert c.parse_date(c.format_date(value)) == value


@given(st.integers(min_value=0, max_value=2_000_000_000))
def test_exported_money_parses_back(cents: int) -> None:
    assert c.parse_money_cents(c.format_money(cents)) == cents
    assert c.parse_money_cents(cents / 100) == cents  # the exporter's numeric cell


@given(st.booleans())
def test_exported_booleans_parse_back(value: bool) -> None:
    assert c.parse_bool(c.format_bool(value)) is value


@given(
    st.one_of(
        st.integers(min_value=0, max_value=120).map(float),
        st.integers(min_value=1, max_value=1400).map(lambda months: round(months / 12, 4)),
        st.floats(min_value=0, max_value=120, allow_nan=False).map(lambda x: round(x, 3)),
    )
)
def test_exported_ages_parse_back(years: float) -> None:
    for locale in ("de", "en"):
        assert c.parse_age(c.format_age(years, locale)) == years


@given(st.text(alphabet="0123456789,.", min_size=1, max_size=8))
def test_accepted_ages_read_the_same_after_formatting(cell: str) -> None:
    """Whatever the importer or a form accepts stays the same value when a form shows it again."""
    with contextlib.suppress(c.ParseError):
        years = c.parse_age(cell)
        if years is not None:
            for locale in ("de", "en"):
                assert c.parse_age(c.format_age(years, locale)) == years


@pytest.mark.parametrize(
    ("years", "german", "english"),
    [
        (None, "", ""),
        (0.0, "0", "0"),
        (3.0, "3", "3"),
        (18.0, "18", "18"),
        (0.5, "6 Monate", "6 months"),
        (c.parse_age("1 Monat"), "1 Monat", "1 month"),
        (c.parse_age("11 Monate"), "11 Monate", "11 months"),
        (0.3, "3,6 Monate", "3.6 months"),  # below one year always in months, exactly
        (1.5, "1,5", "1.5"),  # from one year on: years, never "18 Monate"
        (2.25, "2,25", "2.25"),
        (0.12345, "0,12345", "0.12345"),  # no months text reads back as exactly this
    ],
)
def test_format_age_rule(years: float | None, german: str, english: str) -> None:
    assert c.format_age(years, "de") == german
    assert c.format_age(years, "en") == english


def test_format_age_follows_the_request_locale() -> None:
    token = current_locale.set("en")
    try:
        assert c.format_age(0.5) == "6 months"
    finally:
        current_locale.reset(token)
    assert c.format_age(0.5) == "6 Monate"


@given(
    st.one_of(
        st.just(c.Kosten("kostenlos")),
        st.integers(min_value=1, max_value=2_000_000_000).map(lambda cents: c.Kosten("betrag", cents)),
        st.sampled_from(["nach Einkommen", "Spende erbeten", "nach Kassenleistung"]).map(
            lambda text: c.Kosten("text", None, text)
        ),
    )
)
def test_exported_kosten_parse_back(kosten: c.Kosten) -> None:
    assert c.parse_kosten(c.format_kosten(kosten)) == kosten


@given(
    st.sampled_from(["ja", "nein", "teilweise"]),
    st.one_of(st.none(), st.sampled_from(["Rampe", "Aufzug: hinten"])),
)
def test_exported_barrierefrei_parses_back(code: str, note: str | None) -> None:
    assert c.parse_barrierefrei(c.format_barrierefrei(code, note)) == (code, note)
