"""The batch contract of `dozor classify`: JSON Lines in, one JSON line per input out, in input order.

In: {"id": str, "text": str, "post_text": str | null}. Out: {"id", "action", "grounds", "scores"} and, with
explain, "evidence" (rule, ground, score, spans as [start, end] offsets into the original text, the matched
text). A malformed line gets {"id" or "line", "error"} and the rest go on.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from moderation.types import ALL_GROUNDS, Comment, Verdict

MAX_TEXT = 1_000_000  # characters; longer texts are refused as malformed rather than exhausting memory


class BadLine(ValueError):
    def __init__(self, message: str, comment_id: str | None) -> None:
        super().__init__(message)
        self.comment_id = comment_id


def parse_line(line: str) -> Comment:
    """One input line to a Comment, or BadLine naming what is wrong."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadLine(f"not valid JSON: {exc.msg} at column {exc.colno}", None) from exc
    if not isinstance(obj, dict):
        raise BadLine("expected a JSON object", None)
    cid = obj.get("id")
    cid_str = str(cid) if isinstance(cid, (str, int)) and not isinstance(cid, bool) else None
    if not isinstance(cid, str) or not cid:
        raise BadLine("'id' must be a non-empty string", cid_str)
    text = obj.get("text")
    if not isinstance(text, str):
        raise BadLine("'text' must be a string", cid)
    if len(text) > MAX_TEXT:
        raise BadLine(f"'text' longer than {MAX_TEXT} characters", cid)
    post = obj.get("post_text")
    if post is not None and not isinstance(post, str):
        raise BadLine("'post_text' must be a string or null", cid)
    return Comment(cid, text, post)


def verdict_json(verdict: Verdict, text: str, explain: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": verdict.comment_id,
        "action": verdict.action.value,
        "grounds": [g.value for g in verdict.grounds],
        "scores": {g.value: round(verdict.scores.get(g, 0.0), 4) for g in ALL_GROUNDS},
    }
    if explain:
        out["evidence"] = [
            {
                "rule": ev.rule,
                "ground": ev.ground.value,
                "score": ev.score,
                "spans": [[s.start, s.end] for s in ev.spans],
                "matched": [s.of(text) for s in ev.spans],
                "detail": ev.detail,
            }
            for ev in verdict.evidence
        ]
    return out


def run_batch(
    lines: Iterable[str],
    decide: Callable[[Sequence[Comment]], list[Verdict]],
    explain: bool = False,
    batch_size: int = 256,
) -> Iterator[str]:
    """Decide a stream of lines; yields one output line per non-blank input line, in order."""
    pending: list[tuple[int, Comment | dict[str, Any]]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            pending.append((number, parse_line(line)))
        except BadLine as exc:
            error: dict[str, Any] = {"id": exc.comment_id, "line": number, "error": str(exc)}
            pending.append((number, error))
        if len(pending) >= batch_size:
            yield from _flush(pending, decide, explain)
            pending = []
    yield from _flush(pending, decide, explain)


def _flush(
    pending: list[tuple[int, Comment | dict[str, Any]]],
    decide: Callable[[Sequence[Comment]], list[Verdict]],
    explain: bool,
) -> Iterator[str]:
    comments = [item for _, item in pending if isinstance(item, Comment)]
    decided = _decide_each(comments, decide)
    for number, item in pending:
        if isinstance(item, Comment):
            result = decided[id(item)]
            if isinstance(result, Exception):
                out: dict[str, Any] = {"id": item.id, "line": number, "error": f"internal error: {result!r}"}
            else:
                out = verdict_json(result, item.text, explain)
        else:
            out = item
        yield json.dumps(out, ensure_ascii=False)


def _decide_each(
    comments: list[Comment], decide: Callable[[Sequence[Comment]], list[Verdict]]
) -> dict[Any, Verdict | Exception]:
    """Verdicts keyed by object identity; when the batch fails, each comment is tried alone so one bad
    comment costs only its own verdict."""
    if not comments:
        return {}
    try:
        return {id(c): v for c, v in zip(comments, decide(comments), strict=True)}
    except Exception:  # isolate the failing comment, never lose the others
        results: dict[Any, Verdict | Exception] = {}
        for c in comments:
            try:
                results[id(c)] = decide([c])[0]
            except Exception as exc:
                results[id(c)] = exc
        return results
