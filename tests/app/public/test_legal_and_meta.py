"""Legal and help pages, robots.txt, sitemap.xml, security/cache headers and compression."""

from __future__ import annotations

import gzip
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.auth.cookies import CSRF_COOKIE, SESSION_COOKIE
from app.settings import Settings
from tests import factories
from tests.browser.dataset import KnownIds

Soup = Callable[..., BeautifulSoup]
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def text_of(page: BeautifulSoup) -> str:
    return " ".join(page.get_text(" ").split())


def test_impressum_names_the_city_under_5_ddg(soup: Soup) -> None:
    page = soup("/impressum")
    text = text_of(page)
    assert "§ 5" in text and "DDG" in text and "Stadt Jena" in text and "Oberbürgermeister" in text
    assert (
        page.select_one("a[href^='mailto:']") is not None and page.select_one("a[href^='tel:']") is not None
    )


def test_privacy_page_covers_gdpr_cookies_and_authority(soup: Soup) -> None:
    text = text_of(soup("/datenschutz"))
    for required in ("DSGVO", "ThürDSG", "TLfDI", "„lang“", "Sitzungs-Cookie", "gelöscht"):
        assert required in text, required


def test_privacy_page_names_every_cookie_the_site_sets(
    soup: Soup, client: TestClient, known: KnownIds
) -> None:
    """The page promises "no other cookies": collect the cookies real visits set and check each is named."""
    set_names: set[str] = set()
    for path in ("/?lang=en", "/?lang=de", f"/angebote/{known.krabbelgruppe}", "/anmelden"):
        for header in client.get(path).headers.get_list("set-cookie"):
            set_names.add(header.split("=", 1)[0].strip().removeprefix("__Host-"))
    set_names |= {SESSION_COOKIE}  # set on login only; named on the page as the session cookie
    text = text_of(soup("/datenschutz"))
    assert {"lang", CSRF_COOKIE} <= set_names
    for name in set_names - {SESSION_COOKIE}:
        assert f"„{name}“" in text, name
    assert "Sitzungs-Cookie" in text


def test_accessibility_statement_has_status_feedback_and_enforcement(soup: Soup) -> None:
    page = soup("/barrierefreiheit")
    text = text_of(page)
    for required in ("WCAG 2.1", "Landesbeauftragten für Menschen mit Behinderungen", "Finanzministerium"):
        assert required in text, required
    assert page.select_one("a[href='mailto:barrierefreiheit@example.org']") is not None


def test_easy_language_is_a_section_of_short_pages(soup: Soup) -> None:
    start = soup("/leichte-sprache")
    menu = {a["href"]: a.get_text() for a in start.select("nav.easy-nav a")}
    assert list(menu) == [
        "/leichte-sprache",
        "/leichte-sprache/suchen",
        "/leichte-sprache/hilfe-sofort",
        "/leichte-sprache/geld-fuer-projekte",
        "/leichte-sprache/kontakt",
    ]
    for path, title in menu.items():
        page = soup(path)
        assert page.h1 is not None and page.h1.get_text() == title
        sentences = [
            s for p in page.select("article.easy p, article.easy li") for s in p.get_text(" ").split(".")
        ]
        longest = max(len(s.split()) for s in sentences)
        assert longest <= 15, f"{path}: a sentence of {longest} words is too long for Leichte Sprache"
        assert page.select_one("footer a[href='/leichte-sprache']") is not None
    assert len(soup("/leichte-sprache/suchen").select("ol li")) >= 3
    emergency = {a["href"] for a in soup("/leichte-sprache/hilfe-sofort").select("a[href^='tel:']")}
    assert {"tel:110", "tel:112", "tel:116117"} <= emergency
    # English pages keep the German text, marked as German.
    english = soup("/leichte-sprache?lang=en")
    assert english.select_one(".easy-section[lang=de]") is not None


