"""Build the indexed documents from the database – only public offers (app.catalogue.service decides)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from functools import lru_cache

from sqlalchemy.orm import defer, joinedload, selectinload
from sqlmodel import Session, col, select

from app.catalogue import service
from app.catalogue.models import Angebot, Einrichtung, Planungsraum, Traeger
from app.catalogue.text import slug
from app.catalogue.vocab import Barrierefrei, KostenArt
from search.base import OfferDocument, SearchQuery
from search.text import SYNONYMS_FILE, WORD_PARTS_FILE, analyse_text

_BATCH = 500
# What a document needs, in few queries: the institution, its district and Träger joined; the provenance JSON
# (imported values, online edits) of each record stays unread – decoding it was a third of a rebuild.
_DOCUMENT_LOAD_OPTIONS = (
    defer(Angebot.imported_values),  # type: ignore[arg-type]
    defer(Angebot.online_edits),  # type: ignore[arg-type]
    joinedload(Angebot.einrichtung).options(  # type: ignore[arg-type]
        defer(Einrichtung.imported_values),  # type: ignore[arg-type]
        defer(Einrichtung.online_edits),  # type: ignore[arg-type]
        joinedload(Einrichtung.ortsteil),  # type: ignore[arg-type]
        joinedload(Einrichtung.traeger).load_only(Traeger.name),  # type: ignore[arg-type]
    ),
    selectinload(Angebot.zielgruppen),  # type: ignore[arg-type]
    selectinload(Angebot.themen),  # type: ignore[arg-type]
    selectinload(Angebot.ortsteile),  # type: ignore[arg-type]
)


def _load(session: Session, external_ids: Sequence[str]) -> list[Angebot]:
    """Offers for documents, in the given order."""
    stmt = select(Angebot).where(col(Angebot.external_id).in_(external_ids)).options(*_DOCUMENT_LOAD_OPTIONS)
    by_id = {a.external_id: a for a in session.exec(stmt).unique().all()}
    return [by_id[i] for i in external_ids if i in by_id]


def build_document(angebot: Angebot, planungsraum_names: dict[str, str] | None = None) -> OfferDocument:
    """One offer (loaded with ``OFFER_LOAD_OPTIONS``) as the search engines see it."""
    einrichtung = angebot.einrichtung
    ortsteile = service.offer_ortsteile(angebot)
    raeume = list(dict.fromkeys(o.planungsraum_code for o in ortsteile))
    names = planungsraum_names or {}
    # Names, aliases and Planungsraum names make "Senioren Löbstedt" or "Lobeda-West" in a query count.
    place_names = [o.name for o in ortsteile] + [a for o in ortsteile for a in o.aliases]
    place_names += [names[code] for code in raeume if code in names]
    return OfferDocument(
        id=angebot.external_id,
        title=angebot.titel,
        description=angebot.beschreibung or "",
        einrichtung_id=einrichtung.external_id,
        einrichtung_name=einrichtung.name,
        traeger_name=einrichtung.traeger.name,
        ortsteile=tuple(o.slug for o in ortsteile),
        ortsteil_names=tuple(dict.fromkeys(place_names)),
        planungsraeume=tuple(raeume),
        zielgruppen=tuple(z.code for z in angebot.zielgruppen),
        zielgruppen_labels=tuple(z.label_de for z in angebot.zielgruppen),
        themen=tuple(t.code for t in angebot.themen),
        themen_labels=tuple(t.label_de for t in angebot.themen),
        handlungsfeld=angebot.handlungsfeld_number,
        alter_von=angebot.alter_von,
        alter_bis=angebot.alter_bis,
        kostenlos=angebot.kosten_art == KostenArt.kostenlos,
        barrierefrei=service.offer_barrierefrei(angebot) == Barrierefrei.ja,
        sprachen=tuple(dict.fromkeys(slug(s) for s in service.offer_sprachen(angebot))),
        lat=einrichtung.lat,
        lon=einrichtung.lon,
        status=service.effective_status(angebot).value,
        stadtweit=angebot.stadtweit,
        gueltig_bis=angebot.gueltig_bis,
    )


@dataclass
class DocumentBatch:
    documents: list[OfferDocument] = field(default_factory=list)
    # Requested ids that are not (or no longer) public: the index must drop them.
    remove_ids: list[str] = field(default_factory=list)


def _planungsraum_names(session: Session) -> dict[str, str]:
    return {p.code: p.name for p in session.exec(select(Planungsraum)).all()}


def iter_public_documents(session: Session, *, today: date | None = None) -> Iterator[OfferDocument]:
    """Every public offer, in batches so 10,000 offers never sit in one session at once."""
    names = _planungsraum_names(session)
    ids_stmt = (
        select(Angebot.external_id)
        .join(Einrichtung)
        .where(service.public_offer_clause(today))
        .order_by(Angebot.external_id)
    )
    all_ids = list(session.exec(ids_stmt).all())
    for start in range(0, len(all_ids), _BATCH):
        chunk = all_ids[start : start + _BATCH]
        for angebot in _load(session, chunk):
            yield build_document(angebot, names)
        session.expunge_all()


def documents_for(
    session: Session, external_ids: Iterable[str], *, today: date | None = None
) -> DocumentBatch:
    """Documents for the given ids; ids that are missing or not public go to ``remove_ids``."""
    names = _planungsraum_names(session)
    wanted = list(dict.fromkeys(external_ids))
    batch = DocumentBatch()
    for start in range(0, len(wanted), _BATCH):
        chunk = wanted[start : start + _BATCH]
        found = {a.external_id: a for a in _load(session, chunk)}
        for external_id in chunk:
            angebot = found.get(external_id)
            if angebot is not None and service.is_public(angebot, today):
                batch.documents.append(build_document(angebot, names))
            else:
                batch.remove_ids.append(external_id)
    return batch


def public_among(session: Session, external_ids: Sequence[str], *, today: date | None = None) -> set[str]:
    """Which of these offers are public – one light query per 500 ids, no documents built."""
    found: set[str] = set()
    for start in range(0, len(external_ids), _BATCH):
        chunk = list(external_ids[start : start + _BATCH])
        stmt = (
            select(Angebot.external_id)
            .join(Einrichtung)
            .where(col(Angebot.external_id).in_(chunk), service.public_offer_clause(today))
        )
        found.update(session.exec(stmt).all())
    return found


def count_public(session: Session) -> int:
    return service.count_public_offers(session)


# Searchable fields in rank order (title > institution > zielgruppen/themen > description), shared by both
# backends so they search the same analysed tokens (search.text: words, stems, compound parts). A compound
# part of the title ranks below a whole title word ("Beratungen" before "Erziehungsberatung" for "Beratung"),
# so the title's parts have a field of their own; in the other fields a part counts like a word. The last
# field holds what synonyme.txt adds, so synonym matches rank below the document's own words.
SEARCHABLE_FIELDS = (
    "title",
    "title_parts",
    "institution",
    "groups",
    "places",
    "description",
    "synonyms",
)
# The title's words as written (folded): the exact-word tier – a title with every typed word as it was typed
# ranks first. Matched whole (a filter in Meilisearch, a column of its own in the embedded index), never as a
# ranked field.
EXACT_FIELD = "title_words"
_PARTS_APART = {"title": "title_parts"}


def _facts(doc: OfferDocument) -> list[str]:
    """Facts families put into a search ("kostenlose Beratung", "barrierefrei", "auf Arabisch")."""
    facts = ["kostenlos"] if doc.kostenlos else []
    facts += ["barrierefrei"] if doc.barrierefrei else []
    # German is the rule, not a fact: indexed, it would make "Deutsch lernen" match every offer.
    return facts + [language.replace("-", " ") for language in doc.sprachen if language != "deutsch"]


def searchable_text(doc: OfferDocument) -> dict[str, str]:
    """The text of every field of ``SEARCHABLE_FIELDS`` as space-separated tokens."""
    texts = {
        "title": doc.title,
        "institution": f"{doc.einrichtung_name} {doc.traeger_name}",
        "groups": " ".join((*doc.zielgruppen_labels, *doc.themen_labels, *_facts(doc))),
        "places": " ".join(doc.ortsteil_names),
        "description": doc.description,
    }
    analysed = {field: analyse_text(text) for field, text in texts.items()}
    own = {t for a in analysed.values() for t in a.terms}
    extra = dict.fromkeys(
        t
        for field in ("title", "institution", "groups", "description")
        for t in analysed[field].synonyms
        if t not in own
    )
    result: dict[str, str] = {}
    for name, analysis in analysed.items():
        apart = _PARTS_APART.get(name)
        if apart is None:
            result[name] = " ".join(analysis.terms)
        else:
            result[name] = " ".join(analysis.whole)
            result[apart] = " ".join(analysis.parts)
    result["synonyms"] = " ".join(extra)
    return result


def exact_words(doc: OfferDocument) -> list[str]:
    """The ``EXACT_FIELD`` of a document: its title's folded words as written."""
    return list(analyse_text(doc.title).words)


