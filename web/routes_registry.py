"""The registry in the console: pages with what to correct and overdue terms, a page's history, its staff (for
IT only), and loading the office's workbook with a preview of every change before anything is written."""

from __future__ import annotations

import secrets
import tempfile
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from models.registry import RegistryPage
from models.store_support import audit
from monitor.registry.deadlines import Deadline
from monitor.registry.files import read_tables
from monitor.registry.findings import registry_findings
from monitor.registry.labels import NETWORK_LABELS, ORG_KIND_LABELS, STATUS_LABELS
from monitor.registry.service import find_page, list_overdue, list_pages, page_card
from monitor.registry.table import TableFormatError
from monitor.registry.update import PreparedImport, apply_prepared, prepare
from web.http import checked_form, db, render, require, state

MAX_UPLOAD = 10 * 1024 * 1024
UPLOAD_MINUTES = 30


@dataclass(frozen=True)
class Upload:
    """A workbook shown in a preview, kept until the person confirms (or the half hour runs out)."""

    user: str
    filename: str
    data: bytes
    update: bool
    at: datetime


def _overview(session: Session, today: Any) -> dict[str, Any]:
    findings = registry_findings(session)
    overdue = list_overdue(session, today)
    late: dict[int, list[Deadline]] = {}
    for item in overdue:
        late.setdefault(item.page_id, []).append(item)
    rows: list[dict[str, Any]] = []
    for number, (page, org) in enumerate(list_pages(session), start=1):
        assert page.id is not None
        rows.append({"number": number, "page": page, "org": org, "findings": findings.get(page.id, []),
                     "overdue": late.get(page.id, [])})  # fmt: skip
    return {
        "rows": rows,
        "overdue": overdue,
        "numbers": {row["page"].id: row["number"] for row in rows},
        "today": today,
        "networks": NETWORK_LABELS,
        "statuses": STATUS_LABELS,
    }


async def registry_page(request: Request) -> Response:
    today = state(request).today()
    context = await db(request, _overview, today)
    context["imported"] = request.query_params.get("imported", "")
    return render(request, "registry.html", context)


async def registry_card(request: Request) -> Response:
    today, with_staff = state(request).today(), request.state.user.is_it

    def load(session: Session) -> dict[str, Any] | None:
        page = session.get(RegistryPage, int(request.path_params["page_id"]))
        if page is None:
            return None
        card = page_card(session, find_page(session, str(page.id)))
        if not with_staff:  # personal data (3.3(4)): dropped here, before any template sees it
            card = replace(card, staff=[])
        labels = {"kinds": ORG_KIND_LABELS, "networks": NETWORK_LABELS, "statuses": STATUS_LABELS}
        return {"c": card, "today": today, "with_staff": with_staff, **labels}

    context = await db(request, load)
    if context is None:
        raise HTTPException(404, "Страница реестра не найдена.")
    return render(request, "registry_card.html", context)


async def import_form(request: Request) -> Response:
    require(request, act=True, it=True)
    return render(request, "import.html", {"error": ""})


def _prepare(engine: Any, upload: Upload, today: Any) -> PreparedImport:
    suffix = Path(upload.filename).suffix.lower()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"registry{suffix}"
        path.write_bytes(upload.data)
        main, extras = read_tables(path)
    with Session(engine) as session:
        return prepare(session, main, extras, update=upload.update, today=today)


async def import_preview(request: Request) -> Response:
    current = require(request, act=True, it=True)
    form = await checked_form(request)
    try:
        return await _preview(request, current.name, form.get("file"), form.get("update") == "1")
    finally:
        await form.close()  # the upload's temporary file


async def _preview(request: Request, name: str, file: object, update: bool) -> Response:
    if not isinstance(file, UploadFile) or not file.filename:
        return render(request, "import.html", {"error": "Выберите файл .xlsx или .csv."}, status=400)
    if Path(file.filename).suffix.lower() not in (".xlsx", ".csv"):
        return render(request, "import.html", {"error": "Поддерживаются файлы .xlsx и .csv."}, status=400)
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        return render(request, "import.html", {"error": "Файл больше 10 МБ."}, status=400)
    console = state(request)
    upload = Upload(name, file.filename, data, update, console.clock())
    try:
        prepared = await db(request, lambda _s: _prepare(console.engine, upload, console.today()))
    except TableFormatError as exc:
        return render(request, "import.html", {"error": f"Файл не прочитан: {exc}"}, status=400)
    _forget_old(console.uploads, console.clock())
    token = secrets.token_urlsafe(24)
    console.uploads[token] = upload
    context = {"p": prepared.preview, "token": token, "filename": file.filename, "update": upload.update}
    return render(request, "import_preview.html", context)


def _forget_old(uploads: dict[str, Any], now: datetime) -> None:
    for token, upload in list(uploads.items()):
        if now - upload.at > timedelta(minutes=UPLOAD_MINUTES):
            del uploads[token]


async def import_confirm(request: Request) -> Response:
    current = require(request, act=True, it=True)
    form = await checked_form(request)
    console = state(request)
    upload = console.uploads.get(str(form.get("token", "")))
    if upload is None or upload.user != current.name:
        return render(
            request, "import.html", {"error": "Предпросмотр устарел: загрузите файл ещё раз."}, status=400
        )

    def write(session: Session) -> str:
        prepared = _prepare(console.engine, upload, console.today())
        if prepared.preview.errors:
            return ""
        result = apply_prepared(session, prepared, console.today())
        details = {"file": upload.filename, "update": upload.update, "added": result.added,
                   "changed": result.changed, "closed": result.closed}  # fmt: skip
        audit(session, console.clock(), f"console:{current.name}", "console_registry_import", details)
        return f"добавлено {result.added}, изменено {result.changed}, закрыто {result.closed}"

    summary = await db(request, write, write=True)
    del console.uploads[str(form.get("token", ""))]
    if not summary:
        return render(
            request,
            "import.html",
            {"error": "Реестр изменился с момента предпросмотра: загрузите файл ещё раз."},
            status=409,
        )
    return RedirectResponse(f"/registry?imported={summary}", status_code=303)


ROUTES = [
    Route("/registry", registry_page, methods=["GET"]),
    Route("/registry/pages/{page_id:int}", registry_card, methods=["GET"]),
    Route("/registry/import", import_form, methods=["GET"]),
    Route("/registry/import", import_preview, methods=["POST"]),
    Route("/registry/import/confirm", import_confirm, methods=["POST"]),
]
