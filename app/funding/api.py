"""``GET /api/v1/funding``: published LSZ grants with totals (amounts in integer cents)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field

from app.api.problems import InvalidParameters
from app.catalogue import vocab
from app.deps import SessionDep
from app.funding import service as funding
from app.page_cache import CachedPage
from app.quality import opendata

router = APIRouter(tags=["Förderung"])

# The API takes stable codes only (the HTML page also takes names and aliases): Ortsteil slugs, `stadtweit`
# and `planungsraum-<code>`. The schema lists them, so clients (and schemathesis) know every valid value.
ORTSTEIL_VALUES: tuple[str, ...] = (
    *(o.slug for o in vocab.ORTSTEILE),
    funding.STADTWEIT,
    *(f"planungsraum-{p.code}" for p in vocab.PLANUNGSRAEUME),
)
TRAEGER_PATTERN = r"^[^\x00-\x1f\x7f]+$"


class TraegerRef(BaseModel):
    id: str = Field(description="Träger-ID aus der Arbeitsmappe")
    name: str


class EvaluationSummary(BaseModel):
    count: int = Field(description="Anzahl der Bewertungen durch Nutzende (alle Angebote des Projekts)")
    average: float | None = Field(
        description="Ø Zufriedenheit 1–5 (eine Nachkommastelle); null unter 5 Bewertungen (Schutz Einzelner)"
    )
    recommend_percent: int | None = Field(
        description="Anteil „würde weiterempfehlen“ in Prozent; null unter 5 Bewertungen"
    )


class FundingItem(BaseModel):
    id: str = Field(description="Förder-ID, z. B. LSZ-2021-017")
    year: int = Field(description="Förderjahr")
    project: str = Field(description="Projekttitel")
    traeger: TraegerRef
    handlungsfeld: int = Field(ge=1, le=6, description="LSZ-Handlungsfeld 1–6")
    amount_cents: int = Field(description="Fördersumme in Cent")
    ortsteile: list[str] = Field(
        description='Ortsteil-Kennungen (slug); `["stadtweit"]` für stadtweite Projekte, leer ohne Angabe'
    )
    offer_ids: list[str] = Field(description="Angebots-IDs der Angebote, die das Projekt durchführt")
    evaluation: EvaluationSummary = Field(
        description="Bewertung durch Nutzende, zusammengefasst; Kommentare werden nie veröffentlicht"
    )


class FundingTotals(BaseModel):
    count: int = Field(description="Anzahl der Projekte")
    sum_cents: int = Field(description="Summe in Cent; jedes Projekt zählt einmal")
    by_handlungsfeld: dict[str, int] = Field(description="Cent je Handlungsfeld-Nummer (alle sechs)")
    by_year: dict[str, int] = Field(description="Cent je Förderjahr")


class FundingResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "items": [
                    {
                        "id": "LSZ-2021-017",
                        "year": 2021,
                        "project": "Generationencafé Löbstedt",
                        "traeger": {"id": "T-012", "name": "Nachbarschaftsverein Jena-Nord e.V."},
                        "handlungsfeld": 6,
                        "amount_cents": 1250000,
                        "ortsteile": ["loebstedt"],
                        "offer_ids": ["A-0107"],
                        "evaluation": {"count": 6, "average": 4.0, "recommend_percent": 33},
                    }
                ],
                "totals": {
                    "count": 1,
                    "sum_cents": 1250000,
                    "by_handlungsfeld": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0, "6": 1250000},
                    "by_year": {"2021": 1250000},
                },
            }
        }
    )

    items: list[FundingItem]
    totals: FundingTotals


@router.get(
    "/funding",
    dependencies=[CachedPage],
    response_model=FundingResponse,
    summary="LSZ-Förderungen mit Summen",
    description=(
        "Veröffentlichte Förderungen im Landesprogramm „Solidarisches Zusammenleben der Generationen“ "
        "mit Summen je Handlungsfeld und Jahr. Beträge sind ganze Cent. Ohne `year` alle Jahre. "
        "`ortsteil` nimmt eine Ortsteil-Kennung, `planungsraum-<code>` oder `stadtweit`; stadtweite Projekte "
        "zählen nur bei `stadtweit`, nie je Ortsteil. Eine unbekannte Träger-ID ergibt eine leere Liste; "
        "ungültige Werte (Jahr, Handlungsfeld, Ortsteil, Steuerzeichen) ergeben 422."
    ),
    responses={
        422: {
            "description": "Ungültiger Filterwert (Jahr, Handlungsfeld, Träger oder Ortsteil)",
            "model": InvalidParameters,
        }
    },
)
def list_funding(
    session: SessionDep,
    year: Annotated[
        int | None, Query(ge=funding.MIN_YEAR, le=funding.MAX_YEAR, description="Förderjahr, z. B. 2021")
    ] = None,
    handlungsfeld: Annotated[int | None, Query(ge=1, le=6, description="Handlungsfeld 1–6")] = None,
    traeger: Annotated[
        str | None, Query(min_length=1, max_length=60, pattern=TRAEGER_PATTERN, description="Träger-ID")
    ] = None,
    ortsteil: Annotated[
        str | None,
        Query(
            description="Ortsteil-Kennung, `planungsraum-<code>` oder `stadtweit`",
            json_schema_extra={"enum": list(ORTSTEIL_VALUES)},
        ),
    ] = None,
) -> FundingResponse:
    if ortsteil is not None and ortsteil not in ORTSTEIL_VALUES:
        raise RequestValidationError(
            [
                {
                    "loc": ("query", "ortsteil"),
                    "msg": "Unbekannter Ortsteil – erlaubt sind Ortsteil-Kennungen, planungsraum-<code> "
                    "und stadtweit.",
                    "type": "enum",
                }
            ]
        )
    try:
        flt = funding.parse_filter(
            session,
            year=year,
            handlungsfeld=handlungsfeld,
            traeger=traeger,
            ortsteil=ortsteil,
            unknown_traeger_is_error=False,
        )
    except funding.InvalidFundingParams as exc:
        raise RequestValidationError(
            [
                {"loc": ("query", name), "msg": message, "type": "value_error"}
                for name, message in exc.errors.items()
            ]
        ) from exc
    grants = funding.load_grants(session, flt)
    summaries = opendata.open_data(session, grants)
    return FundingResponse(
        items=[
            FundingItem(
                id=g.external_id,
                year=g.jahr,
                project=g.projekt,
                traeger=TraegerRef(id=g.traeger.external_id, name=g.traeger.name),
                handlungsfeld=g.handlungsfeld_number,
                amount_cents=g.betrag_cents,
                ortsteile=funding.district_slugs(g),
                offer_ids=summaries[g.id].offer_ids,  # type: ignore[index]
                evaluation=_evaluation(summaries[g.id]),  # type: ignore[index]
            )
            for g in grants
        ],
        totals=FundingTotals(
            count=len(grants),
            sum_cents=sum(g.betrag_cents for g in grants),
            by_handlungsfeld={str(k): v for k, v in funding.sum_by_handlungsfeld(grants).items()},
            by_year={str(k): v for k, v in funding.sum_by_year(grants).items()},
        ),
    )


def _evaluation(summary: opendata.OpenDataSummary) -> EvaluationSummary:
    return EvaluationSummary(
        count=summary.aggregate.count, average=summary.average, recommend_percent=summary.recommend_percent
    )
