"""Entry points by life situation: each is a predefined filter set of the results page."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from app.i18n import N_
from app.i18n import gettext as _


@dataclass(frozen=True)
class LifeSituation:
    slug: str
    title: str  # German msgid; translated when shown
    hint: str
    filters: tuple[tuple[str, str], ...]

    @property
    def url(self) -> str:
        return "/angebote?" + urlencode(self.filters)

    def translated_title(self) -> str:
        return _(self.title)

    def translated_hint(self) -> str:
        return _(self.hint)


# Parameters as in the API (`search.params`): OR within one parameter, AND across parameters.
LIFE_SITUATIONS: tuple[LifeSituation, ...] = (
    LifeSituation(
        "baby",
        N_("Wir bekommen ein Baby"),
        N_("Schwangerschaft, Geburt und die ersten Jahre"),
        (("zielgruppe", "werdende-eltern"), ("zielgruppe", "eltern-baby")),
    ),
    LifeSituation(
        "kinderbetreuung",
        N_("Kinderbetreuung"),
        N_("Kita, Tagespflege und Betreuung"),
        (("thema", "betreuung"),),
    ),
    LifeSituation(
        "hilfe",
        N_("Hilfe und Beratung"),
        N_("Beratung in schwierigen Lagen, Geld und Leistungen"),
        (("thema", "beratung"), ("thema", "finanzen")),
    ),
    LifeSituation(
        "aelter-werden",
        N_("Älter werden in Jena"),
        N_("Treffpunkte, Pflege und Unterstützung im Alter"),
        (("zielgruppe", "senioren"), ("zielgruppe", "pflegende-angehoerige"), ("zielgruppe", "grosseltern")),
    ),
    LifeSituation(
        "neu-in-jena",
        N_("Neu in Jena"),
        N_("Ankommen, Sprache, Wohnen und erste Kontakte"),
        (("thema", "sprache-integration"), ("thema", "wohnen"), ("thema", "begegnung")),
    ),
    LifeSituation(
        "freizeit",
        N_("Freizeit und Begegnung"),
        N_("Treffen, Sport, Kultur für alle Generationen"),
        (("thema", "begegnung"), ("thema", "bewegung"), ("thema", "kultur")),
    ),
)
