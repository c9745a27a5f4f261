"""The sample-data generator is deterministic, fictional and matches the committed sample workbook."""

from __future__ import annotations

import re
from pathlib import Path

from python_calamine import CalamineWorkbook

from app.catalogue import vocab
from benchmarks.generate_workbook import SPECS, generate, main, write_csv_dir
from tests.importers.conftest import REPO


def test_same_seed_same_data_and_documented_sizes() -> None:
    first, second = generate(160, 4), generate(160, 4)
    assert first.sheets == second.sheets
    assert generate(160, 5).sheets != first.sheets
    sizes = {name: len(rows) for name, rows in first.sheets.items()}
    assert sizes == {"Träger": 12, "Einrichtungen": 45, "Angebote": 160, "Förderungen": 60, "Ortsteile": 30}
    big = generate(2000, 1)
    assert len(big.sheets["Angebote"]) == 2000 and len(big.sheets["Einrichtungen"]) == 500


def test_fictional_contact_data_and_every_ortsteil_covered() -> None:
    data = generate(160, 4).sheets
    assert {row["Ortsteil"] for row in data["Einrichtungen"]} == {o.name for o in vocab.ORTSTEILE}
    for row in data["Träger"] + data["Einrichtungen"]:
        assert row["Telefon"].startswith("03641 ")
        assert row["E-Mail"].endswith("example.org")
        assert "example.org" in row["Website"]
    years = {row["Jahr"] for row in data["Förderungen"]}
    assert years == set(range(2020, 2026))


def test_alleinerziehende_offers_only_in_a_few_districts() -> None:
    data = generate(160, 4).sheets
    places = {row["Einrichtungs-ID"]: row["Ortsteil"] for row in data["Einrichtungen"]}
    districts = {
        places[offer["Einrichtungs-ID"]]
        for offer in data["Angebote"]
        if re.search("alleinerziehende", offer["Zielgruppen"], re.IGNORECASE)
    }
    assert 1 <= len(districts) <= 4


def test_committed_sample_is_the_generator_output(tmp_path: Path) -> None:
    sample = REPO / "data" / "familienwegweiser-beispiel.xlsx"
    assert main(["--offers", "160", "--seed", "4", "--out", str(tmp_path / "neu.xlsx")]) == 0
    assert (tmp_path / "neu.xlsx").read_bytes() == sample.read_bytes()  # byte for byte (openpyxl is pinned)
    book = CalamineWorkbook.from_path(str(sample))
    expected = generate(160, 4).sheets
    for name, rows in expected.items():
        grid = book.get_sheet_by_name(name).to_python()
        header_index = next(i for i, r in enumerate(grid) if len([c for c in r if c]) > 1)
        ids = [r[0] for r in grid[header_index + 1 :] if r and r[0]]
        first_column = SPECS[name].columns[0].header
        assert ids == [row[first_column] for row in rows], name


def test_cli_writes_xlsx_and_csv(tmp_path: Path) -> None:
    assert (
        main(
            [
                "--offers",
                "50",
                "--seed",
                "2",
                "--out",
                str(tmp_path / "x.xlsx"),
                "--csv-dir",
                str(tmp_path / "c"),
            ]
        )
        == 0
    )
    assert (tmp_path / "x.xlsx").stat().st_size > 0
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == [
        "angebote.csv",
        "antraege.csv",
        "bewertungen.csv",
        "einrichtungen.csv",
        "foerderjahre.csv",
        "foerderungen.csv",
        "kriterien.csv",
        "ortsteile.csv",
        "traeger.csv",
    ]
    write_csv_dir(generate(50, 2), tmp_path / "again")
    assert (tmp_path / "again" / "angebote.csv").read_bytes() == (
        tmp_path / "c" / "angebote.csv"
    ).read_bytes()


def test_sample_funding_cycle_is_real_and_leaves_the_catalogue_rows_alone() -> None:
    plain, full = generate(160, 4), generate(160, 4, funding=True)
    assert {k: v for k, v in full.sheets.items() if k in plain.sheets} == plain.sheets
    assert len(full.sheets["Anträge"]) >= 30
    assert len(full.sheets["Kriterien"]) == 6
    assert {row["Prüfer"] for row in full.sheets["Bewertungen"]} == {
        "pruefer1@example.org",
        "pruefer2@example.org",
        "pruefer3@example.org",
    }
    assert full.sheets["Anträge"] == generate(160, 4, funding=True).sheets["Anträge"]
