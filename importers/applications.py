"""Sync of the funding-cycle sheets (Förderjahre, Kriterien, Anträge, Bewertungen) – same rules as the
catalogue: every problem is a located error, nothing is written when there is one, the write happens in the
catalogue sync's one transaction, every write is audited, re-running the same workbook changes nothing.

What a sheet's absence or a vanished row means here (applications are never public, so nothing is
"unpublished"):
- a vanished Förderjahr or Antrag is left alone (a warning says so: online applications are not in an old
  workbook);
- a vanished Kriterium is deleted with its points (the sheet defines the matrix; the weights must sum to 100);
- a vanished imported Bewertung is deleted; points given online stay.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

import app.catalogue.funding_cycle  # noqa: F401  (registers the tables)
from app.catalogue import funding_vocab as vocab
from app.catalogue import values as c
from app.catalogue import vocab as catalogue_vocab
from app.db import utcnow
from importers import application_sheets as s
from importers.report import Issue, RowChange, SyncReport
from importers.state import table

KINDS = ("foerderjahre", "kriterien", "antraege", "bewertungen")
LABELS = {
    "foerderjahre": "Förderjahre",
    "kriterien": "Kriterien",
    "antraege": "Anträge",
    "bewertungen": "Bewertungen",
}
ENTITY = {
    "foerderjahre": "foerderjahr",
    "kriterien": "kriterium",
    "antraege": "antrag",
    "bewertungen": "bewertung",
}
WEIGHT_TOLERANCE = 0.01
FIELD_COLUMNS = {
    "foerderjahre": {"budget_cents": "Budget"},
    "kriterien": {"name": "Kriterium", "gewicht": "Gewicht", "beschreibung": "Beschreibung"},
    "antraege": {
        "jahr": "Förderjahr",
        "traeger": "Träger-ID",
        "projekt": "Projekttitel",
        "handlungsfeld_number": "Handlungsfeld",
        "ortsteile": "Ortsteile",
        "stadtweit": "Ortsteile",
        "zielgruppen": "Zielgruppen",
        "summe_cents": "Beantragte Summe",
        "art": "Art",
        "beschreibung": "Kurzbeschreibung",
        "eingang": "Eingang",
        "status": "Status",
    },
    "bewertungen": {"punkte": "Punkte", "begruendung": "Begründung"},
}


@dataclass
class AppRecord:
    kind: str
    key: Any
    sheet: str
    row: int
    values: dict[str, Any]

    @property
    def label(self) -> str:
        return key_label(self.kind, self.key)


def key_label(kind: str, key: Any) -> str:
    if kind == "kriterien":
        ext, jahr = key
        return f"{ext} ({jahr})" if jahr is not None else ext
    if kind == "bewertungen":
        return " / ".join(key)
    return str(key)


@dataclass
class ParsedApplications:
    present: set[str] = field(default_factory=set)
    records: dict[str, dict[Any, AppRecord]] = field(default_factory=lambda: {k: {} for k in KINDS})


@dataclass
class DbApp:
    id: int
    values: dict[str, Any]
    quelle: str = "import"


@dataclass
class AppState:
    rows: dict[str, dict[Any, DbApp]] = field(default_factory=lambda: {k: {} for k in KINDS})


# --- the database side --------------------------------------------------------------------------------------


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def load_app_state(conn: Connection) -> AppState:
    state = AppState()
    traeger = {
        r.id: r.external_id
        for r in conn.execute(select(table("traeger").c.id, table("traeger").c.external_id))
    }
    for r in conn.execute(select(table("foerderjahr"))).mappings():
        state.rows["foerderjahre"][r["jahr"]] = DbApp(r["jahr"], {"budget_cents": r["budget_cents"]})
    kriterien: dict[int, tuple[str, int | None]] = {}
    for r in conn.execute(select(table("kriterium"))).mappings():
        kriterien[r["id"]] = (r["external_id"], r["jahr"])
        state.rows["kriterien"][(r["external_id"], r["jahr"])] = DbApp(
            r["id"], {"name": r["name"], "gewicht": r["gewicht"], "beschreibung": r["beschreibung"]}
        )
    antraege: dict[int, str] = {}
    for r in conn.execute(select(table("antrag"))).mappings():
        antraege[r["id"]] = r["external_id"]
        state.rows["antraege"][r["external_id"]] = DbApp(r["id"], _antrag_values(r, traeger), r["quelle"])
    for r in conn.execute(select(table("bewertung"))).mappings():
        key = (antraege[r["antrag_id"]], kriterien[r["kriterium_id"]][0], r["pruefer"])
        state.rows["bewertungen"][key] = DbApp(
            r["id"], {"punkte": r["punkte"], "begruendung": r["begruendung"]}, r["quelle"]
        )
    return state


def _antrag_values(r: Any, traeger: dict[int, str]) -> dict[str, Any]:
    return {
        "jahr": r["jahr"],
        "traeger": traeger.get(r["traeger_id"]),
        "projekt": r["projekt"],
        "handlungsfeld_number": r["handlungsfeld_number"],
        "ortsteile": sorted(r["ortsteile"] or []),
        "stadtweit": bool(r["stadtweit"]),
        "zielgruppen": sorted(r["zielgruppen"] or []),
        "summe_cents": r["summe_cents"],
        "art": r["art"],
        "beschreibung": r["beschreibung"],
        "eingang": _iso(r["eingang"]),
        "status": r["status"],
    }


# --- parsing ------------------------------------------------------------------------------------------------


def parse_weight_cell(value: Any) -> float | None:
    return s.parse_weight(value)


def _status(value: Any) -> str | None:
    text = c.single_line(value)
    if not text:
        return None
    code = vocab.status_code(text)
    if code is None or code == vocab.DRAFT:
        allowed = ", ".join(label for code_, label in vocab.STATUS.items() if code_ != vocab.DRAFT)
        raise c.ParseError(f"„{text}“ ist kein Antragsstatus; erlaubt: {allowed}.")
    return code


def _art(value: Any) -> str | None:
    text = c.single_line(value)
    if not text:
        return None
    code = vocab.art_code(text)
    if code is None:
        raise c.ParseError(f"„{text}“ ist keine Projektart; erlaubt: neu, Pilot, Fortsetzung.")
    return code


def parse_applications(tables: dict[str, Any], parsed: Any, state: AppState) -> ParsedApplications:
    """Validate the four sheets (``tables``: key → validate.TableRows); errors go to ``parsed.errors``."""
    from importers.validate import RowReader  # validate imports this module's sheet specs

    result = ParsedApplications(present={k for k in KINDS if k in tables})
    if not result.present:
        return result

    def rows(kind: str) -> Any:
        table_ = tables.get(kind)
        if table_ is None:
            return
        for number, cells in table_.rows:
            yield table_, RowReader(parsed, table_, number, cells)

    def add(kind: str, key: Any, reader: Any, column: str, values: dict[str, Any]) -> None:
        records = result.records[kind]
        if key in records:
            reader.error(
                column,
                f"„{key_label(kind, key)}“ kommt doppelt vor (schon in Zeile {records[key].row}) – "
                "jede Zeile braucht einen eigenen Schlüssel.",
            )
            return
        records[key] = AppRecord(kind, key, reader.sheet, reader.number, values)

    for _t, r in rows("foerderjahre"):
        jahr = r.get("Förderjahr", c.parse_year, required=True)
        budget = r.get("Budget", c.parse_money_cents, required=True)
        if jahr is not None and budget is not None and not r.failed:
            add("foerderjahre", jahr, r, "Förderjahr", {"budget_cents": budget})

    for _t, r in rows("kriterien"):
        ext = r.get("Kriterium-ID", c.parse_external_id, required=True)
        values = {
            "name": r.get("Kriterium", c.parse_line, required=True),
            "gewicht": r.get("Gewicht", parse_weight_cell, required=True),
            "beschreibung": r.get("Beschreibung", c.parse_text),
        }
        jahr = r.get("Förderjahr", c.parse_year)
        if ext is not None and not r.failed:
            add("kriterien", (ext, jahr), r, "Kriterium-ID", values)

    broken: set[str] = set()
    traeger_records = parsed.records.get("traeger", {})
    traeger_names = {c.fold_key(rec.values.get("name") or ""): ext for ext, rec in traeger_records.items()}
    for _t, r in rows("antraege"):
        ext = r.get("Antrags-ID", c.parse_external_id, required=True)
        match = r.get("Ortsteile", parsed.parse_districts)
        traeger = r.get("Träger-ID", c.parse_line, required=True)
        if traeger is not None and traeger not in traeger_records:
            by_name = traeger_names.get(c.fold_key(traeger))
            if by_name is None:
                r.error(
                    "Träger-ID",
                    f"Träger „{traeger}“ gibt es nicht im Blatt „Träger“ – bitte eine vorhandene ID oder den "
                    "genauen Namen eintragen.",
                )
            traeger = by_name
        eingang = r.get("Eingang", c.parse_date)
        values = {
            "jahr": r.get("Förderjahr", c.parse_year, required=True),
            "traeger": traeger,
            "projekt": r.get("Projekttitel", c.parse_line, required=True),
            "handlungsfeld_number": r.get("Handlungsfeld", c.parse_handlungsfeld, required=True),
            "ortsteile": sorted(match.ortsteile) if match else [],
            "stadtweit": bool(match and match.stadtweit),
            "zielgruppen": sorted(r.get("Zielgruppen", c.parse_zielgruppen) or []),
            "summe_cents": r.get("Beantragte Summe", c.parse_money_cents, required=True),
            "art": r.get("Art", _art),
            "beschreibung": r.get("Kurzbeschreibung", c.parse_text),
            "eingang": _iso(eingang),
            "status": r.get("Status", _status) or vocab.SUBMITTED,
        }
        if len(values["projekt"] or "") > 300:
            r.error("Projekttitel", "„Projekttitel“ ist zu lang (höchstens 300 Zeichen) – bitte kürzen.")
        if ext is not None and not r.failed:
            add("antraege", ext, r, "Antrags-ID", values)
        elif ext is not None:
            broken.add(ext)  # its points are not checked again (the row's own error says enough)

    for _t, r in rows("bewertungen"):
        antrag = r.get("Antrags-ID", c.parse_external_id, required=True)
        kriterium = r.get("Kriterium-ID", c.parse_external_id, required=True)
        pruefer = r.get("Prüfer", c.parse_line, required=True)
        punkte = r.get("Punkte", s.parse_points, required=True)
        begruendung = r.get("Begründung", c.parse_text)
        if pruefer is not None and len(pruefer) > 200:
            r.error("Prüfer", "„Prüfer“ ist zu lang (höchstens 200 Zeichen).")
        if None in (antrag, kriterium, pruefer, punkte) or r.failed:
            continue
        jahr = _antrag_year(antrag, result, state)
        if jahr is None and antrag in broken:
            continue
        if jahr is None:
            r.error("Antrags-ID", f"Antrag „{antrag}“ gibt es nicht im Blatt „Anträge“.")
            continue
        if _criterion_key(kriterium, jahr, result, state) is None:
            r.error(
                "Kriterium-ID",
                f"Kriterium „{kriterium}“ gibt es für das Förderjahr {jahr} nicht im Blatt „Kriterien“.",
            )
            continue
        key = (antrag, kriterium, pruefer)
        same = next(
            (
                k
                for k in result.records["bewertungen"]
                if k[:2] == key[:2] and c.fold_key(k[2]) == c.fold_key(pruefer)
            ),
            None,
        )
        if same is not None:
            first = result.records["bewertungen"][same].row
            r.error(
                "Prüfer",
                f"{pruefer} hat „{kriterium}“ für „{antrag}“ schon in Zeile {first} bewertet – eine Zeile je "
                "Antrag, Kriterium und Prüfer.",
            )
            continue
        result.records["bewertungen"][key] = AppRecord(
            "bewertungen", key, r.sheet, r.number, {"punkte": punkte, "begruendung": begruendung}
        )

    _check_years(tables, parsed, result, state)
    return result


def _antrag_year(antrag: str, result: ParsedApplications, state: AppState) -> int | None:
    record = result.records["antraege"].get(antrag)
    if record is not None:
        year: int | None = record.values["jahr"]
        return year
    row = state.rows["antraege"].get(antrag)
    return row.values["jahr"] if row is not None else None


def _criteria_source(result: ParsedApplications, state: AppState) -> dict[Any, Any]:
    if "kriterien" in result.present:
        return result.records["kriterien"]
    return state.rows["kriterien"]


def _criterion_key(ext: str, jahr: int, result: ParsedApplications, state: AppState) -> Any:
    source = _criteria_source(result, state)
    for key in ((ext, jahr), (ext, None)):
        if key in source:
            return key
    return None


def _check_years(tables: dict[str, Any], parsed: Any, result: ParsedApplications, state: AppState) -> None:
    """Every year's criteria weigh 100 % together; every application's year has a budget."""
    years = set(result.records["foerderjahre"]) | set(state.rows["foerderjahre"])
    for record in result.records["antraege"].values():
        if record.values["jahr"] not in years:
            parsed.errors.append(
                Issue(
                    record.sheet,
                    record.row,
                    "Förderjahr",
                    str(record.values["jahr"]),
                    f"Für das Förderjahr {record.values['jahr']} steht kein Budget im Blatt „Förderjahre“.",
                )
            )
    if "kriterien" not in result.present:
        return
    criteria = result.records["kriterien"]
    years_to_check = years | {r.values["jahr"] for r in result.records["antraege"].values()}
    years_to_check |= {jahr for (_ext, jahr) in criteria if jahr is not None}
    sheet = tables["kriterien"].sheet
    for jahr in sorted(y for y in years_to_check if y is not None):
        applicable = [
            r for (ext, y), r in criteria.items() if y == jahr or (y is None and (ext, jahr) not in criteria)
        ]
        if not applicable:
            continue
        total = sum(r.values["gewicht"] or 0 for r in applicable)
        if abs(total - 100) > WEIGHT_TOLERANCE:
            rows_text = ", ".join(str(r.row) for r in applicable)
            parsed.errors.append(
                Issue(
                    sheet,
                    applicable[-1].row,
                    "Gewicht",
                    s.format_weight(total),
                    f"Die Gewichte der Kriterien für {jahr} ergeben zusammen {s.format_weight(total)} statt "
                    f"100 % (Zeilen {rows_text}) – bitte anpassen.",
                )
            )


# --- planning and writing -----------------------------------------------------------------------------------


@dataclass
class AppPlan:
    inserts: dict[str, list[AppRecord]] = field(default_factory=lambda: defaultdict(list))
    updates: dict[str, list[tuple[DbApp, AppRecord, dict[str, Any]]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    deletes: dict[str, list[tuple[Any, DbApp]]] = field(default_factory=lambda: defaultdict(list))


def plan_applications(parsed: ParsedApplications, state: AppState, report: SyncReport) -> AppPlan:
    plan = AppPlan()
    for kind in KINDS:
        if kind not in parsed.present:
            continue
        counts = report.counts.setdefault(kind, {"new": 0, "changed": 0, "unchanged": 0, "unpublished": 0})
        existing = state.rows[kind]
        for key, record in parsed.records[kind].items():
            row = existing.get(key)
            if row is None:
                plan.inserts[kind].append(record)
                counts["new"] += 1
                report.changes.append(RowChange(kind, record.label, "new", record.sheet, record.row))
                continue
            changes = {n: v for n, v in record.values.items() if row.values.get(n) != v}
            if changes:
                plan.updates[kind].append((row, record, changes))
                counts["changed"] += 1
                diff = {n: (FIELD_COLUMNS[kind][n], row.values.get(n), v) for n, v in changes.items()}
                report.changes.append(
                    RowChange(kind, record.label, "changed", record.sheet, record.row, diff)
                )
            else:
                counts["unchanged"] += 1
        for key, row in existing.items():
            if key in parsed.records[kind]:
                continue
            if kind == "kriterien" or (kind == "bewertungen" and row.quelle == "import"):
                plan.deletes[kind].append((key, row))
                counts["unpublished"] += 1
                report.changes.append(RowChange(kind, key_label(kind, key), "unpublished"))
            elif kind == "antraege" and row.quelle == "import":
                report.warnings.append(
                    Issue(
                        LABELS[kind],
                        None,
                        None,
                        str(key),
                        "Der Antrag fehlt in der Arbeitsmappe; er bleibt unverändert gespeichert.",
                    )
                )
    return plan


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def apply_applications(conn: Connection, plan: AppPlan, run_id: int, *, actor: str, note: str) -> None:
    now = utcnow()
    audit: list[dict[str, Any]] = []

    def log(
        action: str, kind: str, key: Any, name: str | None = None, old: Any = None, new: Any = None
    ) -> None:
        audit.append(
            {
                "at": now,
                "actor": actor,
                "source": "import",
                "action": action,
                "entity_type": ENTITY[kind],
                "entity_id": key_label(kind, key)[:60],
                "field": name,
                "old_value": _text(old),
                "new_value": _text(new),
                "import_run_id": run_id,
                "note": note,
            }
        )

    traeger_ids = {
        e: i for i, e in conn.execute(select(table("traeger").c.id, table("traeger").c.external_id))
    }

    def columns(kind: str, values: dict[str, Any]) -> dict[str, Any]:
        out = dict(values)
        if kind == "antraege":
            if "traeger" in out:
                out["traeger_id"] = traeger_ids[out.pop("traeger")]
            if "eingang" in out:
                out["eingang"] = date.fromisoformat(out["eingang"]) if out["eingang"] else None
        return out

    # Deletions first (a criterion re-keyed to a year may reuse its id), points before criteria.
    for kind in ("bewertungen", "kriterien"):
        t = table(ENTITY[kind])
        for key, row in plan.deletes.get(kind, []):
            conn.execute(delete(t).where(t.c.id == row.id))
            log("delete", kind, key)

    t = table("foerderjahr")
    for record in plan.inserts.get("foerderjahre", []):
        conn.execute(insert(t).values(jahr=record.key, updated_at=now, **record.values))
        log("create", "foerderjahre", record.key, "budget_cents", None, record.values["budget_cents"])
    for row, record, changes in plan.updates.get("foerderjahre", []):
        conn.execute(update(t).where(t.c.jahr == record.key).values(updated_at=now, **changes))
        for n, v in changes.items():
            log("update", "foerderjahre", record.key, n, row.values.get(n), v)

    for kind, entity in (("kriterien", "kriterium"), ("antraege", "antrag")):
        t = table(entity)
        for record in plan.inserts.get(kind, []):
            keys = (
                {"external_id": record.key[0], "jahr": record.key[1]}
                if kind == "kriterien"
                else {"external_id": record.key}
            )
            extra = {"created_at": now, "quelle": "import"} if kind == "antraege" else {}
            conn.execute(insert(t).values(**keys, **extra, updated_at=now, **columns(kind, record.values)))
            log("create", kind, record.key)
        for row, record, changes in plan.updates.get(kind, []):
            conn.execute(update(t).where(t.c.id == row.id).values(updated_at=now, **columns(kind, changes)))
            for n, v in changes.items():
                log("update", kind, record.key, n, row.values.get(n), v)

    if plan.inserts.get("bewertungen"):
        antraege = {
            e: i for e, i in conn.execute(select(table("antrag").c.external_id, table("antrag").c.id))
        }
        years = {e: j for e, j in conn.execute(select(table("antrag").c.external_id, table("antrag").c.jahr))}
        kriterien = {
            (e, j): i
            for i, e, j in conn.execute(
                select(table("kriterium").c.id, table("kriterium").c.external_id, table("kriterium").c.jahr)
            )
        }
        rows = []
        for record in plan.inserts["bewertungen"]:
            antrag, kriterium, pruefer = record.key
            kriterium_id = kriterien.get((kriterium, years[antrag])) or kriterien[(kriterium, None)]
            rows.append(
                {
                    "antrag_id": antraege[antrag],
                    "kriterium_id": kriterium_id,
                    "pruefer": pruefer,
                    "quelle": "import",
                    "updated_at": now,
                    **record.values,
                }
            )
            log("create", "bewertungen", record.key, "punkte", None, record.values["punkte"])
        conn.execute(insert(table("bewertung")), rows)
    t = table("bewertung")
    for row, record, changes in plan.updates.get("bewertungen", []):
        conn.execute(update(t).where(t.c.id == row.id).values(updated_at=now, **changes))
        for n, v in changes.items():
            log("update", "bewertungen", record.key, n, row.values.get(n), v)
    if audit:
        conn.execute(insert(table("audit_entry")), audit)


# --- export -----------------------------------------------------------------------------------------------


def export_rows(conn: Connection, ortsteil_names: dict[str, str]) -> list[tuple[Any, list[list[Any]]]]:
    """The four sheets as (spec, rows) in workbook format; empty when the database has no funding cycle.

    Online drafts are not exported (they are the Träger's until submitted).
    """
    from importers.export import Money  # export imports this module

    state = load_app_state(conn)
    if not state.rows["foerderjahre"] and not state.rows["antraege"]:
        return []
    zielgruppen = {t.code: t.de for t in catalogue_vocab.ZIELGRUPPEN}
    jahre = [
        [jahr, Money(row.values["budget_cents"])] for jahr, row in sorted(state.rows["foerderjahre"].items())
    ]
    kriterien = [
        [ext, row.values["name"], s.format_weight(row.values["gewicht"]), row.values["beschreibung"], jahr]
        for (ext, jahr), row in sorted(state.rows["kriterien"].items(), key=lambda i: (i[0][1] or 0, i[0][0]))
    ]
    antraege = []
    exported: set[str] = set()
    for ext, row in sorted(state.rows["antraege"].items()):
        v = row.values
        if v["status"] == vocab.DRAFT:
            continue
        exported.add(ext)
        districts = (["stadtweit"] if v["stadtweit"] else []) + [
            ortsteil_names.get(o, o) for o in v["ortsteile"]
        ]
        antraege.append(
            [
                ext,
                v["jahr"],
                v["traeger"],
                v["projekt"],
                v["handlungsfeld_number"],
                c.format_multi(districts),
                c.format_multi(zielgruppen.get(z, z) for z in v["zielgruppen"]),
                Money(v["summe_cents"]),
                vocab.art_label(v["art"]) or None,
                v["beschreibung"],
                date.fromisoformat(v["eingang"]) if v["eingang"] else None,
                vocab.status_label(v["status"]),
            ]
        )
    bewertungen = [
        [antrag, kriterium, pruefer, row.values["punkte"], row.values["begruendung"]]
        for (antrag, kriterium, pruefer), row in sorted(state.rows["bewertungen"].items())
        if antrag in exported
    ]
    return [
        (s.FOERDERJAHRE, jahre),
        (s.KRITERIEN, kriterien),
        (s.ANTRAEGE, antraege),
        (s.BEWERTUNGEN, bewertungen),
    ]
