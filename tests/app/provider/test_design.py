"""The provider area's controls: one „Alle unverändert bestätigen“, secondary per-row buttons, success
notices, date inputs with German format help, districts and target groups as checkbox groups, sized fields."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.catalogue.models import Angebot, Einrichtung
from app.provider.models import Draft
from tests.app.auth.fixtures import World, form_values, login, soup, token_on


def test_dashboard_has_one_primary_confirm_all_and_secondary_row_buttons(
    client: TestClient, world: World
) -> None:
    login(client, "a@example.org")
    page = soup(client.get("/anbieter"))
    primary = [
        b
        for b in page.select("main button")
        if not set(b.get("class") or []) & {"btn-secondary", "btn-danger"}
    ]
    assert [b.get_text(strip=True) for b in primary] == ["Alle unverändert bestätigen"]
    rows = page.select("main table button")
    assert rows and all("btn-secondary" in (b.get("class") or []) for b in rows)
    assert page.select_one("main table.table") is not None
    region = page.select_one("main .table-wrap[role=region][tabindex='0']")
    assert region is not None and region.get("aria-labelledby")


def test_confirm_all_checks_every_own_entry_and_nothing_else(
    client: TestClient, world: World, session: Session
) -> None:
    login(client, "a@example.org")
    token = token_on(client, "/anbieter", "/anbieter/bestaetigen")
    response = client.post("/anbieter/bestaetigen", data={"csrf_token": token})
    assert (
        response.status_code == 303
        and response.headers["location"] == "/anbieter?gespeichert=alle-bestaetigt"
    )
    session.expire_all()
    assert session.get_one(Einrichtung, world.einrichtung_a.id).verified_at == date.today()
    assert session.get_one(Angebot, world.angebot_a.id).verified_at == date.today()
    assert session.get_one(Einrichtung, world.einrichtung_b.id).verified_at != date.today()  # another Träger
    assert session.get_one(Angebot, world.angebot_b.id).verified_at != date.today()
    notice = soup(client.get(response.headers["location"])).select_one(".notice--success[role=status]")
    assert notice is not None and "Alle Einrichtungen und Angebote" in notice.get_text()


def test_offer_form_uses_dates_and_checkbox_groups_and_fits_field_widths(
    client: TestClient, world: World
) -> None:
    login(client, "a@example.org")
    page = soup(client.get(f"/anbieter/angebote/{world.angebot_a.external_id}/bearbeiten"))
    for name in ("gueltig_von", "gueltig_bis"):
        field = page.select_one(f"input[name={name}]")
        assert field is not None and field["type"] == "date"
        hint = page.select_one(f"#{field['aria-describedby']}")
        assert hint is not None and "TT.MM.JJJJ" in hint.get_text()
    districts = page.select("fieldset.check-group#feld-ortsteile input[type=checkbox][name=ortsteile]")
    values = {str(box["value"]) for box in districts}
    assert "stadtweit" in values and "neulobeda" in values and len(values) == 31
    assert page.select("fieldset.check-group#feld-zielgruppen input[type=checkbox]")
    age = page.select_one("input[name=alter_von]")
    assert age is not None and "w-s" in (age.get("class") or [])


def test_ticked_districts_become_the_offers_places(
    client: TestClient, world: World, session: Session
) -> None:
    login(client, "a@example.org")
    path = f"/anbieter/angebote/{world.angebot_a.external_id}/bearbeiten"
    data = form_values(client, path, path)
    data["ortsteile"] = ["winzerla", "neulobeda"]
    data["gueltig_bis"] = "2030-06-30"  # what a date input sends
    assert client.post(path, data=data).status_code == 303
    [draft] = list(session.exec(select(Draft)).all())
    assert draft.changes["ortsteile"] == ["neulobeda", "winzerla"]
    assert draft.changes["gueltig_bis"] == "2030-06-30"
    data["ortsteile"] = ["stadtweit"]
    data["gueltig_bis"] = "31.12.2030"  # typed where the browser has no date picker
    assert client.post(path, data=data).status_code == 303
    session.expire_all()
    latest = max(session.exec(select(Draft)).all(), key=lambda d: d.id or 0)
    assert latest.changes.get("stadtweit") is True and latest.changes["gueltig_bis"] == "2030-12-31"
    data["ortsteile"] = ["atlantis"]
    refused = client.post(path, data=data)
    assert refused.status_code == 400 and "fehler-ortsteile" in refused.text
