"""/foerderung: totals per year, Handlungsfeld, district and Träger; the project table; the SVG charts.

Every expected figure is summed here from ``dataset.GRANTS`` – never taken from the application code.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.catalogue.models import Traeger
from app.catalogue.vocab import HANDLUNGSFELDER
from tests import factories
from tests.app.funding.dataset import PUBLISHED, TRAEGER, GrantSpec, german_euro, squash

pytestmark = pytest.mark.usefixtures("funded")


def _page(client: TestClient, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, response.text[:500]
    return BeautifulSoup(response.text, "html.parser")


def _of_year(year: int) -> list[GrantSpec]:
    return [g for g in PUBLISHED if g.jahr == year]


def _text(node: Tag | None) -> str:
    assert node is not None
    return squash(node.get_text(" "))


def _row_cells(table: Tag, label: str) -> list[str]:
    """The cells of the body row whose header reads ``label``."""
    for row in table.select("tbody tr, tfoot tr"):
        header = row.find("th")
        if header is not None and _text(header) == label:
            return [_text(td) for td in row.find_all("td")]
    raise AssertionError(f"no row {label!r} in table {table.get('id')}")


def test_default_is_the_latest_year(client: TestClient) -> None:
    latest = max(g.jahr for g in PUBLISHED)
    soup = _page(client, "/foerderung")
    assert soup.select_one("#f-jahr option[selected]")["value"] == str(latest)  # type: ignore[index]
    assert _text(soup.select_one("[data-testid=sum]")) == german_euro(sum(g.cents for g in _of_year(latest)))


def test_year_totals_projects_and_providers(client: TestClient) -> None:
    expected = _of_year(2021)
    soup = _page(client, "/foerderung?jahr=2021")
    assert _text(soup.select_one("[data-testid=sum]")) == german_euro(sum(g.cents for g in expected))
    assert _text(soup.select_one("[data-testid=count]")) == str(len(expected))
    assert _text(soup.select_one("[data-testid=traeger-count]")) == str(len({g.traeger for g in expected}))
    # The unpublished grant of 2021 is nowhere on the page.
    assert "LSZ-2021-099" not in str(soup)


def test_all_years(client: TestClient) -> None:
    soup = _page(client, "/foerderung?jahr=alle")
    assert _text(soup.select_one("[data-testid=sum]")) == german_euro(sum(g.cents for g in PUBLISHED))
    assert _text(soup.select_one("[data-testid=count]")) == str(len(PUBLISHED))


def test_totals_per_handlungsfeld_with_full_names(client: TestClient) -> None:
    soup = _page(client, "/foerderung?jahr=2021")
    table = soup.select_one("#tabelle-handlungsfelder")
    assert table is not None
    for hf in HANDLUNGSFELDER:
        grants = [g for g in _of_year(2021) if g.hf == hf.number]
        count, amount = _row_cells(table, f"HF {hf.number} {hf.name}")
        assert (count, amount) == (str(len(grants)), german_euro(sum(g.cents for g in grants)))


def test_stadtweit_counts_once_and_districts_add_up(client: TestClient) -> None:
    grants = _of_year(2021)
    soup = _page(client, "/foerderung?jahr=2021")
    table = soup.select_one("#tabelle-ortsteile")
    assert table is not None

    stadtweit = [g for g in grants if g.stadtweit]
    assert _row_cells(table, "stadtweit")[:2] == [
        str(len(stadtweit)),
        german_euro(sum(g.cents for g in stadtweit)),
    ]
    several = [g for g in grants if g.kind == "mehrere"]
    assert _row_cells(table, "mehrere Ortsteile")[:2] == [
        str(len(several)),
        german_euro(sum(g.cents for g in several)),
    ]
    # Jena-Nord: only the project that names Jena-Nord alone – not the stadtweit one that also lists it.
    only_nord = [g for g in grants if g.kind == "einzeln" and g.places == ("jena-nord",)]
    assert _row_cells(table, "Jena-Nord")[:2] == [
        str(len(only_nord)),
        german_euro(sum(g.cents for g in only_nord)),
    ]
    # Winzerla takes part in a multi-district project: shown with its full amount, in the non-summed column.
    shared = [g for g in several if "winzerla" in g.places]
    assert _row_cells(table, "Winzerla") == [
        "0",
        german_euro(0),
        f"{len(shared)} Projekt, {german_euro(sum(g.cents for g in shared))}",
    ]

    # Exclusive Ortsteil sums + stadtweit + mehrere + ohne Angabe == the grand total, each project once.
    exclusive: dict[str, int] = defaultdict(int)
    for g in grants:
        if g.kind == "einzeln":
            exclusive[g.places[0]] += g.cents
    for row in table.select("tr[data-ortsteil]"):
        slug = str(row["data-ortsteil"])
        if slug in exclusive:
            assert _text(row.find_all("td")[1]) == german_euro(exclusive[slug])
    without = [g for g in grants if g.kind == "ohne"]
    assert _row_cells(table, "ohne Ortsangabe")[:2] == [
        str(len(without)),
        german_euro(sum(g.cents for g in without)),
    ]
    assert _row_cells(table, "Summe")[1] == german_euro(sum(g.cents for g in grants))
    assert sum(exclusive.values()) + sum(g.cents for g in stadtweit + several + without) == sum(
        g.cents for g in grants
    )


def test_planungsraum_subtotal(client: TestClient) -> None:
    soup = _page(client, "/foerderung?jahr=2021")
    row = soup.select_one('#tabelle-ortsteile tr[data-planungsraum="nord"]')
    nord = {"jena-nord", "loebstedt", "zwaetzen"}
    expected = [g for g in _of_year(2021) if g.kind == "einzeln" and g.places[0] in nord]
    assert row is not None
    assert [_text(td) for td in row.find_all("td")][:2] == [
        str(len(expected)),
        german_euro(sum(g.cents for g in expected)),
    ]


def test_totals_per_traeger_link_to_traeger_pages(client: TestClient) -> None:
    soup = _page(client, "/foerderung?jahr=2021")
    table = soup.select_one("#tabelle-traeger")
    assert table is not None
    for key, name in TRAEGER.items():
        grants = [g for g in _of_year(2021) if g.traeger == key]
        assert _row_cells(table, name) == [str(len(grants)), german_euro(sum(g.cents for g in grants))]
        link = table.find("a", string=name)
        assert link is not None and link["href"] == f"/foerderung/traeger/{key}"


def _table_ids(soup: BeautifulSoup) -> list[str]:
    return [str(tr["data-id"]) for tr in soup.select("#tabelle-projekte tbody tr")]


def test_project_table_filters(client: TestClient) -> None:
    soup = _page(client, "/foerderung?jahr=2021&handlungsfeld=6")
    assert set(_table_ids(soup)) == {g.external_id for g in _of_year(2021) if g.hf == 6}

    soup = _page(client, "/foerderung?jahr=alle&traeger=T-B")
    assert set(_table_ids(soup)) == {g.external_id for g in PUBLISHED if g.traeger == "T-B"}

    # An Ortsteil finds single- and multi-district projects there, but not the stadtweit ones.
    soup = _page(client, "/foerderung?jahr=alle&ortsteil=winzerla")
    assert set(_table_ids(soup)) == {g.external_id for g in PUBLISHED if "winzerla" in g.places}
    soup = _page(client, "/foerderung?jahr=alle&ortsteil=stadtweit")
    assert set(_table_ids(soup)) == {g.external_id for g in PUBLISHED if g.stadtweit}
    # A Planungsraum name covers its Ortsteile; the Einrichtung's Ortsteil counts when none is named.
    soup = _page(client, "/foerderung?jahr=alle&ortsteil=Planungsraum%20Winzerla")
    winzerla = {"winzerla", "burgau", "goeschwitz", "ammerbach"}
    assert set(_table_ids(soup)) == {g.external_id for g in PUBLISHED if winzerla & set(g.places)}


@pytest.mark.parametrize(
    ("key", "direction"),
    [("betrag", "auf"), ("betrag", "ab"), ("projekt", "auf"), ("traeger", "ab"), ("bewilligt", "auf")],
)
def test_project_table_sorts_server_side(client: TestClient, key: str, direction: str) -> None:
    soup = _page(client, f"/foerderung?jahr=alle&sortierung={key}&richtung={direction}")
    by_id = {g.external_id: g for g in PUBLISHED}
    sort_value = {
        "betrag": lambda g: g.cents,
        "projekt": lambda g: g.title.lower(),
        "traeger": lambda g: TRAEGER[g.traeger].lower(),
        "bewilligt": lambda g: g.bewilligt_am.toordinal() if g.bewilligt_am else 0,
    }[key]
    values = [sort_value(by_id[i]) for i in _table_ids(soup)]
    assert values == sorted(values, reverse=direction == "ab")
    header = soup.select_one(f'#tabelle-projekte th a[data-sort="{key}"]')
    assert header is not None and header.parent is not None
    assert header.parent["aria-sort"] == ("ascending" if direction == "auf" else "descending")
    # The header link flips the direction and keeps the year.
    flipped = "ab" if direction == "auf" else "auf"
    assert f"richtung={flipped}" in str(header["href"]) and "jahr=alle" in str(header["href"])


def test_money_is_german(client: TestClient) -> None:
    soup = _page(client, "/foerderung?jahr=2021&sortierung=betrag&richtung=ab")
    first = soup.select_one("#tabelle-projekte tbody tr")
    assert first is not None
    assert "12.500,00 €" in _text(first)
    cheapest = soup.select("#tabelle-projekte tbody tr")[-1]
    assert "0,99 €" in _text(cheapest)


def test_invalid_filter_rerenders_with_errors(client: TestClient) -> None:
    response = client.get("/foerderung?jahr=zwanzig&handlungsfeld=9&ortsteil=Atlantis&traeger=T-X")
    assert response.status_code == 400
    soup = BeautifulSoup(response.text, "html.parser")
    messages = [_text(li) for li in soup.select(".error-summary li")]
    assert len(messages) == 4
    assert any("Atlantis" in m for m in messages)
    assert soup.select_one("#f-handlungsfeld")["aria-invalid"] == "true"  # type: ignore[index]
    assert soup.select_one("#tabelle-projekte") is None


def _chart(soup: BeautifulSoup, chart_id: str) -> tuple[Tag, Tag]:
    figure = soup.select_one(f"figure#{chart_id}")
    assert figure is not None
    svg = figure.find("svg")
    table = figure.find("table")
    assert isinstance(svg, Tag) and isinstance(table, Tag)
    return svg, table


def test_handlungsfeld_chart_is_accessible_svg_with_matching_table(client: TestClient) -> None:
    soup = _page(client, "/foerderung?jahr=2021")
    svg, table = _chart(soup, "chart-hf")
    assert svg["role"] == "img"
    title, desc = svg.find("title"), svg.find("desc")
    assert title is not None and "Handlungsfeld" in _text(title)
    labelled_by = str(svg["aria-labelledby"]).split()
    assert labelled_by == [title["id"], desc["id"]]  # type: ignore[index]
    assert not soup.select("[style]")  # CSP: no style attributes anywhere

    grants = _of_year(2021)
    funded_hf = {g.hf for g in grants}
    assert len(svg.find_all("rect")) == len(funded_hf)
    widths = {}
    for group in svg.select("g.chart-row"):
        number = int(str(group["data-label"]).removeprefix("HF "))
        rect = group.find("rect")
        widths[number] = int(str(rect["width"])) if rect else 0
    for hf in HANDLUNGSFELDER:
        cents = sum(g.cents for g in grants if g.hf == hf.number)
        assert f"HF {hf.number} {hf.name}: {german_euro(cents)}" in _text(desc)
        cells = _row_cells(table, f"HF {hf.number} {hf.name}")
        assert cells[-1] == german_euro(cents)
    # Bars are proportional: the biggest Handlungsfeld has the longest bar.
    biggest = max(funded_hf, key=lambda n: sum(g.cents for g in grants if g.hf == n))
    assert widths[biggest] == max(widths.values())


def test_year_over_year_chart_uses_all_years(client: TestClient) -> None:
    soup = _page(client, "/foerderung?jahr=2021&handlungsfeld=6")
    svg, table = _chart(soup, "chart-jahre")
    hf6 = [g for g in PUBLISHED if g.hf == 6]
    years = sorted({g.jahr for g in hf6})
    assert [str(g["data-label"]) for g in svg.select("g.chart-row")] == [str(y) for y in years]
    for year in years:
        grants = [g for g in hf6 if g.jahr == year]
        assert _row_cells(table, str(year)) == [str(len(grants)), german_euro(sum(g.cents for g in grants))]


def test_traeger_page_lists_projects_by_year_and_directory_links(
    client: TestClient, funded: dict[str, Traeger], session: Session
) -> None:
    place = factories.einrichtung(
        session, traeger_row=funded["T-A"], name="Kirche Löbstedt", external_id="E-LOEB"
    )
    factories.angebot(session, einrichtung_row=place, titel="Seniorenmittagstisch", external_id="A-MITTAG")
    factories.angebot(
        session, einrichtung_row=place, titel="Alter Kurs", external_id="A-ALT", published=False
    )
    session.commit()

    soup = _page(client, "/foerderung/traeger/T-A")
    own = [g for g in PUBLISHED if g.traeger == "T-A"]
    assert _text(soup.select_one("[data-testid=sum]")) == german_euro(sum(g.cents for g in own))
    tables = soup.select("table[data-year]")
    assert [int(str(t["data-year"])) for t in tables] == sorted({g.jahr for g in own}, reverse=True)
    for table in tables:
        year = int(str(table["data-year"]))
        ids = {str(tr["data-id"]) for tr in table.select("tbody tr")}
        assert ids == {g.external_id for g in own if g.jahr == year}
        year_sum = german_euro(sum(g.cents for g in own if g.jahr == year))
        assert year_sum in _text(table.find("caption"))
    assert soup.select_one('a[data-einrichtung="E-LOEB"]')["href"] == "/einrichtungen/E-LOEB"  # type: ignore[index]
    assert soup.select_one('a[data-angebot="A-MITTAG"]')["href"] == "/angebote/A-MITTAG"  # type: ignore[index]
    assert soup.select_one('a[data-angebot="A-ALT"]') is None


def test_traeger_page_unknown_is_404(client: TestClient) -> None:
    assert client.get("/foerderung/traeger/T-GIBTSNICHT").status_code == 404


def test_project_page_shows_description_and_runtime(client: TestClient) -> None:
    spec = next(g for g in PUBLISHED if g.laufzeit)
    soup = _page(client, f"/foerderung/projekte/{spec.external_id}")
    assert _text(soup.find("h1")) == spec.title
    assert spec.beschreibung and spec.beschreibung in _text(soup.find("article"))
    start, end = spec.laufzeit  # type: ignore[misc]
    assert _text(soup.select_one("[data-testid=laufzeit]")) == f"{start:%d.%m.%Y} – {end:%d.%m.%Y}"
    assert _text(soup.select_one("[data-testid=amount]")) == german_euro(spec.cents)
    assert soup.select_one('script[type="application/ld+json"]') is not None


def test_unpublished_project_is_404(client: TestClient) -> None:
    assert client.get("/foerderung/projekte/LSZ-2021-099").status_code == 404


def test_year_by_handlungsfeld_table_answers_in_one_click(client: TestClient) -> None:
    """„Wie viel ging 2021 an HF 6, an wen, wohin?“ – a cell on /foerderung, one click to the projects."""
    soup = _page(client, "/foerderung")
    cell = soup.select_one('#tabelle-jahr-hf tr[data-year="2021"] td[data-hf="6"]')
    assert cell is not None
    hf6_2021 = [g for g in PUBLISHED if g.jahr == 2021 and g.hf == 6]
    assert _text(cell) == german_euro(sum(g.cents for g in hf6_2021))
    link = cell.find("a")
    assert isinstance(link, Tag)
    target = _page(client, str(link["href"]))
    assert set(_table_ids(target)) == {g.external_id for g in hf6_2021}
    rows = {
        str(tr["data-id"]): [_text(td) for td in tr.find_all("td")]
        for tr in target.select("#tabelle-projekte tbody tr")
    }
    assert rows["LSZ-2021-001"][1] == TRAEGER["T-A"] and rows["LSZ-2021-001"][3] == "Löbstedt"
    assert rows["LSZ-2021-002"][3] == "stadtweit"
    for year in {g.jahr for g in PUBLISHED}:
        total = soup.select(f'#tabelle-jahr-hf tr[data-year="{year}"] td')[-1]
        assert _text(total) == german_euro(sum(g.cents for g in PUBLISHED if g.jahr == year))
