"""Results page weight: what a phone downloads for ``/angebote`` (HTML + CSS + JS, gzip as sent by the app).

Goal: ≤ 60 KB transferred per results page view (first visit, empty cache). The sample workbook is
imported into a temporary SQLite database and indexed; the app runs in-process. Printed, never asserted.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.db import make_engine
from app.main import create_app
from app.migrate import upgrade
from app.settings import PROJECT_ROOT, Environment, SearchBackendName, Settings
from importers.sync import sync_workbook
from search.indexing import index_offers

GOAL_BYTES = 60 * 1024
SAMPLE = PROJECT_ROOT / "data" / "familienwegweiser-beispiel.xlsx"
PAGES = {
    "Ergebnisse ohne Filter": "/angebote",
    "Ergebnisse mit Filtern": "/angebote?zielgruppe=eltern-baby&ortsteil=Lobeda&sort=name",
    "Suche mit Tippfehler": "/angebote?q=Krabelgruppe",
    "Startseite": "/",
}


def transferred(client: TestClient, path: str) -> tuple[int, int]:
    """(bytes on the wire with gzip, bytes uncompressed) of one response."""
    with client.stream("GET", path, headers={"Accept-Encoding": "gzip"}) as response:
        raw = b"".join(response.iter_raw())
        assert response.status_code == 200, (path, response.status_code)
    plain = client.get(path, headers={"Accept-Encoding": "identity"}).content
    return len(raw), len(plain)


def page_weight(client: TestClient, path: str) -> dict[str, tuple[int, int]]:
    html = client.get(path).text
    soup = BeautifulSoup(html, "html.parser")
    styles = soup.select("link[rel=stylesheet]")
    assets = [str(link["href"]) for link in styles if link.get("media") != "print"]
    assets += [str(script["src"]) for script in soup.select("script[src]")]
    sizes = {"HTML": transferred(client, path)}
    for asset in assets:
        sizes[asset] = transferred(client, asset)
    return sizes


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        settings = Settings(
            env=Environment.test,
            database_url=f"sqlite:///{directory / 'bench.db'}",
            search_backend=SearchBackendName.sqlite,
            search_index_path=directory / "search.db",
            secret_key="bench-pages-" + "x" * 40,
        )
        upgrade(settings.database_url)
        engine = make_engine(settings.database_url)
        report = sync_workbook(SAMPLE, engine=engine, settings=settings)
        if not report.ok:
            raise SystemExit(f"Beispiel-Arbeitsmappe nicht importierbar: {report.to_dict()}")
        index_offers(engine, settings)
        engine.dispose()
        app = create_app(settings)
        with TestClient(app) as client:
            for label, path in PAGES.items():
                sizes = page_weight(client, path)
                total = sum(wire for wire, _plain in sizes.values())
                plain_total = sum(plain for _wire, plain in sizes.values())
                parts = ", ".join(f"{name} {wire / 1024:.1f} KB" for name, (wire, _p) in sizes.items())
                print(
                    f"{label:24} {path}\n"
                    f"  übertragen {total / 1024:5.1f} KB "
                    f"(unkomprimiert {plain_total / 1024:.1f} KB): {parts}\n"
                    f"  Verhältnis zum Ziel 60 KB: {total / GOAL_BYTES:.2f} (≤ 1,00 = erreicht)"
                )
        app.state.engine.dispose()


if __name__ == "__main__":
    main()
