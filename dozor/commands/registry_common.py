"""What the `dozor registry` commands share: the consoles, date options and one transaction per command."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from dozor.commands.common import settings_or_exit

if TYPE_CHECKING:
    from sqlmodel import Session

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

DateOpt = Annotated[str | None, typer.Option(help="Дата ДД.ММ.ГГГГ (по умолчанию — сегодня).")]
ReportedOpt = Annotated[str | None, typer.Option(help="Когда организация сообщила (ДД.ММ.ГГГГ).")]
EnteredOpt = Annotated[str | None, typer.Option(help="Когда внесено в реестр (по умолч. — сегодня).")]
PageArg = Annotated[str, typer.Argument(help="Номер страницы в реестре, её адрес или короткое имя.")]


def maybe_date(value: str | None) -> dt.date | None:
    from monitor.registry.labels import parse_date

    try:
        return parse_date(value) if value else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


def date_or_today(value: str | None) -> dt.date:
    """The given date, or today when none is given."""
    return maybe_date(value) or dt.date.today()


def report_dates(reported_on: str | None, entered_on: str | None) -> tuple[dt.date | None, dt.date | None]:
    """Entering happens now unless told otherwise, but only once something has been received."""
    reported, entered = maybe_date(reported_on), maybe_date(entered_on)
    if reported is not None and entered is None:
        entered = dt.date.today()
    return reported, entered


@contextmanager
def session_for(config: Path | None = None) -> Iterator[Session]:
    """One transaction per command; a registry refusal is printed in Russian and exits with code 1."""
    from sqlmodel import Session

    from models.db import database_url, make_engine
    from models.migrate import upgrade
    from monitor.registry.cells import ImportRejected
    from monitor.registry.errors import RegistryError

    engine = make_engine(database_url(settings_or_exit(config).storage.url))
    upgrade(engine=engine)
    try:
        with Session(engine) as session:
            yield session
            session.commit()
    except RegistryError as exc:
        err.print(f"[red]Ошибка:[/red] {exc}")
        raise typer.Exit(1) from exc
    except ImportRejected as exc:
        err.print(f"[red]Ничего не загружено: ошибок {len(exc.errors)}.[/red]")
        for error in exc.errors:
            err.print(f"  {error}", markup=False)
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()


def check_suffix(file: Path) -> str:
    suffix = file.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise typer.BadParameter("поддерживаются файлы .csv и .xlsx", param_hint="FILE")
    return suffix
