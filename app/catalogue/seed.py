"""Reference rows every database needs (vocabularies and the 30 Ortsteile).

Used by the initial migration and by the test fixtures that reset a database between tests.
"""

from __future__ import annotations

from sqlalchemy import Connection, MetaData, Table, insert, select

from app.catalogue import vocab


def seed_reference_data(connection: Connection) -> None:
    """Insert vocabularies and Ortsteile that are missing; existing rows are left alone."""
    meta = MetaData()
    tables = {
        name: Table(name, meta, autoload_with=connection)
        for name in ("planungsraum", "ortsteil", "zielgruppe", "thema", "handlungsfeld")
    }

    def missing(table: Table, key: str, rows: list[dict[str, object]]) -> list[dict[str, object]]:
        present = set(connection.execute(select(table.c[key])).scalars())
        return [row for row in rows if row[key] not in present]

    inserts: list[tuple[Table, str, list[dict[str, object]]]] = [
        (
            tables["planungsraum"],
            "code",
            [{"code": p.code, "name": p.name, "position": i} for i, p in enumerate(vocab.PLANUNGSRAEUME)],
        ),
        (
            tables["ortsteil"],
            "slug",
            [
                {
                    "slug": o.slug,
                    "name": o.name,
                    "planungsraum_code": o.planungsraum,
                    "aliases": list(o.aliases),
                    "position": i,
                }
                for i, o in enumerate(vocab.ORTSTEILE)
            ],
        ),
        (
            tables["zielgruppe"],
            "code",
            [
                {"code": t.code, "label_de": t.de, "label_en": t.en, "position": i}
                for i, t in enumerate(vocab.ZIELGRUPPEN)
            ],
        ),
        (
            tables["thema"],
            "code",
            [
                {"code": t.code, "label_de": t.de, "label_en": t.en, "position": i}
                for i, t in enumerate(vocab.THEMEN)
            ],
        ),
        (
            tables["handlungsfeld"],
            "number",
            [
                {"number": h.number, "code": h.code, "label_de": h.name, "label_en": h.en}
                for h in vocab.HANDLUNGSFELDER
            ],
        ),
    ]
    for table, key, rows in inserts:
        todo = missing(table, key, rows)
        if todo:
            connection.execute(insert(table), todo)
