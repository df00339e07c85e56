"""Charts for the digest as self-contained PNG data URIs (matplotlib Agg, no pyplot global state)."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from monitor.digest.labels import ground_label

GREEN, AMBER, RED, GREY, BLUE = "#2e9e5b", "#e0a100", "#d64541", "#b8bec6", "#3f6fb5"
LABEL_CHARS = 42


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _png(fig: Figure) -> str:
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def posts_chart(rows: Sequence[tuple[str, int | None]], target: int) -> str | None:
    """Horizontal bars of posts per page with the weekly target as a dashed line; None without pages."""
    if not rows:
        return None
    names = [_short(name) for name, _ in rows][::-1]
    values = [count or 0 for _, count in rows][::-1]
    colours = [
        GREY if c is None else GREEN if c >= target else AMBER if c >= target - 1 else RED for _, c in rows
    ][::-1]
    fig = Figure(figsize=(9, max(2.4, 0.34 * len(rows) + 1.3)))
    ax = fig.add_subplot()
    bars = ax.barh(names, values, color=colours, height=0.62)
    ax.axvline(target, color="#333333", linestyle="--", linewidth=1.2)
    ax.text(target, len(rows) - 0.35, f" норма: {target}", va="bottom", fontsize=9, color="#333333")
    ax.bar_label(bars, padding=3, fontsize=9)
    ax.set_xlabel("Публикаций за неделю")
    ax.set_xlim(0, max([target, *values]) * 1.15 + 1)
    ax.margins(y=0.02)
    _tidy(ax)
    return _png(fig)


def deletions_chart(
    current: Mapping[str, int],
    previous: Mapping[str, int] | None,
    names: tuple[str, str] = ("эта неделя", "прошлая неделя"),
) -> str | None:
    """Deleted comments by ground, this period against the one before; None when nothing was deleted."""
    codes = sorted(set(current) | set(previous or {}), key=lambda c: (current.get(c, 0), c))
    if not codes or not any(current.get(c, 0) or (previous or {}).get(c, 0) for c in codes):
        return None
    labels = [ground_label(c) for c in codes]
    fig = Figure(figsize=(9, max(2.2, 0.5 * len(codes) + 1.2)))
    ax = fig.add_subplot()
    positions = list(range(len(codes)))
    now_bars = ax.barh(
        [p + 0.2 for p in positions],
        [current.get(c, 0) for c in codes],
        height=0.4,
        color=BLUE,
        label=names[0],
    )
    if previous is not None:
        ax.barh(
            [p - 0.2 for p in positions],
            [previous.get(c, 0) for c in codes],
            height=0.4,
            color=GREY,
            label=names[1],
        )
    ax.bar_label(now_bars, padding=3, fontsize=9)
    ax.set_yticks(positions, labels)
    ax.set_xlabel("Удалено комментариев")
    ax.legend(loc="lower right", frameon=False, fontsize=9)
    _tidy(ax)
    return _png(fig)


def _tidy(ax: object) -> None:
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=9)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(axis="x", color="#e6e6e6", linewidth=0.8)
    ax.set_axisbelow(True)
