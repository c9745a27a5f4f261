"""Commands of ``python -m app.cli``: accounts, demo data, mail, the funding ranking (see ``--help``)."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Sequence

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.applications.cli import ranking_text
from app.applications.service import UnknownYear, ranking_for_year
from app.auth import service
from app.auth.models import Role
from app.auth.tokens import Purpose, make_link
from app.catalogue.models import Traeger
from app.db import make_engine, session_scope
from app.mail import delivery, kinds, notices
from app.mail.models import MailStatus, OutboxMail
from app.settings import Environment, Settings, get_settings

DEMO_ADMIN = ("verwaltung@example.org", "Demo-Verwaltung-Jena-2026")
DEMO_PROVIDER = ("traeger@example.org", "Demo-Traeger-Jena-2026")
# The sample workbook's Bewertungen name these reviewers (benchmarks/generate_workbook.py).
DEMO_REVIEWERS = tuple((f"pruefer{n}@example.org", f"Demo-Pruefer-{n}-Jena-2026") for n in (1, 2, 3))


def _read_password() -> str:
    """From stdin when piped (scripts), else prompted twice without echo."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Passwort: ")
    if getpass.getpass("Passwort wiederholen: ") != first:
        raise service.AccountError("Die beiden Passwörter stimmen nicht überein.")
    return first


def create_admin(session: Session, settings: Settings, email: str) -> str:
    user = service.create_user(session, settings, email=email, role=Role.admin, password=_read_password())
    return f"Verwaltungskonto {user.email} angelegt."


def create_pruefer(session: Session, settings: Settings, email: str) -> str:
    user = service.create_user(session, settings, email=email, role=Role.pruefer, password=_read_password())
    return f"Prüfer-Konto {user.email} angelegt (Förderanträge unter /verwaltung/antraege)."


def create_provider(session: Session, settings: Settings, email: str, traeger: str, invite: bool) -> str:
    password = None if invite else _read_password()
    user = service.create_user(
        session, settings, email=email, role=Role.provider, traeger_external_id=traeger, password=password
    )
    if invite:
        if delivery.can_deliver(settings):
            notices.invitation(session, settings, user)
            return f"Träger-Konto {user.email} ({traeger}) angelegt. Einladung per E-Mail an {user.email}."
        # No mail delivery configured (SMTP_HOST unset outside development): hand the link over by hand.
        link = make_link(settings, Purpose.invitation, user.id)  # type: ignore[arg-type]
        hours = settings.invitation_max_age_hours
        return (
            f"Träger-Konto {user.email} ({traeger}) angelegt. Kein Mailversand (SMTP_HOST fehlt).\n"
            f"Einladungslink (einmalig, {hours} Stunden gültig):\n{link}"
        )
    return f"Träger-Konto {user.email} ({traeger}) angelegt."


def send_mail(settings: Settings) -> tuple[int, str]:
    """Deliver every due mail once. A server that is down is no error for cron: exit 0, mails stay queued."""
    if delivery.transport_for(settings) is None:
        return (
            1,
            "Fehler: kein Mailversand eingerichtet – SMTP_HOST setzen (siehe README, Abschnitt Betrieb).",
        )
    engine = make_engine(settings.database_url)
    try:
        report = delivery.deliver_due(engine, settings)
    finally:
        engine.dispose()
    return 0, f"E-Mails: {report.summary()}."


def demo_accounts(session: Session, settings: Settings) -> str:
    """Development only: a known admin and provider login for trying the app; running it again resets them."""
    if settings.env is not Environment.development:
        raise service.AccountError(
            "demo-accounts ist nur in der Entwicklungsumgebung erlaubt (ENV=development) – "
            "bekannte Passwörter haben in Test oder Produktion nichts zu suchen."
        )
    traeger = session.exec(select(Traeger).order_by(Traeger.external_id)).first()
    if traeger is None:
        raise service.AccountError("Keine Träger in der Datenbank – bitte zuerst `make import` ausführen.")
    lines = ["Demo-Zugänge (nur Entwicklung):"]
    demo = [
        (DEMO_ADMIN, Role.admin),
        (DEMO_PROVIDER, Role.provider),
        *((r, Role.pruefer) for r in DEMO_REVIEWERS),
    ]
    for (email, password), role in demo:
        user = service.find_user(session, email)
        if user is None:
            user = service.create_user(
                session,
                settings,
                email=email,
                role=role,
                traeger_external_id=traeger.external_id if role is Role.provider else None,
                password=password,
            )
        else:
            service.set_password(session, settings, user, password)
            user.active = True
            if role is Role.provider:
                user.traeger_id = traeger.id
        user.demo = True  # refused outside ENV=development, at login and for existing sessions
        where = {
            Role.provider: f"Träger {traeger.external_id} „{traeger.name}“, /anbieter",
            Role.admin: "/verwaltung",
            Role.pruefer: "/verwaltung/antraege",
        }[role]
        lines.append(f"  {role.value:<9} {email}  Passwort: {password}  ({where})")
    return "\n".join(lines)