# Bump when the way documents are analysed changes: every stored fingerprint then counts as stale.
# 2: German analysis chain (stems, compounds, synonyms field) and list cards; 3: title parts and title words
DOCUMENT_FORMAT = "3"


@lru_cache(maxsize=1)
def _analysis_version() -> bytes:
    """The code version plus the editable word lists: editing synonyms makes every document stale."""
    digest = hashlib.blake2b(DOCUMENT_FORMAT.encode(), digest_size=8)
    for path in (SYNONYMS_FILE, WORD_PARTS_FILE):
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"-")
    return digest.digest()


def fingerprint(doc: OfferDocument) -> str:
    """A short hash of what is indexed for this offer; index and database are in step when they agree.

    Cheap on purpose (every indexed document gets one): the document's fields plus the analysis version –
    the indexed text is a pure function of both.
    """
    values = tuple(getattr(doc, f.name) for f in fields(doc))
    digest = hashlib.blake2b(_analysis_version(), digest_size=12)
    digest.update(repr(values).encode())
    return digest.hexdigest()


def facet_values(doc: OfferDocument) -> dict[str, list[str]]:
    """The facet values of a document as strings (what Meilisearch reports, too)."""
    return {
        "ortsteil": list(doc.ortsteile),
        "planungsraum": list(doc.planungsraeume),
        "zielgruppe": list(doc.zielgruppen),
        "thema": list(doc.themen),
        "handlungsfeld": [str(doc.handlungsfeld)] if doc.handlungsfeld is not None else [],
        "sprache": list(doc.sprachen),
        "kostenlos": ["true" if doc.kostenlos else "false"],
        "barrierefrei": ["true" if doc.barrierefrei else "false"],
    }


def matches_filters(doc: OfferDocument, query: SearchQuery) -> bool:
    """The filter rule in Python (for the database-only fallback; the backends say it in SQL/filters)."""
    places_ok = doc.stadtweit or (
        (not query.ortsteile or bool(set(query.ortsteile) & set(doc.ortsteile)))
        and (not query.planungsraeume or bool(set(query.planungsraeume) & set(doc.planungsraeume)))
    )
    if (query.ortsteile or query.planungsraeume) and not places_ok:
        return False
    for wanted, have in (
        (query.zielgruppen, doc.zielgruppen),
        (query.themen, doc.themen),
        (query.sprachen, doc.sprachen),
    ):
        if wanted and not set(wanted) & set(have):
            return False
    if query.handlungsfelder and doc.handlungsfeld not in query.handlungsfelder:
        return False
    if query.alter is not None:
        if doc.alter_von is not None and doc.alter_von > query.alter:
            return False
        if doc.alter_bis is not None and doc.alter_bis < query.alter:
            return False
    if query.kostenlos is not None and doc.kostenlos != query.kostenlos:
        return False
    return query.barrierefrei is None or doc.barrierefrei == query.barrierefrei
