"""Password rules, invitation/reset links (signed, single use, expiring), idle sessions, the account CLI."""

from __future__ import annotations

import io
import time
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlmodel import Session, func, select

from app import cli
from app.auth.models import Role, UserAccount, UserSession
from app.auth.passwords import password_problems
from app.auth.service import create_user
from app.auth.tokens import Purpose, make_link
from app.settings import Environment, Settings
from tests import factories
from tests.app.auth.fixtures import World, login, new_client, soup, token_on


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("kurz", "mindestens 12"),
        ("Passwort1234", "verbreitet"),
        ("123456789012", "verbreitet"),
        ("aaaaaaaaaaaaaaaa", "verbreitet"),
        ("x" * 129, "höchstens 128"),
        ("a@example.org", "E-Mail"),
    ],
)
def test_password_rules(password: str, fragment: str) -> None:
    problems = password_problems(password, email="a@example.org")
    assert any(fragment in p for p in problems), problems


def test_good_password_passes() -> None:
    assert password_problems("Abendrot über dem Jenzig", email="a@example.org") == []


def test_passwords_are_stored_as_argon2id(world: World, session: Session) -> None:
    user = session.get_one(UserAccount, world.provider_a.id)
    assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")


def _old_token(settings: Settings, purpose: Purpose, user_id: int | None, age_hours: int) -> str:
    """A correctly signed link as it was issued ``age_hours`` ago."""

    class PastSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - age_hours * 3600

    serializer = URLSafeTimedSerializer(
        settings.secret_key, salt=f"familienwegweiser-{purpose.value}", signer=PastSigner
    )
    return str(serializer.dumps({"u": user_id, "n": "x" * 22}))


def test_invitation_expires(client: TestClient, world: World, settings: Settings) -> None:
    token = _old_token(
        settings, Purpose.invitation, world.provider_a.id, settings.invitation_max_age_hours + 1
    )
    response = client.get(f"/einladung/{token}")
    assert response.status_code == 400 and "abgelaufen" in response.text
    fresh = _old_token(
        settings, Purpose.invitation, world.provider_a.id, settings.invitation_max_age_hours - 1
    )
    assert client.get(f"/einladung/{fresh}").status_code == 200


def test_tampered_or_cross_purpose_links_are_invalid(
    client: TestClient, world: World, settings: Settings
) -> None:
    link = make_link(settings, Purpose.reset, world.provider_a.id)  # type: ignore[arg-type]
    token = link.rsplit("/", 1)[1]
    assert client.get(f"/einladung/{token}").status_code == 400  # a reset link is no invitation
    assert client.get(f"/passwort-zuruecksetzen/{token[:-2]}xx").status_code == 400
    assert client.get(f"/passwort-zuruecksetzen/{token}").status_code == 200


def test_link_is_single_use(client: TestClient, world: World, settings: Settings) -> None:
    path = make_link(settings, Purpose.reset, world.provider_b.id).removeprefix(settings.base_url)  # type: ignore[arg-type]
    token = token_on(client, path, path)
    new = "Kastanienallee im Herbst"
    assert client.post(path, data={"passwort": new, "passwort2": new, "csrf_token": token}).status_code == 200
    again = client.post(path, data={"passwort": new + "!", "passwort2": new + "!", "csrf_token": token})
    assert again.status_code == 400 and "bereits verwendet" in again.text
    assert login(client, "b@example.org", new).status_code == 303


def test_idle_session_expires_on_the_server(client: TestClient, world: World, session: Session) -> None:
    login(client, "a@example.org")
    row = session.exec(select(UserSession)).one()
    row.last_seen_at = row.last_seen_at - timedelta(hours=3)
    session.add(row)
    session.commit()
    assert client.get("/anbieter").status_code == 303
    session.expire_all()
    assert session.exec(select(func.count()).select_from(UserSession)).one() == 0


