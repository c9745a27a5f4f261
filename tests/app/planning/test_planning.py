"""/planung: coverage matrix (counts, links, empty cells, switches, CSV) and the freshness list."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests import factories

TODAY = date.today()
YESTERDAY = TODAY - timedelta(days=1)
THIRTEEN_MONTHS_AGO = TODAY - timedelta(days=400)
ELEVEN_MONTHS_AGO = TODAY - timedelta(days=330)


@dataclass(frozen=True)
class Catalogue:
    """Which offers the test created, and what each one should count for."""

    counted: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]  # id -> (places, zielgruppen)


@pytest.fixture
def catalogue(session: Session) -> Catalogue:
    t_nord = factories.traeger(session, external_id="T-NORD", name="Stadtteilverein Nord e.V.")
    t_sued = factories.traeger(session, external_id="T-SUED", name="Familienbund Süd")
    winzerla = factories.einrichtung(
        session,
        traeger_row=t_sued,
        ortsteil_slug="winzerla",
        external_id="E-WIN",
        verified_at=ELEVEN_MONTHS_AGO,
    )
    zentrum = factories.einrichtung(
        session, traeger_row=t_nord, ortsteil_slug="jena-zentrum", external_id="E-ZEN", verified_at=None
    )
    closed = factories.einrichtung(
        session,
        traeger_row=t_nord,
        ortsteil_slug="burgau",
        external_id="E-ZU",
        status="geschlossen",
        verified_at=THIRTEEN_MONTHS_AGO,
    )
    old = factories.einrichtung(
        session,
        traeger_row=t_nord,
        ortsteil_slug="loebstedt",
        external_id="E-ALT",
        verified_at=THIRTEEN_MONTHS_AGO,
    )

    def offer(external_id: str, place: object, **fields: object) -> None:
        factories.angebot(session, einrichtung_row=place, external_id=external_id, **fields)  # type: ignore[arg-type]

    # Counted: runs at its institution (Winzerla).
    offer(
        "A-1",
        winzerla,
        zielgruppen=("alleinerziehende", "familien"),
        themen=("beratung",),
        handlungsfeld_number=4,
        verified_at=TODAY,
    )
    # Counted in its own two Ortsteile, not at the institution's (Jena-Zentrum).
    offer(
        "A-2",
        zentrum,
        zielgruppen=("alleinerziehende",),
        themen=("begegnung",),
        ortsteile=("neulobeda", "lobeda-altstadt"),
        verified_at=THIRTEEN_MONTHS_AGO,
    )
    # Stadtweit: only in the stadtweit row.
    offer("A-3", zentrum, zielgruppen=("alleinerziehende",), stadtweit=True, verified_at=TODAY)
    # Not counted: temporarily closed, unpublished, expired, closed institution.
    offer("A-4", winzerla, zielgruppen=("alleinerziehende",), status="voruebergehend-geschlossen")
    offer("A-5", winzerla, zielgruppen=("alleinerziehende",), published=False)
    offer("A-6", winzerla, zielgruppen=("alleinerziehende",), gueltig_bis=YESTERDAY)
    offer("A-7", closed, zielgruppen=("alleinerziehende",))
    # Counted, in Löbstedt, never verified.
    offer("A-8", old, zielgruppen=("senioren",), verified_at=None)
    session.commit()
    return Catalogue(
        counted={
            "A-1": (("winzerla",), ("alleinerziehende", "familien")),
            "A-2": (("neulobeda", "lobeda-altstadt"), ("alleinerziehende",)),
            "A-3": (("stadtweit",), ("alleinerziehende",)),
            "A-8": (("loebstedt",), ("senioren",)),
        }
    )


def _soup(client: TestClient, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, response.text[:300]
    return BeautifulSoup(response.text, "html.parser")


def _cell(soup: BeautifulSoup, slug: str, code: str) -> Tag:
    cell = soup.select_one(f'#abdeckung tr[data-ortsteil="{slug}"] td[data-code="{code}"]')
    assert cell is not None, (slug, code)
    return cell


def _count(cell: Tag) -> int:
    link = cell.find("a")
    assert isinstance(link, Tag)
    return int(str(link.contents[0]).strip())


def test_matrix_counts_active_public_offers(client: TestClient, catalogue: Catalogue) -> None:
    soup = _soup(client, "/planung")
    expected: dict[tuple[str, str], int] = {}
    for places, groups in catalogue.counted.values():
        for place in places:
            for group in groups:
                expected[(place, group)] = expected.get((place, group), 0) + 1
    rows = soup.select("#abdeckung tr[data-ortsteil]")
    assert len(rows) == 31  # 30 Ortsteile + stadtweit
    for row in rows:
        slug = str(row["data-ortsteil"])
        for cell in row.select("td[data-code]"):
            code = str(cell["data-code"])
            assert _count(cell) == expected.get((slug, code), 0), (slug, code)
    # Stadtweit is not spread over the Ortsteile: Maua has no single-parent offer.
    assert _count(_cell(soup, "maua", "alleinerziehende")) == 0
    assert _count(_cell(soup, "stadtweit", "alleinerziehende")) == 1


def test_rows_are_grouped_by_planungsraum(client: TestClient, catalogue: Catalogue) -> None:
    soup = _soup(client, "/planung")
    groups = soup.select("#abdeckung tbody")
    headings = [" ".join(g.select_one("th[scope=rowgroup]").get_text().split()) for g in groups[:-1]]  # type: ignore[union-attr]
    assert headings == [
        "Planungsraum Nord",
        "Planungsraum West/Zentrum",
        "Planungsraum Ost",
        "Planungsraum Lobeda",
        "Planungsraum Winzerla",
        "Planungsraum Ortschaften",
    ]
    lobeda = groups[3]
    assert [str(r["data-ortsteil"]) for r in lobeda.select("tr[data-ortsteil]")] == [
        "neulobeda",
        "lobeda-altstadt",
        "woellnitz",
        "drackendorf",
    ]


def test_cells_link_to_the_matching_search(client: TestClient, catalogue: Catalogue) -> None:
    soup = _soup(client, "/planung")
    link = _cell(soup, "winzerla", "alleinerziehende").find("a")
    assert isinstance(link, Tag)
    assert link["href"] == "/angebote?ortsteil=winzerla&zielgruppe=alleinerziehende"
    link = _cell(soup, "stadtweit", "alleinerziehende").find("a")
    assert isinstance(link, Tag) and link["href"] == "/angebote?zielgruppe=alleinerziehende"
    soup = _soup(client, "/planung?nach=themen")
    link = _cell(soup, "neulobeda", "begegnung").find("a")
    assert isinstance(link, Tag) and link["href"] == "/angebote?ortsteil=neulobeda&thema=begegnung"
    assert _count(_cell(soup, "neulobeda", "begegnung")) == 1
    soup = _soup(client, "/planung?nach=handlungsfelder")
    assert _count(_cell(soup, "winzerla", "4")) == 1
    link = _cell(soup, "winzerla", "4").find("a")
    assert isinstance(link, Tag) and link["href"] == "/angebote?ortsteil=winzerla&handlungsfeld=4"


def test_empty_cells_stand_out_not_by_colour_alone(client: TestClient, catalogue: Catalogue) -> None:
    soup = _soup(client, "/planung")
    empty = _cell(soup, "maua", "alleinerziehende")
    full = _cell(soup, "winzerla", "alleinerziehende")
    assert "empty" in empty.get_attribute_list("class")
    assert "empty" not in full.get_attribute_list("class")
    assert "Lücke" in empty.get_text()  # text for screen readers, besides the dashed outline
    empty_count = len(soup.select("#abdeckung tr[data-ortsteil]:not([data-ortsteil=stadtweit]) td.empty"))
    assert soup.select_one("[data-testid=empty-cells]").get_text(strip=True) == str(empty_count)  # type: ignore[union-attr]
    # 30 Ortsteile × 13 Zielgruppen minus the cells the test filled.
    filled = {(p, g) for places, groups in catalogue.counted.values() for p in places for g in groups}
    filled = {(p, g) for p, g in filled if p != "stadtweit"}
    assert empty_count == 30 * 13 - len(filled)


def test_unknown_view_is_400(client: TestClient) -> None:
    response = client.get("/planung?nach=postleitzahlen")
    assert response.status_code == 400
    assert "Zielgruppen, Themen oder Handlungsfelder" in response.text


def test_matrix_csv(client: TestClient, catalogue: Catalogue) -> None:
    response = client.get("/planung/abdeckung.csv?nach=zielgruppen")
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:2] == ["Planungsraum", "Ortsteil"]
    column = header.index("Alleinerziehende")
    by_name = {r[1]: r for r in body}
    assert len(body) == 31
    assert by_name["Winzerla"][0] == "Winzerla"
    assert int(by_name["Winzerla"][column]) == 1
    assert int(by_name["Neulobeda"][column]) == 1
    assert int(by_name["Maua"][column]) == 0
    assert int(by_name["stadtweit"][column]) == 1


def test_freshness_lists_stale_entries_per_traeger(client: TestClient, catalogue: Catalogue) -> None:
    soup = _soup(client, "/planung")
    table = soup.select_one("#aktualitaet-tabelle")
    assert table is not None
    counts = {
        str(tr["data-traeger"]): [int(td.get_text(strip=True)) for td in tr.find_all("td")]
        for tr in table.select("tbody tr")
    }
    # T-NORD: E-ZEN (never), E-ALT (13 months) stale; the closed E-ZU is not public.
    #         Offers A-2 (13 months), A-8 (never) stale; A-3 verified today.
    # T-SUED: E-WIN verified 11 months ago is fresh; A-1 today; A-4 is temporarily closed (still public)
    #         and never verified.
    assert counts["T-NORD"] == [2, 2, 2, 4]  # Einrichtungen, Angebote, davon nie geprüft, Summe
    assert counts["T-SUED"] == [0, 1, 1, 1]
    assert soup.select_one("[data-testid=stale-total]").get_text(strip=True) == "5"  # type: ignore[union-attr]
    details = soup.select_one('details[data-traeger="T-NORD"]')
    assert details is not None
    hrefs = {str(a["href"]) for a in details.select("a")}
    assert hrefs == {"/einrichtungen/E-ZEN", "/einrichtungen/E-ALT", "/angebote/A-2", "/angebote/A-8"}


def test_page_says_funding_per_inhabitant_is_out_of_scope(client: TestClient) -> None:
    soup = _soup(client, "/planung")
    section = soup.select_one("section[aria-labelledby=scope-heading]")
    assert section is not None
    assert "Einwohner" in section.get_text() and "Quelle" in section.get_text()
