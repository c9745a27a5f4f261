"""Provider area ``/anbieter``: own entries, edit forms that create drafts, „unverändert bestätigen“.

Every route loads records through the provider's own Träger; another Träger's ids answer 404 (no hint whether
they exist) and change nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.auth.deps import CurrentProvider
from app.auth.models import UserAccount
from app.auth.private_route import PrivateRoute
from app.catalogue import editing, vocab
from app.catalogue.editing import ANGEBOT_FIELDS, EINRICHTUNG_FIELDS, FieldSpec, Raw, read_form
from app.catalogue.models import Angebot, Einrichtung, Traeger
from app.csrf import verify_csrf
from app.deps import SessionDep, SettingsDep, or_404
from app.i18n import gettext as _
from app.provider import service
from app.provider.models import DraftKind, DraftStatus
from app.templating import render

router = APIRouter(prefix="/anbieter", dependencies=[Depends(verify_csrf)], route_class=PrivateRoute)
FormData = Annotated[dict[str, Raw], Depends(read_form)]


def _einrichtung(session: SessionDep, user: UserAccount, external_id: str) -> Einrichtung:
    return or_404(service.own_einrichtung(session, user.traeger_id, external_id))  # type: ignore[arg-type]


def _angebot(session: SessionDep, user: UserAccount, external_id: str) -> Angebot:
    return or_404(service.own_angebot(session, user.traeger_id, external_id))  # type: ignore[arg-type]


@router.get("")
def dashboard(
    request: Request, session: SessionDep, user: CurrentProvider, gespeichert: str = ""
) -> Response:
    traeger = session.get(Traeger, user.traeger_id)
    einrichtungen = service.own_einrichtungen(session, user.traeger_id)  # type: ignore[arg-type]
    offer_ids = [a.id for e in einrichtungen for a in e.angebote if a.id is not None]
    drafts = service.drafts_of(session, user.traeger_id)  # type: ignore[arg-type]
    open_for = {(d.kind, d.angebot_id or d.einrichtung_id) for d in drafts if d.status == DraftStatus.open}
    messages = {
        "entwurf": _("Danke! Ihre Änderung ist gespeichert und wird von der Stadt geprüft."),
        "bestaetigt": _("Danke! Die Angaben sind als aktuell bestätigt."),
        "alle-bestaetigt": _("Danke! Alle Einrichtungen und Angebote sind als aktuell bestätigt."),
    }
    return render(
        request,
        "provider/dashboard.html",
        {
            "user": user,
            "traeger": traeger,
            "einrichtungen": einrichtungen,
            "drafts": drafts,
            "open_for": open_for,
            "counts": service.feedback_counts(session, offer_ids),
            "reports": service.error_reports(session, user.traeger_id),  # type: ignore[arg-type]
            "message": messages.get(gespeichert),
            "status_labels": {t.code: _(t.de) for t in vocab.STATUS_TERMS},
        },
    )


def _edit_page(
    request: Request,
    user: UserAccount,
    *,
    title: str,
    action: str,
    specs: tuple[FieldSpec, ...],
    values: dict[str, Any],
    ctx: editing.Context,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "user": user,
        "title": title,
        "action": action,
        "rows": editing.field_rows(specs, values, ctx),
        "errors": errors or {},
        "notice": notice,
    }
    return render(request, "provider/edit.html", context, status_code=status_code)


def _invalid_form_page(
    request: Request,
    user: UserAccount,
    action: str,
    specs: tuple[FieldSpec, ...],
    parsed: editing.ParsedForm,
    ctx: editing.Context,
) -> Response:
    """The form again with what was typed and a message per field (400)."""
    return _edit_page(
        request,
        user,
        title=_("Bitte Eingaben prüfen"),
        action=action,
        specs=specs,
        values=parsed.raw,
        ctx=ctx,
        errors=parsed.errors,
        status_code=400,
    )


def _pending_notice(session: SessionDep, kind: DraftKind, record_id: int, traeger_id: int) -> str | None:
    if service.open_draft_for(session, kind=kind, record_id=record_id, traeger_id=traeger_id):
        return _(
            "Für diesen Eintrag liegt schon eine Änderung zur Prüfung vor. Wenn Sie erneut speichern, "
            "ersetzt die neue Fassung die alte."
        )
    return None


# Per kind of edit: the form's fields and the URL segment of its records.
_EDITS: dict[DraftKind, tuple[tuple[FieldSpec, ...], str]] = {
    DraftKind.einrichtung: (EINRICHTUNG_FIELDS, "einrichtungen"),
    DraftKind.angebot: (ANGEBOT_FIELDS, "angebote"),
}


def _edit_action(kind: DraftKind, target: Einrichtung | Angebot) -> str:
    return f"/anbieter/{_EDITS[kind][1]}/{target.external_id}/bearbeiten"


def _edit_record_page(
    request: Request,
    session: SessionDep,
    user: UserAccount,
    kind: DraftKind,
    target: Einrichtung | Angebot,
    title: str,
) -> Response:
    """The edit form of an existing record, filled with its current values."""
    specs = _EDITS[kind][0]
    return _edit_page(
        request,
        user,
        title=title,
        action=_edit_action(kind, target),
        specs=specs,
        values=editing.form_values(target, specs),
        ctx=editing.context_for(session),
        notice=_pending_notice(session, kind, target.id, user.traeger_id),  # type: ignore[arg-type]
    )


@router.get("/einrichtungen/{external_id}/bearbeiten")
def edit_einrichtung_form(
    request: Request, session: SessionDep, user: CurrentProvider, external_id: str
) -> Response:
    einrichtung = _einrichtung(session, user, external_id)
    title = _("Einrichtung bearbeiten: {name}").format(name=einrichtung.name)
    return _edit_record_page(request, session, user, DraftKind.einrichtung, einrichtung, title)


@router.post("/einrichtungen/{external_id}/bearbeiten")
def edit_einrichtung(
    request: Request, session: SessionDep, user: CurrentProvider, external_id: str, form: FormData
) -> Response:
    einrichtung = _einrichtung(session, user, external_id)
    return _save_edit(request, session, user, DraftKind.einrichtung, einrichtung, None, form)


@router.get("/angebote/{external_id}/bearbeiten")
def edit_angebot_form(
    request: Request, session: SessionDep, user: CurrentProvider, external_id: str
) -> Response:
    angebot = _angebot(session, user, external_id)
    title = _("Angebot bearbeiten: {title}").format(title=angebot.titel)
    return _edit_record_page(request, session, user, DraftKind.angebot, angebot, title)


@router.post("/angebote/{external_id}/bearbeiten")
def edit_angebot(
    request: Request, session: SessionDep, user: CurrentProvider, external_id: str, form: FormData
) -> Response:
    angebot = _angebot(session, user, external_id)
    return _save_edit(request, session, user, DraftKind.angebot, angebot.einrichtung, angebot, form)


def _save_edit(
    request: Request,
    session: SessionDep,
    user: UserAccount,
    kind: DraftKind,
    einrichtung: Einrichtung,
    angebot: Angebot | None,
    form: dict[str, Raw],
) -> Response:
    specs = _EDITS[kind][0]
    target: Einrichtung | Angebot = angebot if angebot is not None else einrichtung
    ctx = editing.context_for(session)
    parsed = editing.parse_form(form, specs, ctx)
    action = _edit_action(kind, target)
    if parsed.errors:
        return _invalid_form_page(request, user, action, specs, parsed, ctx)
    changes = editing.changed_values(target, specs, parsed.values)
    if not changes:
        return RedirectResponse("/anbieter?gespeichert=unveraendert", status_code=303)
    base = {k: editing.canonical(target, k) for k in changes}
    service.propose(
        session,
        user=user,
        kind=kind,
        einrichtung=einrichtung,
        angebot=angebot,
        changes=changes,
        base_values=base,
    )
    return RedirectResponse("/anbieter?gespeichert=entwurf", status_code=303)


@router.get("/einrichtungen/{external_id}/neues-angebot")
def new_angebot_form(
    request: Request, session: SessionDep, user: CurrentProvider, external_id: str
) -> Response:
    einrichtung = _einrichtung(session, user, external_id)
    return _edit_page(
        request,
        user,
        title=_("Neues Angebot für {name} vorschlagen").format(name=einrichtung.name),
        action=f"/anbieter/einrichtungen/{external_id}/neues-angebot",
        specs=ANGEBOT_FIELDS,
        values={"status": "aktiv"},
        ctx=editing.context_for(session),
    )


@router.post("/einrichtungen/{external_id}/neues-angebot")
def new_angebot(
    request: Request, session: SessionDep, user: CurrentProvider, external_id: str, form: FormData
) -> Response:
    einrichtung = _einrichtung(session, user, external_id)
    ctx = editing.context_for(session)
    parsed = editing.parse_form(form, ANGEBOT_FIELDS, ctx)
    if parsed.errors:
        action = f"/anbieter/einrichtungen/{external_id}/neues-angebot"
        return _invalid_form_page(request, user, action, ANGEBOT_FIELDS, parsed, ctx)
    service.propose(
        session,
        user=user,
        kind=DraftKind.neues_angebot,
        einrichtung=einrichtung,
        angebot=None,
        changes=parsed.values,
        base_values={},
    )
    return RedirectResponse("/anbieter?gespeichert=entwurf", status_code=303)


@router.post("/einrichtungen/{external_id}/bestaetigen")
def confirm_einrichtung(
    session: SessionDep, settings: SettingsDep, user: CurrentProvider, external_id: str
) -> Response:
    einrichtung = _einrichtung(session, user, external_id)
    service.confirm_unchanged(session, user=user, target=einrichtung)
    return RedirectResponse("/anbieter?gespeichert=bestaetigt", status_code=303)


@router.post("/bestaetigen")
def confirm_all(session: SessionDep, user: CurrentProvider) -> Response:
    """„Alle unverändert bestätigen“: every own institution and offer is checked as of today, in one step."""
    for einrichtung in service.own_einrichtungen(session, user.traeger_id):  # type: ignore[arg-type]
        service.confirm_unchanged(session, user=user, target=einrichtung)
        for angebot in einrichtung.angebote:
            service.confirm_unchanged(session, user=user, target=angebot)
    return RedirectResponse("/anbieter?gespeichert=alle-bestaetigt", status_code=303)


@router.post("/angebote/{external_id}/bestaetigen")
def confirm_angebot(
    session: SessionDep, settings: SettingsDep, user: CurrentProvider, external_id: str
) -> Response:
    angebot = _angebot(session, user, external_id)
    service.confirm_unchanged(session, user=user, target=angebot)
    return RedirectResponse("/anbieter?gespeichert=bestaetigt", status_code=303)


@router.get("/entwuerfe/{draft_id}")
def show_draft(request: Request, session: SessionDep, user: CurrentProvider, draft_id: int) -> Response:
    draft = or_404(service.own_draft(session, user.traeger_id, draft_id))  # type: ignore[arg-type]
    ctx = editing.context_for(session)
    rows = [
        {
            "label": _(editing.LABELS.get(name, name)),
            "old": editing.display(name, draft.base_values.get(name), ctx.ortsteile),
            "new": editing.display(name, value, ctx.ortsteile),
        }
        for name, value in draft.changes.items()
    ]
    return render(request, "provider/draft.html", {"user": user, "draft": draft, "rows": rows})
