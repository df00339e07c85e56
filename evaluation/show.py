"""Rich tables of evaluation reports, for people (in Russian; ground and action codes stay for machines)."""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Console
from rich.table import Table

from evaluation.metrics import Report
from moderation.types import ALL_GROUNDS, Action


def print_reports(reports: Mapping[str, Report], title: str, console: Console | None = None) -> None:
    console = console or Console()
    names = list(reports)
    table = Table(title=f"По основаниям: {title}", show_lines=False)
    table.add_column("основание")
    table.add_column("примеров", justify="right")
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
    summary = Table(title="Чистые комментарии и действия")
    summary.add_column("система")
    # Sources labelled on some grounds only: also the share whose decision names a ground the source labels.
    partial = any(
        (r.clean_deleted_labelled, r.clean_flagged_labelled) != (r.clean_deleted, r.clean_flagged)
        for r in reports.values()
    )
    columns = ["строк", "чистых", "чистых удалено", "чистых к модератору"]
    if partial:
        columns += ["удалено (размеченные основания)", "к модератору (размеченные основания)"]
    for col in (*columns, "точность действия"):
        summary.add_column(col, justify="right")
    for name, r in reports.items():
        cells = [name, str(r.total), str(r.clean)]
        cells += [f"{r.clean_deleted_share:.2%}", f"{r.clean_flagged_share:.2%}"]
        if partial:
            cells += [f"{r.clean_deleted_labelled_share:.2%}", f"{r.clean_flagged_labelled_share:.2%}"]
        summary.add_row(*cells, f"{r.action_accuracy:.2%}")
    console.print(summary)
    for name, r in reports.items():
        confusion = Table(title=f"{name}: ожидаемое действие (строки) и решённое (столбцы)")
        confusion.add_column("ожидалось")
        for a in Action:
            confusion.add_column(a.value, justify="right")
        for a in Action:
            confusion.add_row(a.value, *(str(r.confusion[a][b]) for b in Action))
        console.print(confusion)
