"""What a sync found and did: errors, warnings, conflicts, counts, field-level changes (= the `--json`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KINDS = ("traeger", "einrichtungen", "angebote", "foerderungen")
KIND_LABELS = {
    "traeger": "Träger",
    "einrichtungen": "Einrichtungen",
    "angebote": "Angebote",
    "foerderungen": "Förderungen",
    # funding cycle (counted only when its sheets are in the workbook)
    "foerderjahre": "Förderjahre",
    "kriterien": "Kriterien",
    "antraege": "Anträge",
    "bewertungen": "Bewertungen",
}
COUNT_KEYS = ("new", "changed", "unchanged", "unpublished")


@dataclass
class Issue:
    """An error or warning, located as the spreadsheet program shows it."""

    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


@dataclass
class Conflict:
    """A workbook change of a field a provider edited online after the last import (online value kept)."""

    kind: str
    external_id: str
    sheet: str
    row: int
    column: str
    field: str
    workbook_value: Any
    online_value: Any
    edited_at: str

    @property
    def message(self) -> str:
        return (
            f"{self.column} wurde am {self.edited_at[:10]} online geändert; die Änderung aus der "
            "Arbeitsmappe "
            "wurde nicht übernommen. Bitte klären und die Arbeitsmappe an den Online-Stand angleichen."
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity": self.kind,
            "id": self.external_id,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "field": self.field,
            "workbook_value": self.workbook_value,
            "online_value": self.online_value,
            "edited_online_at": self.edited_at,
            "message": self.message,
        }


@dataclass
class RowChange:
    kind: str
    external_id: str
    action: str  # new | changed | unpublished | republished
    sheet: str | None = None
    row: int | None = None
    # field -> (column header, old, new)
    fields: dict[str, tuple[str, Any, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity": self.kind,
            "id": self.external_id,
            "action": self.action,
            "sheet": self.sheet,
            "row": self.row,
            "fields": {
                name: {"column": column, "old": old, "new": new}
                for name, (column, old, new) in self.fields.items()
            },
        }


@dataclass
class SyncReport:
    file_name: str
    dry_run: bool = False
    sha256: str = ""
    fatal: str | None = None  # unreadable input, another import running, database fault (exit code 2)
    busy: bool = False  # refused because another import holds the lock: the same file can be applied later
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    changes: list[RowChange] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(
        default_factory=lambda: {kind: dict.fromkeys(COUNT_KEYS, 0) for kind in KINDS}
    )
    ortsteile_changed: list[str] = field(default_factory=list)
    as_of: str = ""
    expired_offers: int = 0
    index_ok: bool | None = None
    index_message: str | None = None
    import_run_id: int | None = None
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # stage → seconds

    @property
    def ok(self) -> bool:
        return self.fatal is None and not self.errors

    @property
    def exit_code(self) -> int:
        if self.fatal is not None:
            return 2
        if self.errors:
            return 1
        # Saved, but the search index could not follow: automation must notice (the JSON says index.ok=false).
        return 3 if self.index_ok is False else 0

    @property
    def total_changes(self) -> int:
        return sum(c["new"] + c["changed"] + c["unpublished"] for c in self.counts.values()) + len(
            self.ortsteile_changed
        )

    def all_errors(self) -> list[Issue]:
        if self.fatal is None:
            return self.errors
        return [Issue(None, None, None, self.file_name, self.fatal)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "file": self.file_name,
            "sha256": self.sha256,
            "counts": self.counts,
            "errors": [e.to_dict() for e in self.all_errors()],
            "warnings": [w.to_dict() for w in self.warnings],
            "conflicts": [c.to_dict() for c in self.conflicts],
            "changes": [c.to_dict() for c in self.changes if c.action != "new"],
            "new": {
                kind: [c.external_id for c in self.changes if c.kind == kind and c.action == "new"]
                for kind in KINDS
            },
            "ortsteile_changed": self.ortsteile_changed,
            "as_of": self.as_of,
            "expired_offers": self.expired_offers,
            "index": {"ok": self.index_ok, "message": self.index_message},
            "import_run_id": self.import_run_id,
            "seconds": round(self.seconds, 3),
            "timings": self.timings,
        }
