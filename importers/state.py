"""The catalogue as it is in the database, in the importer's canonical shape (see ``importers.validate``).

Loaded with a handful of Core queries (no ORM objects), so comparing 10,000 offers stays fast.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Table, select

import app.catalogue.models  # noqa: F401  (registers the tables)
from app.audit import models as _audit_models  # noqa: F401
from app.catalogue.districts import OrtsteilInfo
from app.db import metadata


def table(name: str) -> Table:
    return metadata.tables[name]


# kind → table name (also the AuditEntry.entity_type of its rows)
TABLES = {
    "traeger": "traeger",
    "einrichtungen": "einrichtung",
    "angebote": "angebot",
    "foerderungen": "foerderung",
}


# Columns a sync never compares (imported_values is loaded separately, only for rows edited online).
_NOT_COMPARED = {"imported_values", "created_at", "updated_at", "edited_online_at", "edited_online_by"}


@dataclass
class DbRow:
    id: int
    external_id: str
    published: bool
    values: dict[str, Any]
    imported_values: dict[str, Any] | None
    import_hash: str | None
    last_imported_at: datetime | None
    online_edits: dict[str, str]


@dataclass
class DbState:
    rows: dict[str, dict[str, DbRow]] = field(default_factory=dict)
    ortsteil_ids: dict[str, int] = field(default_factory=dict)
    ortsteile: list[OrtsteilInfo] = field(default_factory=list)
    planungsraeume: list[tuple[str, str]] = field(default_factory=list)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _links(
    conn: Connection, name: str, owner: str, target: str, names: dict[Any, str] | None = None
) -> dict[int, list[str]]:
    t = table(name)
    result: dict[int, list[str]] = defaultdict(list)
    for owner_id, value in conn.execute(select(t.c[owner], t.c[target])):
        result[owner_id].append(names[value] if names is not None else value)
    for values in result.values():
        values.sort()
    return result


def load_state(conn: Connection) -> DbState:
    state = DbState()
    ortsteil = table("ortsteil")
    slugs: dict[int, str] = {}
    for row in conn.execute(select(ortsteil).order_by(ortsteil.c.position)).mappings():
        slugs[row["id"]] = row["slug"]
        state.ortsteil_ids[row["slug"]] = row["id"]
        state.ortsteile.append(
            OrtsteilInfo(row["slug"], row["name"], row["planungsraum_code"], tuple(row["aliases"] or ()))
        )
    raum = table("planungsraum")
    state.planungsraeume = [(r.code, r.name) for r in conn.execute(select(raum).order_by(raum.c.position))]

    def rows(kind: str, build: Any) -> dict[int, str]:
        t = table(TABLES[kind])
        found: dict[str, DbRow] = {}
        ids: dict[int, str] = {}
        edited: dict[int, DbRow] = {}
        # imported_values are only needed where providers edited online (the conflict rule): load them there.
        columns = [c for c in t.c if c.name not in _NOT_COMPARED]
        for row in conn.execute(select(*columns)).mappings():
            db_row = DbRow(
                id=row["id"],
                external_id=row["external_id"],
                published=bool(row["published"]),
                values=build(row),
                imported_values=None,
                import_hash=row["import_hash"],
                last_imported_at=row["last_imported_at"],
                online_edits=dict(row["online_edits"] or {}),
            )
            found[row["external_id"]] = db_row
            ids[row["id"]] = row["external_id"]
            if db_row.online_edits:
                edited[db_row.id] = db_row
        edited_ids = list(edited)
        for start in range(0, len(edited_ids), 500):
            chunk = edited_ids[start : start + 500]
            for row_id, imported in conn.execute(
                select(t.c.id, t.c.imported_values).where(t.c.id.in_(chunk))
            ):
                edited[row_id].imported_values = imported
        state.rows[kind] = found
        return ids

    traeger_ids = rows(
        "traeger",
        lambda r: {k: r[k] for k in ("name", "art", "website", "email", "telefon")},
    )
    einrichtung_nachfolger: dict[str, int | None] = {}

    def einrichtung(r: Any) -> dict[str, Any]:
        einrichtung_nachfolger[r["external_id"]] = r["nachfolger_id"]
        return {
            "traeger": traeger_ids.get(r["traeger_id"]),
            **{k: r[k] for k in ("name", "art", "beschreibung", "strasse", "plz", "ort")},
            "ortsteil": slugs.get(r["ortsteil_id"]),
            **{k: r[k] for k in ("lat", "lon", "telefon", "email", "website", "oeffnungszeiten")},
            "barrierefrei": r["barrierefrei"],
            "barrierefrei_hinweis": r["barrierefrei_hinweis"],
            "sprachen": list(r["sprachen"] or []),
            "status": r["status"],
            "nachfolger": None,
            "verified_at": _iso(r["verified_at"]),
        }

    einrichtung_ids = rows("einrichtungen", einrichtung)
    for ext, nachfolger_id in einrichtung_nachfolger.items():
        if nachfolger_id is not None:
            state.rows["einrichtungen"][ext].values["nachfolger"] = einrichtung_ids.get(nachfolger_id)

    zielgruppen = _links(conn, "angebot_zielgruppe", "angebot_id", "zielgruppe_code")
    themen = _links(conn, "angebot_thema", "angebot_id", "thema_code")
    angebot_orte = _links(conn, "angebot_ortsteil", "angebot_id", "ortsteil_id", slugs)
    angebot_ids = rows(
        "angebote",
        lambda r: {
            "einrichtung": einrichtung_ids.get(r["einrichtung_id"]),
            "titel": r["titel"],
            "beschreibung": r["beschreibung"],
            "zielgruppen": zielgruppen.get(r["id"], []),
            "themen": themen.get(r["id"], []),
            "handlungsfeld_number": r["handlungsfeld_number"],
            "ortsteile": angebot_orte.get(r["id"], []),
            "stadtweit": bool(r["stadtweit"]),
            **{k: r[k] for k in ("alter_von", "alter_bis", "kosten_art", "kosten_cents", "kosten_text")},
            "anmeldung": r["anmeldung"],
            "termine": r["termine"],
            "sprachen": list(r["sprachen"]) if r["sprachen"] is not None else None,
            "barrierefrei": r["barrierefrei"],
            "barrierefrei_hinweis": r["barrierefrei_hinweis"],
            "gueltig_von": _iso(r["gueltig_von"]),
            "gueltig_bis": _iso(r["gueltig_bis"]),
            "status": r["status"],
            "verified_at": _iso(r["verified_at"]),
        },
    )
    foerder_orte = _links(conn, "foerderung_ortsteil", "foerderung_id", "ortsteil_id", slugs)
    foerder_angebote = _links(conn, "foerderung_angebot", "foerderung_id", "angebot_id", angebot_ids)
    rows(
        "foerderungen",
        lambda r: {
            "traeger": traeger_ids.get(r["traeger_id"]),
            "jahr": r["jahr"],
            "projekt": r["projekt"],
            "handlungsfeld_number": r["handlungsfeld_number"],
            "betrag_cents": r["betrag_cents"],
            "eigenanteil_cents": r["eigenanteil_cents"],
            "ortsteile": foerder_orte.get(r["id"], []),
            "stadtweit": bool(r["stadtweit"]),
            "einrichtung": einrichtung_ids.get(r["einrichtung_id"]) if r["einrichtung_id"] else None,
            "bewilligt_am": _iso(r["bewilligt_am"]),
            "laufzeit_von": _iso(r["laufzeit_von"]),
            "laufzeit_bis": _iso(r["laufzeit_bis"]),
            "beschreibung": r["beschreibung"],
            "angebote": foerder_angebote.get(r["id"], []),
        },
    )
    return state


def offers_of(
    conn: Connection, *, einrichtung_ids: Iterable[int] = (), traeger_ids: Iterable[int] = ()
) -> set[str]:
    """Workbook ids of the offers whose search documents show these institutions or providers."""
    angebot, einrichtung = table("angebot"), table("einrichtung")
    found: set[str] = set()
    e_ids, t_ids = list(einrichtung_ids), list(traeger_ids)
    if e_ids:
        found |= set(
            conn.execute(select(angebot.c.external_id).where(angebot.c.einrichtung_id.in_(e_ids))).scalars()
        )
    if t_ids:
        stmt = (
            select(angebot.c.external_id)
            .join(einrichtung, einrichtung.c.id == angebot.c.einrichtung_id)
            .where(einrichtung.c.traeger_id.in_(t_ids))
        )
        found |= set(conn.execute(stmt).scalars())
    return found
