"""Routes of the funding area: the public overview, Träger and project pages, downloads."""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from sqlmodel import Session, col, select
from starlette.responses import HTMLResponse, Response

from app import downloads
from app.catalogue import service as catalogue
from app.catalogue.models import Angebot, Einrichtung
from app.catalogue.vocab import HANDLUNGSFELDER
from app.deps import SessionDep, SettingsDep, districts_of, or_404
from app.funding import exports
from app.funding import service as funding
from app.funding.charts import bar_chart
from app.i18n import current_locale
from app.i18n import gettext as _
from app.page_cache import CachedPage
from app.quality import opendata
from app.templating import render

router = APIRouter(dependencies=[CachedPage])

ALL_YEARS = "alle"
DOWNLOADS: dict[str, tuple[str, str]] = {
    # file name → (media type, label)
    "foerderungen-excel.csv": (downloads.CSV, "CSV für Excel (;, Dezimalkomma)"),
    "foerderungen.csv": (downloads.CSV, "CSV (Standard, Komma)"),
    "foerderungen.json": ("application/json", "JSON"),
    "foerderungen-360giving.json": ("application/json", "360Giving JSON (Standard 1.4.3)"),
}


def _parse_year(value: str | None, years: list[int]) -> tuple[int | None, str | None]:
    """``None``/empty → newest year with data; ``alle`` → all years. Returns (year, error)."""
    text = (value or "").strip()
    if not text:
        return (years[0] if years else None), None
    if text == ALL_YEARS:
        return None, None
    if text.isdigit() and funding.MIN_YEAR <= int(text) <= funding.MAX_YEAR:
        return int(text), None
    return None, _("Bitte ein Jahr (z. B. 2021) oder „alle“ wählen.")


def _filter_from_request(
    session: Session,
    *,
    jahr: str | None,
    handlungsfeld: str | None,
    traeger: str | None,
    ortsteil: str | None,
) -> tuple[funding.FundingFilter | None, dict[str, str]]:
    years = funding.available_years(session)
    year, year_error = _parse_year(jahr, years)
    errors: dict[str, str] = {"jahr": year_error} if year_error else {}
    try:
        flt = funding.parse_filter(
            session, year=year, handlungsfeld=handlungsfeld, traeger=traeger, ortsteil=ortsteil
        )
    except funding.InvalidFundingParams as exc:
        errors.update(exc.errors)
        return None, errors
    return (None, errors) if errors else (flt, errors)


def _url(path: str, params: dict[str, str]) -> str:
    return f"{path}?{urlencode(params)}" if params else path


def _download_links(flt: funding.FundingFilter) -> list[dict[str, str]]:
    params = flt.query_params()
    return [
        {"url": _url(f"/foerderung/download/{flt.scope}/{name}", params), "label": _(label), "name": name}
        for name, (_media, label) in DOWNLOADS.items()
    ]


def _sort_links(flt: funding.FundingFilter, key: str, descending: bool) -> dict[str, dict[str, str]]:
    """Each column header links to the table sorted by it (again: the other direction)."""
    base = flt.query_params()
    base["jahr"] = flt.scope
    links: dict[str, dict[str, str]] = {}
    for column in funding.SORT_KEYS:
        active = column == key
        next_desc = not descending if active else column in ("betrag", "jahr", "bewilligt")
        params = {**base, "sortierung": column, "richtung": "ab" if next_desc else "auf"}
        links[column] = {
            "url": _url("/foerderung", params) + "#projekte",
            "aria_sort": ("descending" if descending else "ascending") if active else "none",
        }
    return links


