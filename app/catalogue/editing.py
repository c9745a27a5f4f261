"""The editable public fields of Einrichtung and Angebot: form parsing, canonical values, display, applying.

A form field maps to one or more model fields (``Kosten`` → kosten_art/kosten_cents/kosten_text). Values are
parsed with the importer's parsers (one rule for workbook and web form) and kept in a canonical JSON form
(dates ISO, relations as code lists) so a draft can store them and a moderator can compare them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from fastapi import Request
from sqlmodel import Session, select

from app.catalogue import values as cell_values
from app.catalogue import vocab
from app.catalogue.districts import DistrictResolver
from app.catalogue.models import Angebot, Einrichtung, Foerderung, Ortsteil, Thema, Zielgruppe
from app.catalogue.values import ParseError
from app.formatting import format_euro
from app.i18n import N_
from app.i18n import gettext as _

Raw = str | list[str]


Choices = list[tuple[str, str]]

# Invisible characters that can disguise text (bidi overrides, zero-width spaces); refused with a message.
_DISGUISING = re.compile("[\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
RELATION_FIELDS = ("zielgruppen", "themen", "ortsteile")
DATE_FIELDS = ("gueltig_von", "gueltig_bis")


@dataclass(frozen=True)
class Context:
    resolver: DistrictResolver
    ortsteile: Mapping[str, str]  # slug -> name


def clean_text(raw: Raw, *, max_length: int, multiline: bool) -> str | None:
    """Trimmed NFC text; control and disguising characters are refused, not silently dropped."""
    text = raw if isinstance(raw, str) else " ".join(raw)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    allowed = "\n\t" if multiline else "\t"
    if any(unicodedata.category(c) == "Cc" and c not in allowed for c in text):
        raise ParseError(_("Enthält unzulässige Steuerzeichen – bitte als normalen Text eingeben."))
    if _DISGUISING.search(text):
        raise ParseError(
            _("Enthält unsichtbare Sonderzeichen (z. B. Schreibrichtungs-Umkehr), die nicht erlaubt sind.")
        )
    text = cell_values.cell_text(text) if multiline else cell_values.single_line(text)
    if len(text) > max_length:
        raise ParseError(_("Höchstens {n} Zeichen (eingegeben: {m}).").format(n=max_length, m=len(text)))
    return text or None


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    widget: str  # line | text | select | checkboxes | checkbox
    parse: Callable[[Raw, Context], dict[str, Any]]
    to_form: Callable[[Any], Raw]
    targets: tuple[str, ...]
    required: bool = False
    hint: str = ""
    max_length: int = 300
    choices: Callable[[Context], Choices] | None = field(default=None)


# --- parsers (form text → {model field: canonical value}) --------------------------------------------------


def _single(name: str, parser: Callable[[str], Any], max_length: int = 300) -> Callable[[Raw, Context], dict]:
    def parse(raw: Raw, _ctx: Context) -> dict[str, Any]:
        text = clean_text(raw, max_length=max_length, multiline=False)
        return {name: parser(text) if text else None}

    return parse


def _text(name: str, max_length: int, multiline: bool = True) -> Callable[[Raw, Context], dict]:
    def parse(raw: Raw, _ctx: Context) -> dict[str, Any]:
        return {name: clean_text(raw, max_length=max_length, multiline=multiline)}

    return parse


def _choice(name: str, codes: Callable[[Context], Sequence[str]], *, as_int: bool = False) -> Callable:
    def parse(raw: Raw, ctx: Context) -> dict[str, Any]:
        value = raw if isinstance(raw, str) else (raw[0] if raw else "")
        if not value:
            return {name: None}
        if value not in codes(ctx):
            raise ParseError(_("Bitte einen Eintrag aus der Liste wählen."))
        return {name: int(value) if as_int else value}

    return parse


def _multi(name: str, codes: Callable[[Context], Sequence[str]]) -> Callable[[Raw, Context], dict]:
    def parse(raw: Raw, ctx: Context) -> dict[str, Any]:
        values = [raw] if isinstance(raw, str) and raw else (list(raw) if isinstance(raw, list) else [])
        allowed = codes(ctx)
        if any(v not in allowed for v in values):
            raise ParseError(_("Bitte nur Einträge aus der Liste wählen."))
        return {name: sorted(set(values))}

    return parse


def _checkbox(name: str) -> Callable[[Raw, Context], dict]:
    return lambda raw, _ctx: {name: bool(raw)}


def _date(text: str) -> str | None:
    value = cell_values.parse_date(text)
    return value.isoformat() if value else None


def _coordinate(text: str, low: float, high: float) -> float | None:
    value = cell_values.parse_float(text, what="Koordinate")
    if value is not None and not low <= value <= high:
        raise ParseError(
            _("Die Koordinate liegt nicht in Jena (erlaubt {lo} bis {hi}).").format(lo=low, hi=high)
        )
    return value


def _plz(text: str) -> str | None:
    value = cell_values.parse_plz(text)
    low, high = vocab.PLZ_RANGE
    if value is not None and not low <= int(value) <= high:
        raise ParseError(_("Die Postleitzahl gehört nicht zu Jena (07743 bis 07751)."))
    return value


def _sprachen(raw: Raw, _ctx: Context) -> dict[str, Any]:
    text = clean_text(raw, max_length=300, multiline=False)
    return {"sprachen": cell_values.parse_sprachen(text) if text else []}


def _offer_sprachen(raw: Raw, _ctx: Context) -> dict[str, Any]:
    text = clean_text(raw, max_length=300, multiline=False)
    return {"sprachen": cell_values.parse_sprachen(text) if text else None}  # empty = like the institution


def _kosten(raw: Raw, _ctx: Context) -> dict[str, Any]:
    text = clean_text(raw, max_length=500, multiline=False)
    kosten = cell_values.parse_kosten(text or "")
    return {"kosten_art": kosten.art, "kosten_cents": kosten.cents, "kosten_text": kosten.text}


def _districts(raw: Raw, ctx: Context) -> dict[str, Any]:
    text = clean_text(raw, max_length=500, multiline=False)
    match = cell_values.parse_districts(text or "", ctx.resolver)
    if match is None:
        return {"ortsteile": [], "stadtweit": False}
    return {"ortsteile": sorted(match.ortsteile), "stadtweit": match.stadtweit}


def _district_choices(raw: Raw, ctx: Context) -> dict[str, Any]:
    """Ticked boxes (Ortsteil slugs, „stadtweit“); a typed list („Lobeda; Winzerla“) is understood too."""
    values = [raw] if isinstance(raw, str) and raw else (list(raw) if isinstance(raw, list) else [])
    known = set(ctx.ortsteile) | {"stadtweit"}
    if len(values) == 1 and values[0] not in known:
        return _districts(values[0], ctx)
    if any(v not in known for v in values):
        raise ParseError(_("Bitte nur Einträge aus der Liste wählen."))
    return {"ortsteile": sorted({v for v in values if v != "stadtweit"}), "stadtweit": "stadtweit" in values}


def _district_boxes(record: Any) -> list[str]:
    return sorted(o.slug for o in record.ortsteile) + (["stadtweit"] if record.stadtweit else [])


def _anmeldung(raw: Raw, _ctx: Context) -> dict[str, Any]:
    value = raw if isinstance(raw, str) else ""
    if value not in ("", "ja", "nein"):
        raise ParseError(_("Bitte ja oder nein wählen."))
    return {"anmeldung": cell_values.parse_bool(value)}


def _einrichtung_ortsteil(raw: Raw, ctx: Context) -> dict[str, Any]:
    value = raw if isinstance(raw, str) else ""
    if value not in ctx.ortsteile:
        raise ParseError(_("Bitte den Ortsteil aus der Liste wählen."))
    return {"ortsteil": value}


# --- form values from a record ----------------------------------------------------------------------------


def _attr(name: str, fmt: Callable[[Any], str] = lambda v: "" if v is None else str(v)) -> Callable:
    return lambda record: fmt(getattr(record, name, None))


def _fmt_float(value: Any) -> str:
    return "" if value is None else cell_values.format_decimal(value)


def _iso_date(value: Any) -> str:
    """The value of an ``<input type="date">`` is ISO (the browser shows it in the visitor's format)."""
    return value.isoformat() if isinstance(value, date) else ""


def _kosten_form(record: Any) -> str:
    kosten = cell_values.Kosten(record.kosten_art, record.kosten_cents, record.kosten_text)
    return cell_values.format_kosten(kosten)


def _line(
    name: str,
    label: str,
    parser: Callable[[str], Any],
    max_length: int,
    *,
    to_form: Callable[[Any], str] | None = None,
    widget: str = "line",
    hint: str = "",
) -> FieldSpec:
    """A one-line field for one model field, read by one value parser."""
    return FieldSpec(
        name,
        label,
        widget,
        _single(name, parser, max_length),
        _attr(name, to_form) if to_form else _attr(name),
        (name,),
        hint=hint,
        max_length=max_length,
    )


def _date_field(name: str, label: str) -> FieldSpec:
    hint = N_("Datum im Format TT.MM.JJJJ, z. B. 31.12.2026")
    return _line(name, label, _date, 30, to_form=_iso_date, widget="date", hint=hint)


def _coordinate_field(name: str, label: str, bounds: tuple[float, float], hint: str) -> FieldSpec:
    return _line(name, label, lambda t: _coordinate(t, *bounds), 30, to_form=_fmt_float, hint=hint)


def _select(
    name: str, label: str, options: Sequence[tuple[str, str]], *, required: bool = False
) -> FieldSpec:
    """A drop-down for one model field; ``options`` are (code, German label), the codes the valid values."""
    codes = [code for code, _label in options]
    return FieldSpec(
        name,
        label,
        "select",
        _choice(name, lambda c: codes),
        _attr(name),
        (name,),
        required=required,
        choices=lambda c: [(code, _(label)) for code, label in options],
    )


def _term_boxes(name: str, label: str, terms: Sequence[vocab.Term], *, required: bool = False) -> FieldSpec:
    """Checkboxes for a vocabulary relation (``name`` is the record's list of rows with a ``code``)."""
    codes = [t.code for t in terms]
    return FieldSpec(
        name,
        label,
        "checkboxes",
        _multi(name, lambda c: codes),
        lambda r: [row.code for row in getattr(r, name)],
        (name,),
        required=required,
        choices=lambda c: [(t.code, _(t.de)) for t in terms],
    )


def _free_text(
    name: str, label: str, max_length: int, *, multiline: bool = True, required: bool = False, hint: str = ""
) -> FieldSpec:
    """A text field for one model field, kept as typed (trimmed)."""
    return FieldSpec(
        name,
        label,
        "text" if multiline else "line",
        _text(name, max_length, multiline),
        _attr(name),
        (name,),
        required=required,
        hint=hint,
        max_length=max_length,
    )


# The fields Einrichtung and Angebot share (same model field, same rule, same form control).
_BESCHREIBUNG = _free_text("beschreibung", N_("Beschreibung"), 5000)
_BARRIEREFREI = _select("barrierefrei", N_("Barrierefrei"), [(b.value, b.value) for b in vocab.Barrierefrei])
_BARRIEREFREI_HINWEIS = _free_text(
    "barrierefrei_hinweis", N_("Hinweis zur Barrierefreiheit"), 500, multiline=False
)
_STATUS = _select("status", N_("Status"), [(t.code, t.de) for t in vocab.STATUS_TERMS], required=True)

EINRICHTUNG_FIELDS: tuple[FieldSpec, ...] = (
    _free_text("name", N_("Name"), 300, multiline=False, required=True),
    _select(
        "art", N_("Art der Einrichtung"), [(t.code, t.de) for t in vocab.EINRICHTUNGSARTEN], required=True
    ),
    _BESCHREIBUNG,
    _free_text("strasse", N_("Straße und Hausnummer"), 200, multiline=False),
    _line("plz", N_("PLZ"), _plz, 10),
    _free_text("ort", N_("Ort"), 100, multiline=False, required=True),
    FieldSpec(
        "ortsteil",
        N_("Ortsteil"),
        "select",
        _einrichtung_ortsteil,
        lambda r: r.ortsteil.slug,
        ("ortsteil",),
        required=True,
        choices=lambda c: list(c.ortsteile.items()),
    ),
    _coordinate_field("lat", N_("Breitengrad"), vocab.LAT_RANGE, N_("z. B. 50,9271")),
    _coordinate_field("lon", N_("Längengrad"), vocab.LON_RANGE, N_("z. B. 11,5862")),
    _line("telefon", N_("Telefon"), cell_values.parse_phone, 80, hint=N_("z. B. 03641 49-1234")),
    _line("email", N_("E-Mail"), cell_values.parse_email, 254),
    _line("website", N_("Website"), cell_values.parse_url, 500),
    _free_text(
        "oeffnungszeiten", N_("Öffnungszeiten"), 2000, hint=N_("z. B. Mo–Fr 8:00–16:00; Do bis 18:00")
    ),
    _BARRIEREFREI,
    _BARRIEREFREI_HINWEIS,
    FieldSpec(
        "sprachen",
        N_("Sprachen"),
        "line",
        _sprachen,
        lambda r: cell_values.format_multi(r.sprachen),
        ("sprachen",),
        hint=N_("mit Semikolon getrennt, z. B. Deutsch; Englisch; Arabisch"),
    ),
    _STATUS,
)

ANGEBOT_FIELDS: tuple[FieldSpec, ...] = (
    _free_text("titel", N_("Titel"), 300, multiline=False, required=True),
    _BESCHREIBUNG,
    _term_boxes("zielgruppen", N_("Zielgruppen"), vocab.ZIELGRUPPEN, required=True),
    _term_boxes("themen", N_("Themen"), vocab.THEMEN),
    FieldSpec(
        "handlungsfeld_number",
        N_("Handlungsfeld"),
        "select",
        _choice(
            "handlungsfeld_number", lambda c: [str(h.number) for h in vocab.HANDLUNGSFELDER], as_int=True
        ),
        _attr("handlungsfeld_number"),
        ("handlungsfeld_number",),
        choices=lambda c: [(str(h.number), f"{h.number} – {_(h.name)}") for h in vocab.HANDLUNGSFELDER],
    ),
    FieldSpec(
        "ortsteile",
        N_("Wo (nur wenn anders als die Einrichtung)"),
        "checkboxes",
        _district_choices,
        _district_boxes,
        ("ortsteile", "stadtweit"),
        hint=N_("Nichts ankreuzen = am Ort der Einrichtung. „Ganz Jena“ = für alle Stadtteile."),
        choices=lambda c: [("stadtweit", _("Ganz Jena (stadtweit)")), *c.ortsteile.items()],
    ),
    _line(
        "alter_von",
        N_("Alter von (Jahre)"),
        cell_values.parse_age,
        30,
        to_form=cell_values.format_age,
        hint=N_("0 = ab Geburt; 6 Monate = „6 Monate“"),
    ),
    _line("alter_bis", N_("Alter bis (Jahre)"), cell_values.parse_age, 30, to_form=cell_values.format_age),
    FieldSpec(
        "kosten",
        N_("Kosten"),
        "line",
        _kosten,
        _kosten_form,
        ("kosten_art", "kosten_cents", "kosten_text"),
        hint=N_("„kostenlos“, ein Betrag (z. B. 3,50 €) oder ein Text (z. B. nach Einkommen)"),
        max_length=500,
    ),
    FieldSpec(
        "anmeldung",
        N_("Anmeldung erforderlich"),
        "select",
        _anmeldung,
        lambda r: cell_values.format_bool(r.anmeldung),
        ("anmeldung",),
        choices=lambda c: [("ja", _("ja")), ("nein", _("nein"))],
    ),
    _free_text("termine", N_("Termine"), 2000, hint=N_("z. B. dienstags 9:30–11:00 (außer Ferien)")),
    FieldSpec(
        "sprachen",
        N_("Sprachen"),
        "line",
        _offer_sprachen,
        lambda r: "" if r.sprachen is None else cell_values.format_multi(r.sprachen),
        ("sprachen",),
        hint=N_("leer = wie die Einrichtung"),
    ),
    _BARRIEREFREI,
    _BARRIEREFREI_HINWEIS,
    _date_field("gueltig_von", N_("Gültig von")),
    _date_field("gueltig_bis", N_("Gültig bis")),
    _STATUS,
)


# --- whole forms ------------------------------------------------------------------------------------------


def context_for(session: Session) -> Context:
    rows = session.exec(select(Ortsteil).order_by(Ortsteil.name)).all()
    return Context(resolver=DistrictResolver.from_session(session), ortsteile={o.slug: o.name for o in rows})


@dataclass
class ParsedForm:
    values: dict[str, Any]  # model field -> canonical value
    errors: dict[str, str]  # form field -> German message
    raw: dict[str, Raw]  # what was typed, to show it again


def parse_form(form: Mapping[str, Raw], specs: Sequence[FieldSpec], ctx: Context) -> ParsedForm:
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    raw: dict[str, Raw] = {}
    for spec in specs:
        given = form.get(spec.name, [] if spec.widget == "checkboxes" else "")
        raw[spec.name] = given
        try:
            parsed = spec.parse(given, ctx)
        except ParseError as exc:
            errors[spec.name] = str(exc)
            continue
        if spec.required and all(v in (None, [], "") for v in parsed.values()):
            errors[spec.name] = _("Bitte ausfüllen: {label}.").format(label=_(spec.label))
            continue
        values.update(parsed)
    _cross_checks(values, errors)
    return ParsedForm(values, errors, raw)


def _cross_checks(values: dict[str, Any], errors: dict[str, str]) -> None:
    von, bis = values.get("alter_von"), values.get("alter_bis")
    if von is not None and bis is not None and von > bis:
        errors.setdefault("alter_bis", _("„Alter bis“ muss mindestens so groß sein wie „Alter von“."))
    start, end = values.get("gueltig_von"), values.get("gueltig_bis")
    if start and end and start > end:
        errors.setdefault("gueltig_bis", _("„Gültig bis“ liegt vor „Gültig von“."))
    if ("lat" in values or "lon" in values) and (values.get("lat") is None) != (values.get("lon") is None):
        errors.setdefault(
            "lon", _("Bitte Breiten- und Längengrad zusammen angeben (oder beide leer lassen).")
        )


def form_values(record: Any, specs: Sequence[FieldSpec]) -> dict[str, Raw]:
    return {spec.name: spec.to_form(record) for spec in specs}


def canonical(record: Any, name: str) -> Any:
    """A model field's current value in the canonical (JSON) form used by drafts."""
    if name == "zielgruppen" or name == "themen":
        return sorted(t.code for t in getattr(record, name))
    if name == "ortsteile":
        return sorted(o.slug for o in record.ortsteile)
    if name == "ortsteil":
        return record.ortsteil.slug
    value = getattr(record, name)
    return value.isoformat() if isinstance(value, date) else value


def targets(specs: Sequence[FieldSpec]) -> list[str]:
    return [t for spec in specs for t in spec.targets]


def current_values(record: Any, specs: Sequence[FieldSpec]) -> dict[str, Any]:
    return {name: canonical(record, name) for name in targets(specs)}


def changed_values(record: Any, specs: Sequence[FieldSpec], values: Mapping[str, Any]) -> dict[str, Any]:
    current = current_values(record, specs)
    return {k: v for k, v in values.items() if current.get(k) != v}


def apply_values(session: Session, record: Einrichtung | Angebot, values: Mapping[str, Any]) -> None:
    """Write canonical values onto a record (relations looked up by code/slug)."""
    for name, value in values.items():
        if name == "zielgruppen":
            record.zielgruppen = [session.get_one(Zielgruppe, c) for c in value]
        elif name == "themen":
            record.themen = [session.get_one(Thema, c) for c in value]
        elif name == "ortsteile":
            record.ortsteile = list(
                session.exec(select(Ortsteil).where(Ortsteil.slug.in_(value))).all()  # type: ignore[attr-defined]
            )
        elif name == "ortsteil":
            found = session.exec(select(Ortsteil).where(Ortsteil.slug == value)).one()
            record.ortsteil_id = found.id
        elif name in DATE_FIELDS:
            setattr(record, name, date.fromisoformat(value) if value else None)
        else:
            setattr(record, name, value)


def mark_edited_online(
    record: Einrichtung | Angebot | Foerderung, names: Iterable[str], *, by: str, at: datetime
) -> None:
    """Online-edit provenance: each named field gets the time of the edit; the record who and when."""
    record.online_edits = {**record.online_edits, **dict.fromkeys(names, at.isoformat())}
    record.edited_online_at = at
    record.edited_online_by = by


LABELS: dict[str, str] = {
    "ortsteil": N_("Ortsteil"),
    "stadtweit": N_("Stadtweit"),
    "kosten_art": N_("Kostenart"),
    "kosten_cents": N_("Betrag"),
    "kosten_text": N_("Kosten (Text)"),
    **{t: s.label for s in (*EINRICHTUNG_FIELDS, *ANGEBOT_FIELDS) for t in s.targets if t == s.name},
}


def display(name: str, value: Any, ortsteile: Mapping[str, str]) -> str:
    """A canonical value as German text for the moderation diff."""
    if value is None or value == [] or value == "":
        return "—"
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if name == "kosten_cents":
        return format_euro(value)
    if name in DATE_FIELDS:
        return cell_values.format_date(date.fromisoformat(value))
    if name in ("alter_von", "alter_bis"):
        return cell_values.format_age(value)
    all_labels: dict[str, dict[Any, str]] = {
        "zielgruppen": {t.code: t.de for t in vocab.ZIELGRUPPEN},
        "themen": {t.code: t.de for t in vocab.THEMEN},
        "ortsteile": dict(ortsteile),
        "ortsteil": dict(ortsteile),
        "art": {t.code: t.de for t in vocab.EINRICHTUNGSARTEN},
        "status": {t.code: t.de for t in vocab.STATUS_TERMS},
        "handlungsfeld_number": {h.number: f"{h.number} – {h.name}" for h in vocab.HANDLUNGSFELDER},
    }
    labels = all_labels.get(name)
    if isinstance(value, list):
        return "; ".join(str(labels.get(v, v)) if labels else str(v) for v in value)
    return str(labels.get(value, value)) if labels else str(value)


async def read_form(request: Request) -> dict[str, Raw]:
    """Dependency: the submitted form as {name: text}, repeated names (checkboxes) as lists."""
    form = await request.form()
    result: dict[str, Raw] = {}
    for key in form:
        values = [v for v in form.getlist(key) if isinstance(v, str)]
        result[key] = values if len(values) > 1 or key in _LIST_FIELDS else (values[0] if values else "")
    return result


_LIST_FIELDS = {s.name for s in (*EINRICHTUNG_FIELDS, *ANGEBOT_FIELDS) if s.widget == "checkboxes"}


def field_rows(specs: Sequence[FieldSpec], values: Mapping[str, Raw], ctx: Context) -> list[dict[str, Any]]:
    """What the form template needs per control."""
    return [
        {
            "name": spec.name,
            "label": _(spec.label),
            "widget": spec.widget,
            "value": values.get(spec.name, [] if spec.widget == "checkboxes" else ""),
            "choices": spec.choices(ctx) if spec.choices else [],
            "hint": _(spec.hint) if spec.hint else "",
            "required": spec.required,
            "max_length": spec.max_length,
        }
        for spec in specs
    ]
