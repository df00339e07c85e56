"""`dozor classify` answers every input line, in order, whatever its bytes, and always writes valid UTF-8.

Run as a user runs it: the installed `dozor` script in a subprocess, bytes on stdin, under the encodings a
terminal or a pipe may impose (PYTHONIOENCODING=utf-8, the C.UTF-8 and plain C locales).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderation.batch import MAX_TEXT, Oversized, read_lines, run_batch
from moderation.verdict.engine import Moderator

DOZOR = str(Path(sys.executable).with_name("dozor"))
BOM = b"\xef\xbb\xbf"


def classify(data: bytes, **env: str) -> tuple[list[dict[str, object]], subprocess.CompletedProcess[bytes]]:
    """Run `dozor classify --no-model` on `data`; the output lines parsed, after checking they are UTF-8."""
    proc = subprocess.run(
        [DOZOR, "classify", "--no-model"],
        input=data, capture_output=True, timeout=300, env={**os.environ, **env},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in proc.stderr
    text = proc.stdout.decode("utf-8")  # strict: any invalid byte fails the test
    lines = text.split("\n")
    assert lines.pop() == ""
    assert text.splitlines() == lines  # no U+0085 or U+2028 splits a line for a naive reader
    return [json.loads(line) for line in lines], proc


def line(cid: str, text: str, **extra: object) -> bytes:
    return json.dumps({"id": cid, "text": text, **extra}, ensure_ascii=False).encode("utf-8")


def test_a_deeply_nested_line_is_an_error_and_every_other_line_is_answered() -> None:
    nested = b'{"id": "deep", "text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    out, _ = classify(b"\n".join([line("a", "спасибо"), nested, line("b", "бл@ть")]) + b"\n")
    assert [o.get("id") for o in out] == ["a", None, "b"]
    assert out[1]["line"] == 2 and "nested too deeply" in str(out[1]["error"])
    assert out[2]["action"] == "delete"


def test_a_lone_surrogate_in_an_id_or_text_does_not_end_the_run() -> None:
    obscene = "бл@ть".encode()
    data = b'{"id": "\\ud800", "text": "a"}\n{"id": "b", "text": "\\udc00 ' + obscene + b'"}\n'
    out, proc = classify(data + line("c", "хорошо") + b"\n")
    assert [o["id"] for o in out] == ["\ud800", "b", "c"]  # the id comes back exactly, as a JSON escape
    assert b"\\ud800" in proc.stdout
    assert out[1]["action"] == "delete"  # the rest of the text is still decided


@pytest.mark.parametrize(
    "env",
    [{"PYTHONIOENCODING": "utf-8"}, {"LC_ALL": "C.UTF-8"}, {"LC_ALL": "C", "PYTHONIOENCODING": ""}],
    ids=["pythonioencoding-utf8", "c-utf8-locale", "c-locale"],
)
def test_invalid_utf8_is_an_error_line_and_never_echoed(env: dict[str, str]) -> None:
    data = b"\n".join(
        [
            line("a", "Когда дадут воду?"),
            b'{"id": "bad", "text": "\xff\xfe \xd0"}',
            b"\xc3\x28",
            line("c", "ok"),
        ]
    )
    out, proc = classify(data, **env)
    assert [o.get("id") for o in out] == ["a", "bad", None, "c"]
    assert out[0]["action"] == "keep" and out[3]["action"] == "keep"
    assert out[1]["line"] == 2 and "UTF-8" in str(out[1]["error"])
    assert out[2]["line"] == 3
    assert b"\xff" not in proc.stdout and b"\xc3\x28" not in proc.stdout


def test_a_mixed_batch_with_bom_crlf_nul_missing_fields_and_a_megabyte_text() -> None:
    rows: list[bytes] = []
    expected: list[tuple[str | None, bool]] = []  # (id, answered with a verdict)
    for n in range(2_000):
        cid = f"c{n}"
        kind = n % 10
        if kind == 0:
            rows.append(b'{"id": "' + cid.encode() + b'", "text": "\x00"}')  # a raw NUL is not JSON
            expected.append((None, False))
        elif kind == 1:
            rows.append(b'{"id": "' + cid.encode() + b'"}')
            expected.append((cid, False))
        else:
            text = "пиздец" if kind == 2 else "Спасибо за ремонт двора"
            rows.append(line(cid, text) + (b"\r" if n % 3 else b""))
            expected.append((cid, True))
    rows[5] = line("c5", "Когда уберут снег? " * (MAX_TEXT // 19 - 1))
    out, _ = classify(BOM + b"\n".join(rows) + b"\r\n")
    assert len(out) == len(expected)
    for number, (o, (want, verdict)) in enumerate(zip(out, expected, strict=True), start=1):
        assert o.get("id") == want, number
        assert ("action" in o) is verdict and ("line" not in o or o["line"] == number)
    assert out[2]["action"] == "delete"


def test_a_line_too_long_to_hold_is_read_past_and_answered() -> None:
    data = io.BytesIO(b'{"id": "a", "text": "x"}\n' + b"y" * 50 + b"\n" + b"z" * 30 + b'\n{"id": "b"}')
    got = list(read_lines(data, limit=32))
    assert got[0] == b'{"id": "a", "text": "x"}\n'
    assert got[1] == Oversized(51) and got[2] == b"z" * 30 + b"\n" and got[3] == b'{"id": "b"}'


def test_an_oversized_line_gets_an_error(rules_moderator: Moderator) -> None:
    out = [json.loads(x) for x in run_batch([b"{}", Oversized(10**9), b""], rules_moderator.verdicts)]
    assert out[1] == {"id": None, "line": 2, "error": f"line longer than {8 * MAX_TEXT} bytes (1000000000)"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"id": ' + b"9" * 5000 + b', "text": "x"}', {"id": None, "line": 1}),
        ('{"id": "\u2028\u0085", "text": "a\u2029"}'.encode(), {"id": "\u2028\u0085", "action": "keep"}),
        (BOM + b"  \r", None),
        (b"\x0c", {"id": None, "line": 1}),
    ],
    ids=["integer-past-the-digit-limit", "unicode-line-separators", "bom-and-blank", "form-feed"],
)
def test_lines_python_reads_in_surprising_ways(
    rules_moderator: Moderator, raw: bytes, expected: dict[str, object] | None
) -> None:
    out = list(run_batch([raw], rules_moderator.verdicts))
    if expected is None:
        assert out == []
        return
    [one] = out
    assert one.isascii() or "\u2028" not in one
    parsed = json.loads(one)
    assert {k: parsed[k] for k in expected} == expected


# Properties: any list of byte lines, some of them valid comments, gets exactly one answer per non-blank line.

_ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=60)  # lone surrogates included
_COMMENT = st.tuples(
    st.text(st.characters(exclude_categories=()), min_size=1, max_size=12), _ANY_TEXT, st.none() | _ANY_TEXT
)
_GARBAGE = st.binary(max_size=80).map(lambda b: b.replace(b"\n", b""))
_LINES = st.lists(st.one_of(_COMMENT, _GARBAGE), max_size=25)


def _encode(item: tuple[str, str, str | None] | bytes) -> bytes:
    if isinstance(item, bytes):
        return item
    cid, text, post = item
    obj = {"id": cid, "text": text, "post_text": post}
    try:
        return json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: only an escape can carry it
        return json.dumps(obj).encode("ascii")


def _blank(raw: bytes, number: int) -> bool:
    if number == 1:
        raw = raw.removeprefix(BOM)
    return not raw.strip(b" \t\r\n")


def check_answers(items: list[tuple[str, str, str | None] | bytes], out: list[dict[str, object]]) -> None:
    """One answer per non-blank line, in order: a comment's own id with a verdict, garbage an error naming
    its line (or, when the garbage happens to be a valid comment, a verdict)."""
    answered = [(n, item) for n, item in enumerate(items, start=1) if not _blank(_encode(item), n)]
    assert len(out) == len(answered)
    for o, (number, item) in zip(out, answered, strict=True):
        assert isinstance(o, dict)
        if isinstance(item, tuple):
            assert o["id"] == item[0] and "action" in o, (number, o)
        else:
            assert "action" in o or (o["line"] == number and isinstance(o["error"], str)), (number, o)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=_LINES, crlf=st.booleans(), bom=st.booleans())
def test_any_bytes_in_process(
    rules_moderator: Moderator, items: list[tuple[str, str, str | None] | bytes], crlf: bool, bom: bool
) -> None:
    raw = [_encode(item) + (b"\r" if crlf else b"") for item in items]
    if bom and raw:
        raw[0] = BOM + raw[0]
    out = [json.loads(x) for x in run_batch(raw, rules_moderator.verdicts, batch_size=7)]
    for x in run_batch(raw, rules_moderator.verdicts):
        assert x.encode("utf-8") and len(x.splitlines()) == 1
    check_answers(items, out)


@pytest.mark.timeout(600)  # each example starts the command; a loaded machine makes that slow
@settings(max_examples=5, deadline=None)
@given(items=st.lists(st.one_of(_COMMENT, _GARBAGE), min_size=20, max_size=150), crlf=st.booleans())
def test_any_bytes_through_the_command(items: list[tuple[str, str, str | None] | bytes], crlf: bool) -> None:
    eol = b"\r\n" if crlf else b"\n"
    out, _ = classify(eol.join(_encode(item) for item in items), PYTHONIOENCODING="utf-8")
    check_answers(items, out)
