"""Admin queries: the filtered audit log, entries overdue for verification, feedback counts, CSV writing."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func
from sqlalchemy.orm import selectinload
from sqlmodel import Session, col, or_, select

from app.audit.models import AuditEntry
from app.auth.models import Role, UserAccount
from app.catalogue import csv_safe
from app.catalogue.models import Angebot, Einrichtung, Traeger
from app.catalogue.service import stale_cutoff
from app.feedback.models import Feedback, FeedbackKind

LOCAL_ZONE = ZoneInfo("Europe/Berlin")


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """Semicolon CSV with BOM: opens correctly in German Excel and LibreOffice."""
    buffer = io.StringIO()
    writer = csv_safe.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# --- audit log --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    source: str = ""
    entity_type: str = ""
    entity_id: str = ""
    actor: str = ""
    von: date | None = None
    bis: date | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if self.source:
            clauses.append(col(AuditEntry.source) == self.source)
        if self.entity_type:
            clauses.append(col(AuditEntry.entity_type) == self.entity_type)
        if self.entity_id:
            clauses.append(col(AuditEntry.entity_id) == self.entity_id)
        if self.actor:
            clauses.append(func.lower(AuditEntry.actor).contains(self.actor.lower(), autoescape=True))
        # Dates are local (Jena) days; the log stores UTC instants.
        if self.von:
            clauses.append(col(AuditEntry.at) >= datetime.combine(self.von, time(0), LOCAL_ZONE))
        if self.bis:
            end = datetime.combine(self.bis + timedelta(days=1), time(0), LOCAL_ZONE)
            clauses.append(col(AuditEntry.at) < end)
        return clauses


def audit_entries(session: Session, flt: AuditFilter, *, limit: int, offset: int = 0) -> Sequence[AuditEntry]:
    stmt = (
        select(AuditEntry)
        .where(*flt.clauses())
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
        .limit(limit)
        .offset(offset)
    )
    return session.exec(stmt).all()


def audit_count(session: Session, flt: AuditFilter) -> int:
    return int(session.exec(select(func.count()).select_from(AuditEntry).where(*flt.clauses())).one())


AUDIT_CSV_HEADER = (
    "Zeit (UTC)",
    "Wer",
    "Quelle",
    "Aktion",
    "Typ",
    "ID",
    "Feld",
    "Alt",
    "Neu",
    "Import-Lauf",
    "Notiz",
)


def audit_csv_rows(entries: Iterable[AuditEntry]) -> Iterable[Sequence[Any]]:
    for e in entries:
        yield (
            e.at.strftime("%d.%m.%Y %H:%M:%S"),
            e.actor,
            e.source,
            e.action,
            e.entity_type,
            e.entity_id,
            e.field or "",
            e.old_value or "",
            e.new_value or "",
            e.import_run_id or "",
            e.note or "",
        )


# --- entries not verified for a year ----------------------------------------------------------------------


@dataclass
class StaleTraeger:
    traeger: Traeger
    accounts: list[str] = field(default_factory=list)
    entries: list[tuple[str, str, str, date | None]] = field(default_factory=list)  # kind, id, name, verified


def stale_entries(session: Session, *, today: date | None = None) -> list[StaleTraeger]:
    """Published institutions and offers whose verified date is missing or older than 12 months."""
    cutoff = stale_cutoff(today or date.today())
    overdue = or_(col(Einrichtung.verified_at).is_(None), col(Einrichtung.verified_at) < cutoff)
    by_traeger: dict[int, StaleTraeger] = {}

    def bucket(traeger: Traeger) -> StaleTraeger:
        return by_traeger.setdefault(traeger.id, StaleTraeger(traeger))  # type: ignore[arg-type]

    institutions = session.exec(
        select(Einrichtung)
        .where(col(Einrichtung.published).is_(True), overdue)
        .options(selectinload(Einrichtung.traeger))  # type: ignore[arg-type]
    ).all()
    for e in institutions:
        bucket(e.traeger).entries.append(("Einrichtung", e.external_id, e.name, e.verified_at))
    offer_overdue = or_(col(Angebot.verified_at).is_(None), col(Angebot.verified_at) < cutoff)
    offers = session.exec(
        select(Angebot)
        .join(Einrichtung)
        .where(col(Angebot.published).is_(True), col(Einrichtung.published).is_(True), offer_overdue)
        .options(selectinload(Angebot.einrichtung).selectinload(Einrichtung.traeger))  # type: ignore[arg-type]
    ).all()
    for a in offers:
        bucket(a.einrichtung.traeger).entries.append(("Angebot", a.external_id, a.titel, a.verified_at))
    accounts = session.exec(
        select(UserAccount).where(UserAccount.role == Role.provider.value, col(UserAccount.active).is_(True))
    ).all()
    for account in accounts:
        if account.traeger_id in by_traeger:
            by_traeger[account.traeger_id].accounts.append(account.email)
    result = sorted(by_traeger.values(), key=lambda s: s.traeger.name.casefold())
    for item in result:
        item.entries.sort(key=lambda e: (e[0] != "Einrichtung", e[1]))
    return result


STALE_CSV_HEADER = (
    "Träger-ID", "Träger", "E-Mail", "Telefon", "Zugänge", "Anzahl", "Einträge",
)  # fmt: skip


def stale_csv_rows(items: Iterable[StaleTraeger]) -> Iterable[Sequence[Any]]:
    """One row per Träger (one letter per provider in a mail merge)."""
    for item in items:
        listed = "; ".join(
            f"{kind} {ext} „{name}“ (geprüft: {v.strftime('%d.%m.%Y') if v else 'nie'})"
            for kind, ext, name, v in item.entries
        )
        t = item.traeger
        yield (t.external_id, t.name, t.email or "", t.telefon or "", ", ".join(item.accounts),
               len(item.entries), listed)  # fmt: skip


# --- feedback ---------------------------------------------------------------------------------------------


def feedback_totals(session: Session) -> dict[str, int]:
    rows = session.exec(
        select(Feedback.kind, Feedback.helpful, func.count()).group_by(
            col(Feedback.kind), col(Feedback.helpful)
        )
    )
    totals = {"fehler": 0, "ja": 0, "nein": 0}
    for kind, helpful, n in rows:
        key = "fehler" if kind == FeedbackKind.fehler else ("ja" if helpful else "nein")
        totals[key] += int(n)
    return totals


def feedback_by_offer(session: Session) -> list[tuple[Angebot, dict[str, int]]]:
    rows = session.exec(
        select(Feedback.angebot_id, Feedback.kind, Feedback.helpful, func.count()).group_by(
            col(Feedback.angebot_id), col(Feedback.kind), col(Feedback.helpful)
        )
    ).all()
    per_offer: dict[int, dict[str, int]] = {}
    for angebot_id, kind, helpful, n in rows:
        counts = per_offer.setdefault(angebot_id, {"fehler": 0, "ja": 0, "nein": 0})
        counts["fehler" if kind == FeedbackKind.fehler else ("ja" if helpful else "nein")] += int(n)
    offers = session.exec(select(Angebot).where(col(Angebot.id).in_(per_offer))).all() if per_offer else []
    return sorted(((a, per_offer[a.id]) for a in offers), key=lambda x: -x[1]["fehler"])  # type: ignore[index]


def error_reports(session: Session, limit: int = 200) -> Sequence[tuple[Feedback, Angebot]]:
    stmt = (
        select(Feedback, Angebot)
        .join(Angebot, col(Angebot.id) == Feedback.angebot_id)
        .where(Feedback.kind == FeedbackKind.fehler.value)
        .order_by(col(Feedback.created_at).desc())
        .limit(limit)
    )
    return session.exec(stmt).all()
