"""Sync a workbook into the catalogue: validate everything → diff against the database → apply in ONE
transaction.

Rules (spreadsheet-format.md, "What a sync does"):
- any error → nothing is written, every error is reported;
- new rows are inserted, changed rows updated, rows whose id vanished are unpublished (never deleted),
  reappearing rows republished; a sheet that is absent from the workbook leaves its kind alone;
- a field a provider edited online after the last import is never overwritten: a workbook change of that
  field is a conflict (reported, online value kept); an unchanged workbook field keeps the newer online
  value;
- every run writes an ImportRun; every write an AuditEntry (source "import");
- after the commit the changed offers go to the search index; an unreachable engine never fails the import.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from app.catalogue import version as catalogue_version
from app.db import DB_FAULT_MESSAGES, db_fault, utcnow
from app.settings import Settings
from importers.applications import (
    ParsedApplications,
    apply_applications,
    load_app_state,
    parse_applications,
    plan_applications,
)
from importers.isolated import read_workbook_isolated
from importers.lock import ImportBusy, ImportLockError, import_lock
from importers.report import KINDS, Conflict, Issue, RowChange, SyncReport
from importers.state import TABLES, DbRow, DbState, load_state, offers_of, table
from importers.validate import FIELD_COLUMNS, OrtsteilUpdate, ParsedWorkbook, Record, parse_workbook
from importers.workbook import UnreadableWorkbook, read_workbook

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (stage description, step, of steps)
STAGES = ("Arbeitsmappe lesen", "Prüfen", "Vergleichen", "Schreiben", "Suchindex")

DATE_FIELDS = {"verified_at", "gueltig_von", "gueltig_bis", "bewilligt_am", "laufzeit_von", "laufzeit_bis"}
# canonical field → (database column, kind whose ids it references)
REFERENCES = {
    "traeger": ("traeger_id", "traeger"),
    "einrichtung": ("einrichtung_id", "einrichtungen"),
    "nachfolger": ("nachfolger_id", "einrichtungen"),
}
# kind → canonical field → (link table, owner column, target column)
LINKS: dict[str, dict[str, tuple[str, str, str]]] = {
    "angebote": {
        "zielgruppen": ("angebot_zielgruppe", "angebot_id", "zielgruppe_code"),
        "themen": ("angebot_thema", "angebot_id", "thema_code"),
        "ortsteile": ("angebot_ortsteil", "angebot_id", "ortsteil_id"),
    },
    "foerderungen": {
        "ortsteile": ("foerderung_ortsteil", "foerderung_id", "ortsteil_id"),
        "angebote": ("foerderung_angebot", "foerderung_id", "angebot_id"),
    },
}


def values_hash(values: dict[str, Any]) -> str:
    """Fingerprint of canonical values (plain JSON types, so ``repr`` is stable and cheaper than JSON)."""
    return hashlib.sha256(repr(sorted(values.items())).encode()).hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(file.name.encode())
        with file.open("rb") as handle:
            for chunk in iter(lambda h=handle: h.read(1 << 20), b""):  # type: ignore[misc]
                digest.update(chunk)
    return digest.hexdigest()


# --- planning ----------------------------------------------------------------------------------------------


@dataclass
class Update:
    row: DbRow
    record: Record
    changes: dict[str, Any]  # canonical field → new value
    republish: bool
    imported: dict[str, Any]
    kept_online: bool = False


@dataclass
class Plan:
    inserts: dict[str, list[Record]] = field(default_factory=lambda: defaultdict(list))
    updates: dict[str, list[Update]] = field(default_factory=lambda: defaultdict(list))
    provenance: dict[str, list[tuple[DbRow, dict[str, Any]]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    unpublish: dict[str, list[DbRow]] = field(default_factory=lambda: defaultdict(list))
    ortsteile: list[OrtsteilUpdate] = field(default_factory=list)


def _as_utc(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _edited_after_import(row: DbRow, name: str) -> str | None:
    """The ISO timestamp of an online edit of this field that is newer than the last import, else None."""
    stamp = row.online_edits.get(name)
    if stamp is None:
        return None
    if row.last_imported_at is None:
        return stamp
    edited = _as_utc(stamp)
    return stamp if edited is None or edited > row.last_imported_at else None


def plan_sync(parsed: ParsedWorkbook, state: DbState, report: SyncReport) -> Plan:
    plan = Plan()
    current = {o.slug: o for o in state.ortsteile}
    for update_ in parsed.ortsteile.values():
        before = current[update_.slug]
        if before.planungsraum != update_.planungsraum or list(before.aliases) != update_.aliases:
            plan.ortsteile.append(update_)
            report.ortsteile_changed.append(before.name)

    for kind in KINDS:
        counts = report.counts[kind]
        existing = state.rows.get(kind, {})
        records = parsed.records.get(kind, {})
        for external_id, record in records.items():
            row = existing.get(external_id)
            if row is None:
                plan.inserts[kind].append(record)
                counts["new"] += 1
                report.changes.append(RowChange(kind, external_id, "new", record.sheet, record.row))
                continue
            _plan_row(kind, row, record, plan, report)
        if kind not in parsed.present:
            continue
        for external_id, row in existing.items():
            if external_id not in records and row.published and row.last_imported_at is not None:
                plan.unpublish[kind].append(row)
                counts["unpublished"] += 1
                report.changes.append(RowChange(kind, external_id, "unpublished"))
    return plan


def _plan_row(kind: str, row: DbRow, record: Record, plan: Plan, report: SyncReport) -> None:
    columns = FIELD_COLUMNS[kind]
    previous = row.imported_values or {}
    changes: dict[str, Any] = {}
    imported = dict(record.values)
    diff: dict[str, tuple[str, Any, Any]] = {}
    # While an online value is kept, the row's import time must not move past that edit (else the next
    # import would treat the edit as old and overwrite it).
    kept_online = False
    for name, new in record.values.items():
        old_db = row.values.get(name)
        if new == old_db:
            continue
        edited_at = _edited_after_import(row, name)
        if edited_at is not None:
            kept_online = True
            if name in previous and previous[name] == new:
                continue  # the workbook did not change this field: the newer online value stays
            report.conflicts.append(
                Conflict(
                    kind,
                    row.external_id,
                    record.sheet,
                    record.row,
                    columns[name],
                    name,
                    new,
                    old_db,
                    edited_at,
                )
            )
            imported[name] = previous.get(name)
            continue
        changes[name] = new
        diff[name] = (columns[name], old_db, new)
    republish = not row.published
    if republish and _edited_after_import(row, "published") is not None:
        republish = False
        kept_online = True
        report.warnings.append(
            Issue(
                record.sheet,
                record.row,
                None,
                row.external_id,
                "Der Eintrag wurde online verborgen und bleibt verborgen, obwohl er in der Arbeitsmappe "
                "steht.",
            )
        )
    if changes or republish:
        plan.updates[kind].append(Update(row, record, changes, republish, imported, kept_online))
        report.counts[kind]["changed"] += 1
        action = "republished" if republish and not changes else "changed"
        report.changes.append(RowChange(kind, row.external_id, action, record.sheet, record.row, diff))
    else:
        report.counts[kind]["unchanged"] += 1
        # Provenance can only lag behind where the row was never imported or was edited online.
        stale = row.import_hash is None or bool(row.online_edits)
        if stale and not kept_online and row.import_hash != values_hash(imported):
            plan.provenance[kind].append((row, imported))


# --- applying ----------------------------------------------------------------------------------------------


class _Writer:
    """Applies a plan on one connection inside the caller's transaction."""

    def __init__(self, conn: Connection, state: DbState, run_id: int, actor: str, note: str) -> None:
        self.conn, self.state, self.run_id, self.actor, self.note = conn, state, run_id, actor, note
        self.now = utcnow()
        self.ids: dict[str, dict[str, int]] = {
            kind: {ext: row.id for ext, row in rows.items()} for kind, rows in state.rows.items()
        }
        self.audit: list[dict[str, Any]] = []
        self.touched: dict[str, set[int]] = defaultdict(set)

    def column_values(self, kind: str, values: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        links = LINKS.get(kind, {})
        for name, value in values.items():
            if name in links:
                continue
            if name in REFERENCES:
                column, target = REFERENCES[name]
                if name == "nachfolger":
                    continue  # set after all institutions exist
                out[column] = self.ids[target][value] if value is not None else None
            elif name == "ortsteil":
                out["ortsteil_id"] = self.state.ortsteil_ids[value]
            elif name in DATE_FIELDS:
                out[name] = date.fromisoformat(value) if value else None
            else:
                out[name] = value
        return out

    def provenance(self, imported: dict[str, Any], *, keep_import_time: bool = False) -> dict[str, Any]:
        values = {"imported_values": imported, "import_hash": values_hash(imported), "updated_at": self.now}
        return values if keep_import_time else values | {"last_imported_at": self.now}

    def insert_rows(self, kind: str, records: list[Record]) -> None:
        if not records:
            return
        t = table(TABLES[kind])
        rows = [
            {
                "external_id": r.external_id,
                **self.column_values(kind, r.values),
                **self.provenance(r.values),
                "created_at": self.now,
                "published": True,
                "online_edits": {},
            }
            for r in records
        ]
        self.conn.execute(insert(t), rows)
        new_ids = {r.external_id for r in records}
        for row_id, ext in self.conn.execute(select(t.c.id, t.c.external_id)):
            if ext in new_ids:
                self.ids[kind][ext] = row_id
                self.touched[kind].add(row_id)
        self.audit += [
            self._audit("create", kind, r.external_id, note=f"{self.note}, Zeile {r.row}") for r in records
        ]
        self._replace_links(
            kind,
            [(self.ids[kind][r.external_id], r.values, set(LINKS.get(kind, {}))) for r in records],
            fresh=True,
        )

    def update_rows(self, kind: str, updates: list[Update]) -> None:
        t = table(TABLES[kind])
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for u in updates:
            values = {
                **self.column_values(kind, u.changes),
                **self.provenance(u.imported, keep_import_time=u.kept_online),
                "published": u.row.published or u.republish,
            }
            groups[tuple(sorted(values))].append(
                {"b_" + k: v for k, v in values.items()} | {"b_id": u.row.id}
            )
            self.touched[kind].add(u.row.id)
            if u.republish:
                self.audit.append(self._audit("republish", kind, u.row.external_id))
            for name, new in u.changes.items():
                self.audit.append(
                    self._audit("update", kind, u.row.external_id, name, u.row.values.get(name), new)
                )
        for keys, params in groups.items():
            stmt = update(t).where(t.c.id == bindparam("b_id")).values({k: bindparam("b_" + k) for k in keys})
            self.conn.execute(stmt, params)
        self._replace_links(kind, [(u.row.id, u.changes, set(u.changes)) for u in updates])

    def _replace_links(
        self, kind: str, rows: Iterable[tuple[int, dict[str, Any], set[str]]], *, fresh: bool = False
    ) -> None:
        links = LINKS.get(kind, {})
        if not links:
            return
        todo = list(rows)
        for name, (table_name, owner, target) in links.items():
            t = table(table_name)
            owners = [row_id for row_id, _values, names in todo if name in names]
            if not owners:
                continue
            for start in range(0, 0 if fresh else len(owners), 500):
                self.conn.execute(delete(t).where(t.c[owner].in_(owners[start : start + 500])))
            new_rows = [
                {owner: row_id, target: self._link_target(name, v)}
                for row_id, values, names in todo
                if name in names
                for v in values.get(name) or []
            ]
            if new_rows:
                self.conn.execute(insert(t), new_rows)

    def _link_target(self, name: str, value: Any) -> Any:
        if name == "ortsteile":
            return self.state.ortsteil_ids[value]
        if name == "angebote":
            return self.ids["angebote"][value]  # offers are written before Förderungen (KINDS order)
        return value

    def set_nachfolger(self, records: Iterable[tuple[int, str | None]]) -> None:
        t = table("einrichtung")
        params = [
            {"b_id": row_id, "b_nachfolger": self.ids["einrichtungen"][ext] if ext else None}
            for row_id, ext in records
        ]
        if params:
            stmt = (
                update(t).where(t.c.id == bindparam("b_id")).values(nachfolger_id=bindparam("b_nachfolger"))
            )
            self.conn.execute(stmt, params)

    def refresh_provenance(self, kind: str, rows: list[tuple[DbRow, dict[str, Any]]]) -> None:
        if not rows:
            return
        t = table(TABLES[kind])
        stmt = (
            update(t)
            .where(t.c.id == bindparam("b_id"))
            .values(
                imported_values=bindparam("b_imported"),
                import_hash=bindparam("b_hash"),
                last_imported_at=bindparam("b_at"),
            )
        )
        self.conn.execute(
            stmt,
            [{"b_id": r.id, "b_imported": v, "b_hash": values_hash(v), "b_at": self.now} for r, v in rows],
        )

    def unpublish(self, kind: str, rows: list[DbRow]) -> None:
        if not rows:
            return
        t = table(TABLES[kind])
        stmt = update(t).where(t.c.id == bindparam("b_id")).values(published=False, updated_at=self.now)
        self.conn.execute(stmt, [{"b_id": r.id} for r in rows])
        for r in rows:
            self.touched[kind].add(r.id)
            self.audit.append(
                self._audit("unpublish", kind, r.external_id, note=f"{self.note}: fehlt in der Arbeitsmappe")
            )

    def update_ortsteile(self, updates: list[OrtsteilUpdate]) -> None:
        t = table("ortsteil")
        current = {o.slug: o for o in self.state.ortsteile}
        for u in updates:
            self.conn.execute(
                update(t)
                .where(t.c.slug == u.slug)
                .values(planungsraum_code=u.planungsraum, aliases=u.aliases)
            )
            before = current[u.slug]
            self.audit.append(
                self._audit(
                    "update", "ortsteile", u.slug, "planungsraum", before.planungsraum, u.planungsraum
                )
            )
            self.audit.append(
                self._audit("update", "ortsteile", u.slug, "aliases", list(before.aliases), u.aliases)
            )

    def _audit(
        self,
        action: str,
        kind: str,
        entity_id: str,
        field_name: str | None = None,
        old: Any = None,
        new: Any = None,
        note: str | None = None,
    ) -> dict[str, Any]:
        return {
            "at": self.now,
            "actor": self.actor,
            "source": "import",
            "action": action,
            "entity_type": TABLES.get(kind, "ortsteil"),
            "entity_id": entity_id,
            "field": field_name,
            "old_value": _audit_text(old),
            "new_value": _audit_text(new),
            "import_run_id": self.run_id,
            "note": note or self.note,
        }

    def flush_audit(self) -> None:
        if self.audit:
            self.conn.execute(insert(table("audit_entry")), self.audit)


def _audit_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def apply_plan(
    conn: Connection, state: DbState, plan: Plan, run_id: int, *, actor: str, note: str
) -> set[str]:
    """Write the plan; returns the workbook ids of the offers whose search documents changed."""
    writer = _Writer(conn, state, run_id, actor, note)
    writer.update_ortsteile(plan.ortsteile)
    for kind in KINDS:
        writer.insert_rows(kind, plan.inserts.get(kind, []))
        writer.update_rows(kind, plan.updates.get(kind, []))
        writer.refresh_provenance(kind, plan.provenance.get(kind, []))
        if kind == "einrichtungen":
            inserted = plan.inserts.get(kind, [])
            links = [
                (writer.ids[kind][r.external_id], r.values["nachfolger"])
                for r in inserted
                if r.values["nachfolger"]
            ]
            links += [
                (u.row.id, u.changes["nachfolger"])
                for u in plan.updates.get(kind, [])
                if "nachfolger" in u.changes
            ]
            writer.set_nachfolger(links)
    for kind in KINDS:
        writer.unpublish(kind, plan.unpublish.get(kind, []))
    writer.flush_audit()
    offer_ids = {
        ext for ext, row_id in writer.ids["angebote"].items() if row_id in writer.touched["angebote"]
    }
    if plan.ortsteile:
        offer_ids |= set(writer.ids["angebote"])  # district names/Planungsräume are in every document
    return offer_ids | offers_of(
        conn, einrichtung_ids=writer.touched["einrichtungen"], traeger_ids=writer.touched["traeger"]
    )


# --- the entry point ---------------------------------------------------------------------------------------


def _record_run(
    conn: Connection,
    report: SyncReport,
    *,
    actor: str,
    command: str,
    started: datetime,
    run_id: int | None = None,
) -> int:
    t = table("import_run")
    values = {
        "finished_at": utcnow(),
        "file_name": report.file_name[:500],
        "sha256": report.sha256,
        "dry_run": report.dry_run,
        "ok": report.ok,
        "counts": report.counts,
        "report": report.to_dict(),
        "actor": actor[:200],
        "command": command[:500],
    }
    if run_id is None:
        result = conn.execute(insert(t).values(started_at=started, **values).returning(t.c.id))
        return int(result.scalar_one())
    conn.execute(update(t).where(t.c.id == run_id).values(**values))
    return run_id


def sync_workbook(
    path: Path,
    *,
    engine: Engine,
    settings: Settings,
    dry_run: bool = False,
    as_of: date | None = None,
    actor: str = "cli",
    command: str = "",
    progress: Progress | None = None,
    lock_wait_seconds: float = 0.0,
) -> SyncReport:
    """Validate, diff and (unless ``dry_run``) apply a workbook; see the module docstring for the rules.

    A writing sync holds the import lock (``importers.lock``) from before it reads the catalogue until its
    search index update is done; a second one waits up to ``lock_wait_seconds`` and then reports (exit 2)
    that another import is running – it reads and writes nothing.
    """
    try:
        if dry_run:
            return _sync(path, engine, settings, True, as_of, actor, command, progress)
        with import_lock(engine, wait_seconds=lock_wait_seconds):
            return _sync(path, engine, settings, False, as_of, actor, command, progress)
    except OperationalError as exc:  # reading the state already failed: disk, permissions, lock timeout
        fault = db_fault(exc)
        if fault is None or fault == "unreachable":
            raise
        return SyncReport(
            file_name=path.name or str(path),
            dry_run=dry_run,
            fatal=f"{DB_FAULT_MESSAGES[fault]} Es wurde nichts gespeichert ({type(exc.orig).__name__}).",
        )
    except ImportBusy as exc:
        return SyncReport(file_name=path.name or str(path), fatal=str(exc), busy=True)
    except ImportLockError as exc:  # e.g. the lock file next to the SQLite database cannot be created
        return SyncReport(file_name=path.name or str(path), fatal=str(exc))


def _sync(
    path: Path,
    engine: Engine,
    settings: Settings,
    dry_run: bool,
    as_of: date | None,
    actor: str,
    command: str,
    progress: Progress | None,
) -> SyncReport:
    clock = time.perf_counter()
    started = utcnow()
    reference_date = as_of or date.today()
    report = SyncReport(file_name=path.name or str(path), dry_run=dry_run, as_of=reference_date.isoformat())
    step = _stepper(progress, report)
    step()
    try:
        raw = (
            read_workbook_isolated(
                path,
                max_bytes=settings.import_max_bytes,
                memory_mb=settings.import_max_memory_mb,
                seconds=settings.import_max_seconds,
            )
            if settings.import_isolated
            else read_workbook(path, max_bytes=settings.import_max_bytes)
        )
        report.sha256 = file_sha256(path)
    except UnreadableWorkbook as exc:
        report.fatal = str(exc)
    except OSError as exc:
        report.fatal = f"„{path}“ kann nicht gelesen werden: {exc.strerror or exc}."
    with engine.connect() as conn:
        state = load_state(conn)
        app_state = load_app_state(conn)
    applications = ParsedApplications()
    if report.fatal is None:
        step()
        try:
            parsed = parse_workbook(
                raw,
                ortsteile=state.ortsteile,
                planungsraeume=state.planungsraeume,
                as_of=reference_date,
                known_offers=state.rows.get("angebote", {}).keys(),
                progress=progress,
            )
        except UnreadableWorkbook as exc:
            report.fatal = str(exc)
        else:
            applications = parse_applications(parsed.tables, parsed, app_state)
    if report.fatal is not None or parsed.errors:
        if report.fatal is None:
            report.errors, report.warnings = parsed.errors, parsed.warnings
        return _finish_without_writing(engine, report, actor, command, started, clock)
    report.warnings = parsed.warnings
    report.expired_offers = parsed.expired
    step()
    plan = plan_sync(parsed, state, report)
    app_plan = plan_applications(applications, app_state, report)
    if dry_run:
        step()
        return _finish_without_writing(engine, report, actor, command, started, clock)
    step()
    try:
        with engine.begin() as conn:
            run_id = _record_run(conn, report, actor=actor, command=command, started=started)
            changed_offers = apply_plan(
                conn, state, plan, run_id, actor=actor, note=f"Import {report.file_name}"
            )
            apply_applications(conn, app_plan, run_id, actor=actor, note=f"Import {report.file_name}")
            report.import_run_id = run_id
            report.seconds = time.perf_counter() - clock
            _record_run(conn, report, actor=actor, command=command, started=started, run_id=run_id)
            catalogue_version.bump(conn)
    except IntegrityError:
        # Someone else changed the catalogue between our read and our write (e.g. two imports at once).
        # The transaction was rolled back as a whole; nothing is half-written.
        report.fatal = (
            "Während des Imports wurde der Katalog gleichzeitig geändert (läuft ein zweiter Import?). "
            "Es wurde nichts gespeichert – bitte den Import erneut starten."
        )
        return _finish_without_writing(engine, report, actor, command, started, clock)
    except OperationalError as exc:
        # Disk full, read-only file, lock timeout: the transaction was rolled back as a whole. (A lost
        # connection is re-raised: whether its COMMIT arrived is unknown.)
        fault = db_fault(exc)
        if fault is None or fault == "unreachable":
            raise
        report.fatal = f"{DB_FAULT_MESSAGES[fault]} Es wurde nichts gespeichert ({type(exc.orig).__name__})."
        report.seconds = time.perf_counter() - clock
        return report
    _refresh_planner_statistics(engine)
    step()
    _update_search_index(engine, settings, changed_offers, report)
    step()
    report.seconds = time.perf_counter() - clock
    return report


def _refresh_planner_statistics(engine: Engine) -> None:
    """ANALYZE after the bulk write. Without statistics SQLite picks the low-selectivity ``published``
    index over the unique ``external_id`` (25× slower per results page at 10,000 offers), and PostgreSQL
    plans nested loops until autovacuum gets round to it. Statistics only – a failure loses nothing."""
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    except SQLAlchemyError as exc:
        log.warning("Planer-Statistiken nicht aktualisiert: %s", exc)


def _stepper(progress: Progress | None, report: SyncReport) -> Callable[[], None]:
    """Each call starts the next stage: reports progress and records how long the previous stage took."""
    done = 0
    last = time.perf_counter()

    def step() -> None:
        nonlocal done, last
        now = time.perf_counter()
        if done > 0:
            report.timings[STAGES[done - 1]] = round(now - last, 3)
        last = now
        if progress is not None and done < len(STAGES):
            progress(STAGES[done], done, len(STAGES))
        done += 1

    return step


def _finish_without_writing(
    engine: Engine, report: SyncReport, actor: str, command: str, started: datetime, clock: float
) -> SyncReport:
    report.seconds = time.perf_counter() - clock
    try:
        with engine.begin() as conn:
            report.import_run_id = _record_run(conn, report, actor=actor, command=command, started=started)
    except SQLAlchemyError:
        pass  # the run log is a convenience; a refused write must not hide the report itself
    return report


def _update_search_index(engine: Engine, settings: Settings, offer_ids: set[str], report: SyncReport) -> None:
    if not offer_ids:
        report.index_ok, report.index_message = True, "Suchindex: keine Änderungen."
        return
    try:
        from search.indexing import index_offers

        outcome = index_offers(engine, settings, sorted(offer_ids))
        report.index_ok = bool(outcome.ok)
        report.index_message = outcome.message or (
            "Suchindex aktualisiert." if outcome.ok else "Suchindex nicht erreichbar."
        )
    except Exception as exc:  # the import is committed; the index catches up with `python -m search reindex`
        report.index_ok = False
        report.index_message = f"Suchindex nicht aktualisiert ({type(exc).__name__})."
    if not report.index_ok:
        report.index_message = (
            f"{report.index_message} Die Daten sind gespeichert; bitte später "
            "`python -m search reindex` ausführen."
        )
