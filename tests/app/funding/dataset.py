"""The grants the funding tests create. Expected totals are summed from ``GRANTS`` in the tests themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from app.catalogue.models import Traeger
from tests import factories

TRAEGER = {
    "T-A": "Nachbarschaftsverein Jena-Nord e.V.",
    "T-B": "Familienbund Saaletal gGmbH",
    "T-C": 'Verein "Miteinander; Jena" e.V.',
}


@dataclass(frozen=True)
class GrantSpec:
    external_id: str
    jahr: int
    traeger: str
    hf: int
    cents: int
    ortsteile: tuple[str, ...] = ()
    stadtweit: bool = False
    published: bool = True
    bewilligt_am: date | None = date(2020, 11, 15)
    beschreibung: str | None = "Offene Treffen, Beratung und Ausflüge für Familien."
    laufzeit: tuple[date, date] | None = None
    einrichtung_ortsteil: str | None = None  # a linked Einrichtung in this Ortsteil
    projekt: str = ""

    @property
    def title(self) -> str:
        return self.projekt or f"Projekt {self.external_id}"

    @property
    def kind(self) -> str:
        """Where the project counts, by the rule the page states (written out here, not imported)."""
        if self.stadtweit:
            return "stadtweit"
        places = self.ortsteile or ((self.einrichtung_ortsteil,) if self.einrichtung_ortsteil else ())
        return "ohne" if not places else "einzeln" if len(places) == 1 else "mehrere"

    @property
    def places(self) -> tuple[str, ...]:
        if self.stadtweit:
            return ()
        return self.ortsteile or ((self.einrichtung_ortsteil,) if self.einrichtung_ortsteil else ())


GRANTS: tuple[GrantSpec, ...] = (
    GrantSpec(
        "LSZ-2021-001",
        2021,
        "T-A",
        6,
        1_250_000,
        ("loebstedt",),
        projekt="Nord – Kultur der Generationen",
        beschreibung="Konzerte, Theater und ein Mittagstisch für Ältere in der Kirche Löbstedt.",
        bewilligt_am=date(2020, 12, 1),
    ),
    GrantSpec("LSZ-2021-002", 2021, "T-A", 6, 300_050, stadtweit=True, bewilligt_am=None),
    GrantSpec(
        "LSZ-2021-003",
        2021,
        "T-B",
        3,
        700_000,
        ("neulobeda", "winzerla"),
        laufzeit=(date(2021, 3, 1), date(2021, 12, 31)),
    ),
    GrantSpec("LSZ-2021-004", 2021, "T-B", 6, 455_525, ("jena-nord",)),
    GrantSpec("LSZ-2021-005", 2021, "T-C", 4, 99, beschreibung=None),
    # Stadtweit wins over named districts: it still counts once, under „stadtweit“.
    GrantSpec("LSZ-2021-006", 2021, "T-C", 4, 123_456, ("jena-nord", "loebstedt"), stadtweit=True),
    GrantSpec("LSZ-2021-099", 2021, "T-A", 6, 5_000_000, ("loebstedt",), published=False),
    GrantSpec("LSZ-2020-001", 2020, "T-A", 6, 1_000_000, ("loebstedt",), bewilligt_am=date(2019, 12, 10)),
    GrantSpec(
        "LSZ-2022-001",
        2022,
        "T-B",
        1,
        2_000_000,
        ("winzerla",),
        projekt="Sozialraumkoordination Winzerla",
        beschreibung="Sozialraumkoordination Winzerla",  # same as the title
        bewilligt_am=date(2021, 12, 20),
    ),
    GrantSpec("LSZ-2022-002", 2022, "T-C", 2, 50_000, einrichtung_ortsteil="burgau", bewilligt_am=None),
)
PUBLISHED = tuple(g for g in GRANTS if g.published)


def create_grants(session: Session) -> dict[str, Traeger]:
    """Insert the Träger and grants of ``GRANTS``; flushes, the caller commits."""
    traeger = {key: factories.traeger(session, external_id=key, name=name) for key, name in TRAEGER.items()}
    for spec in GRANTS:
        einrichtung = None
        if spec.einrichtung_ortsteil:
            einrichtung = factories.einrichtung(
                session, traeger_row=traeger[spec.traeger], ortsteil_slug=spec.einrichtung_ortsteil
            )
        factories.foerderung(
            session,
            traeger_row=traeger[spec.traeger],
            ortsteile=spec.ortsteile,
            external_id=spec.external_id,
            jahr=spec.jahr,
            projekt=spec.title,
            handlungsfeld_number=spec.hf,
            betrag_cents=spec.cents,
            stadtweit=spec.stadtweit,
            published=spec.published,
            bewilligt_am=spec.bewilligt_am,
            beschreibung=spec.beschreibung,
            laufzeit_von=spec.laufzeit[0] if spec.laufzeit else None,
            laufzeit_bis=spec.laufzeit[1] if spec.laufzeit else None,
            einrichtung_id=einrichtung.id if einrichtung else None,
        )
    return traeger


def german_euro(cents: int) -> str:
    """Written out by hand (not via app.formatting): ``1234567`` → ``12.345,67 €`` (plain space)."""
    whole, rest = divmod(cents, 100)
    return f"{whole:,}".replace(",", ".") + f",{rest:02d} €"


def squash(text: str) -> str:
    """Collapse whitespace, including the non-breaking space babel puts before €."""
    return " ".join(text.replace("\xa0", " ").split())
