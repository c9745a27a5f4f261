"""Controlled vocabularies of the domain (codes are stable: URLs, filters, exports use them).

Labels follow the planning team's domain reference. The database tables Zielgruppe, Thema and
Handlungsfeld are seeded from here by a migration; everything else is a plain Python enum.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True)
class Term:
    code: str
    de: str
    en: str
    aliases: tuple[str, ...] = field(default=())

    def label(self, locale: str = "de") -> str:
        return self.en if locale.startswith("en") else self.de


ZIELGRUPPEN: tuple[Term, ...] = (
    Term("werdende-eltern", "Schwangere und werdende Eltern", "Expectant parents", ("Schwangere",)),
    Term(
        "eltern-baby",
        "Eltern mit Babys und Kleinkindern (0–3 J.)",
        "Parents of babies/toddlers (0–3)",
        ("Eltern mit Babys", "Eltern mit Kleinkindern"),
    ),
    Term("kinder", "Kinder (3–12 J.)", "Children (3–12)", ("Kinder",)),
    Term("jugendliche", "Jugendliche (12–18 J.)", "Teenagers (12–18)", ("Jugendliche",)),
    Term("junge-erwachsene", "Junge Erwachsene (18–27 J.)", "Young adults (18–27)", ("Junge Erwachsene",)),
    Term("familien", "Familien", "Families"),
    Term("alleinerziehende", "Alleinerziehende", "Single parents"),
    Term("grosseltern", "Großeltern", "Grandparents"),
    Term("senioren", "Seniorinnen und Senioren", "Older people", ("Senioren", "Seniorinnen")),
    Term("pflegende-angehoerige", "Pflegende Angehörige", "Family carers"),
    Term("menschen-mit-behinderung", "Menschen mit Behinderung", "People with disabilities"),
    Term(
        "zugewanderte",
        "Menschen mit Migrationsgeschichte",
        "People with migration history",
        ("Zugewanderte", "Migranten"),
    ),
    Term("alle-generationen", "Alle Generationen", "All generations"),
)

THEMEN: tuple[Term, ...] = (
    Term("beratung", "Beratung", "Counselling"),
    Term("betreuung", "Kinderbetreuung", "Childcare", ("Betreuung",)),
    Term("bildung", "Bildung und Lernen", "Education and learning", ("Bildung",)),
    Term("begegnung", "Begegnung und Freizeit", "Meeting and leisure", ("Begegnung", "Freizeit")),
    Term("bewegung", "Sport und Bewegung", "Sport and exercise", ("Sport", "Bewegung")),
    Term("gesundheit", "Gesundheit", "Health"),
    Term("pflege", "Pflege und Unterstützung im Alter", "Care in old age", ("Pflege",)),
    Term("finanzen", "Geld und Leistungen", "Money and benefits", ("Finanzen",)),
    Term("wohnen", "Wohnen und Wohnumfeld", "Housing and neighbourhood", ("Wohnen",)),
    Term("mobilitaet", "Mobilität", "Mobility"),
    Term("sprache-integration", "Sprache und Integration", "Language and integration", ("Integration",)),
    Term("engagement", "Ehrenamt und Engagement", "Volunteering", ("Ehrenamt",)),
    Term("kultur", "Kultur und Kreativität", "Culture and creativity", ("Kultur",)),
)


@dataclass(frozen=True)
class HandlungsfeldTerm:
    number: int
    name: str
    en: str
    aliases: tuple[str, ...] = ()

    @property
    def code(self) -> str:
        return f"hf{self.number}"

    def label(self, locale: str = "de") -> str:
        return self.en if locale.startswith("en") else self.name


HANDLUNGSFELDER: tuple[HandlungsfeldTerm, ...] = (
    HandlungsfeldTerm(
        1,
        "Steuerung, Vernetzung, Nachhaltigkeit und Planung",
        "Steering, networking, planning",
        ("Steuerung, Vernetzung, Nachhaltigkeit",),
    ),
    HandlungsfeldTerm(
        2,
        "Vereinbarkeit von Familie und Beruf sowie Mobilität",
        "Family–work balance, mobility",
        ("Vereinbarkeit von Familie, Beruf sowie Mobilität",),
    ),
    HandlungsfeldTerm(3, "Bildung im familiären Umfeld", "Education in the family"),
    HandlungsfeldTerm(4, "Beratung, Unterstützung und Information", "Counselling, support, information"),
    HandlungsfeldTerm(5, "Wohnumfeld und Lebensqualität", "Living environment, quality of life"),
    HandlungsfeldTerm(6, "Dialog der Generationen", "Dialogue between generations"),
)

EINRICHTUNGSARTEN: tuple[Term, ...] = (
    Term("kita", "Kindertagesstätte", "Day-care centre", ("Kita",)),
    Term("thekiz", "ThEKiZ (Thüringer Eltern-Kind-Zentrum)", "Parent-child centre", ("ThEKiZ",)),
    Term("familienzentrum", "Familienzentrum", "Family centre"),
    Term("beratungsstelle", "Beratungsstelle", "Counselling centre"),
    Term("begegnungsstaette", "Begegnungsstätte", "Meeting place"),
    Term("jugendhaus", "Jugendhaus", "Youth centre"),
    Term("stadtteilbuero", "Stadtteilbüro", "Neighbourhood office"),
    Term("mehrgenerationenhaus", "Mehrgenerationenhaus", "Multi-generation house"),
    Term("bibliothek", "Bibliothek", "Library"),
    Term("sonstige", "Sonstige", "Other"),
)

TRAEGERARTEN: tuple[Term, ...] = (
    Term("kommunal", "kommunal", "Municipal"),
    Term("frei-gemeinnuetzig", "frei-gemeinnützig", "Non-profit welfare provider"),
    Term("kirchlich", "kirchlich", "Church-run"),
    Term("verein", "Verein", "Association (e.V.)"),
    Term("privat", "privat", "Private"),
)


class Status(StrEnum):
    aktiv = "aktiv"
    voruebergehend_geschlossen = "voruebergehend-geschlossen"
    geschlossen = "geschlossen"
    umgezogen = "umgezogen"


STATUS_TERMS: tuple[Term, ...] = (
    Term(Status.aktiv, "aktiv", "active"),
    Term(Status.voruebergehend_geschlossen, "vorübergehend geschlossen", "temporarily closed"),
    Term(Status.geschlossen, "geschlossen", "closed"),
    Term(Status.umgezogen, "umgezogen", "moved"),
)
PUBLIC_STATUSES = (Status.aktiv, Status.voruebergehend_geschlossen)


class Barrierefrei(StrEnum):
    ja = "ja"
    teilweise = "teilweise"
    nein = "nein"


class KostenArt(StrEnum):
    kostenlos = "kostenlos"
    betrag = "betrag"
    text = "text"


@dataclass(frozen=True)
class PlanungsraumDef:
    code: str
    name: str


PLANUNGSRAEUME: tuple[PlanungsraumDef, ...] = (
    PlanungsraumDef("nord", "Nord"),
    PlanungsraumDef("west-zentrum", "West/Zentrum"),
    PlanungsraumDef("ost", "Ost"),
    PlanungsraumDef("lobeda", "Lobeda"),
    PlanungsraumDef("winzerla", "Winzerla"),
    PlanungsraumDef("ortschaften", "Ortschaften"),
)


@dataclass(frozen=True)
class OrtsteilDef:
    slug: str
    name: str
    planungsraum: str
    aliases: tuple[str, ...] = ()


# The 30 Ortsteile (§ 45 ThürKO). The Planungsraum assignment is the project's default; the
# planning team replaces it with the workbook's `Ortsteile` sheet.
ORTSTEILE: tuple[OrtsteilDef, ...] = (
    OrtsteilDef("jena-nord", "Jena-Nord", "nord", ("Nord II", "Himmelreich")),
    OrtsteilDef("loebstedt", "Löbstedt", "nord"),
    OrtsteilDef("zwaetzen", "Zwätzen", "nord"),
    OrtsteilDef("jena-zentrum", "Jena-Zentrum", "west-zentrum", ("Zentrum", "Innenstadt")),
    OrtsteilDef("jena-west", "Jena-West", "west-zentrum", ("Damenviertel",)),
    OrtsteilDef("jena-sued", "Jena-Süd", "west-zentrum"),
    OrtsteilDef("lichtenhain", "Lichtenhain", "west-zentrum"),
    OrtsteilDef("wenigenjena", "Wenigenjena", "ost", ("Wenigenjena/Kernberge",)),
    OrtsteilDef("kernberge", "Kernberge", "ost", ("Wenigenjena/Kernberge",)),
    OrtsteilDef("ziegenhain", "Ziegenhain", "ost"),
    OrtsteilDef("jenapriessnitz-wogau", "Jenaprießnitz/Wogau", "ost", ("Jenaprießnitz", "Wogau")),
    OrtsteilDef("neulobeda", "Neulobeda", "lobeda", ("Lobeda-Ost", "Lobeda-West")),
    OrtsteilDef("lobeda-altstadt", "Lobeda-Altstadt", "lobeda", ("Alt-Lobeda",)),
    OrtsteilDef("woellnitz", "Wöllnitz", "lobeda"),
    OrtsteilDef("drackendorf", "Drackendorf", "lobeda"),
    OrtsteilDef("winzerla", "Winzerla", "winzerla"),
    OrtsteilDef("burgau", "Burgau", "winzerla"),
    OrtsteilDef("goeschwitz", "Göschwitz", "winzerla"),
    OrtsteilDef("ammerbach", "Ammerbach", "winzerla"),
    OrtsteilDef("closewitz", "Closewitz", "ortschaften"),
    OrtsteilDef("cospeda", "Cospeda", "ortschaften"),
    OrtsteilDef("ilmnitz", "Ilmnitz", "ortschaften"),
    OrtsteilDef("isserstedt", "Isserstedt", "ortschaften"),
    OrtsteilDef("krippendorf", "Krippendorf", "ortschaften"),
    OrtsteilDef("kunitz-laasan", "Kunitz/Laasan", "ortschaften", ("Kunitz", "Laasan")),
    OrtsteilDef("leutra", "Leutra", "ortschaften"),
    OrtsteilDef("luetzeroda", "Lützeroda", "ortschaften", ("Lüzeroda",)),
    OrtsteilDef("maua", "Maua", "ortschaften"),
    OrtsteilDef(
        "muenchenroda-remderoda", "Münchenroda/Remderoda", "ortschaften", ("Münchenroda", "Remderoda")
    ),
    OrtsteilDef("vierzehnheiligen", "Vierzehnheiligen", "ortschaften"),
)

# Jena's bounding box and postcodes, for validating coordinates and PLZ.
LAT_RANGE = (50.856, 50.989)
LON_RANGE = (11.499, 11.673)
PLZ_RANGE = (7743, 7751)

SPRACHEN = (
    "Deutsch",
    "Englisch",
    "Arabisch",
    "Russisch",
    "Ukrainisch",
    "Türkisch",
    "Persisch",
    "Französisch",
    "Spanisch",
    "Polnisch",
    "Vietnamesisch",
    "Deutsche Gebärdensprache",
    "Leichte Sprache",
)
