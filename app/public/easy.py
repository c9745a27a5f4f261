"""A one-line summary of an offer in plain language (Leichte Sprache), built only from structured fields –
never from the free-text description, which nobody has checked for plain language."""

from __future__ import annotations

from app.catalogue import service, vocab
from app.catalogue.models import Angebot
from app.catalogue.values import format_age
from app.formatting import format_euro
from app.i18n import current_locale
from app.i18n import gettext as _


def _who(offer: Angebot) -> str:
    locale = current_locale.get()
    by_code = {t.code: t for t in vocab.ZIELGRUPPEN}
    names = [by_code[z.code].label(locale) if z.code in by_code else z.code for z in offer.zielgruppen]
    return ", ".join(names[:3])


def _age(offer: Angebot) -> str:
    von, bis = offer.alter_von, offer.alter_bis
    if von is not None and bis is not None:
        return _("Alter: %(von)s bis %(bis)s Jahre.") % {"von": format_age(von), "bis": format_age(bis)}
    if von is not None and von > 0:
        return _("Alter: ab %(von)s Jahre.") % {"von": format_age(von)}
    if bis is not None:
        return _("Alter: bis %(bis)s Jahre.") % {"bis": format_age(bis)}
    return ""


def _cost(offer: Angebot) -> str:
    if offer.kosten_art == vocab.KostenArt.kostenlos or offer.kosten_cents == 0:
        return _("Es kostet nichts.")
    if offer.kosten_art == vocab.KostenArt.betrag and offer.kosten_cents is not None:
        return _("Es kostet %(betrag)s.") % {"betrag": format_euro(offer.kosten_cents)}
    if offer.kosten_text:
        return _("Es kann etwas kosten. Fragen Sie nach.")
    return ""


def easy_summary(offer: Angebot) -> str:
    """E.g. „Für: Familien. Alter: 0 bis 3 Jahre. Es kostet nichts. Ort: Neulobeda.“"""
    parts = []
    if who := _who(offer):
        parts.append(_("Für: %(wer)s.") % {"wer": who})
    parts += [p for p in (_age(offer), _cost(offer)) if p]
    if offer.stadtweit:
        parts.append(_("Für Menschen aus ganz Jena."))
    places = ", ".join(o.name for o in service.offer_ortsteile(offer))
    if places:
        parts.append(_("Ort: %(ort)s.") % {"ort": places})
    if offer.anmeldung is True:
        parts.append(_("Sie müssen sich anmelden."))
    elif offer.anmeldung is False:
        parts.append(_("Sie müssen sich nicht anmelden."))
    return " ".join(parts)
