"""Audit log filter + CSV, overdue entries + mail-merge CSV, invitation and reset links, workbook upload."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.audit.service import record
from app.auth.models import UserAccount
from app.catalogue.models import Angebot, Einrichtung, ImportRun
from app.settings import PROJECT_ROOT, Settings
from tests.app.auth.fixtures import World, login, login_as, new_client, soup, text_of, token_on

SAMPLE = PROJECT_ROOT / "data" / "familienwegweiser-beispiel.xlsx"


def _csv(body: bytes) -> list[list[str]]:
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_audit_log_filters_and_csv(client: TestClient, world: World, session: Session) -> None:
    record(session, actor="import:mappe.xlsx", source="import", action="update", entity_type="angebot",
           entity_id="A-0001", changes={"titel": ("Alt", "Neu")})  # fmt: skip
    record(session, actor="admin@example.org", source="admin", action="approve", entity_type="einrichtung",
           entity_id="E-0001", changes={"name": ("=HYPERLINK(\"http://x\")", "Neu")})  # fmt: skip
    session.commit()
    login(client, "admin@example.org")
    page = soup(client.get("/verwaltung/protokoll", params={"quelle": "import"}))
    rows = page.select("table.audit tbody tr")
    assert len(rows) == 1 and "A-0001" in rows[0].get_text()
    by_id = soup(client.get("/verwaltung/protokoll", params={"id": "E-0001"})).select("table.audit tbody tr")
    assert len(by_id) == 1
    bad = client.get("/verwaltung/protokoll", params={"von": "32.13.2026"})
    assert bad.status_code == 400 and soup(bad).select_one("#fehler-von") is not None
    today = date.today().strftime("%d.%m.%Y")
    assert (
        len(soup(client.get("/verwaltung/protokoll", params={"von": today})).select("table.audit tbody tr"))
        == 2
    )
    future = (date.today() + timedelta(days=2)).strftime("%d.%m.%Y")
    assert (
        soup(client.get("/verwaltung/protokoll", params={"von": future})).select("table.audit tbody tr") == []
    )

    response = client.get("/verwaltung/protokoll.csv", params={"quelle": "admin"})
    assert response.headers["content-type"].startswith("text/csv")
    header, *lines = _csv(response.content)
    assert header[:3] == ["Zeit (UTC)", "Wer", "Quelle"]
    assert len(lines) == 1
    assert lines[0][1] == "admin@example.org" and lines[0][6] == "name"
    assert lines[0][7] == '\'=HYPERLINK("http://x")'  # formula neutralised for spreadsheets


def test_overdue_entries_per_provider_and_mail_merge_csv(
    client: TestClient, world: World, session: Session
) -> None:
    fresh = date.today() - timedelta(days=30)
    for record_ in (
        session.get_one(Einrichtung, world.einrichtung_b.id),
        session.get_one(Angebot, world.angebot_b.id),
    ):
        record_.verified_at = fresh
        session.add(record_)
    old = session.get_one(Angebot, world.angebot_a.id)
    old.verified_at = date.today() - timedelta(days=400)
    world.traeger_a.email = "info@familienhilfe.example.org"
    session.add_all([old, world.traeger_a])
    session.commit()
    login(client, "admin@example.org")
    page = soup(client.get("/verwaltung/ungeprueft"))
    assert page.select_one(f"#t-{world.traeger_a.external_id}") is not None
    assert page.select_one(f"#t-{world.traeger_b.external_id}") is None
    header, *lines = _csv(client.get("/verwaltung/ungeprueft.csv").content)
    assert header == ["Träger-ID", "Träger", "E-Mail", "Telefon", "Zugänge", "Anzahl", "Einträge"]
    assert len(lines) == 1
    row = dict(zip(header, lines[0], strict=True))
    assert row["Träger-ID"] == world.traeger_a.external_id
    assert row["E-Mail"] == "info@familienhilfe.example.org"
    assert row["Zugänge"] == "a@example.org"
    assert row["Anzahl"] == "2"
    assert world.einrichtung_a.external_id in row["Einträge"] and "nie" in row["Einträge"]
    assert world.angebot_a.external_id in row["Einträge"]


def test_invitation_from_the_admin_area_is_single_use(
    client: TestClient, world: World, session: Session, settings: Settings
) -> None:
    login(client, "admin@example.org")
    action = "/verwaltung/konten/einladen"
    token = token_on(client, "/verwaltung/konten", action)
    response = client.post(action, data={"email": "neu@example.org", "traeger": world.traeger_b.external_id,
                                         "csrf_token": token})  # fmt: skip
    assert response.status_code == 200
    link = text_of(response, "#einmal-link")
    path = link.removeprefix(settings.base_url)
    assert path.startswith("/einladung/")
    with new_client(settings) as invitee:
        form_token = token_on(invitee, path, path)
        weak = invitee.post(path, data={"passwort": "passwort1234", "passwort2": "passwort1234",
                                         "csrf_token": form_token})  # fmt: skip
        assert weak.status_code == 400 and "verbreitet" in text_of(weak, "#fehler-passwort")
        good = "Sonnenblumen am Saaleufer"
        ok = invitee.post(path, data={"passwort": good, "passwort2": good, "csrf_token": form_token})
        assert ok.status_code == 200
        assert login(invitee, "neu@example.org", good).headers["location"] == "/anbieter"
        assert world.einrichtung_b.name in invitee.get("/anbieter").text
    with new_client(settings) as again:
        reuse = again.get(path)
        assert reuse.status_code == 400 and "bereits verwendet" in reuse.text
    duplicate = client.post(action, data={"email": "NEU@example.org", "traeger": world.traeger_b.external_id,
                                          "csrf_token": token})  # fmt: skip
    assert duplicate.status_code == 400 and "bereits ein Konto" in duplicate.text
    assert session.exec(select(func.count()).select_from(UserAccount)).one() == 4


def test_reset_link_sets_new_password_and_ends_sessions(
    client: TestClient, world: World, session: Session, settings: Settings
) -> None:
    provider = login_as(settings, "a@example.org")
    login(client, "admin@example.org")
    action = f"/verwaltung/konten/{world.provider_a.id}/zuruecksetzen"
    response = client.post(action, data={"csrf_token": token_on(client, "/verwaltung/konten", action)})
    path = text_of(response, "#einmal-link").removeprefix(settings.base_url)
    assert path.startswith("/passwort-zuruecksetzen/")
    with new_client(settings) as browser:
        token = token_on(browser, path, path)
        mismatch = browser.post(
            path, data={"passwort": "ein neues Passwort 1", "passwort2": "anderes", "csrf_token": token}
        )
        assert mismatch.status_code == 400
        new = "Kirschblüten im Paradies"
        assert (
            browser.post(path, data={"passwort": new, "passwort2": new, "csrf_token": token}).status_code
            == 200
        )
        assert login(browser, "a@example.org", new).status_code == 303
    assert provider.get("/anbieter").status_code == 303  # the old session is gone
    provider.close()


def test_workbook_upload_dry_run_then_apply(
    client: TestClient, world: World, session: Session, tmp_path: Path
) -> None:
    login(client, "admin@example.org")
    upload = tmp_path / "Katalog 2026.xlsx"
    shutil.copyfile(SAMPLE, upload)
    action = "/verwaltung/import/pruefen"
    token = token_on(client, "/verwaltung/import", action)
    with upload.open("rb") as handle:
        response = client.post(action, data={"csrf_token": token}, files={"datei": (upload.name, handle)})
    assert response.status_code == 200, soup(response).select_one("#import-bericht")
    page = soup(response)
    assert "Prüflauf" in page.select_one("#bericht").get_text()  # type: ignore[union-attr]
    offers_before = session.exec(select(func.count()).select_from(Angebot)).one()
    apply_form = page.select_one("form[action='/verwaltung/import/anwenden']")
    assert apply_form is not None
    fields = {str(i["name"]): str(i["value"]) for i in apply_form.select("input")}
    applied = client.post("/verwaltung/import/anwenden", data=fields)
    assert applied.status_code == 200
    assert "übernommen" in text_of(applied, "#bericht")
    session.expire_all()
    assert session.exec(select(func.count()).select_from(Angebot)).one() > offers_before
    runs = session.exec(select(ImportRun)).all()
    assert sorted(r.dry_run for r in runs) == [False, True]
    assert all(r.actor == "admin@example.org" for r in runs)
    assert client.post("/verwaltung/import/anwenden", data=fields).status_code == 400  # staged file is gone
    export = client.get("/verwaltung/export.xlsx")
    assert export.status_code == 200 and export.content[:2] == b"PK"


def test_upload_of_wrong_file_type_is_refused(client: TestClient, world: World, tmp_path: Path) -> None:
    login(client, "admin@example.org")
    action = "/verwaltung/import/pruefen"
    token = token_on(client, "/verwaltung/import", action)
    response = client.post(
        action, data={"csrf_token": token}, files={"datei": ("../../etc/passwd.txt", b"root")}
    )
    assert response.status_code == 400
    assert ".xlsx" in text_of(response, "#import-fehler")