def demo_quality(session: Session, settings: Settings) -> str:
    if settings.env is not Environment.development:
        raise service.AccountError(
            "demo-quality ist nur in der Entwicklungsumgebung erlaubt (ENV=development)."
        )
    from app.quality.demo import seed_demo

    return seed_demo(session)


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.cli", description="Konten des Familienwegweisers")
    commands = parser.add_subparsers(dest="command", required=True)
    admin = commands.add_parser("create-admin", help="Verwaltungskonto anlegen (Passwort über stdin/Abfrage)")
    admin.add_argument("email")
    pruefer = commands.add_parser("create-pruefer", help="Prüfer-Konto anlegen (bewertet Förderanträge)")
    pruefer.add_argument("email")
    provider = commands.add_parser("create-provider", help="Träger-Konto anlegen")
    provider.add_argument("email")
    provider.add_argument("--traeger", required=True, help="Träger-ID, z. B. T-014")
    provider.add_argument(
        "--invite", action="store_true", help="statt Passwort eine Einladung per E-Mail schicken"
    )
    commands.add_parser("demo-accounts", help="Demo-Zugänge anlegen (nur ENV=development)")
    commands.add_parser("send-mail", help="fällige E-Mails aus dem Postausgang zustellen")
    commands.add_parser(
        "demo-quality",
        help="Demo-Bewertungen, Indikatoren und einen Qualitätsbericht anlegen (nur ENV=development)",
    )
    rangliste = commands.add_parser("rangliste", help="Rangliste der Förderanträge eines Förderjahres")
    rangliste.add_argument("--jahr", type=int, required=True, help="Förderjahr, z. B. 2027")
    rangliste.add_argument("--json", action="store_true", help="als JSON ausgeben")
    args = parser.parse_args(argv)

    settings = settings or get_settings()
    if args.command == "send-mail":
        code, summary = send_mail(settings)
        print(summary, file=sys.stderr if code else sys.stdout)
        return code
    engine = make_engine(settings.database_url)
    try:
        with session_scope(engine) as session:
            if args.command == "rangliste":
                result = ranking_for_year(session, args.jahr)
                message = (
                    json.dumps(result.to_json(), ensure_ascii=False, indent=1)
                    if args.json
                    else ranking_text(result)
                )
            elif args.command == "create-pruefer":
                message = create_pruefer(session, settings, args.email)
            elif args.command == "create-admin":
                message = create_admin(session, settings, args.email)
            elif args.command == "create-provider":
                message = create_provider(session, settings, args.email, args.traeger, args.invite)
            elif args.command == "demo-quality":
                message = demo_quality(session, settings)
            else:
                message = demo_accounts(session, settings)
        # The invitation went out right after the commit (background thread); report how that went.
        delivery.wait_for_background(settings.smtp_timeout_seconds * 3)
        if args.command == "create-provider" and args.invite and delivery.can_deliver(settings):
            message += "\n" + _invitation_status(engine, args.email)
    except service.AccountError as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 1
    except UnknownYear as exc:
        print(f"Fehler: Das Förderjahr {exc} gibt es nicht (Blatt „Förderjahre“).", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(message)
    return 0


def _invitation_status(engine: Engine, email: str) -> str:
    with Session(engine) as session:
        mail = session.exec(
            select(OutboxMail)
            .where(
                OutboxMail.recipient == service.normalise_email(email),
                OutboxMail.kind == kinds.INVITATION.name,
            )
            .order_by(col(OutboxMail.id).desc())
        ).first()
    if mail is not None and mail.status == MailStatus.sent.value:
        return "Die Einladung ist versandt."
    return (
        "Der Mailserver war nicht erreichbar: Die Einladung liegt im Postausgang und wird mit "
        "`python -m app.cli send-mail` (oder dem Jobs-Dienst) zugestellt."
    )


if __name__ == "__main__":
    raise SystemExit(main())
