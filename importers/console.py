"""The readable German report of a sync (rich): summary, errors, conflicts, warnings, field-level diff."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.console import Console
from rich.table import Table

from app.catalogue import values as c
from app.catalogue import vocab
from importers.report import KIND_LABELS, SyncReport

MAX_LISTED = 200
_NAMES: dict[str, dict[str, str]] = {
    "ortsteile": {o.slug: o.name for o in vocab.ORTSTEILE},
    "zielgruppen": {t.code: t.de for t in vocab.ZIELGRUPPEN},
    "themen": {t.code: t.de for t in vocab.THEMEN},
    "status": {str(t.code): t.de for t in vocab.STATUS_TERMS},
    "art": {t.code: t.de for t in (*vocab.EINRICHTUNGSARTEN, *vocab.TRAEGERARTEN)},
}
_NAMES["ortsteil"] = _NAMES["ortsteile"]
_DATES = {"verified_at", "gueltig_von", "gueltig_bis", "bewilligt_am", "laufzeit_von", "laufzeit_bis"}
_CENTS = {"kosten_cents", "betrag_cents", "eigenanteil_cents"}


def display(field: str, value: Any) -> Any:
    """A canonical value as planners write it: names instead of codes, TT.MM.JJJJ, 1.234,56 €."""
    if value is None:
        return None
    names = _NAMES.get(field)
    if names is not None:
        return [names.get(v, v) for v in value] if isinstance(value, list) else names.get(value, value)
    if field in _DATES and isinstance(value, str):
        return c.format_date(date.fromisoformat(value))
    if field in _CENTS and isinstance(value, int):
        return c.format_money(value)
    if field in ("alter_von", "alter_bis") and isinstance(value, float | int):
        return c.format_age(value, "de")
    return value


def _value(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    text = str(value).replace("\n", " ⏎ ")
    return text if len(text) <= 80 else text[:77] + "…"


def _where(sheet: str | None, row: int | None, column: str | None) -> str:
    parts = [
        f"Blatt „{sheet}“" if sheet else "",
        f"Zeile {row}" if row else "",
        f"Spalte „{column}“" if column else "",
    ]
    return ", ".join(p for p in parts if p) or "Datei"


def print_report(report: SyncReport, console: Console, *, show_diff: bool) -> None:
    title = "Probelauf (nichts gespeichert)" if report.dry_run else "Import"
    console.print(f"[bold]{title}: {report.file_name}[/bold]")
    if report.fatal is not None:
        console.print(f"[bold red]Import nicht möglich:[/bold red] {report.fatal}")
        return

    summary = Table(title="Übersicht", show_edge=False)
    summary.add_column("Blatt")
    for header in ("neu", "geändert", "unverändert", "verborgen"):
        summary.add_column(header, justify="right")
    for kind in report.counts:
        counts = report.counts[kind]
        summary.add_row(
            KIND_LABELS[kind], *(str(counts[k]) for k in ("new", "changed", "unchanged", "unpublished"))
        )
    if not report.errors:
        console.print(summary)
    if report.expired_offers and not report.errors:
        stichtag = c.format_date(date.fromisoformat(report.as_of))
        console.print(
            f"{report.expired_offers} Angebote sind am Stichtag {stichtag} "
            "abgelaufen (Gültig bis) – sie bleiben gespeichert, werden aber nicht öffentlich angezeigt."
        )
    if report.ortsteile_changed:
        console.print(
            f"Ortsteile mit neuem Planungsraum oder neuen Aliasen: {', '.join(report.ortsteile_changed)}"
        )

    if report.errors:
        console.print(
            f"[bold red]{len(report.errors)} Fehler – es wurde nichts gespeichert.[/bold red] "
            "Bitte die Arbeitsmappe korrigieren und erneut importieren:"
        )
        for issue in report.errors[:MAX_LISTED]:
            value = f" – Wert „{_value(issue.value)}“" if issue.value else ""
            console.print(
                f"  • {_where(issue.sheet, issue.row, issue.column)}{value}: {issue.message}", markup=False
            )
        if len(report.errors) > MAX_LISTED:
            console.print(f"  … und {len(report.errors) - MAX_LISTED} weitere (alle mit --json).")

    if report.conflicts:
        console.print(
            f"[bold yellow]{len(report.conflicts)} Konflikte mit Online-Änderungen[/bold yellow]"
            " (Online-Wert bleibt):"
        )
        for conflict in report.conflicts[:MAX_LISTED]:
            console.print(
                f"  • {conflict.external_id} ({_where(conflict.sheet, conflict.row, conflict.column)}): "
                f"Arbeitsmappe „{_value(display(conflict.field, conflict.workbook_value))}“, "
                f"online „{_value(display(conflict.field, conflict.online_value))}“ "
                f"(geändert {conflict.edited_at[:10]})",
                markup=False,
            )

    if report.warnings:
        console.print(f"[yellow]{len(report.warnings)} Hinweise:[/yellow]")
        for issue in report.warnings[:MAX_LISTED]:
            console.print(
                f"  • {_where(issue.sheet, issue.row, issue.column)}: {issue.message}", markup=False
            )

    if show_diff:
        _print_diff(report, console)

    if report.ok:
        if report.total_changes == 0:
            console.print(
                "[green]Keine Änderungen – die Datenbank entspricht bereits der Arbeitsmappe.[/green]"
            )
        elif report.dry_run:
            console.print(
                f"[green]Der Import würde {report.total_changes} Einträge anlegen, ändern "
                "oder verbergen.[/green]"
            )
        else:
            console.print(
                f"[green]Gespeichert: {report.total_changes} Einträge angelegt, geändert oder verborgen "
                f"({report.seconds:.1f} s).[/green]"
            )
        if report.index_message:
            style = "green" if report.index_ok else "yellow"
            console.print(f"[{style}]{report.index_message}[/{style}]", markup=True, highlight=False)


def _print_diff(report: SyncReport, console: Console) -> None:
    changed = [c for c in report.changes if c.action != "new"]
    new = [c for c in report.changes if c.action == "new"]
    if new:
        shown = ", ".join(change.external_id for change in new[:30])
        more = f" … und {len(new) - 30} weitere" if len(new) > 30 else ""
        console.print(f"[bold]Neu ({len(new)}):[/bold] {shown}{more}")
    for change in changed[:MAX_LISTED]:
        label = {
            "changed": "geändert",
            "unpublished": "verborgen (fehlt in der Arbeitsmappe)",
            "republished": "wieder veröffentlicht",
        }
        where = f" ({_where(change.sheet, change.row, None)})" if change.sheet else ""
        console.print(f"[bold]{change.external_id}[/bold]{where}: {label.get(change.action, change.action)}")
        for name, (column, old, new_value) in change.fields.items():
            old_text, new_text = _value(display(name, old)), _value(display(name, new_value))
            console.print(f"    {column}: „{old_text}“ → „{new_text}“", markup=False)
