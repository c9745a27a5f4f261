"""Every kind of mail the service sends: who gets it and why (shown in /konto and on the Datenschutz page)."""

from __future__ import annotations

from dataclasses import dataclass

from app.i18n import N_


@dataclass(frozen=True)
class MailKind:
    name: str  # also the template name: app/templates/mail/<name>.txt and .html
    subject: str  # a Jinja expression template, German
    label: str  # German, marked for translation
    audience: str  # "provider" | "admin" | "account" (every account)


INVITATION = MailKind(
    "invitation", "Ihr Zugang zum Familienwegweiser Jena", N_("Einladung zum Zugang"), "account"
)
PASSWORD_RESET = MailKind(
    "password-reset",
    "Passwort zurücksetzen – Familienwegweiser Jena",
    N_("Link zum Zurücksetzen des Passworts (nur auf Ihre Anforderung)"),
    "account",
)
DRAFT_APPROVED = MailKind(
    "draft-approved",
    "Ihre Änderung an „{{ title }}“ ist veröffentlicht",
    N_("Freigabe Ihrer Änderungen"),
    "provider",
)
DRAFT_REJECTED = MailKind(
    "draft-rejected",
    "Ihre Änderung an „{{ title }}“ wurde nicht übernommen",
    N_("Ablehnung Ihrer Änderungen mit Begründung"),
    "provider",
)
VERIFICATION_REMINDER = MailKind(
    "verification-reminder",
    "Bitte bestätigen Sie Ihre Angaben im Familienwegweiser Jena",
    N_("Erinnerung an die jährliche Prüfung Ihrer Einträge (höchstens alle 30 Tage)"),
    "provider",
)
ERROR_REPORT = MailKind(
    "error-report",
    "Fehlermeldung zu „{{ title }}“",
    N_("Hinweis auf eine neue Fehlermeldung zu Ihren Einträgen"),
    "provider",
)
QUALITY_REPORT_DUE = MailKind(
    "quality-report-due",
    "{% if overdue %}Überfällig{% else %}Fällig{% endif %}: Qualitätsbericht {{ title }}",
    N_("Erinnerung an fällige oder überfällige Qualitätsberichte"),
    "provider",
)
FEEDBACK_DIGEST = MailKind(
    "feedback-digest",
    "Familienwegweiser: {{ count }} neue Fehlermeldung{% if count != 1 %}en{% endif %} ({{ day }})",
    N_("Tägliche Übersicht neuer Fehlermeldungen (nur an Tagen mit Meldungen)"),
    "admin",
)

ALL: tuple[MailKind, ...] = (
    INVITATION,
    PASSWORD_RESET,
    DRAFT_APPROVED,
    DRAFT_REJECTED,
    VERIFICATION_REMINDER,
    ERROR_REPORT,
    QUALITY_REPORT_DUE,
    FEEDBACK_DIGEST,
)


def kinds_for(role: str) -> list[MailKind]:
    """The mails an account of this role can receive."""
    return [k for k in ALL if k.audience in ("account", role)]
