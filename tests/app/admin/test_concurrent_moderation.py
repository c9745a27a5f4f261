"""Two admins decide the same draft at the same moment: exactly one decision wins, the other gets 409."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.admin import moderation
from app.audit.models import AuditEntry
from app.auth.models import Role, UserAccount
from app.auth.service import create_user
from app.catalogue.models import Angebot
from app.provider.models import Draft, DraftStatus
from app.settings import Settings
from tests.app.admin.test_moderation import _only_draft, _propose
from tests.app.auth.fixtures import PASSWORD, World, login_as, soup, token_on

REASON = "Bitte den Titel sachlich halten."


def _decide_at_once(engine: Engine, draft_id: int, actions: tuple[str, str]) -> list[tuple[str, str]]:
    barrier = threading.Barrier(2, timeout=10)
    outcomes: list[tuple[str, str]] = []

    def decide(action: str, email: str) -> None:
        with Session(engine, expire_on_commit=False) as session:
            draft = session.get_one(Draft, draft_id)
            admin = session.exec(select(UserAccount).where(UserAccount.email == email)).one()
            barrier.wait()  # both have read the open draft
            try:
                if action == "approve":
                    moderation.approve(session, draft=draft, admin=admin)
                else:
                    moderation.reject(session, draft=draft, admin=admin, reason=REASON)
                session.commit()
                outcomes.append(("won", action))
            except moderation.AlreadyDecided:
                session.rollback()
                outcomes.append(("lost", action))
            except Exception as exc:
                session.rollback()
                outcomes.append(("error", f"{action}: {exc!r}"))

    threads = [
        threading.Thread(target=decide, args=(action, email))
        for action, email in zip(actions, ("admin@example.org", "zweite@example.org"), strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


@pytest.fixture
def second_admin(world: World, session: Session, settings: Settings) -> None:
    create_user(session, settings, email="zweite@example.org", role=Role.admin, password=PASSWORD)
    session.commit()


def _decisions(session: Session, draft_id: int) -> list[AuditEntry]:
    session.expire_all()
    return list(
        session.exec(
            select(AuditEntry).where(
                col(AuditEntry.source) == "admin", col(AuditEntry.note).contains(f"#{draft_id} ")
            )
        ).all()
    )


@pytest.mark.parametrize("actions", [("approve", "reject"), ("reject", "approve"), ("approve", "approve")])
def test_one_decision_per_edit_draft(
    world: World,
    session: Session,
    settings: Settings,
    engine: Engine,
    second_admin: None,
    actions: tuple[str, str],
) -> None:
    _propose(
        settings,
        f"/anbieter/angebote/{world.angebot_a.external_id}/bearbeiten",
        titel="Krabbelgruppe Nordstern",
    )
    draft_id = _only_draft(session).id
    assert draft_id is not None
    outcomes = _decide_at_once(engine, draft_id, actions)
    assert sorted(kind for kind, _ in outcomes) == ["lost", "won"], outcomes
    winner = next(action for kind, action in outcomes if kind == "won")
    draft = _only_draft(session)
    offer = session.get_one(Angebot, world.angebot_a.id)
    session.refresh(offer)
    entries = _decisions(session, draft_id)
    assert len(entries) == 1, [(e.action, e.actor) for e in entries]
    if winner == "approve":
        assert draft.status == DraftStatus.approved and draft.reason is None
        assert offer.titel == "Krabbelgruppe Nordstern"
        assert entries[0].action == "approve"
    else:
        assert draft.status == DraftStatus.rejected and draft.reason == REASON
        assert offer.titel == "Krabbelgruppe Nord"  # the rejected change is not live
        assert entries[0].action == "reject"


def test_one_new_offer_from_two_approvals(
    world: World, session: Session, settings: Settings, engine: Engine, second_admin: None
) -> None:
    path = f"/anbieter/einrichtungen/{world.einrichtung_a.external_id}/neues-angebot"
    _propose(settings, path, titel="Vorlesestunde Nord", zielgruppen=["kinder"], kosten="kostenlos")
    draft_id = _only_draft(session).id
    assert draft_id is not None
    outcomes = _decide_at_once(engine, draft_id, ("approve", "approve"))
    assert sorted(kind for kind, _ in outcomes) == ["lost", "won"], outcomes
    session.expire_all()
    assert len(session.exec(select(Angebot).where(Angebot.titel == "Vorlesestunde Nord")).all()) == 1
    assert {e.action for e in _decisions(session, draft_id)} == {"create"}


def test_the_second_click_gets_409_with_a_german_message(
    world: World, session: Session, settings: Settings
) -> None:
    _propose(
        settings,
        f"/anbieter/angebote/{world.angebot_a.external_id}/bearbeiten",
        titel="Krabbelgruppe Nordstern",
    )
    draft = _only_draft(session)
    page = f"/verwaltung/entwuerfe/{draft.id}"
    approve, reject = f"{page}/freigeben", f"{page}/ablehnen"
    with login_as(settings, "admin@example.org") as first, login_as(settings, "zweite@example.org") as second:
        reject_token = token_on(second, page, reject)  # the second admin has the page open
        assert first.post(approve, data={"csrf_token": token_on(first, page, approve)}).status_code == 303
        late = second.post(reject, data={"csrf_token": reject_token, "begruendung": REASON})
        assert late.status_code == 409
        assert "bereits entschieden" in soup(late).get_text()
    assert len(_decisions(session, draft.id or 0)) == 1


@pytest.fixture(autouse=True)
def _second_admin_for_views(request: pytest.FixtureRequest) -> None:
    if request.node.name.startswith("test_the_second_click"):
        request.getfixturevalue("second_admin")
