"""The jobs runner and the notices: each job run twice sends once; reminders respect their 30 days."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlmodel import Session, select

from app.admin import moderation
from app.catalogue.models import Angebot, Einrichtung
from app.db import utcnow
from app.feedback.models import Feedback, FeedbackKind
from app.feedback.service import FeedbackInput, submit
from app.jobs import __main__ as jobs_cli
from app.jobs import lock
from app.jobs.runner import LEASE, loop, run_due, run_job
from app.jobs.tasks import (
    JOBS,
    LOCAL,
    feedback_digest,
    report_reminders,
    retention,
    verification_reminders,
)
from app.mail import delivery, notices
from app.mail.models import JobLock, MailStatus, OutboxMail
from app.provider.models import Draft, DraftKind
from app.quality.models import Berichtsfrist
from app.settings import Settings
from tests import factories
from tests.app.auth.fixtures import World, login_as, soup, token_on
from tests.app.mail.smtp_server import SmtpServer


def _deliver(engine: Engine, settings: Settings) -> None:
    delivery.wait_for_background()
    delivery.deliver_due(engine, settings)


def _draft(world: World, opening_hours: str) -> Draft:
    assert world.traeger_a.id is not None and world.einrichtung_a.id is not None
    return Draft(
        kind=DraftKind.einrichtung.value,
        traeger_id=world.traeger_a.id,
        einrichtung_id=world.einrichtung_a.id,
        changes={"oeffnungszeiten": opening_hours},
        base_values={},
        created_by="a@example.org",
    )


def _report(world: World, message: str, created_at: datetime | None = None) -> Feedback:
    assert world.angebot_a.id is not None
    return Feedback(
        angebot_id=world.angebot_a.id,
        kind=FeedbackKind.fehler.value,
        message=message,
        created_at=created_at or utcnow(),
    )


def test_verification_reminder_once_per_traeger_and_not_again_within_30_days(
    engine: Engine, settings: Settings, world: World, smtp: SmtpServer, session: Session
) -> None:
    assert jobs_cli.main(["run-once", "verification-reminders"], settings=settings) == 0
    assert jobs_cli.main(["run-once", "verification-reminders"], settings=settings) == 0
    _deliver(engine, settings)
    assert sorted(r for m in smtp.messages for r in m.recipients) == ["a@example.org", "b@example.org"]
    [mail] = smtp.to("a@example.org")
    text = mail.part("plain")
    assert mail.subject == "Bitte bestätigen Sie Ihre Angaben im Familienwegweiser Jena"
    assert world.einrichtung_a.external_id in text and world.angebot_a.external_id in text
    assert world.angebot_b.external_id not in text  # only the Träger's own entries
    assert "https://wegweiser.example.org/anbieter/bestaetigen" in text
    assert 'href="https://wegweiser.example.org/anbieter/bestaetigen"' in mail.part("html")

    # 29 days later: still quiet. 31 days later: remind again (entries are still unconfirmed).
    for days, expected in ((29, 2), (31, 4)):
        with Session(engine) as work:
            work.execute(update(OutboxMail).values(created_at=utcnow() - timedelta(days=days)))
            work.commit()
        verification_reminders(engine, settings, utcnow() + timedelta(days=1))
        _deliver(engine, settings)
        assert len(smtp.messages) == expected


def test_confirm_link_leads_to_login_then_confirms_everything(
    client: TestClient, settings: Settings, world: World, session: Session
) -> None:
    response = client.get("/anbieter/bestaetigen")
    assert response.status_code == 303
    assert response.headers["location"] == "/anmelden?weiter=/anbieter/bestaetigen"
    with login_as(settings, "a@example.org") as provider:
        page = soup(provider.get("/anbieter/bestaetigen"))
        listed = page.select_one("#zu-bestaetigen")
        assert listed is not None and world.einrichtung_a.external_id in listed.get_text()
        assert world.einrichtung_b.external_id not in listed.get_text()
        token = token_on(provider, "/anbieter/bestaetigen", "/anbieter/bestaetigen")
        assert provider.post("/anbieter/bestaetigen", data={"csrf_token": token}).status_code == 303
        assert soup(provider.get("/anbieter/bestaetigen")).select_one("#nichts-zu-bestaetigen") is not None
    session.expire_all()
    assert session.get_one(Einrichtung, world.einrichtung_a.id).verified_at == date.today()
    assert session.get_one(Angebot, world.angebot_a.id).verified_at == date.today()
    assert session.get_one(Einrichtung, world.einrichtung_b.id).verified_at is None


def test_error_report_mails_the_traeger_and_the_daily_digest_goes_once(
    engine: Engine, settings: Settings, world: World, smtp: SmtpServer, session: Session
) -> None:
    session.info["settings"] = settings
    angebot = session.get_one(Angebot, world.angebot_a.id)
    data = FeedbackInput(
        art="fehler", nachricht="Die Telefonnummer stimmt nicht mehr.", kontakt="x@example.org"
    )
    assert submit(session, settings, angebot=angebot, data=data, ip="203.0.113.9").stored
    session.commit()
    _deliver(engine, settings)
    [mail] = smtp.to("a@example.org")
    assert mail.subject == f"Fehlermeldung zu „{world.angebot_a.titel}“"
    assert "Die Telefonnummer stimmt nicht mehr." in mail.part("plain")
    assert "x@example.org" not in mail.part("plain")  # the reporter's contact stays with the Redaktion
    assert smtp.to("b@example.org") == []

    tomorrow = utcnow() + timedelta(days=1)
    for _ in range(2):
        feedback_digest(engine, settings, tomorrow)
    _deliver(engine, settings)
    [digest] = smtp.to("admin@example.org")
    assert "1 neue Fehlermeldung" in digest.subject
    assert world.angebot_a.titel in digest.part("plain")
    assert "https://wegweiser.example.org/verwaltung/rueckmeldungen" in digest.part("plain")


def test_quiet_day_sends_no_digest(
    engine: Engine, settings: Settings, world: World, smtp: SmtpServer
) -> None:
    assert "keine Fehlermeldungen" in feedback_digest(engine, settings, utcnow())
    _deliver(engine, settings)
    assert smtp.messages == []


def test_approval_and_rejection_are_mailed_with_the_reason(
    engine: Engine, settings: Settings, world: World, smtp: SmtpServer, session: Session
) -> None:
    session.info["settings"] = settings
    drafts = [_draft(world, f"Mo {h}–18 Uhr") for h in (8, 9)]
    session.add_all(drafts)
    session.flush()
    moderation.approve(session, draft=drafts[0], admin=world.admin)
    moderation.reject(session, draft=drafts[1], admin=world.admin, reason="Bitte die Uhrzeit prüfen.")
    session.commit()
    _deliver(engine, settings)
    subjects = sorted(m.subject for m in smtp.to("a@example.org"))
    name = world.einrichtung_a.name
    assert subjects == [f"Ihre Änderung an „{name}“ ist veröffentlicht",
                        f"Ihre Änderung an „{name}“ wurde nicht übernommen"]  # fmt: skip
    rejected = next(m for m in smtp.messages if "nicht übernommen" in m.subject)
    assert "Bitte die Uhrzeit prüfen." in rejected.part("plain")
    assert f"https://wegweiser.example.org/anbieter/entwuerfe/{drafts[1].id}" in rejected.part("plain")
    assert smtp.to("b@example.org") == []


def test_rejected_moderation_sends_nothing_when_rolled_back(
    engine: Engine, settings: Settings, world: World, smtp: SmtpServer, session: Session
) -> None:
    session.info["settings"] = settings
    draft = _draft(world, "Mo")
    session.add(draft)
    session.commit()
    moderation.reject(session, draft=draft, admin=world.admin, reason="Nein.")
    session.rollback()
    _deliver(engine, settings)
    assert smtp.messages == []


def test_lock_lets_one_worker_run_a_job(engine: Engine, settings: Settings, world: World) -> None:
    assert lock.acquire(engine, "verification-reminders", LEASE)
    outcome = run_job(engine, settings, JOBS["verification-reminders"])
    assert not outcome.ran and "anderen Prozess" in outcome.summary
    lock.release(engine, "verification-reminders", "test")
    assert run_job(engine, settings, JOBS["verification-reminders"]).ran
    # An expired lease (crashed worker) does not block forever.
    assert lock.acquire(engine, "retention", timedelta(seconds=-1))
    assert lock.acquire(engine, "retention", LEASE)


def test_retention_deletes_old_reports_and_old_mail(
    engine: Engine, settings: Settings, world: World, session: Session
) -> None:
    old = utcnow() - timedelta(days=200)
    session.add(_report(world, "alt", old))
    session.add(_report(world, "neu"))
    for status in (MailStatus.sent, MailStatus.queued):
        mail = OutboxMail(kind="invitation", recipient="x@example.org", subject="s", body_text="t",
                          body_html="h", message_id=f"<{status}@x>",
                          status=status.value, created_at=old)  # fmt: skip
        session.add(mail)
    session.commit()
    summary = retention(engine, settings, utcnow())
    assert "1 Fehlermeldungen" in summary and "1 versandte Mails" in summary
    session.expire_all()
    assert [f.message for f in session.exec(select(Feedback)).all()] == ["neu"]
    assert [m.status for m in session.exec(select(OutboxMail)).all()] == [MailStatus.queued]


def test_index_check_runs_and_reports(engine: Engine, settings: Settings, world: World) -> None:
    outcome = run_job(engine, settings, JOBS["index-check"])
    assert outcome.ok and "Suchindex" in outcome.summary


def test_report_reminders_wait_for_the_quality_dialogue(engine: Engine, settings: Settings) -> None:
    outcome = run_job(engine, settings, JOBS["report-reminders"])
    assert outcome.ok


def test_digest_day_is_the_previous_berlin_day(
    engine: Engine, settings: Settings, world: World, session: Session
) -> None:
    # 23:30 Berlin on the 1st is 21:30/22:30 UTC: it belongs to the 1st, digested on the 2nd.
    evening = datetime(2026, 12, 1, 23, 30, tzinfo=LOCAL)
    session.add(_report(world, "spät", evening))
    session.commit()
    assert "1 Fehlermeldung" in feedback_digest(engine, settings, datetime(2026, 12, 2, 7, 0, tzinfo=LOCAL))
    assert "keine" in feedback_digest(engine, settings, datetime(2026, 12, 3, 7, 0, tzinfo=LOCAL))


def test_temporary_refusal_is_retried_after_backoff(
    engine: Engine, settings: Settings, world: World, smtp: SmtpServer, session: Session
) -> None:
    settings = settings.model_copy(update={"mail_send_immediately": False})
    session.info["settings"] = settings
    smtp.handler.tempfail_rcpt["a@example.org"] = 1  # the first attempt gets "451 try again later"
    angebot = session.get_one(Angebot, world.angebot_a.id)
    submit(session, settings, angebot=angebot, data=FeedbackInput(art="fehler", nachricht="Adresse falsch"),
           ip="203.0.113.10")  # fmt: skip
    session.commit()
    report = delivery.deliver_due(engine, settings)
    assert report.retrying == 1 and smtp.messages == []
    session.expire_all()
    [mail] = session.exec(select(OutboxMail)).all()
    assert mail.attempts == 1 and mail.status == MailStatus.queued
    assert mail.next_attempt_at > utcnow() + timedelta(seconds=50)  # backed off, not due yet
    assert delivery.deliver_due(engine, settings).sent == 0
    with Session(engine) as work:
        work.execute(update(OutboxMail).values(next_attempt_at=utcnow()))
        work.commit()
    assert delivery.deliver_due(engine, settings).sent == 1
    assert [m.recipients for m in smtp.messages] == [["a@example.org"]]


def test_two_workers_deliver_each_mail_once(
    engine: Engine, settings: Settings, world: World, smtp: SmtpServer
) -> None:
    settings = settings.model_copy(update={"mail_send_immediately": False})
    with Session(engine) as work:
        for n in range(12):
            notices.password_reset(work, settings, world.provider_a if n % 2 else world.provider_b)
        work.commit()
    reports: list[delivery.DeliveryReport] = []
    threads = [threading.Thread(target=lambda: reports.append(delivery.deliver_due(engine, settings)))
               for _ in range(2)]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(r.sent for r in reports) == 12
    assert len(smtp.messages) == 12
    assert len({m.message["Message-ID"] for m in smtp.messages}) == 12


def run_job_at(engine: Engine, settings: Settings, moment: datetime) -> str:
    return report_reminders(engine, settings, moment)


def test_due_and_overdue_quality_reports_are_reminded_once_each(
    engine: Engine, settings: Settings, world: World, smtp: SmtpServer, session: Session
) -> None:
    """A funded project without a submitted Qualitätsbericht: one mail when due, one when overdue."""
    grant = factories.foerderung(
        session, traeger_row=world.traeger_a, jahr=2026, projekt="Familienzentrum Nord 2026"
    )
    session.add(Berichtsfrist(jahr=2026, faellig_am=date(2026, 12, 31)))
    session.commit()
    before = datetime(2026, 12, 1, 7, 0, tzinfo=LOCAL)
    after = datetime(2027, 1, 15, 7, 0, tzinfo=LOCAL)
    for moment in (before, before, after, after):  # twice per state: still one mail each
        assert run_job_at(engine, settings, moment)
    _deliver(engine, settings)
    subjects = sorted(m.subject for m in smtp.to("a@example.org"))
    assert subjects == [
        "Fällig: Qualitätsbericht Familienzentrum Nord 2026",
        "Überfällig: Qualitätsbericht Familienzentrum Nord 2026",
    ]
    assert all(
        f"/anbieter/qualitaet/{grant.external_id}" in m.part("plain") for m in smtp.to("a@example.org")
    )
    assert smtp.to("b@example.org") == []  # another Träger's accounts hear nothing of it


def test_loop_runs_each_job_when_due_and_not_again_before_its_interval(
    engine: Engine, settings: Settings, world: World, smtp: SmtpServer
) -> None:
    loop(engine, settings, rounds=1)
    with Session(engine) as work:
        finished = {j.name: j.last_finished_at for j in work.exec(select(JobLock)).all()}
    assert set(finished) == set(JOBS) and all(finished.values())
    assert run_due(engine, settings) == []  # nothing is due a moment later
    _deliver(engine, settings)
    assert sorted(r for m in smtp.messages for r in m.recipients) == ["a@example.org", "b@example.org"]