def test_every_page_links_legal_pages_and_names_its_language(known: KnownIds, soup: Soup) -> None:
    for path in ("/", "/angebote", f"/angebote/{known.krabbelgruppe}", "/stadtteile/neulobeda", "/impressum"):
        page = soup(path)
        assert page.html is not None and page.html["lang"] == "de"
        footer_links = {a["href"] for a in page.select("footer a")}
        assert {"/impressum", "/datenschutz", "/barrierefreiheit", "/leichte-sprache"} <= footer_links
        assert page.select_one("a.skip-link[href='#inhalt']") is not None and page.select_one("main#inhalt")


def test_robots_txt_points_to_the_sitemap(client: TestClient, settings: Settings) -> None:
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert f"Sitemap: {settings.base_url}/sitemap.xml" in lines
    assert "Disallow: /admin" in lines and "Disallow: /" not in lines


def test_sitemap_lists_public_pages_only(
    known: KnownIds, client: TestClient, engine: Engine, settings: Settings
) -> None:
    with Session(engine) as session:
        hidden = factories.angebot(session, titel="Versteckt", published=False).external_id
        grant = factories.foerderung(session, external_id="LSZ-2021-001")
        factories.foerderung(session, external_id="LSZ-2021-002", published=False)
        grant_traeger = grant.traeger.external_id
        session.commit()
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and "xml" in response.headers["content-type"]
    root = ET.fromstring(response.content)  # noqa: S314 - our own output
    urls = {loc.text for loc in root.iter(f"{SITEMAP_NS}loc")}
    base = settings.base_url
    assert f"{base}/angebote/{known.krabbelgruppe}" in urls
    assert f"{base}/angebote/{known.temporarily_closed}" in urls
    assert f"{base}/angebote/{known.expired}" not in urls
    assert f"{base}/angebote/{known.closed}" not in urls
    assert f"{base}/angebote/{hidden}" not in urls
    assert f"{base}/einrichtungen/{known.institution}" in urls
    assert len([u for u in urls if u and u.startswith(f"{base}/stadtteile/")]) == 30
    assert f"{base}/foerderung/projekte/LSZ-2021-001" in urls
    assert f"{base}/foerderung/projekte/LSZ-2021-002" not in urls
    assert f"{base}/foerderung/traeger/{grant_traeger}" in urls
    for page in (
        "/",
        "/foerderung",
        "/daten",
        "/impressum",
        "/datenschutz",
        "/barrierefreiheit",
        "/leichte-sprache",
        "/themen/beratung",
    ):
        assert base + page in urls


def test_security_headers_on_public_pages(known: KnownIds, client: TestClient) -> None:
    for path in (
        "/",
        "/angebote?q=krabbel",
        f"/angebote/{known.krabbelgruppe}",
        f"/angebote/{known.expired}",
    ):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_static_files_are_cached_and_compressed(client: TestClient) -> None:
    page = BeautifulSoup(client.get("/impressum").text, "html.parser")
    assets = [str(n["href"]) for n in page.select("link[rel=stylesheet]")]
    assets += [str(n["src"]) for n in page.select("script[src]")]
    versioned = re.compile(r"/static/[a-z/]+\.(css|js)\?v=[0-9a-f]{10}")
    assert len(assets) == 3 and all(versioned.fullmatch(a) for a in assets)
    for path in assets:
        response = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert "max-age" in response.headers["cache-control"]
        assert response.headers["content-encoding"] == "gzip"


def test_pages_are_gzip_compressed(known: KnownIds, client: TestClient) -> None:
    response = client.get("/angebote", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    raw = response.extensions.get("raw_bytes") if hasattr(response, "extensions") else None
    assert raw is None or gzip.decompress(raw)
    assert "Angebote gefunden" in response.text


def test_no_page_references_other_hosts(known: KnownIds, client: TestClient) -> None:
    """Stylesheets, scripts, images and forms stay on this site (links to other sites are fine)."""
    for path in ("/", "/angebote", f"/angebote/{known.krabbelgruppe}", "/datenschutz"):
        page = BeautifulSoup(client.get(path).text, "html.parser")
        for tag, attr in (
            ("link", "href"),
            ("script", "src"),
            ("img", "src"),
            ("form", "action"),
            ("iframe", "src"),
        ):
            for node in page.select(f"{tag}[{attr}]"):
                assert str(node[attr]).startswith("/"), (path, tag, node[attr])
