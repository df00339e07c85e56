"""Rich tables of evaluation reports, for people."""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Console
from rich.table import Table

from evaluation.metrics import Report
from moderation.types import ALL_GROUNDS, Action


def print_reports(reports: Mapping[str, Report], title: str, console: Console | None = None) -> None:
    console = console or Console()
    names = list(reports)
    table = Table(title=f"Per-ground figures on {title}", show_lines=False)
    table.add_column("ground")
    table.add_column("support", justify="right")
    for name in names:
        table.add_column(f"{name} P", justify="right")
        table.add_column(f"{name} R", justify="right")
        table.add_column(f"{name} F1", justify="right")
    first = reports[names[0]]
    for ground in ALL_GROUNDS:
        cells = [ground.value, str(first.grounds[ground].support)]
        for name in names:
            f = reports[name].grounds[ground]
            cells += [f"{f.precision:.3f}", f"{f.recall:.3f}", f"{f.f1:.3f}"]
        table.add_row(*cells)
    console.print(table)
    summary = Table(title="Clean comments and actions")
    summary.add_column("system")
    # Sources labelled on some grounds only: also the share whose decision names a ground the source labels.
    partial = any(
        (r.clean_deleted_labelled, r.clean_flagged_labelled) != (r.clean_deleted, r.clean_flagged)
        for r in reports.values()
    )
    columns = ["rows", "clean", "clean deleted", "clean flagged"]
    if partial:
        columns += ["deleted, labelled grounds", "flagged, labelled grounds"]
    for col in (*columns, "action accuracy"):
        summary.add_column(col, justify="right")
    for name, r in reports.items():
        cells = [name, str(r.total), str(r.clean)]
        cells += [f"{r.clean_deleted_share:.2%}", f"{r.clean_flagged_share:.2%}"]
        if partial:
            cells += [f"{r.clean_deleted_labelled_share:.2%}", f"{r.clean_flagged_labelled_share:.2%}"]
        summary.add_row(*cells, f"{r.action_accuracy:.2%}")
    console.print(summary)
    for name, r in reports.items():
        confusion = Table(title=f"{name}: expected action (rows) vs decided (columns)")
        confusion.add_column("expected")
        for a in Action:
            confusion.add_column(a.value, justify="right")
        for a in Action:
            confusion.add_row(a.value, *(str(r.confusion[a][b]) for b in Action))
        console.print(confusion)