@router.get("/foerderung", response_class=HTMLResponse, include_in_schema=False)
def overview(
    request: Request,
    session: SessionDep,
    jahr: str | None = Query(None, max_length=10),
    handlungsfeld: str | None = Query(None, max_length=10),
    traeger: str | None = Query(None, max_length=80),
    ortsteil: str | None = Query(None, max_length=80),
    sortierung: str = Query("betrag", max_length=20),
    richtung: str = Query("ab", max_length=5),
) -> HTMLResponse:
    years = funding.available_years(session)
    context: dict[str, Any] = {
        "label": funding.vocab_label,
        "years": years,
        "handlungsfelder": funding.handlungsfelder(session),
        "traeger_options": funding.funded_traeger(session),
        "layout": districts_of(request, session).by_planungsraum,
        "selected": {
            "jahr": (jahr or "").strip(),
            "handlungsfeld": (handlungsfeld or "").strip(),
            "traeger": (traeger or "").strip(),
            "ortsteil": (ortsteil or "").strip(),
        },
    }
    flt, errors = _filter_from_request(
        session, jahr=jahr, handlungsfeld=handlungsfeld, traeger=traeger, ortsteil=ortsteil
    )
    if flt is None:
        context["errors"] = errors
        return render(request, "funding/index.html", context, status_code=400)

    sort_key = sortierung if sortierung in funding.SORT_KEYS else "betrag"
    descending = richtung != "auf"
    # One query for the year-over-year view; the selected year is a subset of it.
    all_year_grants = funding.load_grants(session, flt, all_years=True)
    grants = [g for g in all_year_grants if flt.year is None or g.jahr == flt.year]
    totals = funding.compute_totals(grants, context["handlungsfelder"], context["layout"])
    year_counts = Counter(g.jahr for g in all_year_grants)
    scope_label = str(flt.year) if flt.year is not None else _("alle Jahre")
    context.update(
        flt=flt,
        errors={},
        selected={**context["selected"], "jahr": flt.scope},
        scope_label=scope_label,
        grants=funding.sort_grants(grants, sort_key, descending),
        totals=totals,
        sort_key=sort_key,
        sort_links=_sort_links(flt, sort_key, descending),
        downloads=_download_links(flt),
        district_label=funding.district_label,
        hf_chart=bar_chart(
            "chart-hf",
            _("Fördersumme je Handlungsfeld ({scope})").format(scope=scope_label),
            [
                (f"HF {t.number}", f"HF {t.number} {t.name}", t.amount.cents, t.amount.count)
                for t in totals.by_handlungsfeld
            ],
            names=[f"HF {t.number}: {_hf_name(t.number, t.name)}" for t in totals.by_handlungsfeld],
        ),
        year_hf=funding.sum_by_year_and_handlungsfeld(all_year_grants),
        year_hf_url=lambda year, hf=None: (
            _url(
                "/foerderung",
                {
                    **flt.query_params(),
                    "jahr": str(year),
                    **({"handlungsfeld": str(hf)} if hf is not None else {}),
                },
            )
            + "#projekte"
        ),
        year_chart=bar_chart(
            "chart-jahre",
            _("Fördersumme je Jahr"),
            [(str(y), str(y), c, year_counts[y]) for y, c in funding.sum_by_year(all_year_grants).items()],
        ),
    )
    return render(request, "funding/index.html", context)


def _hf_name(number: int, german: str) -> str:
    """The Handlungsfeld's name in the interface language (chart labels)."""
    term = next((h for h in HANDLUNGSFELDER if h.number == number), None)
    return term.label(current_locale.get()) if term else german


