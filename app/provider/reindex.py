"""Search is a side effect of commits: after an approved change, push the affected offers to the index."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import Connection, Engine

from app.i18n import gettext as _
from app.settings import Settings
from search.indexing import index_offers

log = logging.getLogger(__name__)


def reindex_after_commit(
    bind: Engine | Connection, settings: Settings, external_ids: Iterable[str]
) -> str | None:
    """Update the index for these offers; returns a German warning when the engine could not be reached.

    Never raises: the database change is committed already, and ``python -m search reindex`` repairs drift.
    """
    ids = sorted(set(external_ids))
    if not ids:
        return None
    try:
        outcome = index_offers(bind.engine, settings, ids)
    except Exception:  # the contract says index_offers never raises; a bug there must not undo a commit
        log.exception("Suchindex konnte nach der Freigabe nicht aktualisiert werden")
        return _("Der Suchindex konnte nicht aktualisiert werden; der nächste Neuaufbau holt es nach.")
    if not outcome.ok:
        log.warning("Suchindex nicht aktualisiert: %s", outcome.message)
        return outcome.message or _("Der Suchindex konnte nicht aktualisiert werden.")
    return None
