# ruff: noqa: E501  (sample prose and data tables read better unwrapped)
"""Deterministic, fictional Familienwegweiser workbooks – the sample data and the benchmark input.

    python -m benchmarks.generate_workbook --offers 160 --seed 4 --out data/familienwegweiser-beispiel.xlsx
    (with the funding-cycle sheets; ``--ohne-antraege`` leaves them out)
    python -m benchmarks.generate_workbook --offers 10000 --seed 7 --out /tmp/big.xlsx --csv-dir /tmp/big-csv

Everything is invented except Jena's 30 Ortsteile: institutions, people, streets, phone numbers (03641 …),
addresses (example.org). The first rows are fixed offers the app's tests and demos rely on (Krabbelgruppe in
Neulobeda, Erziehungsberatung, a seniors' lunch in Löbstedt, offers for Alleinerziehende in a few districts only,
a description with ``<script>`` text that must render as text, …); the rest comes from templates.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from app.catalogue import values as c
from app.catalogue import vocab
from benchmarks.generate_funding import generate_funding
from importers import sheets
from importers.application_sheets import APPLICATION_SHEETS
from importers.geo import ORTSTEIL_CENTRES

Row = dict[str, Any]
ORTSTEIL_NAMES = {o.slug: o.name for o in vocab.ORTSTEILE}
PLZ = {"nord": "07743", "west-zentrum": "07743", "ost": "07749", "lobeda": "07747", "winzerla": "07745"}
PLZ["ortschaften"] = "07751"
PLANUNGSRAUM = {o.slug: o.planungsraum for o in vocab.ORTSTEILE}
# Bigger districts get more institutions.
WEIGHTS = {"neulobeda": 6, "winzerla": 5, "jena-nord": 5, "jena-zentrum": 5, "jena-west": 3, "jena-sued": 3}
WEIGHTS |= {"wenigenjena": 3, "lobeda-altstadt": 3, "loebstedt": 2, "burgau": 2, "goeschwitz": 2}

TRAEGER_FIXED = (
    ("Jenaer Kinderstätten (Eigenbetrieb, fiktiv)", "kommunal"),
    ("Familienwerk Saaletal e.V.", "Verein"),
    ("Generationennetz Kernberge e.V.", "Verein"),
    ("Kinder- und Familienhilfe Mühltal gGmbH", "frei-gemeinnützig"),
    ("Ev. Kirchspiel Am Steiger (fiktiv)", "kirchlich"),
    ("Beratungsverbund Ilmtal gGmbH", "frei-gemeinnützig"),
    ("Nachbarschaftshaus Sonnenhang e.V.", "Verein"),
    ("Kommunaler Familienservice Jena (fiktiv)", "kommunal"),
    ("Lernwerkstatt Saalebogen e.V.", "Verein"),
    ("Kath. Pfarrei Heilige Familie Saaletal (fiktiv)", "kirchlich"),
    ("Sportgemeinschaft Kernberglauf e.V.", "Verein"),
    ("Familienpraxis Löwenzahn GmbH", "privat"),
)
NAME_PARTS = (
    (
        "Familienwerk",
        "Generationenbrücke",
        "Kinderhilfe",
        "Elternnetz",
        "Nachbarschaftshilfe",
        "Bildungswerk",
    ),
    (
        "Saaletal",
        "Kernberge",
        "Fuchsturm",
        "Mühltal",
        "Sonnenhang",
        "Leutratal",
        "Jenzig",
        "Hausberg",
        "Rautal",
    ),
    ("e.V.", "gGmbH", "Stiftung", "e.V.", "gUG"),
)
TRAEGERARTEN = ("Verein", "frei-gemeinnützig", "kirchlich", "Verein", "privat", "kommunal")
STREETS = (
    "Am Lindenhang",
    "Saaleweg",
    "Kastanienallee",
    "Mühlgasse",
    "Goldammerweg",
    "Brückenstraße",
    "Am Steinbruch",
    "Fliederweg",
    "Birkenhain",
    "Oberaue",
    "Schillerhöhe",
    "Rosengasse",
    "Talblick",
    "Hirtenweg",
    "Am Bach",
    "Wiesenstraße",
    "Keltenweg",
    "Ährenfeld",
    "Kirschberg",
    "Große Gasse",
    "Lerchenstieg",
    "Ufergasse",
)
ARTEN = (
    ("Familienzentrum", "Familienzentrum"),
    ("ThEKiZ", "ThEKiZ"),
    ("Kindertagesstätte", "Kita"),
    ("Beratungsstelle", "Beratungsstelle"),
    ("Begegnungsstätte", "Begegnungsstätte"),
    ("Jugendhaus", "Jugendhaus"),
    ("Stadtteilbüro", "Stadtteilbüro"),
    ("Mehrgenerationenhaus", "Mehrgenerationenhaus"),
    ("Bibliothek", "Stadtteilbibliothek"),
)
KITA_NAMES = (
    "Sonnenblume",
    "Regenbogen",
    "Pusteblume",
    "Wirbelwind",
    "Kleine Strolche",
    "Löwenzahn",
    "Spatzennest",
)
OPENING = (
    "Mo–Fr 8:00–16:00",
    "Mo–Fr 9:00–18:00",
    "Mo, Di, Do 9:00–12:00 und 13:00–16:00; Termine nach Vereinbarung",
    "Di und Do 14:00–18:00",
    "Mo–Fr 7:00–17:00; Do bis 18:00",
)
BARRIEREFREI = (
    "ja",
    "ja",
    "nein",
    "teilweise",
    "teilweise: Aufzug über den Hof",
    "nein: Zugang nur über Treppe",
)
SPRACHEN = (
    "Deutsch",
    "Deutsch; Englisch",
    "Deutsch; Arabisch",
    "Deutsch; Russisch; Ukrainisch",
    "Deutsch; Englisch; Französisch",
)


@dataclass(frozen=True)
class Template:
    title: str
    zielgruppen: tuple[str, ...]
    themen: tuple[str, ...]
    hf: int
    alter: tuple[Any, Any]
    kosten: tuple[str, ...]
    termine: tuple[str, ...]
    text: str


TEMPLATES = (
    Template(
        "Babymassage",
        ("Eltern mit Babys und Kleinkindern (0–3 J.)",),
        ("Gesundheit",),
        3,
        ("2 Monate", "12 Monate"),
        ("25,00 €", "kostenlos"),
        ("mittwochs 10:00–11:00 (5 Termine)",),
        "Sanfte Berührungen tun Babys gut. Wir zeigen Griffe, die Sie zu Hause weiterführen können.",
    ),
    Template(
        "Spielgruppe für Kleinkinder",
        ("eltern-baby",),
        ("begegnung", "bildung"),
        3,
        (1, 3),
        ("kostenlos", "1,00 €"),
        ("montags 9:30–11:00", "freitags 15:00–16:30"),
        "Kleine Kinder entdecken gemeinsam Spielzeug, Lieder und Fingerspiele. Eltern tauschen sich aus.",
    ),
    Template(
        "Leseclub",
        ("Kinder (3–12 J.)",),
        ("Bildung und Lernen", "Kultur und Kreativität"),
        3,
        (6, 10),
        ("kostenlos",),
        ("donnerstags 15:00–16:30",),
        "Im Leseclub lesen Kinder gemeinsam, hören Geschichten und gestalten eigene kleine Bücher.",
    ),
    Template(
        "Offener Jugendtreff",
        ("Jugendliche (12–18 J.)",),
        ("Begegnung und Freizeit",),
        6,
        (12, 18),
        ("kostenlos",),
        ("Mo–Fr 14:00–20:00",),
        "Billard, Kicker, Musik und ein offenes Ohr: Der Treff ist für alle Jugendlichen offen.",
    ),
    Template(
        "Sprachcafé Deutsch",
        ("Menschen mit Migrationsgeschichte", "Familien"),
        ("Sprache und Integration",),
        4,
        (None, None),
        ("kostenlos",),
        ("dienstags 17:00–18:30",),
        "Bei Tee und Gebäck üben wir Deutsch im Alltag. Kinder können mitgebracht werden.",
    ),
    Template(
        "Computerkurs 60+",
        ("Seniorinnen und Senioren",),
        ("Bildung und Lernen",),
        6,
        (60, None),
        ("2,00 €", "kostenlos"),
        ("montags 16:00–17:30 (6 Termine)",),
        "Smartphone, Tablet und E-Mail in Ruhe erklärt. Leihgeräte sind vorhanden.",
    ),
    Template(
        "Pflegeberatung für Angehörige",
        ("Pflegende Angehörige",),
        ("Pflege und Unterstützung im Alter", "Beratung"),
        4,
        (None, None),
        ("kostenlos",),
        ("nach Vereinbarung",),
        "Wir beraten zu Pflegegrad, Entlastungsleistungen und Hilfen im Alltag – vertraulich und unabhängig.",
    ),
    Template(
        "Familienfrühstück",
        ("Familien", "Eltern mit Babys und Kleinkindern (0–3 J.)"),
        ("Begegnung und Freizeit",),
        6,
        (None, None),
        ("1,50 €", "kostenlos"),
        ("jeden 1. Samstag im Monat 10:00–12:00",),
        "Gemeinsam frühstücken, Kontakte knüpfen und Neues aus dem Stadtteil erfahren.",
    ),
    Template(
        "Elternkurs „Starke Eltern“",
        ("Familien",),
        ("Bildung und Lernen", "Beratung"),
        3,
        (None, None),
        ("30,00 €", "nach Einkommen"),
        ("6 Abende, mittwochs 19:00–21:00",),
        "Der Kurs stärkt Eltern im Erziehungsalltag: Grenzen setzen, Streit schlichten, Gefühle verstehen.",
    ),
    Template(
        "Großelterntreff",
        ("Großeltern", "Alle Generationen"),
        ("Begegnung und Freizeit",),
        6,
        (None, None),
        ("kostenlos",),
        ("jeden 2. Donnerstag 15:00–17:00",),
        "Großeltern tauschen sich über das Zusammenleben der Generationen aus – Enkelkinder sind willkommen.",
    ),
    Template(
        "Mobile Spielplatzaktion",
        ("kinder", "familien"),
        ("bewegung", "begegnung"),
        5,
        (3, 12),
        ("kostenlos",),
        ("in den Sommerferien, dienstags 14:00–17:00",),
        "Unser Spielmobil kommt mit Rollern, Bällen und Bastelkisten auf die Spielplätze im Quartier.",
    ),
    Template(
        "Schuldnerberatung für Familien",
        ("Familien",),
        ("Geld und Leistungen", "Beratung"),
        4,
        (None, None),
        ("kostenlos",),
        ("nach Vereinbarung",),
        "Wir ordnen gemeinsam Schulden und Unterlagen und suchen Wege aus der Überschuldung.",
    ),
    Template(
        "Inklusive Tanzgruppe",
        ("Menschen mit Behinderung", "Jugendliche (12–18 J.)"),
        ("Sport und Bewegung", "Kultur und Kreativität"),
        6,
        (12, 27),
        ("3,00 €",),
        ("freitags 16:30–18:00",),
        "Tanzen ohne Barrieren: Jede Bewegung zählt, Rollstuhlfahrende sind herzlich eingeladen.",
    ),
    Template(
        "Bewerbungswerkstatt",
        ("Junge Erwachsene (18–27 J.)", "Jugendliche (12–18 J.)"),
        ("Bildung und Lernen",),
        2,
        (16, 27),
        ("kostenlos",),
        ("nach Vereinbarung",),
        "Lebenslauf, Anschreiben und Vorstellungsgespräch – wir üben gemeinsam und geben Rückmeldung.",
    ),
    Template(
        "Seniorenrikscha",
        ("Seniorinnen und Senioren",),
        ("Mobilität", "Begegnung und Freizeit"),
        5,
        (65, None),
        ("kostenlos",),
        ("Mai–September nach Vereinbarung",),
        "Ehrenamtliche fahren ältere Menschen mit der Rikscha durch den Stadtteil und ins Grüne.",
    ),
    Template(
        "Nachbarschaftsgarten",
        ("Alle Generationen",),
        ("Wohnen und Wohnumfeld", "Ehrenamt und Engagement"),
        5,
        (None, None),
        ("kostenlos",),
        ("samstags ab 10:00",),
        "Gemüsebeete, Kräuterschnecke und Kompost – Jung und Alt gärtnern gemeinsam.",
    ),
    Template(
        "Fahrradwerkstatt",
        ("Jugendliche (12–18 J.)", "Familien"),
        ("Mobilität",),
        2,
        (10, None),
        ("kostenlos", "Spende erbeten"),
        ("mittwochs 15:00–18:00",),
        "Unter Anleitung reparieren Sie Ihr Fahrrad selbst. Werkzeug und Ersatzteile sind vorhanden.",
    ),
    Template(
        "Ferienbetreuung",
        ("Kinder (3–12 J.)",),
        ("Kinderbetreuung", "Begegnung und Freizeit"),
        2,
        (6, 12),
        ("45,00 €", "nach Einkommen"),
        ("in den Herbstferien Mo–Fr 8:00–16:00",),
        "Ausflüge, Basteln und Spiele: verlässliche Betreuung für Schulkinder in den Ferien.",
    ),
    Template(
        "Stillberatung",
        ("werdende-eltern", "eltern-baby"),
        ("gesundheit", "beratung"),
        4,
        (0, 1),
        ("kostenlos",),
        ("donnerstags 10:00–12:00",),
        "Eine Stillberaterin beantwortet Fragen rund ums Stillen und die ersten Wochen mit dem Baby.",
    ),
    Template(
        "Vorlesepaten",
        ("Kinder (3–12 J.)", "Alle Generationen"),
        ("Kultur und Kreativität", "Ehrenamt und Engagement"),
        6,
        (3, 8),
        ("kostenlos",),
        ("dienstags 16:00–17:00",),
        "Ehrenamtliche Vorlesepatinnen und -paten lesen Geschichten vor – zum Zuhören und Mitmachen.",
    ),
)

FIXED_INSTITUTIONS: tuple[tuple[str, str, str, int], ...] = (
    # (name, Art, Ortsteil slug, index of the Träger)
    ("ThEKiZ Regenbogen Neulobeda", "ThEKiZ", "neulobeda", 0),
    ("Familienzentrum Am Kastanienhof", "Familienzentrum", "winzerla", 1),
    ("Beratungsstelle für Familien und Schwangere Jena-Zentrum", "Beratungsstelle", "jena-zentrum", 5),
    ("Begegnungsstätte Alte Schule Löbstedt", "Begegnungsstätte", "loebstedt", 4),
    ("Sporthalle und Familientreff Wenigenjena", "Familienzentrum", "wenigenjena", 10),
    ("Jugendhaus Nordlicht", "Jugendhaus", "jena-nord", 6),
)


@dataclass
class Dataset:
    sheets: dict[str, list[Row]] = field(default_factory=dict)


def _slug(text: str) -> str:
    from app.catalogue.text import fold

    return fold(text).replace(" ", "-")[:40]


def _phone(rnd: random.Random) -> str:
    return (
        f"03641 {rnd.randint(20, 99)}-{rnd.randint(1000, 9999)}"
        if rnd.random() < 0.5
        else f"03641 {rnd.randint(200000, 899999)}"
    )


def _coords(rnd: random.Random, slug: str) -> tuple[float, float]:
    lat, lon = ORTSTEIL_CENTRES[slug]
    return round(lat + rnd.uniform(-0.003, 0.003), 5), round(lon + rnd.uniform(-0.004, 0.004), 5)


def _traeger(rnd: random.Random, count: int) -> list[Row]:
    rows: list[Row] = []
    used: set[str] = set()
    for index in range(count):
        if index < len(TRAEGER_FIXED):
            name, art = TRAEGER_FIXED[index]
        else:
            while True:
                name = " ".join(rnd.choice(part) for part in NAME_PARTS)
                if name in used:
                    name = f"{name} ({index})"
                break
            art = rnd.choice(TRAEGERARTEN)
        used.add(name)
        slug = _slug(name)
        rows.append(
            {
                "Träger-ID": f"T-{index + 1:03d}",
                "Name": name,
                "Art": art,
                "Website": f"https://example.org/{slug}" if rnd.random() < 0.8 else f"www.example.org/{slug}",
                "E-Mail": f"kontakt@{slug}.example.org",
                "Telefon": _phone(rnd),
            }
        )
    return rows


def _einrichtungen(rnd: random.Random, count: int, traeger: list[Row]) -> list[Row]:
    slugs = [o.slug for o in vocab.ORTSTEILE]
    weighted = [s for s in slugs for _ in range(WEIGHTS.get(s, 1))]
    plan: list[tuple[str, str, str, int]] = list(FIXED_INSTITUTIONS)
    covered = {slug for _n, _a, slug, _t in plan}
    for slug in slugs:  # every Ortsteil gets at least one institution
        if slug not in covered and len(plan) < count:
            plan.append(_invented_institution(rnd, slug, len(traeger)))
    while len(plan) < count:
        plan.append(_invented_institution(rnd, rnd.choice(weighted), len(traeger)))
    rows: list[Row] = []
    for index, (name, art, slug, t_index) in enumerate(plan):
        lat, lon = _coords(rnd, slug)
        traeger_row = traeger[t_index % len(traeger)]
        rows.append(
            {
                "Einrichtungs-ID": f"E-{index + 1:03d}",
                "Name": name,
                # Some rows name the Träger instead of its id – the format allows both.
                "Träger-ID": traeger_row["Name"] if index % 17 == 5 else traeger_row["Träger-ID"],
                "Art": art,
                "Beschreibung": _institution_text(name, art, slug, traeger_row["Name"]),
                "Straße": f"{rnd.choice(STREETS)} {rnd.randint(1, 120)}",
                "PLZ": PLZ[PLANUNGSRAUM[slug]],
                "Ort": "Jena",
                "Ortsteil": ORTSTEIL_NAMES[slug],
                "Breitengrad": lat,
                "Längengrad": lon,
                "Telefon": _phone(rnd),
                "E-Mail": f"{_slug(name)[:30]}@example.org",
                "Website": f"https://example.org/{_slug(traeger_row['Name'])[:20]}/{_slug(name)[:30]}",
                "Öffnungszeiten": rnd.choice(OPENING),
                "Barrierefrei": rnd.choice(BARRIEREFREI),
                "Sprachen": rnd.choice(SPRACHEN),
                "Status": "aktiv",
                "Nachfolger-ID": None,
                "Zuletzt geprüft": date(2025, 6, 1) + timedelta(days=rnd.randint(0, 500)),
            }
        )
    # A few life events: a closed, a moved (with successor) and a temporarily closed institution.
    if len(rows) >= 12:
        rows[-1]["Status"] = "geschlossen"
        rows[-2]["Status"] = "umgezogen"
        rows[-2]["Nachfolger-ID"] = rows[7]["Einrichtungs-ID"]
        rows[-3]["Status"] = "vorübergehend geschlossen"
        rows[-3]["Öffnungszeiten"] = "wegen Umbau bis auf Weiteres geschlossen"
    return rows


def _invented_institution(rnd: random.Random, slug: str, traeger_count: int) -> tuple[str, str, str, int]:
    art, word = rnd.choice(ARTEN)
    place = ORTSTEIL_NAMES[slug]
    if art in ("Kindertagesstätte", "ThEKiZ"):
        name = f"{word} {rnd.choice(KITA_NAMES)} {place}"
    else:
        name = (
            f"{word} {place}" if rnd.random() < 0.6 else f"{word} {rnd.choice(STREETS).split()[-1]} {place}"
        )
    return name, art, slug, rnd.randrange(traeger_count)


def _institution_text(name: str, art: str, slug: str, traeger_name: str) -> str:
    first = {
        "Beratungsstelle": "Die Beratungsstelle berät Familien, Paare und Einzelne vertraulich und kostenfrei.",
        "Kindertagesstätte": "Die Kita betreut Kinder von einem Jahr bis zum Schuleintritt in altersgemischten Gruppen.",
        "ThEKiZ": "Das Eltern-Kind-Zentrum verbindet Kita, Familienbildung und Beratung unter einem Dach.",
        "Jugendhaus": "Das Jugendhaus ist Treffpunkt für junge Menschen – mit Werkstatt, Proberaum und Café.",
    }.get(art, f"{name} ist ein offener Ort für Familien und Nachbarschaft in {ORTSTEIL_NAMES[slug]}.")
    return f"{first}\n\nTräger der Einrichtung ist {traeger_name}. Alle Angebote finden Sie im Familienwegweiser."


def _fixed_offers(institutions: list[Row]) -> list[Row]:
    e = {row["Name"]: row["Einrichtungs-ID"] for row in institutions}
    thekiz = e["ThEKiZ Regenbogen Neulobeda"]
    fz = e["Familienzentrum Am Kastanienhof"]
    beratung = e["Beratungsstelle für Familien und Schwangere Jena-Zentrum"]
    loebstedt = e["Begegnungsstätte Alte Schule Löbstedt"]
    sport = e["Sporthalle und Familientreff Wenigenjena"]
    jugend = e["Jugendhaus Nordlicht"]
    closed = institutions[-1]["Einrichtungs-ID"]
    paused = institutions[-3]["Einrichtungs-ID"]
    return [
        _offer(
            thekiz,
            "Krabbelgruppe",
            "Eltern mit Babys und Kleinkindern (0–3 J.)",
            "Begegnung und Freizeit; Bildung und Lernen",
            3,
            "6 Monate",
            3,
            "kostenlos",
            "dienstags 9:30–11:00 (außer Ferien)",
            "In der Krabbelgruppe treffen sich Eltern mit ihren Babys und Kleinkindern zum Spielen, Singen und Austauschen. "
            "Eine Fachkraft des ThEKiZ ist dabei und beantwortet Fragen zur Entwicklung.",
        ),
        _offer(
            sport,
            "Eltern-Kind-Turnen",
            "Eltern mit Babys und Kleinkindern (0–3 J.); Kinder (3–12 J.)",
            "Sport und Bewegung",
            3,
            1,
            6,
            "2,50 €",
            "samstags 9:00–10:00",
            "Klettern, balancieren, rollen: Beim Eltern-Kind-Turnen bewegen sich Groß und Klein gemeinsam. "
            "Bitte Turnschuhe oder Stoppersocken mitbringen.",
        ),
        _offer(
            beratung,
            "Erziehungsberatung",
            "Familien; Jugendliche (12–18 J.)",
            "Beratung",
            4,
            None,
            None,
            "kostenlos",
            "nach Vereinbarung, auch abends",
            "Wenn es in der Familie schwierig wird: Die Erziehungsberatung hilft bei Streit, Trennung, Schulproblemen "
            "und Sorgen um die Entwicklung eines Kindes. Die Beratung ist vertraulich.",
            anmeldung="ja",
            sprachen="Deutsch; Englisch; Arabisch",
        ),
        _offer(
            beratung,
            "Schwangerschaftsberatung",
            "Schwangere und werdende Eltern",
            "Beratung; Gesundheit",
            4,
            None,
            None,
            "kostenlos",
            "Mo–Fr nach Vereinbarung",
            "Beratung rund um Schwangerschaft und Geburt: finanzielle Hilfen, Elterngeld, Mutterschutz und alle "
            "Fragen, die werdende Eltern bewegen. Auf Wunsch anonym.",
            anmeldung="ja",
        ),
        _offer(
            fz,
            "Familiencafé",
            "Familien; Alle Generationen",
            "Begegnung und Freizeit",
            6,
            None,
            None,
            "kostenlos",
            "mittwochs 15:00–17:30",
            "Das Familiencafé ist ein offener Treffpunkt für Groß und Klein – mit Kaffee, Kuchen und einer Spielecke. "
            "Einfach vorbeikommen, ohne Anmeldung.",
        ),
        _offer(
            jugend,
            "Hausaufgabenhilfe",
            "Kinder (3–12 J.); Jugendliche (12–18 J.)",
            "Bildung und Lernen",
            3,
            6,
            14,
            "kostenlos",
            "Mo–Do 14:00–16:00 (außer Ferien)",
            "Ehrenamtliche und Studierende helfen bei Hausaufgaben und beim Lernen für Klassenarbeiten.",
        ),
        _offer(
            loebstedt,
            "Seniorenmittagstisch",
            "Seniorinnen und Senioren",
            "Begegnung und Freizeit; Pflege und Unterstützung im Alter",
            6,
            60,
            None,
            "4,50 €",
            "dienstags und freitags 12:00–13:30",
            "Gemeinsam essen statt allein: Beim Mittagstisch in der Alten Schule Löbstedt gibt es ein warmes Essen "
            "und gute Gespräche. Ein Fahrdienst kann vermittelt werden.",
        ),
        _offer(
            fz,
            "Treff für Alleinerziehende",
            "Alleinerziehende",
            "Begegnung und Freizeit; Beratung",
            4,
            None,
            None,
            "kostenlos",
            "jeden 2. Samstag 10:00–12:00 mit Kinderbetreuung",
            "Alleinerziehende Mütter und Väter tauschen sich aus, während die Kinder betreut spielen.",
        ),
        _offer(
            jugend,
            "Frühstück für Alleinerziehende",
            "alleinerziehende; eltern-baby",
            "begegnung",
            6,
            None,
            None,
            "1,00 €",
            "freitags 9:00–10:30",
            "Ein entspannter Start in den Tag mit anderen Alleinerziehenden – Babys sind willkommen.",
        ),
        _offer(
            thekiz,
            "Beratung für Alleinerziehende",
            "Alleinerziehende",
            "Beratung; Geld und Leistungen",
            4,
            None,
            None,
            "kostenlos",
            "donnerstags 13:00–16:00",
            "Unterhalt, Wohngeld, Kinderzuschlag: Wir helfen Alleinerziehenden, ihre Ansprüche zu kennen.",
        ),
        _offer(
            fz,
            "Bastelnachmittag für Groß & Klein",
            "Familien; Kinder (3–12 J.)",
            "Kultur und Kreativität",
            6,
            4,
            None,
            "1,00 €",
            "jeden 1. Montag 15:00–17:00",
            "Wir basteln mit Papier, Filz und Naturmaterialien. Hinweis der Redaktion: Der Text "
            "<script>alert(1)</script> und <b>fett</b> muss als Text erscheinen – niemals als Code.",
        ),
        _offer(
            beratung,
            "Familienpass-Sprechstunde",
            "Familien",
            "Geld und Leistungen; Beratung",
            4,
            None,
            None,
            "kostenlos",
            "montags 9:00–12:00",
            "Wir erklären den Familienpass und helfen beim Antrag – für Familien aus ganz Jena.",
            ortsteil="stadtweit",
        ),
        _offer(
            fz,
            "Spielmobil im Quartier",
            "Kinder (3–12 J.); Familien",
            "Sport und Bewegung; Begegnung und Freizeit",
            5,
            3,
            12,
            "kostenlos",
            "in den Ferien dienstags 14:00–17:00",
            "Das Spielmobil besucht Spielplätze in Winzerla, Burgau und Göschwitz.",
            ortsteil="Winzerla; Burgau; Göschwitz",
        ),
        _offer(
            jugend,
            "Ferienfreizeit Sommer 2024",
            "Kinder (3–12 J.)",
            "Begegnung und Freizeit",
            6,
            8,
            12,
            "120,00 €",
            "22.07.–02.08.2024",
            "Zwei Wochen Zeltlager an der Saale mit Kanu, Lagerfeuer und Naturerkundung.",
            gueltig_von=date(2024, 7, 22),
            gueltig_bis=date(2024, 8, 2),
        ),
        _offer(
            loebstedt,
            "Gedächtnistraining",
            "Seniorinnen und Senioren",
            "Gesundheit",
            6,
            65,
            None,
            "kostenlos",
            "donnerstags 10:00–11:00",
            "Spielerische Übungen für ein waches Gedächtnis – in geselliger Runde.",
            status="geschlossen",
        ),
        _offer(
            closed,
            "Musikgarten",
            "Eltern mit Babys und Kleinkindern (0–3 J.)",
            "Kultur und Kreativität",
            3,
            1,
            3,
            "3,00 €",
            "montags 10:00–10:45",
            "Singen, Klatschen, Tanzen – musikalische Früherziehung für die Kleinsten.",
        ),
        _offer(
            paused,
            "Offene Werkstatt",
            "Jugendliche (12–18 J.); Junge Erwachsene (18–27 J.)",
            "Kultur und Kreativität",
            6,
            12,
            27,
            "kostenlos",
            "mittwochs 16:00–19:00",
            "Holz, Metall, Siebdruck: In der Werkstatt entstehen eigene Projekte.",
        ),
        _offer(
            sport,
            "Rückbildungskurs",
            "Schwangere und werdende Eltern; Eltern mit Babys und Kleinkindern (0–3 J.)",
            "Gesundheit; Sport und Bewegung",
            3,
            None,
            None,
            "nach Kassenleistung",
            "ab Januar 2027 montags 18:00–19:00",
            "Sanftes Training für Beckenboden und Rücken nach der Geburt; Babys dürfen mitkommen.",
            gueltig_von=date(2027, 1, 4),
            gueltig_bis=date(2027, 3, 29),
        ),
    ]


def _offer(
    einrichtung: str,
    title: str,
    zielgruppen: str,
    themen: str,
    hf: int,
    alter_von: Any,
    alter_bis: Any,
    kosten: str,
    termine: str,
    text: str,
    *,
    anmeldung: str = "nein",
    sprachen: str | None = None,
    ortsteil: str | None = None,
    gueltig_von: date | None = None,
    gueltig_bis: date | None = None,
    status: str = "aktiv",
) -> Row:
    return {
        "Einrichtungs-ID": einrichtung,
        "Titel": title,
        "Beschreibung": text,
        "Zielgruppen": zielgruppen,
        "Themen": themen,
        "Handlungsfeld": hf,
        "Ortsteil": ortsteil,
        "Alter von": alter_von,
        "Alter bis": alter_bis,
        "Kosten": kosten,
        "Anmeldung": anmeldung,
        "Termine": termine,
        "Sprachen": sprachen,
        "Barrierefrei": None,
        "Gültig von": gueltig_von,
        "Gültig bis": gueltig_bis,
        "Status": status,
        "Zuletzt geprüft": date(2026, 9, 15),
    }


def _angebote(rnd: random.Random, count: int, institutions: list[Row]) -> list[Row]:
    rows = _fixed_offers(institutions)[:count]
    open_places = [r for r in institutions if r["Status"] == "aktiv"]
    slugs = [o.slug for o in vocab.ORTSTEILE]
    while len(rows) < count:
        t = rnd.choice(TEMPLATES)
        place = rnd.choice(open_places)
        ortsteil = None
        roll = rnd.random()
        if roll < 0.05:
            ortsteil = "stadtweit"
        elif roll < 0.12:
            ortsteil = "; ".join(ORTSTEIL_NAMES[s] for s in sorted(rnd.sample(slugs, 2)))
        von = bis = None
        expiry = rnd.random()
        if expiry < 0.06:
            von, bis = date(2024, 1, 8), date(2024, 12, 20) + timedelta(days=rnd.randint(0, 200))
        elif expiry < 0.2:
            von, bis = date(2026, 1, 5), date(2027, 7, 15)
        row = _offer(
            place["Einrichtungs-ID"],
            t.title,
            "; ".join(t.zielgruppen),
            "; ".join(t.themen),
            t.hf,
            t.alter[0],
            t.alter[1],
            rnd.choice(t.kosten),
            rnd.choice(t.termine),
            f"{t.text} Ort: {place['Name']}.",
            anmeldung=rnd.choice(("ja", "nein", "nein", "")),
            sprachen=rnd.choice((None, None, "Deutsch; Englisch", "Deutsch; Ukrainisch")),
            ortsteil=ortsteil,
            gueltig_von=von,
            gueltig_bis=bis,
        )
        row["Barrierefrei"] = rnd.choice((None, None, None, "ja", "teilweise: Eingang mit Rampe"))
        row["Zuletzt geprüft"] = date(2025, 3, 1) + timedelta(days=rnd.randint(0, 600))
        rows.append(row)
    for index, row in enumerate(rows):
        row["Angebots-ID"] = f"A-{index + 1:04d}"
    return rows


PROJECTS = (
    ("Familienbildung im Quartier", 3),
    ("Elterncafé", 6),
    ("Beratung im Stadtteil", 4),
    ("Seniorenbegleitung", 6),
    ("Lernpaten", 3),
    ("Mobilitätshilfe für Ältere", 2),
    ("Sprachbrücken", 4),
    ("Nachbarschaftsnetz", 5),
    ("Koordination Netzwerk Frühe Hilfen", 1),
    ("Ferienbetreuung für Berufstätige", 2),
    ("Generationengarten", 5),
    ("Offene Familienberatung", 4),
    ("Lesepatenschaften", 6),
    ("Familienlotsen", 4),
)


def _foerderungen(rnd: random.Random, count: int, traeger: list[Row], institutions: list[Row]) -> list[Row]:
    rows: list[Row] = []
    years = list(range(2020, 2026))
    per_year = {y: 0 for y in years}
    for index in range(count):
        year = years[index % len(years)]
        per_year[year] += 1
        project, hf = rnd.choice(PROJECTS)
        place = rnd.choice(institutions) if rnd.random() < 0.5 else None
        traeger_id = (
            place["Träger-ID"]
            if place and place["Träger-ID"].startswith("T-")
            else rnd.choice(traeger)["Träger-ID"]
        )
        district = (
            place["Ortsteil"]
            if place
            else rnd.choice(("stadtweit", "Lobeda", "Winzerla; Burgau", "Jena-Nord", "Planungsraum Ost"))
        )
        # Integer cents: LSZ project grants range from a few thousand to ~80,000 € a year.
        amount = rnd.randint(20, 800) * 10_000 + (
            rnd.choice((0, 0, 0, 5_000, 1_414)) if rnd.random() < 0.3 else 0
        )
        rows.append(
            {
                "Förder-ID": f"LSZ-{year}-{per_year[year]:03d}",
                "Jahr": year,
                "Projekt": f"{project} {place['Ortsteil']}" if place else project,
                "Träger-ID": traeger_id,
                "Handlungsfeld": hf if rnd.random() < 0.7 else f"HF {hf}",
                "Fördersumme": amount / 100 if index % 5 else c.format_money(amount),
                "Eigenanteil": round(amount * 0.3 / 100, 2) if rnd.random() < 0.4 else None,
                "Ortsteil": district,
                "Einrichtungs-ID": place["Einrichtungs-ID"] if place else None,
                "Bewilligt am": date(year - 1, 11, 1) + timedelta(days=rnd.randint(0, 45)),
                "Laufzeit von": date(year, 1, 1),
                "Laufzeit bis": date(year, 12, 31),
                "Beschreibung": f"Gefördert werden Personal- und Sachkosten des Projekts „{project}“. "
                "Ein Qualitätsbericht wird zum Jahresende vorgelegt.",
            }
        )
    return rows


def _link_offers(rnd: random.Random, grants: list[Row], offers: list[Row]) -> None:
    """„Angebots-IDs“ (issue 16): recent funded projects that run at an institution name 1–3 of its offers."""
    by_place: dict[str, list[str]] = {}
    for offer in offers:
        by_place.setdefault(offer["Einrichtungs-ID"], []).append(offer["Angebots-ID"])
    for grant in grants:
        place = grant["Einrichtungs-ID"]
        if grant["Jahr"] < 2024 or not place or not by_place.get(place) or rnd.random() < 0.3:
            continue
        candidates = by_place[place]
        chosen = rnd.sample(candidates, k=min(len(candidates), rnd.randint(1, 3)))
        grant["Angebots-IDs"] = "; ".join(sorted(chosen))


def _ortsteile() -> list[Row]:
    names = {p.code: p.name for p in vocab.PLANUNGSRAEUME}
    extra = {"neulobeda": "Plattenbau Lobeda", "jena-zentrum": "Altstadt Jena", "winzerla": "Winzerla-Süd"}
    return [
        {
            "Ortsteil": o.name,
            "Planungsraum": names[o.planungsraum],
            "Aliase": "; ".join([*o.aliases, *([extra[o.slug]] if o.slug in extra else [])]),
        }
        for o in vocab.ORTSTEILE
    ]


def generate(offers: int, seed: int, *, funding: bool = False) -> Dataset:
    """The catalogue; with ``funding`` also the funding-cycle sheets (own random generator, see there)."""
    rnd = random.Random(seed)  # noqa: S311  (reproducible fictional data, not security)
    traeger = _traeger(rnd, max(12, round(offers / 40)))
    institutions = _einrichtungen(rnd, max(45, offers // 4), traeger)
    angebote = _angebote(rnd, offers, institutions)
    foerderungen = _foerderungen(rnd, max(60, offers // 3), traeger, institutions)
    # A separate Random: the links must not change any value drawn above (benchmarks rely on those).
    _link_offers(random.Random(f"angebots-ids-{seed}"), foerderungen, angebote)  # noqa: S311
    dataset = Dataset(
        {
            "Träger": traeger,
            "Einrichtungen": institutions,
            "Angebote": angebote,
            "Förderungen": foerderungen,
            "Ortsteile": _ortsteile(),
        }
    )
    if funding:
        dataset.sheets |= generate_funding(seed, traeger)
    return dataset


SPECS = {spec.title: spec for spec in (*sheets.SHEETS, *APPLICATION_SHEETS)}


def write_xlsx(dataset: Dataset, path: Path, *, title_rows: bool = True, reproducible: bool = True) -> None:
    book = Workbook(write_only=True)
    for title, rows in dataset.sheets.items():
        ws = book.create_sheet(title)
        headers = [col.header for col in SPECS[title].columns]
        if title_rows and title == "Angebote":
            # Real workbooks carry a title above the header; the importer skips it.
            ws.append([f"Familienwegweiser Jena – {title} (fiktive Beispieldaten)"])
            ws.append([])
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(ws, value=header)
            cell.font = Font(bold=True)
            header_cells.append(cell)
        ws.append(header_cells)
        for row in rows:
            out: list[Any] = []
            for header in headers:
                value = row.get(header)
                if isinstance(value, date):
                    cell = WriteOnlyCell(ws, value=value)  # type: ignore[arg-type]  # openpyxl writes dates
                    cell.number_format = "DD.MM.YYYY"
                    out.append(cell)
                else:
                    out.append(value)
            ws.append(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    if reproducible:
        _make_reproducible(path)


FIXED_STAMP = "2026-01-01T00:00:00Z"


def _make_reproducible(path: Path) -> None:
    """Same seed, same bytes: fixed zip entry times and document timestamps (openpyxl writes "now")."""
    with zipfile.ZipFile(path) as source:
        entries = [(item, source.read(item)) for item in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item, data in entries:
            if item.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + FIXED_STAMP.encode(), data
                )
            target.writestr(
                zipfile.ZipInfo(item.filename, date_time=(2026, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED
            )


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return c.format_date(value)
    if isinstance(value, float):
        return c.format_decimal(value)
    return str(value)


CSV_NAMES = {"Träger": "traeger", "Einrichtungen": "einrichtungen", "Angebote": "angebote"}
CSV_NAMES |= {"Förderungen": "foerderungen", "Ortsteile": "ortsteile", "Förderjahre": "foerderjahre"}
CSV_NAMES |= {"Kriterien": "kriterien", "Anträge": "antraege", "Bewertungen": "bewertungen"}


def write_csv_dir(dataset: Dataset, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for title, rows in dataset.sheets.items():
        headers = [col.header for col in SPECS[title].columns]
        with (directory / f"{CSV_NAMES[title]}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(headers)
            writer.writerows([_csv_value(row.get(h)) for h in headers] for row in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fiktive Familienwegweiser-Arbeitsmappe erzeugen")
    parser.add_argument("--offers", type=int, default=160)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--csv-dir", type=Path, default=None)
    parser.add_argument(
        "--ohne-antraege", action="store_true", help="ohne Förderjahre, Kriterien, Anträge und Bewertungen"
    )
    args = parser.parse_args(argv)
    dataset = generate(args.offers, args.seed, funding=not args.ohne_antraege)
    write_xlsx(dataset, args.out)
    if args.csv_dir is not None:
        write_csv_dir(dataset, args.csv_dir)
    counts = ", ".join(f"{title} {len(rows)}" for title, rows in dataset.sheets.items())
    print(f"{args.out}: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
