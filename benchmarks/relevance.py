"""Judged relevance queries on the sample workbook (data/familienwegweiser-beispiel.xlsx).

Each query is what a family might type; ``expected`` names offers (by title, or by workbook id ``A-…`` when
a district makes only one of several same-titled offers right) of which at least one must appear within the
first ``within`` hits. ``absent`` names offers that must not appear at all (closed ones). The kinds cover
compounds in query and text, inflection and umlauts, questions typed as sentences, synonyms, typos, district
words and multi-word ranking. Judged by what the offer is for – not by what the search happens to return.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Judged:
    q: str
    expected: tuple[str, ...]
    within: int
    kind: str
    absent: tuple[str, ...] = ()


def _j(
    q: str, expected: str | tuple[str, ...], within: int, kind: str, absent: tuple[str, ...] = ()
) -> Judged:
    return Judged(q, (expected,) if isinstance(expected, str) else expected, within, kind, absent)


BERATUNG_FAMILIE = ("Erziehungsberatung", "Schuldnerberatung für Familien", "Familienpass-Sprechstunde")
BABY = ("Krabbelgruppe", "Babymassage", "Spielgruppe für Kleinkinder", "Stillberatung")
# The sample's "Musikgarten" belongs to a closed institution: never shown.
CLOSED = ("Gedächtnistraining", "Musikgarten")

JUDGED: tuple[Judged, ...] = (
    # compounds: the query is a compound whose parts stand apart in the text, or the other way round
    _j("Familienberatung", BERATUNG_FAMILIE, 5, "Kompositum"),
    _j("Jugendberatung", "Erziehungsberatung", 5, "Kompositum"),
    _j("Familienfrühstück", "Familienfrühstück", 1, "Kompositum"),
    _j("Frühstück für Familien", "Familienfrühstück", 3, "Kompositum"),
    _j("Lernhilfe", "Hausaufgabenhilfe", 3, "Kompositum"),
    _j("Alleinerziehendentreff", "Treff für Alleinerziehende", 3, "Kompositum"),
    _j("Mittagstisch für Senioren", "Seniorenmittagstisch", 1, "Kompositum"),
    _j("Beratung Schwangerschaft", "Schwangerschaftsberatung", 1, "Kompositum"),
    _j("Schwangerenberatung", "Schwangerschaftsberatung", 3, "Kompositum"),
    _j("Beratung für pflegende Angehörige", "Pflegeberatung für Angehörige", 1, "Kompositum"),
    _j("Spielplatz", ("Mobile Spielplatzaktion", "Spielmobil im Quartier"), 3, "Kompositum"),
    _j("Fahrrad reparieren", "Fahrradwerkstatt", 1, "Kompositum"),
    _j("Fahrradreparatur", "Fahrradwerkstatt", 3, "Kompositum"),
    _j("Bewerbungstraining", "Bewerbungswerkstatt", 3, "Kompositum"),
    _j("Tanzgruppe", "Inklusive Tanzgruppe", 1, "Kompositum"),
    _j("Massage für Babys", "Babymassage", 1, "Kompositum"),
    _j("Rückbildungsgymnastik", "Rückbildungskurs", 3, "Kompositum"),
    _j("Sprachkurs Deutsch", "Sprachcafé Deutsch", 3, "Kompositum"),
    _j("Gemeinschaftsgarten", "Nachbarschaftsgarten", 3, "Kompositum"),
    _j("Babygruppe", ("Krabbelgruppe", "Spielgruppe für Kleinkinder"), 5, "Kompositum"),
    _j("Kinderturnen", "Eltern-Kind-Turnen", 3, "Kompositum"),
    _j("Schuldenberatung", "Schuldnerberatung für Familien", 1, "Kompositum"),
    _j("Holzwerkstatt", "Offene Werkstatt", 3, "Kompositum"),
    _j("Enkel", "Großelterntreff", 3, "Kompositum"),
    _j("Rollstuhl", "Inklusive Tanzgruppe", 3, "Kompositum"),
    _j("Café für Familien", "Familiencafé", 1, "Kompositum"),
    _j("Ferienbetreuung für Schulkinder", "Ferienbetreuung", 1, "Kompositum"),
    # inflection and umlauts
    _j("Gärten", "Nachbarschaftsgarten", 3, "Flexion", absent=CLOSED),
    _j("Garten", "Nachbarschaftsgarten", 3, "Flexion", absent=CLOSED),
    _j("Spielplätze", ("Mobile Spielplatzaktion", "Spielmobil im Quartier"), 3, "Flexion"),
    _j("Krabbelgruppen", "Krabbelgruppe", 1, "Flexion"),
    _j("Spielgruppen für Kleinkinder", "Spielgruppe für Kleinkinder", 1, "Flexion"),
    _j("Stillen", "Stillberatung", 3, "Flexion"),
    _j("Stillberaterin", "Stillberatung", 3, "Flexion"),
    _j("Gärtnern", "Nachbarschaftsgarten", 3, "Flexion"),
    _j("Fruehstueck", ("Familienfrühstück", "Frühstück für Alleinerziehende"), 3, "Flexion"),
    _j("Grosseltern", "Großelterntreff", 1, "Flexion"),
    _j("Rueckbildung", "Rückbildungskurs", 1, "Flexion"),
    _j("Familiencafe", "Familiencafé", 1, "Flexion"),
    _j("alleinerziehend Beratung", "Beratung für Alleinerziehende", 1, "Flexion"),
    _j("Vorlesen", "Vorlesepaten", 3, "Flexion"),
    _j("Erziehung", ("Erziehungsberatung", "Elternkurs „Starke Eltern“"), 3, "Flexion"),
    # questions typed as sentences
    _j("wo kann mein Kind turnen", "Eltern-Kind-Turnen", 3, "Frage"),
    _j("Gibt es einen Mittagstisch für Senioren?", "Seniorenmittagstisch", 1, "Frage"),
    _j("Wer hilft mir bei der Bewerbung?", "Bewerbungswerkstatt", 3, "Frage"),
    _j("Wo finde ich eine Stillberatung in Jena?", "Stillberatung", 1, "Frage"),
    _j("Ich suche Hilfe bei Schulden", "Schuldnerberatung für Familien", 1, "Frage"),
    _j("Hilfe bei Schulden", "Schuldnerberatung für Familien", 1, "Frage"),
    _j("Was kann ich mit meinem Baby machen", BABY, 5, "Frage"),
    _j("wo gibt es Hausaufgabenhilfe", "Hausaufgabenhilfe", 1, "Frage"),
    _j("Hilfe bei den Hausaufgaben", "Hausaufgabenhilfe", 1, "Frage"),
    _j("wo kann ich Deutsch lernen", "Sprachcafé Deutsch", 3, "Frage"),
    _j("wer repariert mein Fahrrad", "Fahrradwerkstatt", 3, "Frage"),
    _j(
        "Was gibt es in den Ferien für Kinder?", ("Ferienbetreuung", "Ferienfreizeit Sommer 2024"), 3, "Frage"
    ),
    _j("Wo können Jugendliche Billard spielen", "Offener Jugendtreff", 1, "Frage"),
    _j("Wie beantrage ich den Familienpass", "Familienpass-Sprechstunde", 1, "Frage"),
    _j("Streit in der Familie", "Erziehungsberatung", 3, "Frage"),
    # synonyms (search/synonyme.txt)
    _j("Nachhilfe", "Hausaufgabenhilfe", 3, "Synonym"),
    _j("Oma und Opa", "Großelterntreff", 3, "Synonym"),
    _j("Treffen für Omas", "Großelterntreff", 3, "Synonym"),
    _j("Scheidung", "Erziehungsberatung", 5, "Synonym"),
    _j("Bücherei", ("A-0039", "A-0104", "A-0154"), 5, "Synonym"),
    _j("Flüchtlinge", "Sprachcafé Deutsch", 5, "Synonym"),
    _j("Migranten", "Sprachcafé Deutsch", 5, "Synonym"),
    _j("Treffpunkt für Jugendliche", "Offener Jugendtreff", 3, "Synonym"),
    _j("Ausflug für Ältere", "Seniorenrikscha", 5, "Synonym"),
    _j("Smartphone Kurs Senioren", "Computerkurs 60+", 3, "Synonym"),
    _j("Kaffee und Kuchen", "Familiencafé", 1, "Synonym"),
    # typos
    _j("Krabelgruppe", "Krabbelgruppe", 1, "Tippfehler"),
    _j("Schuldnerbratung", "Schuldnerberatung für Familien", 1, "Tippfehler"),
    _j("Fahradwerkstatt", "Fahrradwerkstatt", 1, "Tippfehler"),
    _j("Babymasage", "Babymassage", 1, "Tippfehler"),
    _j("Grosselterntref", "Großelterntreff", 3, "Tippfehler"),
    _j("Nachbarschaftsgartn", "Nachbarschaftsgarten", 1, "Tippfehler"),
    _j("Stilberatung", "Stillberatung", 1, "Tippfehler"),
    _j("Bewerbungswerkstat", "Bewerbungswerkstatt", 1, "Tippfehler"),
    # district words
    _j("Familienfrühstück Winzerla", "A-0159", 1, "Ortsteil"),
    _j("Fahrradwerkstatt Neulobeda", "A-0041", 1, "Ortsteil"),
    _j("Jugendtreff Burgau", "A-0067", 1, "Ortsteil"),
    _j("Leseclub Lichtenhain", "A-0111", 1, "Ortsteil"),
    _j("Pflegeberatung Göschwitz", "A-0135", 1, "Ortsteil"),
    _j("Krabbelgruppe Lobeda", "Krabbelgruppe", 1, "Ortsteil"),
    # multi-word ranking: the offer with every concept first
    _j("Computerkurs für Senioren", "Computerkurs 60+", 1, "Mehrwort"),
    _j("Tanzen für Menschen mit Behinderung", "Inklusive Tanzgruppe", 1, "Mehrwort"),
    _j("Frühstück alleinerziehend", "Frühstück für Alleinerziehende", 1, "Mehrwort"),
    _j("Beratung Alleinerziehende Unterhalt", "Beratung für Alleinerziehende", 1, "Mehrwort"),
    _j("Betreuung in den Sommerferien", ("Ferienbetreuung", "Ferienfreizeit Sommer 2024"), 3, "Mehrwort"),
    _j("Musik für Babys", (), 10, "geschlossen", absent=CLOSED),
    _j("Singen mit Kleinkindern", "Krabbelgruppe", 3, "Mehrwort", absent=CLOSED),
    _j("Elterngeld Beratung", "Schwangerschaftsberatung", 1, "Mehrwort"),
    _j("Antrag Familienpass", "Familienpass-Sprechstunde", 1, "Mehrwort"),
    _j("Werkstatt für Jugendliche", "Offene Werkstatt", 3, "Mehrwort"),
    _j("Rikschafahrt für Senioren", "Seniorenrikscha", 1, "Mehrwort"),
    _j("Basteln mit Kindern", ("Bastelnachmittag für Groß & Klein", "Ferienbetreuung"), 5, "Mehrwort"),
    _j("kostenlose Erziehungsberatung", "Erziehungsberatung", 1, "Mehrwort"),
    _j("Beratung auf Arabisch", "Erziehungsberatung", 3, "Mehrwort"),
    # closed offers are never shown
    _j("Gedächtnistraining", (), 10, "geschlossen", absent=("Gedächtnistraining",)),
    _j("Gedächtnistraining Senioren", (), 10, "geschlossen", absent=("Gedächtnistraining",)),
)
