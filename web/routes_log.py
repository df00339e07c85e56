"""The press service's pages: the decision log and a comment's trail, appeals, authors, the queue, figures."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from monitor.digest.labels import PLATFORM_LABEL
from web import figures as fig
from web.appeals import AppealError, restore_on_appeal
from web.http import checked_form, db, record, render, require, state
from web.search import (
    PER_PAGE,
    LogFilter,
    author_history,
    ground_choices,
    known_pages,
    page_labels,
    review_queue,
    search_log,
)
from web.trail import comment_trail


async def home(request: Request) -> Response:
    return RedirectResponse("/log", status_code=303)


async def log_page(request: Request) -> Response:
    chosen = LogFilter.from_query(request.query_params)

    def load(session):  # type: ignore[no-untyped-def]
        labels = page_labels(session)
        rows, total = search_log(session, chosen, labels)
        return rows, total, known_pages(session, labels)

    rows, total, pages = await db(request, load)
    query = {k: v for k, v in request.query_params.items() if k != "p"}
    context = {
        "rows": rows,
        "total": total,
        "f": chosen,
        "pages": pages,
        "grounds": ground_choices(),
        "per_page": PER_PAGE,
        "query": query,
        "last_page": max(1, -(-total // PER_PAGE)),
    }
    return render(request, "log.html", context)


def _comment_id(request: Request) -> int:
    try:
        return int(request.path_params["comment_id"])
    except (KeyError, ValueError) as exc:
        raise HTTPException(404, "Комментарий не найден.") from exc


async def comment_page(request: Request) -> Response:
    trail = await db(request, comment_trail, _comment_id(request), state(request).zone)
    if trail is None:
        raise HTTPException(404, "Комментарий не найден.")
    notice = (
        "Восстановление поставлено в очередь: служба выполнит его в течение нескольких секунд."
        if (request.query_params.get("restored"))
        else ""
    )
    return render(request, "comment.html", {"t": trail, "notice": notice, "error": ""})


async def restore(request: Request) -> Response:
    current = require(request, act=True)
    form = await checked_form(request)
    comment_id = _comment_id(request)
    reason = str(form.get("reason", ""))
    now = state(request).clock()
    try:
        await db(request, restore_on_appeal, comment_id, reason, current.name, now, write=True)
    except AppealError as exc:
        trail = await db(request, comment_trail, comment_id, state(request).zone)
        if trail is None:
            raise HTTPException(404, "Комментарий не найден.") from exc
        return render(request, "comment.html", {"t": trail, "notice": "", "error": str(exc)}, status=400)
    return RedirectResponse(f"/comments/{comment_id}?restored=1", status_code=303)


async def author_page(request: Request) -> Response:
    platform, author_id = request.path_params["platform"], request.path_params["author_id"]
    rows = await db(request, lambda s: author_history(s, platform, author_id, page_labels(s)))
    context = {"rows": rows, "platform_label": PLATFORM_LABEL.get(platform, platform), "author_id": author_id}
    return render(request, "author.html", context)


async def queue_page(request: Request) -> Response:
    items = await db(request, lambda s: review_queue(s, page_labels(s)))
    return render(request, "queue.html", {"items": items, "now": state(request).clock()})


def _period(request: Request) -> fig.Period:
    console = state(request)
    kind = "month" if request.query_params.get("kind") == "month" else "week"
    return fig.parse_period(kind, request.query_params.get("value", ""), console.zone, console.today())


async def figures_page(request: Request) -> Response:
    chosen = _period(request)
    console = state(request)
    data = await db(request, lambda _s: fig.gather(console.engine, chosen, console.posts_per_week))
    context = {
        "d": data,
        "deletions_chart": data.deletions_chart(),
        "posts_chart": data.posts_chart(),
        "previous": chosen.previous(),
    }
    return render(request, "figures.html", context)


async def figures_export(request: Request) -> Response:
    kind = request.path_params["fmt"]
    if kind not in ("csv", "xlsx"):
        raise HTTPException(404, "Такой выгрузки нет: есть .csv и .xlsx.")
    chosen = _period(request)
    console = state(request)
    data = await db(request, lambda _s: fig.gather(console.engine, chosen, console.posts_per_week))
    await record(
        request, "console_export_figures", {"period": chosen.value, "kind": chosen.kind, "format": kind}
    )
    name = f"dozor-{chosen.kind}-{chosen.value}.{kind}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if kind == "csv":
        return Response(
            fig.to_csv(data).encode("utf-8"), media_type="text/csv; charset=utf-8", headers=headers
        )
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(fig.to_xlsx(data), media_type=xlsx, headers=headers)


ROUTES = [
    Route("/", home, methods=["GET"]),
    Route("/log", log_page, methods=["GET"]),
    Route("/comments/{comment_id:int}", comment_page, methods=["GET"]),
    Route("/comments/{comment_id:int}/restore", restore, methods=["POST"]),
    Route("/authors/{platform}/{author_id}", author_page, methods=["GET"]),
    Route("/queue", queue_page, methods=["GET"]),
    Route("/figures", figures_page, methods=["GET"]),
    Route("/figures.{fmt:str}", figures_export, methods=["GET"]),
]
