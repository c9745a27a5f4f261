"""Users' evaluations of funded offers: storing (honeypot, IP limit, retention), k-anonymous aggregates."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from babel.numbers import format_decimal
from sqlalchemy import case, extract
from sqlmodel import Session, col, delete, func, select, update

from app.auth import ratelimit
from app.catalogue.editing import clean_text
from app.catalogue.models import Angebot
from app.catalogue.values import ParseError
from app.db import utcnow
from app.feedback.service import SubmitResult
from app.i18n import current_locale
from app.i18n import gettext as _
from app.quality.models import Nutzerbewertung
from app.settings import Settings

# k-anonymity: an aggregate is published only from this many evaluations on.
MIN_PUBLIC_COUNT = 5
MAX_COMMENT = 1000
RATE_BUCKET = "bewertung-ip"


@dataclass(frozen=True)
class Aggregate:
    count: int
    mean: float | None
    recommend_share: float | None  # 0…1

    @property
    def shown(self) -> bool:
        return self.count >= MIN_PUBLIC_COUNT


EMPTY = Aggregate(0, None, None)


def _babel_locale() -> str:
    return "en_GB" if current_locale.get() == "en" else "de_DE"


def format_aggregate(agg: Aggregate) -> str:
    """„Ø 4,0 von 5 aus 6 Bewertungen · 33 % würden es weiterempfehlen“ (German number format)."""
    if not agg.shown or agg.mean is None or agg.recommend_share is None:
        return _("noch zu wenige Bewertungen")
    mean = format_decimal(round(agg.mean, 1), format="0.0", locale=_babel_locale())
    percent = format_decimal(round(agg.recommend_share * 100), format="0", locale=_babel_locale())
    return _("Ø {mean} von 5 aus {count} Bewertungen · {percent} % würden es weiterempfehlen").format(
        mean=mean, count=format_decimal(agg.count, format="#,##0", locale=_babel_locale()), percent=percent
    )


def _aggregate_stmt(angebot_ids: Sequence[int]):
    return select(
        func.count(col(Nutzerbewertung.id)),
        func.avg(Nutzerbewertung.zufriedenheit),
        func.sum(case((col(Nutzerbewertung.weiterempfehlen).is_(True), 1), else_=0)),
    ).where(col(Nutzerbewertung.angebot_id).in_(list(angebot_ids)))


def to_aggregate(count: int, avg: float | None, yes: int | None) -> Aggregate:
    if not count:
        return EMPTY
    return Aggregate(int(count), float(avg or 0), (yes or 0) / count)


def aggregate(session: Session, angebot_ids: Iterable[int]) -> Aggregate:
    ids = list(angebot_ids)
    if not ids:
        return EMPTY
    count, avg, yes = session.exec(_aggregate_stmt(ids)).one()
    return to_aggregate(count, avg, yes)


def aggregate_by_year(session: Session, angebot_ids: Iterable[int]) -> list[tuple[int, Aggregate]]:
    """Per calendar year of the evaluation, newest first (for the dossier, which is not public)."""
    ids = list(angebot_ids)
    if not ids:
        return []
    year = extract("year", col(Nutzerbewertung.created_at))
    stmt = (
        select(
            year,
            func.count(col(Nutzerbewertung.id)),
            func.avg(Nutzerbewertung.zufriedenheit),
            func.sum(case((col(Nutzerbewertung.weiterempfehlen).is_(True), 1), else_=0)),
        )
        .where(col(Nutzerbewertung.angebot_id).in_(ids))
        .group_by(year)
        .order_by(year.desc())
    )
    return [(int(y), to_aggregate(c, a, s)) for y, c, a, s in session.exec(stmt).all()]


def comments(session: Session, angebot_ids: Iterable[int]) -> list[Nutzerbewertung]:
    """Evaluations with a comment, newest first – only for the Träger of the project and the admins."""
    ids = list(angebot_ids)
    if not ids:
        return []
    stmt = (
        select(Nutzerbewertung)
        .where(col(Nutzerbewertung.angebot_id).in_(ids), col(Nutzerbewertung.kommentar).is_not(None))
        .order_by(col(Nutzerbewertung.created_at).desc(), col(Nutzerbewertung.id).desc())
    )
    return list(session.exec(stmt).all())


def purge_expired(session: Session, settings: Settings) -> None:
    """Retention (stated on the Datenschutz page): comments go first, whole evaluations later."""
    now = utcnow()
    session.exec(
        update(Nutzerbewertung)
        .where(
            col(Nutzerbewertung.kommentar).is_not(None),
            col(Nutzerbewertung.created_at)
            < now - timedelta(days=settings.evaluation_comment_retention_days),
        )
        .values(kommentar=None)
    )
    session.exec(
        delete(Nutzerbewertung).where(
            col(Nutzerbewertung.created_at) < now - timedelta(days=settings.evaluation_retention_days)
        )
    )


@dataclass
class EvaluationInput:
    zufriedenheit: str = ""
    weiterempfehlen: str = ""
    kommentar: str = ""
    website: str = ""  # honeypot


def submit(
    session: Session, settings: Settings, *, angebot: Angebot, data: EvaluationInput, ip: str
) -> SubmitResult:
    """The feedback limiter per IP (keyed hash in its short window, own count); the row itself has no IP.

    Stored evaluations and honeypot hits count; a form returned with field errors does not.
    """
    window = timedelta(minutes=settings.feedback_window_minutes)
    key = ratelimit.keyed_hash("bewertung:" + ip, settings)
    if (
        ratelimit.count_recent(session, bucket=RATE_BUCKET, key=key, window=window)
        >= settings.evaluation_max_posts
    ):
        return SubmitResult(rate_limited=True)
    if data.website.strip():
        ratelimit.record_event(session, bucket=RATE_BUCKET, key=key, window=window)
        return SubmitResult()  # looks like success to the bot; nothing stored
    errors: dict[str, str] = {}
    score = data.zufriedenheit.strip()
    if score not in {"1", "2", "3", "4", "5"}:
        errors["zufriedenheit"] = _("Bitte wählen Sie, wie zufrieden Sie sind (1 bis 5).")
    recommend = data.weiterempfehlen.strip()
    if recommend not in ("ja", "nein"):
        errors["weiterempfehlen"] = _("Bitte „ja“ oder „nein“ wählen.")
    comment: str | None = None
    try:
        comment = clean_text(data.kommentar, max_length=MAX_COMMENT, multiline=True)
    except ParseError as exc:
        errors["kommentar"] = str(exc)
    if errors:
        # A form with mistakes stores nothing and does not use up the person's allowance.
        return SubmitResult(errors=errors)
    assert angebot.id is not None
    ratelimit.record_event(session, bucket=RATE_BUCKET, key=key, window=window)
    session.add(
        Nutzerbewertung(
            angebot_id=angebot.id,
            zufriedenheit=int(score),
            weiterempfehlen=recommend == "ja",
            kommentar=comment,
        )
    )
    purge_expired(session, settings)
    session.flush()
    return SubmitResult(stored=True)
