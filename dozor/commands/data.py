"""`dozor export-decisions` and `dozor purge`: what leaves the database for training, and what may not stay.

Training rows carry no citizen's personal data (masked by the personal-data detectors); `purge` removes
comment texts and authors' names past the retention period ([storage] retention_days) and keeps the
decision record.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from dozor.commands.common import ConfigOption, settings_or_exit


def export_decisions(
    out: Annotated[Path, typer.Option("--out", "-o", help="файл JSON Lines, куда писать")] = Path(
        "var/moderator-decisions.jsonl"
    ),
    config: ConfigOption = None,
) -> None:
    """Решения модераторов и восстановления по обжалованию как примеры для `dozor train --extra`.

    Телефоны, e-mail, документы, адреса и ФИО граждан в текстах заменены пометками ([телефон], [ФИО]...);
    решения, чьи тексты уже удалены по сроку хранения, пропускаются.
    """
    from dozor.build import build_pii
    from dozor.learning.rows import load_decisions
    from dozor.runner import open_store

    settings = settings_or_exit(config)
    # the same rows and masking the learning loop uses (dozor.learning.rows)
    kept, purged = load_decisions(open_store(settings).engine, build_pii(settings.moderation))
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for n, row in enumerate(kept, start=1):
            fh.write(json.dumps({"id": f"decision-{n}", "post_text": None, **row}, ensure_ascii=False) + "\n")
    skipped = f"; {purged} без текста (удалён по сроку хранения) пропущено" if purged else ""
    typer.echo(f"Записано решений: {len(kept)} в {out}{skipped}. Персональные данные в текстах скрыты.")


def purge(
    days: Annotated[
        int | None,
        typer.Option(
            min=1, help="срок хранения в днях (по умолчанию [storage] retention_days из config.toml)"
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Удалить тексты комментариев и имена авторов старше срока хранения; решения остаются.

    Остаются основания, оценки, правила, карточки, решения модераторов (кто и когда), ограничения, действия
    и журнал. Комментарий, который ещё нужен (не решён, ждёт модератора, действие не выполнено), будет
    очищен при следующем запуске. Демон делает то же каждую ночь сам.
    """
    from models.db import database_url, make_engine
    from models.migrate import upgrade
    from models.retention import purge_expired

    settings = settings_or_exit(config)
    keep_days = days if days is not None else settings.storage.retention_days
    engine = make_engine(database_url(settings.storage.url))
    try:
        upgrade(engine=engine)
        now = datetime.now(UTC)
        report = purge_expired(engine, now - timedelta(days=keep_days), now)
    finally:
        engine.dispose()
    before = report.cutoff.strftime("%d.%m.%Y %H:%M UTC")
    if report.purged:
        typer.echo(
            f"Удалены тексты и имена авторов у {report.purged} комментариев, полученных до {before} "
            f"(срок хранения {keep_days} дн.); решения, основания и действия сохранены."
        )
    else:
        typer.echo(f"Комментариев с текстом, полученных до {before} (срок хранения {keep_days} дн.), нет.")
    if report.waiting:
        typer.echo(
            f"Ещё {report.waiting} старых комментариев пока нужны (не решены, ждут модератора или действия): "
            "их тексты будут удалены позже."
        )


def register(app: typer.Typer) -> None:
    app.command("export-decisions")(export_decisions)
    app.command()(purge)
