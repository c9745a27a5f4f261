"""Demo content for the quality cycle (development only): evaluations of the sample's funded offers,
indicators, a due date and one submitted Qualitätsbericht. Fictional and deterministic (its own Random);
a second run adds nothing."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy.orm import selectinload
from sqlmodel import Session, col, func, select

from app.catalogue.models import Foerderung
from app.db import utcnow
from app.quality.models import Berichtsfrist, Indikator, Nutzerbewertung, Qualitaetsbericht

COMMENTS = (
    "Sehr freundliche Leitung, wir kommen gern wieder.",
    "Der Raum war etwas eng, sonst prima.",
    "Gute Tipps für den Alltag bekommen.",
    "Leider oft ausgebucht.",
    "Unsere Tochter freut sich jede Woche darauf.",
)
INDICATORS = {
    3: [
        ("Anzahl erreichter Familien", "zahl", "40"),
        ("Angebot in Leichter Sprache beworben", "ja-nein", "ja"),
    ],
    5: [("Anzahl beteiligter Nachbarinnen und Nachbarn", "zahl", "25")],
    6: [
        ("Generationenfest durchgeführt", "ja-nein", "ja"),
        ("Erreichte Seniorinnen und Senioren", "zahl", "30"),
    ],
}


def seed_demo(session: Session, *, seed: int = 16) -> str:
    if session.exec(select(func.count(col(Nutzerbewertung.id)))).one():
        return "Qualitätsdialog-Demo: schon vorhanden, nichts geändert."
    rnd = random.Random(seed)  # noqa: S311  (fictional demo data, not security)
    stmt = (
        select(Foerderung)
        .where(col(Foerderung.published).is_(True))
        .options(selectinload(Foerderung.angebote))  # type: ignore[arg-type]
        .order_by(col(Foerderung.jahr).desc(), col(Foerderung.external_id))
    )
    linked = [g for g in session.exec(stmt).all() if g.angebote]
    if not linked:
        return "Qualitätsdialog-Demo: keine Förderungen mit Angeboten – bitte zuerst importieren."
    now = utcnow()
    count = 0
    for index, grant in enumerate(linked):
        # The first projects get enough evaluations for a public aggregate, the last one stays below five.
        n = 3 if index == len(linked) - 1 else rnd.randint(6, 12)
        for _ in range(n):
            offer = rnd.choice(grant.angebote)
            score = rnd.choices((1, 2, 3, 4, 5), weights=(1, 1, 3, 6, 5))[0]
            session.add(
                Nutzerbewertung(
                    angebot_id=offer.id,  # type: ignore[arg-type]
                    zufriedenheit=score,
                    weiterempfehlen=score >= 4 or rnd.random() < 0.2,
                    kommentar=rnd.choice(COMMENTS) if rnd.random() < 0.3 else None,
                    created_at=now - timedelta(days=rnd.randint(1, 300)),
                )
            )
            count += 1
    years = sorted({g.jahr for g in linked})
    for year in years:
        if session.get(Berichtsfrist, year) is None:
            session.add(Berichtsfrist(jahr=year, faellig_am=date(year + 1, 3, 31)))
        for hf, items in INDICATORS.items():
            for position, (label, art, target) in enumerate(items):
                session.add(
                    Indikator(
                        handlungsfeld_number=hf,
                        jahr=year,
                        label=label,
                        art=art,
                        zielwert=target,
                        position=position,
                    )
                )
    session.flush()
    first = linked[0]
    indicators = session.exec(
        select(Indikator).where(
            Indikator.jahr == first.jahr, Indikator.handlungsfeld_number == first.handlungsfeld_number
        )
    ).all()
    session.add(
        Qualitaetsbericht(
            foerderung_id=first.id,  # type: ignore[arg-type]
            jahr=first.jahr,
            status="eingereicht",
            projekt_konzept="Wöchentliches offenes Angebot mit festen Ansprechpersonen.",
            ressourcen_raeume="Gruppenraum der Einrichtung, zweimal pro Woche.",
            ressourcen_personal="Eine Fachkraft (20 Wochenstunden), zwei Ehrenamtliche.",
            teilnehmende_anzahl=48,
            merkmale_altersgruppen="überwiegend Eltern zwischen 25 und 40 Jahren mit Kindern unter 6 Jahren",
            merkmale_zielgruppen="Familien, Alleinerziehende, Menschen mit Migrationsgeschichte",
            vernetzung="Austausch mit Stadtteilbüro und Familienzentrum; gemeinsames Sommerfest.",
            ergebnisse="Feste Gruppe entstanden; drei Familien nutzen jetzt auch die Beratung.",
            indikatoren={str(i.id): ("ja" if i.art == "ja-nein" else "35") for i in indicators},
            submitted_at=now,
            submitted_by="demo@example.org",
        )
    )
    return (
        f"Qualitätsdialog-Demo: {count} Bewertungen für {len(linked)} geförderte Projekte, "
        f"ein eingereichter Bericht ({first.external_id})."
    )