@router.get("/foerderung/traeger/{external_id}", response_class=HTMLResponse, include_in_schema=False)
def traeger_page(request: Request, session: SessionDep, external_id: str) -> HTMLResponse:
    traeger = or_404(funding.get_traeger(session, external_id))
    grants = funding.load_grants(session, funding.FundingFilter(traeger=traeger.external_id))
    if not grants and not traeger.published:
        raise HTTPException(status_code=404)
    by_year: dict[int, list[Any]] = {}
    for grant in grants:  # already newest year first
        by_year.setdefault(grant.jahr, []).append(grant)
    institutions = [e for e in traeger.einrichtungen if e.published]
    offers_stmt = (
        select(Angebot)
        .join(Einrichtung)
        .where(Einrichtung.traeger_id == traeger.id, catalogue.public_offer_clause())
        .order_by(col(Angebot.titel))
    )
    offers = session.exec(offers_stmt).all()
    return render(
        request,
        "funding/traeger.html",
        {
            "traeger": traeger,
            "by_year": [(year, rows, sum(g.betrag_cents for g in rows)) for year, rows in by_year.items()],
            "total_cents": sum(g.betrag_cents for g in grants),
            "grant_count": len(grants),
            "institutions": sorted(institutions, key=lambda e: e.name.lower()),
            "offers": offers,
            "district_label": funding.district_label,
            "label": funding.vocab_label,
        },
    )


@router.get("/foerderung/projekte/{external_id}", response_class=HTMLResponse, include_in_schema=False)
def project_page(
    request: Request, session: SessionDep, settings: SettingsDep, external_id: str
) -> HTMLResponse:
    grant = or_404(funding.get_grant(session, external_id))
    base = settings.base_url.rstrip("/")
    json_ld = {
        "@context": "https://schema.org",
        "@type": "MonetaryGrant",
        "name": grant.projekt,
        "identifier": grant.external_id,
        "url": f"{base}/foerderung/projekte/{quote(grant.external_id)}",
        "amount": {"@type": "MonetaryAmount", "currency": "EUR", "value": grant.betrag_cents / 100},
        "funder": {"@type": "GovernmentOrganization", "name": exports.FUNDER_NAME},
        "fundedItem": {"@type": "Organization", "name": grant.traeger.name},
    }
    if grant.beschreibung:
        json_ld["description"] = grant.beschreibung
    return render(
        request,
        "funding/projekt.html",
        {
            "grant": grant,
            "district_label": funding.district_label(grant),
            "district_kind": funding.district_kind(grant),
            "award_fallback": grant.bewilligt_am is None,
            "json_ld": json_ld,
            "label": funding.vocab_label,
        },
    )


@router.get("/foerderung/download/{scope}/{datei}", include_in_schema=False)
def download(
    session: SessionDep,
    settings: SettingsDep,
    scope: str,
    datei: str,
    handlungsfeld: str | None = Query(None, max_length=10),
    traeger: str | None = Query(None, max_length=80),
    ortsteil: str | None = Query(None, max_length=80),
) -> Response:
    """Stable URL per year (or ``alle``) and filter, e.g. ``/foerderung/download/2021/foerderungen.csv``."""
    if datei not in DOWNLOADS:
        raise HTTPException(status_code=404)
    if scope != ALL_YEARS and not scope.isdigit():
        raise HTTPException(status_code=404)
    flt, errors = _filter_from_request(
        session, jahr=scope, handlungsfeld=handlungsfeld, traeger=traeger, ortsteil=ortsteil
    )
    if flt is None:
        raise HTTPException(status_code=422, detail=" ".join(errors.values()))
    grants = funding.sort_grants(funding.load_grants(session, flt), "jahr", False)
    ratings = opendata.open_data(session, grants)
    if datei == "foerderungen-excel.csv":
        body = exports.csv_excel(grants, ratings)
    elif datei == "foerderungen.csv":
        body = exports.csv_standard(grants, ratings)
    elif datei == "foerderungen.json":
        body = exports.json_bytes(exports.json_document(grants, flt, settings, ratings))
    else:
        if not grants:
            raise HTTPException(
                status_code=404,
                detail=_(
                    "Für diese Auswahl gibt es keine Förderungen – "
                    "eine 360Giving-Datei braucht mindestens eine."
                ),
            )
        body = exports.json_bytes(exports.giving360_package(grants, flt, settings))
    filename = datei.replace("foerderungen", f"foerderungen-{flt.scope}", 1)
    return downloads.attachment(body, filename, DOWNLOADS[datei][0])
