"""Outbox and SMTP delivery against a real aiosmtpd server: the hidden-acceptance paths first."""

from __future__ import annotations

import io
import re
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from app import cli
from app.auth.models import Role
from app.auth.service import create_user
from app.mail import delivery, notices
from app.mail.models import MailStatus, OutboxMail
from app.settings import Environment, Settings
from tests import factories
from tests.app.auth.fixtures import World, new_client, token_on
from tests.app.mail.smtp_server import SmtpServer

LINK = re.compile(r"https://wegweiser\.example\.org/[^\s\"<]+")


def _run_cli(monkeypatch: pytest.MonkeyPatch, settings: Settings, argv: list[str]) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    return cli.main(argv, settings=settings)


def _outbox(session: Session) -> list[OutboxMail]:
    session.expire_all()
    return list(session.exec(select(OutboxMail).order_by(OutboxMail.id)).all())  # type: ignore[arg-type]


def test_invitation_from_cli_arrives_with_working_link(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    settings: Settings,
    session: Session,
    smtp: SmtpServer,
) -> None:
    traeger = factories.traeger(session, name="Stadtteilverein Ost")
    session.commit()
    args = ["create-provider", "Ost@Example.org", "--traeger", traeger.external_id, "--invite"]
    assert _run_cli(monkeypatch, settings, args) == 0
    out = capsys.readouterr().out
    assert "/einladung/" not in out  # sent, not printed
    [mail] = smtp.to("ost@example.org")
    assert mail.recipients == ["ost@example.org"]
    assert mail.subject == "Ihr Zugang zum Familienwegweiser Jena"
    assert mail.message["From"] == "Familienwegweiser Jena <wegweiser@example.org>"
    assert mail.message["Reply-To"] == "redaktion@example.org"
    text, html = mail.part("plain"), mail.part("html")
    assert "Stadtteilverein Ost" in text
    [link] = [u for u in LINK.findall(text) if "/einladung/" in u]
    assert f'href="{link}"' in html
    with new_client(settings) as browser:
        page = browser.get(link.removeprefix(settings.base_url))
        assert page.status_code == 200 and "ost@example.org" in page.text
    assert [m.status for m in _outbox(session)] == [MailStatus.sent]


def test_mail_written_while_server_is_down_is_delivered_by_send_mail(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    settings: Settings,
    session: Session,
    smtp: SmtpServer,
) -> None:
    traeger = factories.traeger(session)
    session.commit()
    smtp.stop()
    args = ["create-provider", "spaet@example.org", "--traeger", traeger.external_id, "--invite"]
    assert _run_cli(monkeypatch, settings, args) == 0
    assert _run_cli(monkeypatch, settings, ["send-mail"]) == 0  # server down: exit 0, mail stays queued
    assert "nicht erreichbar" in capsys.readouterr().out
    [queued] = _outbox(session)
    assert queued.status == MailStatus.queued and queued.attempts == 0
    smtp.start()
    assert _run_cli(monkeypatch, settings, ["send-mail"]) == 0
    assert "1 versandt" in capsys.readouterr().out
    [mail] = smtp.to("spaet@example.org")
    assert "/einladung/" in mail.part("plain")
    assert _run_cli(monkeypatch, settings, ["send-mail"]) == 0  # nothing left: no second copy
    assert len(smtp.messages) == 1
    assert _outbox(session)[0].status == MailStatus.sent


def test_nothing_is_sent_when_the_transaction_rolls_back(
    settings: Settings, engine: Engine, session: Session, smtp: SmtpServer
) -> None:
    traeger = factories.traeger(session)
    session.commit()
    with Session(engine) as work:
        user = create_user(work, settings, email="weg@example.org", role=Role.provider,
                           traeger_external_id=traeger.external_id)  # fmt: skip
        assert notices.invitation(work, settings, user) is not None
        work.rollback()
    assert delivery.deliver_due(engine, settings).sent == 0
    delivery.wait_for_background()
    assert smtp.messages == [] and _outbox(session) == []


def test_committed_mail_is_delivered_right_after_commit(
    settings: Settings, engine: Engine, session: Session, smtp: SmtpServer
) -> None:
    traeger = factories.traeger(session)
    session.commit()
    with Session(engine) as work:
        user = create_user(work, settings, email="sofort@example.org", role=Role.provider,
                           traeger_external_id=traeger.external_id)  # fmt: skip
        notices.invitation(work, settings, user)
        work.commit()
    delivery.wait_for_background()
    assert [m.recipients for m in smtp.messages] == [["sofort@example.org"]]


