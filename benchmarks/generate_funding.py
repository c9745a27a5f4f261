"""Fictional funding cycle for the sample: one Förderjahr, six criteria, 32 applications, three reviewers.

It uses its OWN random generator, so adding it leaves the catalogue rows (offers, institutions, Förderungen)
of a seed unchanged. The reviewers are the demo accounts of ``python -m app.cli demo-accounts``; the third has
not yet scored the last applications, so a demo shows both a real ranking and open scoring work.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from app.catalogue import values as c
from app.catalogue import vocab

Row = dict[str, Any]
YEAR = 2027
BUDGET_CENTS = 420_000_00
APPLICATIONS = 32
REVIEWERS = ("pruefer1@example.org", "pruefer2@example.org", "pruefer3@example.org")
CRITERIA = (
    (
        "K1",
        "Passung zum integrierten Fachplan",
        20,
        "Wie gut greift das Projekt Ziele des LSZ-Fachplans auf?",
    ),
    (
        "K2",
        "Ungedeckter Bedarf im Sozialraum",
        25,
        "Fehlen vergleichbare Angebote im Ortsteil und für die Zielgruppe?",
    ),
    ("K3", "Erreichbarkeit der Zielgruppe", 20, "Erreicht das Konzept die Menschen, für die es gedacht ist?"),
    ("K4", "Neu, Pilot oder bewährte Fortsetzung", 10, "Innovationsgehalt oder nachgewiesene Wirkung."),
    ("K5", "Vernetzung und Kooperation", 10, "Partner im Sozialraum, Zusammenarbeit mit Einrichtungen."),
    ("K6", "Wirtschaftlichkeit", 15, "Verhältnis von Kosten, Reichweite und Eigenanteil."),
)
TITLES = (
    ("Familienfrühstück", 3), ("Elternlotsen", 4), ("Lernpaten", 3), ("Mittagstisch für Ältere", 6),
    ("Ferienwerkstatt", 3), ("Vätertreff", 3), ("Sprachcafé", 4), ("Gemeinschaftsgarten", 5),
    ("Mobile Sozialberatung", 4), ("Babytreff", 3), ("Nachbarschaftstreff", 6), ("Bewegung im Alter", 6),
    ("Digitale Sprechstunde", 4), ("Pflegebegleitung", 4), ("Fahrdienst Ehrenamt", 2),
    ("Kinderbetreuung im Notfall", 2),
)  # fmt: skip
DISTRICTS = (
    "Neulobeda", "Winzerla", "Jena-Nord", "Lobeda-Altstadt", "Löbstedt", "Wenigenjena", "Burgau",
    "Jena-Zentrum", "Göschwitz", "Kernberge", "stadtweit",
)  # fmt: skip
AMOUNTS = (6_000, 8_500, 9_800, 12_000, 14_500, 18_000, 22_000, 26_500, 31_000, 38_000)
REASONS = {
    0: "Kein erkennbarer Bezug.",
    1: "Nur am Rand erfüllt.",
    2: "Teilweise erfüllt, Konzept bleibt vage.",
    3: "Solide erfüllt.",
    4: "Gut begründet und belegt.",
    5: "Vorbildlich, klar belegt.",
}


def generate_funding(seed: int, traeger: list[Row]) -> dict[str, list[Row]]:
    rnd = random.Random(seed * 1_000 + 19)  # noqa: S311  (own generator: the catalogue rows stay as they are)
    zielgruppen = [t.de for t in vocab.ZIELGRUPPEN]
    applications: list[Row] = []
    for index in range(APPLICATIONS):
        title, hf = TITLES[index % len(TITLES)]
        district = DISTRICTS[index % len(DISTRICTS)]
        name = f"{title} {district}" if district != "stadtweit" else f"{title} (stadtweit)"
        status = "zurückgezogen" if index == 20 else "in Prüfung"
        applications.append(
            {
                "Antrags-ID": f"AN-{YEAR}-{index + 1:03d}",
                "Förderjahr": YEAR,
                "Träger-ID": rnd.choice(traeger)["Träger-ID"],
                "Projekttitel": name,
                "Handlungsfeld": hf if index % 3 else f"HF {hf}",
                "Ortsteile": district,
                "Zielgruppen": c.format_multi(rnd.sample(zielgruppen, 2)),
                "Beantragte Summe": c.format_money(rnd.choice(AMOUNTS) * 100),
                "Art": rnd.choice(("neu", "Pilot", "Fortsetzung")),
                "Kurzbeschreibung": f"Das Projekt „{name}“ richtet sich an Familien im Sozialraum. "
                "Gefördert werden Personal- und Sachkosten; ein Eigenanteil ist eingeplant.",
                "Eingang": date(YEAR - 1, 9, 1) + timedelta(days=index % 28),
                "Status": status,
            }
        )
    scores: list[Row] = []
    for index, application in enumerate(applications):
        quality = rnd.uniform(1.5, 4.5)  # how good the application is, shared by the reviewers
        for cid, *_rest in CRITERIA:
            for number, reviewer in enumerate(REVIEWERS):
                if number == 2 and index >= APPLICATIONS - 4:
                    continue  # the third reviewer has not yet scored the last four
                points = max(0, min(5, round(quality + rnd.gauss(0, 0.9))))
                scores.append(
                    {
                        "Antrags-ID": application["Antrags-ID"],
                        "Kriterium-ID": cid,
                        "Prüfer": reviewer,
                        "Punkte": points if rnd.random() < 0.7 else str(points),
                        "Begründung": REASONS[points],
                    }
                )
    return {
        "Förderjahre": [{"Förderjahr": YEAR, "Budget": c.format_money(BUDGET_CENTS)}],
        "Kriterien": [
            {"Kriterium-ID": cid, "Kriterium": name, "Gewicht": f"{weight} %", "Beschreibung": text}
            for cid, name, weight, text in CRITERIA
        ],
        "Anträge": applications,
        "Bewertungen": scores,
    }