def test_login_page_has_labelled_fields_and_no_inline_script(client: TestClient) -> None:
    page = soup(client.get("/anmelden"))
    for name in ("email", "passwort"):
        field = page.select_one(f"input[name={name}]")
        assert field is not None and page.select_one(f"label[for={field['id']}]") is not None
    assert [s for s in page.select("script") if s.get_text().strip()] == []
    assert page.select("[style]") == []


# --- CLI --------------------------------------------------------------------------------------------------


def _run(monkeypatch: pytest.MonkeyPatch, settings: Settings, args: list[str], stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return cli.main(args, settings=settings)


def test_cli_create_admin_reads_password_from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], settings: Settings, session: Session
) -> None:
    assert _run(monkeypatch, settings, ["create-admin", "Chefin@Example.org"], "Saaletal bei Nacht 7\n") == 0
    assert "chefin@example.org" in capsys.readouterr().out
    user = session.exec(select(UserAccount).where(UserAccount.email == "chefin@example.org")).one()
    assert user.role == Role.admin
    assert _run(monkeypatch, settings, ["create-admin", "zwei@example.org"], "zu kurz\n") == 1
    assert "mindestens 12" in capsys.readouterr().err


def test_cli_create_provider_with_invitation(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], settings: Settings, session: Session
) -> None:
    traeger = factories.traeger(session, name="Stadtteilverein Ost")
    session.commit()
    assert (
        _run(monkeypatch, settings, ["create-provider", "ost@example.org", "--traeger", "T-NIX", "--invite"])
        == 1
    )
    assert "Unbekannte Träger-ID" in capsys.readouterr().err
    args = ["create-provider", "ost@example.org", "--traeger", traeger.external_id, "--invite"]
    assert _run(monkeypatch, settings, args) == 0
    link = capsys.readouterr().out.strip().splitlines()[-1]
    assert link.startswith(f"{settings.base_url}/einladung/")
    with new_client(settings) as browser:
        assert browser.get(link.removeprefix(settings.base_url)).status_code == 200


def test_demo_accounts_refused_outside_development(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], settings: Settings, session: Session
) -> None:
    factories.traeger(session)
    session.commit()
    for env in (Environment.test, Environment.production):
        other = settings.model_copy(update={"env": env})
        assert _run(monkeypatch, other, ["demo-accounts"]) == 1
        assert "ENV=development" in capsys.readouterr().err
    assert session.exec(select(func.count()).select_from(UserAccount)).one() == 0


def test_demo_accounts_in_development_are_idempotent_and_work(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], settings: Settings, session: Session
) -> None:
    traeger = factories.traeger(session, name="Demo-Träger e.V.")
    session.commit()
    dev = settings.model_copy(update={"env": Environment.development})
    assert _run(monkeypatch, dev, ["demo-accounts"]) == 0
    first = capsys.readouterr().out
    assert _run(monkeypatch, dev, ["demo-accounts"]) == 0
    assert capsys.readouterr().out == first
    assert session.exec(select(func.count()).select_from(UserAccount)).one() == 5  # admin, Träger, 3 Prüfer
    line = next(ln for ln in first.splitlines() if "provider" in ln)
    email, password = line.split()[1], line.split("Passwort: ")[1].split("  ")[0]
    assert traeger.external_id in line
    with new_client(dev) as browser:
        assert login(browser, email, password).headers["location"] == "/anbieter"
    line = next(ln for ln in first.splitlines() if "pruefer" in ln)
    email, password = line.split()[1], line.split("Passwort: ")[1].split("  ")[0]
    with new_client(dev) as browser:
        assert login(browser, email, password).headers["location"] == "/verwaltung/antraege"
    # Marked as demo: outside development the known password opens nothing (issue 14).
    for env in (Environment.test, Environment.production):
        other = settings.model_copy(update={"env": env})
        with new_client(other) as browser:
            assert login(browser, email, password).status_code == 400


def test_create_user_rejects_bad_email(settings: Settings, session: Session) -> None:
    from app.auth.service import AccountError

    with pytest.raises(AccountError, match="gültige E-Mail"):
        create_user(session, settings, email="kein\u202e@example.org", role=Role.admin)