def test_temporary_refusal_backs_off_and_permanent_refusal_fails_visibly(
    settings: Settings, engine: Engine, session: Session, smtp: SmtpServer, client: TestClient, world: World
) -> None:
    settings = settings.model_copy(update={"mail_send_immediately": False})
    smtp.handler.reject_rcpt.add("kaputt@example.org")
    with Session(engine) as work:
        user = create_user(work, settings, email="kaputt@example.org", role=Role.admin, password=None)
        notices.password_reset(work, settings, user)
        work.commit()
    report = delivery.deliver_due(engine, settings)
    assert report.failed == 1 and report.sent == 0
    [failed] = [m for m in _outbox(session) if m.recipient == "kaputt@example.org"]
    assert failed.status == MailStatus.failed and "550" in (failed.last_error or "")
    # The Redaktion sees it in /verwaltung and sends it again once the address works.
    from tests.app.auth.fixtures import login

    login(client, "admin@example.org")
    page = client.get("/verwaltung/postausgang")
    assert page.status_code == 200 and "kaputt@example.org" in page.text
    action = f"/verwaltung/postausgang/{failed.id}/erneut-senden"
    smtp.handler.reject_rcpt.clear()
    response = client.post(action, data={"csrf_token": token_on(client, "/verwaltung/postausgang", action)})
    assert response.status_code == 303
    delivery.wait_for_background()
    assert [m.recipients for m in smtp.messages] == [["kaputt@example.org"]]
    assert _outbox(session)[-1].status == MailStatus.sent


def test_backoff_grows_exponentially_and_is_capped(settings: Settings) -> None:
    steps = [delivery.backoff(settings, n).total_seconds() for n in (1, 2, 3, 4)]
    assert steps == [60, 120, 240, 480]
    assert delivery.backoff(settings, 30) == delivery.MAX_BACKOFF


def test_development_without_smtp_host_writes_eml_files(
    settings: Settings, engine: Engine, session: Session, tmp_path: Path
) -> None:
    dev = settings.model_copy(
        update={"env": Environment.development, "smtp_host": "", "mail_dir": tmp_path / "mail"}
    )
    traeger = factories.traeger(session)
    user = create_user(session, dev, email="lokal@example.org", role=Role.provider,
                       traeger_external_id=traeger.external_id)  # fmt: skip
    notices.invitation(session, dev, user)
    session.commit()
    delivery.wait_for_background()
    delivery.deliver_due(engine, dev)
    [eml] = list((tmp_path / "mail").glob("*.eml"))
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["To"] == "lokal@example.org" and "-invitation.eml" in eml.name
    assert _outbox(session)[0].status == MailStatus.sent
    # In test/production without SMTP_HOST nothing is "delivered": the mail waits for a configured server.
    assert delivery.transport_for(settings.model_copy(update={"smtp_host": ""})) is None


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # plain AUTH on 127.0.0.1 only
def test_smtp_login_is_used_and_a_refused_login_keeps_mail_queued(
    settings: Settings, engine: Engine, session: Session
) -> None:
    server = SmtpServer(login=("wegweiser", "geheimes-passwort"))
    server.start()
    try:
        update = {"smtp_port": server.port, "smtp_user": "wegweiser", "smtp_password": "falsch"}
        wrong = settings.model_copy(update={**update, "mail_send_immediately": False})
        traeger = factories.traeger(session)
        user = create_user(session, wrong, email="auth@example.org", role=Role.provider,
                           traeger_external_id=traeger.external_id)  # fmt: skip
        notices.invitation(session, wrong, user)
        session.commit()
        report = delivery.deliver_due(engine, wrong)
        assert report.sent == 0 and report.server_down is not None
        assert _outbox(session)[0].status == MailStatus.queued and server.messages == []
        right = wrong.model_copy(update={"smtp_password": "geheimes-passwort"})
        assert delivery.deliver_due(engine, right).sent == 1
        assert [m.recipients for m in server.messages] == [["auth@example.org"]]
    finally:
        server.stop()
