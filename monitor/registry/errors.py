"""The registry's one exception and the flush that maps database guards onto it."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session


class RegistryError(Exception):
    """A registry rule refused the operation; `str(error)` is a Russian message fit to show as is."""


def flush(session: Session) -> None:
    """Flush, turning the database's own guards into the same Russian messages the pre-checks give."""
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise RegistryError(
            f"база данных отказала в записи (нарушено ограничение реестра): {exc.orig}"
        ) from exc
