"""Scoring by reviewers (admins and Prüfer), independently: a reviewer sees the others' points for an
application only after submitting their own for every criterion."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from app.applications.models import Antrag, Bewertung, Kriterium
from app.applications.service import YearData
from app.audit.service import record
from app.auth.models import UserAccount
from app.db import utcnow
from app.i18n import gettext as _


def reviewer_name(user: UserAccount) -> str:
    """How an online reviewer appears in the matrix (the workbook's Prüfer column)."""
    return user.email


def own_points(data: YearData, antrag: Antrag, reviewer: str) -> dict[int, Bewertung]:
    by_criterion = data.points.get(antrag.id, {})
    return {k: reviewers[reviewer] for k, reviewers in by_criterion.items() if reviewer in reviewers}


def has_submitted(data: YearData, antrag: Antrag, reviewer: str) -> bool:
    own = own_points(data, antrag, reviewer)
    return bool(data.criteria) and all(k.id in own for k in data.criteria)


@dataclass
class ScoreInput:
    punkte: int | None
    begruendung: str
    error: str | None = None


def read_scores(form: Any, criteria: list[Kriterium]) -> tuple[dict[int, ScoreInput], bool]:
    """Form fields ``punkte-<id>`` (0–5) and ``begruendung-<id>``; all criteria are required."""
    scores: dict[int, ScoreInput] = {}
    ok = True
    for k in criteria:
        raw = str(form.get(f"punkte-{k.id}", "")).strip()
        reason = str(form.get(f"begruendung-{k.id}", "")).strip()[:4000]
        item = ScoreInput(None, reason)
        if raw.isdigit() and 0 <= int(raw) <= 5:
            item.punkte = int(raw)
        else:
            item.error = _("Bitte 0 bis 5 Punkte wählen.")
            ok = False
        scores[k.id] = item  # type: ignore[index]
    return scores, ok


def save_scores(
    session: Session, antrag: Antrag, scores: dict[int, ScoreInput], reviewer: str, actor: str
) -> None:
    existing = {
        b.kriterium_id: b
        for b in session.exec(
            select(Bewertung).where(Bewertung.antrag_id == antrag.id, Bewertung.pruefer == reviewer)
        ).all()
    }
    for kriterium_id, score in scores.items():
        assert score.punkte is not None
        reason = score.begruendung or None
        current = existing.get(kriterium_id)
        if current is None:
            current = Bewertung(
                antrag_id=antrag.id,  # type: ignore[arg-type]
                kriterium_id=kriterium_id,
                pruefer=reviewer,
                punkte=score.punkte,
                begruendung=reason,
                quelle="online",
            )
            changes = {"punkte": (None, score.punkte), "begruendung": (None, reason)}
        else:
            changes = {
                name: (getattr(current, name), new)
                for name, new in (("punkte", score.punkte), ("begruendung", reason))
                if getattr(current, name) != new
            }
            current.punkte, current.begruendung = score.punkte, reason
        if not changes:
            continue
        current.updated_at = utcnow()
        session.add(current)
        kriterium = session.get(Kriterium, kriterium_id)
        record(
            session,
            actor=actor,
            source="admin",
            action="score",
            entity_type="bewertung",
            entity_id=f"{antrag.external_id}/{kriterium.external_id if kriterium else kriterium_id}"[:60],
            changes=changes,
            note=f"Prüfer {reviewer}",
        )
    if antrag.status == "eingegangen":
        record(
            session,
            actor=actor,
            source="admin",
            action="update",
            entity_type="antrag",
            entity_id=antrag.external_id,
            changes={"status": (antrag.status, "in-pruefung")},
        )
        antrag.status = "in-pruefung"
        session.add(antrag)
