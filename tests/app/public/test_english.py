"""English as second language: switch, remembered choice, translated interface, content as entered."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.support import Translations
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.i18n import LOCALE_DIR
from tests.browser.dataset import KnownIds

PROJECT = Path(__file__).resolve().parents[3]
PUBLIC_SOURCES = ("app/public", "app/templates/public", "app/templates/macros")


def test_language_switch_is_visible_and_keeps_the_page(known: KnownIds, client: TestClient) -> None:
    page = BeautifulSoup(client.get("/angebote?thema=beratung").text, "html.parser")
    switch = page.select_one("nav.lang-switch a[hreflang=en]")
    assert switch is not None and switch.get_text() == "English" and switch["lang"] == "en"
    assert switch["href"] == "/angebote?thema=beratung&lang=en"


def test_english_interface_is_remembered_and_content_stays_german(
    known: KnownIds, client: TestClient
) -> None:
    first = client.get(f"/angebote/{known.krabbelgruppe}?lang=en")
    assert "lang=en" in first.headers["set-cookie"]
    page = BeautifulSoup(client.get(f"/angebote/{known.krabbelgruppe}").text, "html.parser")  # cookie only
    assert page.html is not None and page.html["lang"] == "en"
    text = " ".join(page.get_text(" ").split())
    assert "At a glance" in text and "Last checked on 05.03.2026" in text
    assert "Parents of babies/toddlers (0–3)" in text  # vocabulary label in English
    assert "6 months – 3 years" in text
    assert page.h1 is not None and page.h1.get_text() == "Krabbelgruppe Lobeda"  # content as entered
    assert page.select_one("nav.lang-switch a[hreflang=de]") is not None
    german = BeautifulSoup(client.get("/?lang=de").text, "html.parser")
    assert german.html is not None and german.html["lang"] == "de"
    assert german.select_one("a.skip-link").get_text() == "Zum Inhalt springen"  # type: ignore[union-attr]


def test_results_page_in_english(known: KnownIds, client: TestClient) -> None:
    page = BeautifulSoup(client.get("/angebote?thema=begegnung&lang=en").text, "html.parser")
    legends = {legend.get_text() for legend in page.select("fieldset legend")}
    assert {"For whom", "Topic", "District"} <= legends
    count = page.select_one("[data-testid=result-count]")
    assert count is not None and count.get_text().endswith("offers found")
    chips = [c.get_text(" ", strip=True) for c in page.select("a.chip")]
    assert chips and chips[0].startswith("Meeting and leisure")


def test_every_public_interface_string_has_an_english_translation() -> None:
    catalogue = Translations.load(str(LOCALE_DIR), ["en"], domain="messages")
    method_map = [("**.py", "python"), ("**.html", "jinja2")]
    options = {"**.html": {"extensions": "jinja2.ext.i18n"}}
    missing, found = [], 0
    for source in PUBLIC_SOURCES:
        for _file, _line, message, _comments, *_rest in extract_from_dir(
            PROJECT / source,
            method_map,
            options_map=options,
            keywords={"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)},
        ):
            singular = message[0] if isinstance(message, tuple) else message
            found += 1
            same_in_english = ("Cookies", "Name", "JSON")
            if catalogue.gettext(singular) == singular and singular not in same_in_english:
                missing.append(singular)
    assert found > 150  # the extraction really saw the templates
    assert not missing, missing


def test_pages_name_their_language_alternates(known: KnownIds, client: TestClient) -> None:
    page = BeautifulSoup(client.get("/stadtteile/neulobeda").text, "html.parser")
    alternates = {str(link["hreflang"]): str(link["href"]) for link in page.select("link[rel=alternate]")}
    assert alternates == {"de": "/stadtteile/neulobeda?lang=de", "en": "/stadtteile/neulobeda?lang=en"}


def test_labels_translated_at_runtime_are_extracted_and_translated() -> None:
    from app.catalogue import vocab
    from app.errors import TITLES
    from app.public.runtime_messages import RUNTIME_MSGIDS

    dynamic = {*TITLES.values(), *(t.de for t in (*vocab.ZIELGRUPPEN, *vocab.THEMEN, *vocab.STATUS_TERMS))}
    dynamic |= {h.name for h in vocab.HANDLUNGSFELDER} | {t.de for t in vocab.EINRICHTUNGSARTEN}
    assert dynamic <= set(RUNTIME_MSGIDS)
    catalogue = Translations.load(str(LOCALE_DIR), ["en"], domain="messages")
    assert catalogue.gettext("Seite nicht gefunden") == "Page not found"
    untranslated = [m for m in RUNTIME_MSGIDS if catalogue.gettext(m) == m and m != "JSON"]
    assert not untranslated, untranslated


def test_english_error_page(client: TestClient) -> None:
    page = BeautifulSoup(client.get("/gibt-es-nicht?lang=en").text, "html.parser")
    assert page.h1 is not None and page.h1.get_text() == "Page not found"
