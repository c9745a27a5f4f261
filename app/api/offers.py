"""``GET /api/v1/offers``: search public offers – the same parser and search service as the /angebote page.

The parameters are documented by hand (``openapi_extra``) and validated by ``search.params`` so that every
problem is reported in German, per parameter, in FastAPI's usual 422 shape.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import joinedload, load_only, selectinload

from app.api.problems import InvalidParameters
from app.catalogue import vocab
from app.catalogue.models import Angebot, Einrichtung
from app.catalogue.service import offer_ortsteile
from app.catalogue.text import slug
from app.deps import SearchDep, SessionDep, SettingsDep, districts_of
from app.page_cache import CachedPage
from search.base import FACETS, Sort, card_current
from search.params import (
    DEFAULT_LIMIT,
    MAX_AGE,
    MAX_LIMIT,
    MAX_OFFSET,
    MAX_QUERY_LENGTH,
    InvalidSearchParams,
    parse_offer_params,
)
from search.service import DEGRADED_NOTICE, load_offers, search_offers

router = APIRouter(tags=["Angebote"])


def _columns(model: type[Any], *names: str) -> list[Any]:
    return [getattr(model, name) for name in names]


# Only what the response and the public rule need – no provenance JSON to decode, no Träger, no
# Handlungsfeld row; the institution comes in the same query.
_LOAD_OPTIONS = (
    load_only(
        *_columns(Angebot, "id", "external_id", "titel", "handlungsfeld_number"),
        *_columns(Angebot, "published", "status", "gueltig_bis", "einrichtung_id"),
    ),
    joinedload(Angebot.einrichtung)  # type: ignore[arg-type]
    .load_only(*_columns(Einrichtung, "id", "external_id", "name", "published", "status", "ortsteil_id"))
    .joinedload(Einrichtung.ortsteil),  # type: ignore[arg-type]
    selectinload(Angebot.zielgruppen),  # type: ignore[arg-type]
    selectinload(Angebot.themen),  # type: ignore[arg-type]
    selectinload(Angebot.ortsteile),  # type: ignore[arg-type]
)


class EinrichtungRef(BaseModel):
    id: str = Field(description="Einrichtungs-ID aus der Arbeitsmappe")
    name: str


class OfferItem(BaseModel):
    id: str = Field(description="Angebots-ID aus der Arbeitsmappe")
    title: str
    einrichtung: EinrichtungRef
    ortsteile: list[str] = Field(description="Ortsteil-Kennungen (slug), wo das Angebot stattfindet")
    zielgruppen: list[str] = Field(description="Zielgruppen-Codes")
    themen: list[str] = Field(description="Themen-Codes")
    handlungsfeld: int | None = Field(description="LSZ-Handlungsfeld 1–6, falls zugeordnet")
    url: str = Field(description="Adresse der Angebotsseite")


class OfferSearchResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "total": 1,
                "items": [
                    {
                        "id": "A-0042",
                        "title": "Krabbelgruppe Zwergenland",
                        "einrichtung": {"id": "E-0007", "name": "Familienzentrum Sonnenhof"},
                        "ortsteile": ["loebstedt"],
                        "zielgruppen": ["eltern-baby"],
                        "themen": ["begegnung"],
                        "handlungsfeld": 3,
                        "url": "https://familienwegweiser.example.org/angebote/A-0042",
                    }
                ],
                "facets": {
                    "ortsteil": {"loebstedt": 1},
                    "zielgruppe": {"eltern-baby": 1},
                    "kostenlos": {"true": 1},
                },
                "hinweis": None,
                "vorschlag": None,
            }
        }
    )

    total: int = Field(description="Anzahl aller Treffer (nicht nur dieser Seite)")
    items: list[OfferItem]
    facets: dict[str, dict[str, int]] = Field(
        description="Je Filter die Anzahl der Treffer je Wert – für die aktuelle Treffermenge"
    )
    hinweis: str | None = Field(
        default=None, description="Hinweis, wenn die Suchmaschine ausgefallen ist und die Datenbank antwortet"
    )
    vorschlag: str | None = Field(default=None, description="„Meinten Sie …?“, wenn nichts gefunden wurde")


def _param(
    name: str, schema: dict[str, Any], description: str, *, repeatable: bool = False
) -> dict[str, Any]:
    if repeatable:
        schema = {"type": "array", "items": schema}
    param: dict[str, Any] = {"name": name, "in": "query", "required": False, "schema": schema}
    param["description"] = description + (" Mehrfach angeben = ODER." if repeatable else "")
    if repeatable:
        param.update(style="form", explode=True)
    return param


def _district_spellings() -> list[str]:
    spellings = [o.slug for o in vocab.ORTSTEILE] + [o.name for o in vocab.ORTSTEILE]
    spellings += [a for o in vocab.ORTSTEILE for a in o.aliases]
    spellings += [p.name for p in vocab.PLANUNGSRAEUME]
    return list(dict.fromkeys(spellings))


_PARAMETERS = [
    _param("q", {"type": "string", "maxLength": MAX_QUERY_LENGTH}, "Suchtext (Tippfehler und Umlaute egal)."),
    _param(
        "ortsteil",
        {"type": "string", "enum": _district_spellings()},
        "Ortsteil als Kennung, Name oder Alias; ein Planungsraum-Name meint alle seine Ortsteile.",
        repeatable=True,
    ),
    _param(
        "planungsraum",
        {"type": "string", "enum": [p.code for p in vocab.PLANUNGSRAEUME]},
        "Planungsraum-Code.",
        repeatable=True,
    ),
    _param(
        "zielgruppe",
        {"type": "string", "enum": [z.code for z in vocab.ZIELGRUPPEN]},
        "Zielgruppe.",
        repeatable=True,
    ),
    _param("thema", {"type": "string", "enum": [t.code for t in vocab.THEMEN]}, "Thema.", repeatable=True),
    _param(
        "handlungsfeld",
        {"type": "integer", "minimum": 1, "maximum": len(vocab.HANDLUNGSFELDER)},
        "LSZ-Handlungsfeld.",
        repeatable=True,
    ),
    _param(
        "alter",
        {"type": "number", "minimum": 0, "maximum": MAX_AGE},
        "Alter des Kindes bzw. der Person in Jahren: nur Angebote, deren Altersspanne es enthält.",
    ),
    _param("kostenlos", {"type": "boolean"}, "Nur kostenlose (true) bzw. kostenpflichtige (false) Angebote."),
    _param("barrierefrei", {"type": "boolean"}, "Nur barrierefreie (true) bzw. nicht barrierefreie (false)."),
    _param(
        "sprache", {"type": "string", "enum": [slug(s) for s in vocab.SPRACHEN]}, "Sprache.", repeatable=True
    ),
    _param("lat", {"type": "number", "minimum": -90, "maximum": 90}, "Breitengrad für sort=distance."),
    _param("lon", {"type": "number", "minimum": -180, "maximum": 180}, "Längengrad für sort=distance."),
    _param(
        "sort",
        {"type": "string", "enum": [s.value for s in Sort], "default": Sort.relevance.value},
        "Sortierung: Relevanz, Name oder Entfernung (braucht lat und lon, sonst Relevanz).",
    ),
    _param(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        "Treffer je Seite.",
    ),
    _param("offset", {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0}, "Versatz."),
]


def _item(external_id: str, card: dict[str, Any], base: str) -> OfferItem:
    return OfferItem(
        id=external_id,
        title=card["title"],
        einrichtung=EinrichtungRef(id=card["einrichtung_id"], name=card["einrichtung_name"]),
        ortsteile=card["ortsteile"],
        zielgruppen=card["zielgruppen"],
        themen=card["themen"],
        handlungsfeld=card["handlungsfeld"],
        url=f"{base}/angebote/{external_id}",
    )


@router.get(
    "/offers",
    dependencies=[CachedPage],
    response_model=OfferSearchResponse,
    summary="Angebote suchen",
    description=(
        "Volltextsuche über alle öffentlichen Angebote mit Filtern (UND zwischen Filtern, ODER innerhalb "
        "eines Filters), Facetten mit Trefferzahlen und Sortierung nach Relevanz, Name oder Entfernung. "
        "Ungültige Werte ergeben 422 mit einer deutschen Meldung je Parameter. Fällt die Suchmaschine aus, "
        "antwortet eine einfache Datenbanksuche und `hinweis` sagt das."
    ),
    openapi_extra={"parameters": _PARAMETERS},
    responses={
        422: {
            "description": "Ungültige Parameter (deutsche Meldung je Parameter)",
            "model": InvalidParameters,
        }
    },
)
def search_offers_api(
    request: Request, session: SessionDep, backend: SearchDep, settings: SettingsDep
) -> Response:
    try:
        query = parse_offer_params(
            request.query_params,
            districts_of(request, session).resolver,
            allow_empty=False,
            query_string=request.url.query,
        )
    except InvalidSearchParams as exc:
        detail = [
            {"loc": ["query", name], "msg": message, "type": "value_error"}
            for name, message in exc.errors.items()
        ]
        return JSONResponse({"detail": detail}, status_code=422)
    result = search_offers(session, backend, query)
    base = settings.base_url.rstrip("/")
    if all(i in result.cards for i in result.ids):
        # The list fields come with the index document – no database round trip for the 20 items.
        today = date.today()
        items = [_item(i, c, base) for i in result.ids if card_current(c := result.cards[i], today)]
    else:  # an index written before list cards existed: load the offers
        items = [
            OfferItem(
                id=offer.external_id,
                title=offer.titel,
                einrichtung=EinrichtungRef(id=offer.einrichtung.external_id, name=offer.einrichtung.name),
                ortsteile=[o.slug for o in offer_ortsteile(offer)],
                zielgruppen=[z.code for z in offer.zielgruppen],
                themen=[t.code for t in offer.themen],
                handlungsfeld=offer.handlungsfeld_number,
                url=f"{base}/angebote/{offer.external_id}",
            )
            for offer in load_offers(session, result, options=_LOAD_OPTIONS)
        ]
    body = OfferSearchResponse(
        total=result.total,
        items=items,
        facets={name: result.facets.get(name, {}) for name in FACETS},
        hinweis=DEGRADED_NOTICE if result.degraded else None,
        vorschlag=result.suggestion,
    )
    # Serialised here, once: returned as a model, FastAPI would validate it again in another thread hop.
    return Response(body.model_dump_json(), media_type="application/json")
