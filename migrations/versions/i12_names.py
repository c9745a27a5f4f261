"""Names (issue 12): domain nouns in German – ``angebot.title`` → ``titel``, ``foerderung.amount_cents`` →
``betrag_cents``.

Field names kept as data follow the columns: the changes and base values of drafts, the online-edit provenance
of offers, and the audit log's ``field`` column (so that old entries keep their label).

The columns are renamed in place (``recreate="never"``: SQLite ≥ 3.25 renames a column itself). Recreating the
table, SQLite's usual batch way, would drop ``angebot`` while foreign keys are on – and that cascades into every
offer's Zielgruppen, Themen and Ortsteile.

Revision ID: i12_names
Revises: i19_applications
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "i12_names"
down_revision: str | None = "i19_applications"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, entity type in drafts and the audit log, old column, new column)
RENAMES = (
    ("angebot", ("angebot", "neues-angebot"), "title", "titel"),
    ("foerderung", ("foerderung",), "amount_cents", "betrag_cents"),
)


def _rename_key(mapping: Any, old: str, new: str) -> Any:
    if not isinstance(mapping, dict) or old not in mapping:
        return None
    return {(new if key == old else key): value for key, value in mapping.items()}


def _rename(table: str, kinds: tuple[str, ...], old: str, new: str) -> None:
    with op.batch_alter_table(table, recreate="never") as batch_op:
        batch_op.alter_column(old, new_column_name=new)
    conn = op.get_bind()
    records = sa.table(table, sa.column("id", sa.Integer), sa.column("online_edits", sa.JSON))
    for row_id, edits in conn.execute(sa.select(records.c.id, records.c.online_edits)).all():
        renamed = _rename_key(edits, old, new)
        if renamed is not None:
            conn.execute(sa.update(records).where(records.c.id == row_id).values(online_edits=renamed))
    drafts = sa.table(
        "draft",
        sa.column("id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("changes", sa.JSON),
        sa.column("base_values", sa.JSON),
    )
    rows = conn.execute(
        sa.select(drafts.c.id, drafts.c.changes, drafts.c.base_values).where(drafts.c.kind.in_(kinds))
    ).all()
    for row_id, changes, base_values in rows:
        values = {
            name: renamed
            for name, data in (("changes", changes), ("base_values", base_values))
            if (renamed := _rename_key(data, old, new)) is not None
        }
        if values:
            conn.execute(sa.update(drafts).where(drafts.c.id == row_id).values(**values))
    audit = sa.table("audit_entry", sa.column("entity_type", sa.String), sa.column("field", sa.String))
    conn.execute(
        sa.update(audit).where(audit.c.entity_type.in_(kinds), audit.c.field == old).values(field=new)
    )


def upgrade() -> None:
    for table, kinds, old, new in RENAMES:
        _rename(table, kinds, old, new)


def downgrade() -> None:
    for table, kinds, old, new in RENAMES:
        _rename(table, kinds, new, old)
