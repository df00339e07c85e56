"""What an import will do, shown before anything is written: pages added, changed and closed, with each
changed field's old and new value, every error by sheet, row and field, and warnings that do not stop it.

The same preview is printed by `dozor registry import --update` and shown by the web console, so IT staff see
one account of the change wherever they load the workbook.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from monitor.registry.cells import RowError


@dataclass(frozen=True)
class FieldChange:
    """One column (or extra sheet) of a page whose value the file changes."""

    header: str
    before: str
    after: str


@dataclass(frozen=True)
class PageChange:
    """A page the import adds, changes or closes (or leaves alone because the file does not list it)."""

    kind: str  # added | changed | closed | absent
    organisation: str
    network: str
    address: str
    line: int = 0
    place: str = ""
    fields: tuple[FieldChange, ...] = ()

    @property
    def where(self) -> str:
        """ "лист «Реестр», строка 5", or "" for a page that is not in the file."""
        if not self.line:
            return ""
        return f"{self.place}, строка {self.line}" if self.place else f"строка {self.line}"


KIND_TITLES: dict[str, str] = {
    "added": "Будут добавлены",
    "changed": "Будут изменены",
    "closed": "Будут закрыты",
    "absent": "Есть в реестре, но нет в файле (останутся как есть)",
}


@dataclass
class ImportPreview:
    """The whole account of an import; `errors` non-empty means nothing may be written."""

    update: bool
    pages: list[PageChange] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[PageChange]:
        return [p for p in self.pages if p.kind == kind]

    @property
    def writes_anything(self) -> bool:
        return not self.errors and any(p.kind != "absent" for p in self.pages)

    def summary(self) -> str:
        """One Russian line: how many pages are added, changed, closed and left unchanged."""
        counts = {kind: len(self.of_kind(kind)) for kind in KIND_TITLES}
        text = (
            f"добавить {counts['added']}, изменить {counts['changed']}, закрыть {counts['closed']}, "
            f"без изменений {self.unchanged}"
        )
        if counts["absent"]:
            text += f", нет в файле {counts['absent']}"
        if self.errors:
            text += f"; ошибок {len(self.errors)}: ничего не будет записано"
        return text


def preview_lines(preview: ImportPreview) -> list[str]:
    """The preview as plain lines for the terminal: summary, pages by kind with their fields, errors."""
    lines = [f"Итог: {preview.summary()}."]
    for kind, title in KIND_TITLES.items():
        pages = preview.of_kind(kind)
        if not pages:
            continue
        lines.append(f"{title} ({len(pages)}):")
        for page in pages:
            where = f" [{page.where}]" if page.where else ""
            lines.append(f"  {page.organisation} — {page.network}: {page.address}{where}")
            for change in page.fields:
                before = change.before or "—"
                after = change.after or "—"
                lines.append(f"      «{change.header}»: {before} → {after}")
    if preview.errors:
        lines.append(f"Ошибки ({len(preview.errors)}):")
        lines += [f"  {error}" for error in preview.errors]
    if preview.warnings:
        lines.append(f"Предупреждения ({len(preview.warnings)}):")
        lines += [f"  {warning}" for warning in preview.warnings]
    return lines
