"""The batch contract of `dozor classify`: JSON Lines in, one JSON line per input out, in input order.

In: {"id": str, "text": str, "post_text": str | null}. Out: {"id", "action", "grounds", "scores"} and, with
explain, "evidence" (rule, ground, score, spans as [start, end] offsets into the original text, the matched
text). Any other line, whatever its bytes (not UTF-8, not JSON, nested too deeply, too long), gets
{"id" (when readable), "line", "error"} and the rest go on. Blank lines are skipped. Every output line is
valid UTF-8: a lone surrogate in a value is written as a JSON escape.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from moderation.types import ALL_GROUNDS, Comment, Verdict

MAX_TEXT = 1_000_000  # characters; longer texts are refused as malformed rather than exhausting memory
#: Bytes in one input line: a text of MAX_TEXT characters fits even when every one is a \\uXXXX escape.
MAX_LINE_BYTES = 8 * MAX_TEXT
_BLANK = " \t\r\n"  # JSON's whitespace; any other line is answered
_BOM = "\ufeff"
_SURROGATE = re.compile("[\ud800-\udfff]")
_LINE_ENDS = re.compile("[\u0085\u2028\u2029]")


@dataclass(frozen=True)
class Oversized:
    """An input line longer than MAX_LINE_BYTES, read past without keeping it."""

    size: int


RawLine = str | bytes | Oversized


class BadLine(ValueError):
    def __init__(self, message: str, comment_id: str | None) -> None:
        super().__init__(message)
        self.comment_id = comment_id


def read_lines(stream: IO[bytes], limit: int = MAX_LINE_BYTES) -> Iterator[bytes | Oversized]:
    """Lines of a byte stream split at b"\\n"; a line over `limit` bytes is consumed and reported as
    Oversized instead of being held in memory."""
    while True:
        chunk = stream.readline(limit)
        if not chunk:
            return
        if len(chunk) < limit or chunk.endswith(b"\n"):
            yield chunk
            continue
        size = len(chunk)
        while chunk and not chunk.endswith(b"\n"):
            chunk = stream.readline(limit)
            size += len(chunk)
        yield Oversized(size)


def decode_line(raw: RawLine, first: bool = False) -> str:
    """One input line as text; a byte order mark is dropped from the first. BadLine when unreadable."""
    if isinstance(raw, Oversized):
        raise BadLine(f"line longer than {MAX_LINE_BYTES} bytes ({raw.size})", None)
    if isinstance(raw, bytes):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadLine(
                f"not valid UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start}", _readable_id(raw)
            ) from exc
    else:
        line = raw
    return line.removeprefix(_BOM) if first else line


def _readable_id(raw: bytes) -> str | None:
    """The id of a line that is not UTF-8, when the id itself is intact: helps find the line."""
    try:
        obj = json.loads(raw.decode("utf-8", errors="replace"))
    except (ValueError, RecursionError):
        return None
    cid = obj.get("id") if isinstance(obj, dict) else None
    return cid if isinstance(cid, str) and "\ufffd" not in cid else None


def parse_line(line: str) -> Comment:
    """One input line to a Comment, or BadLine naming what is wrong."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadLine(f"not valid JSON: {exc.msg} at column {exc.colno}", None) from exc
    except RecursionError as exc:
        raise BadLine("not valid JSON: nested too deeply", None) from exc
    except ValueError as exc:  # e.g. an integer beyond the interpreter's digit limit
        raise BadLine(f"not valid JSON: {exc}", None) from exc
    if not isinstance(obj, dict):
        raise BadLine("expected a JSON object", None)
    cid = obj.get("id")
    cid_str = _id_text(cid)
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
    return Comment(cid, _decidable(text), _decidable(post) if post is not None else None)


def _id_text(cid: object) -> str | None:
    if isinstance(cid, str):
        return cid
    if isinstance(cid, int) and not isinstance(cid, bool):
        return str(cid)
    return None


def _decidable(text: str) -> str:
    """Lone surrogates (from "\\ud800" escapes) become U+FFFD: one character each, so offsets still hold."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


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


def dump(out: dict[str, Any]) -> str:
    """One output line that encodes as UTF-8: readable Cyrillic, escapes only where a value cannot be.

    The characters that str.splitlines() and JavaScript take for line ends (U+0085, U+2028, U+2029) are
    escaped too, so that a reader splitting lines any way gets one object per line.
    """
    line = json.dumps(out, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(out)
    if _LINE_ENDS.search(line):  # they can only occur inside strings, where an escape means the same
        line = _LINE_ENDS.sub(lambda m: f"\\u{ord(m.group()):04x}", line)
    return line


def run_batch(
    lines: Iterable[RawLine],
    decide: Callable[[Sequence[Comment]], list[Verdict]],
    explain: bool = False,
    batch_size: int = 256,
) -> Iterator[str]:
    """Decide a stream of lines (text, or bytes decoded here); yields one output line per non-blank input
    line, in order."""
    pending: list[tuple[int, Comment | dict[str, Any]]] = []
    for number, raw in enumerate(lines, start=1):
        try:
            line = decode_line(raw, first=number == 1)
            if not line.strip(_BLANK):
                continue
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
        yield dump(out)


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
