"""The `dozor classify` contract other tools depend on: order, shape, malformed lines, explanations."""

from __future__ import annotations

import json
import subprocess
import sys

from moderation.batch import run_batch
from moderation.types import ALL_GROUNDS
from moderation.verdict.engine import Moderator


def _run(moderator: Moderator, lines: list[str], **kw: object) -> list[dict[str, object]]:
    return [json.loads(x) for x in run_batch(lines, moderator.verdicts, **kw)]  # type: ignore[arg-type]


def test_one_line_per_input_in_order(rules_moderator: Moderator) -> None:
    lines = [
        json.dumps({"id": f"c{i}", "text": t, "post_text": None}, ensure_ascii=False)
        for i, t in enumerate(["спасибо", "пиздец", "когда дадут воду?"] * 5)
    ]
    out = _run(rules_moderator, lines, batch_size=4)
    assert [o["id"] for o in out] == [f"c{i}" for i in range(15)]
    assert out[1]["action"] == "delete" and out[1]["grounds"] == ["obscenity"]
    assert set(out[0]) == {"id", "action", "grounds", "scores"}
    assert set(out[0]["scores"]) == {g.value for g in ALL_GROUNDS}  # type: ignore[arg-type]


def test_malformed_lines_get_errors_and_the_rest_go_on(rules_moderator: Moderator) -> None:
    lines = [
        '{"id": "a", "text": "хорошо"}',
        "не json",
        '{"id": "b"}',
        '{"id": 5, "text": "x"}',
        '["a list"]',
        '{"id": "c", "text": "ok", "post_text": 12}',
        "",
        '{"id": "d", "text": "бл@ть"}',
    ]
    out = _run(rules_moderator, lines)
    assert [o.get("id") for o in out] == ["a", None, "b", "5", None, "c", "d"]
    assert [("error" in o) for o in out] == [False, True, True, True, True, True, False]
    assert out[1]["line"] == 2 and "JSON" in str(out[1]["error"])
    assert "text" in str(out[2]["error"])
    assert out[-1]["action"] == "delete"


def test_explain_gives_offsets_into_the_original(rules_moderator: Moderator) -> None:
    text = "Ну и х.у.й с ним, позвоните мне 8 913 555-12-34"
    out = _run(rules_moderator, [json.dumps({"id": "x", "text": text})], explain=True)[0]
    evidence = out["evidence"]
    assert isinstance(evidence, list)
    for ev in evidence:
        for (start, end), matched in zip(ev["spans"], ev["matched"], strict=True):
            assert text[start:end] == matched
    rules = {ev["rule"] for ev in evidence}
    assert "obscenity.huy" in rules
    assert any(r.startswith("pii.") for r in rules)


def test_a_failing_comment_costs_only_its_own_verdict(rules_moderator: Moderator) -> None:
    def decide(comments):  # type: ignore[no-untyped-def]
        if any(c.text == "boom" for c in comments):
            raise RuntimeError("boom")
        return rules_moderator.verdicts(comments)

    lines = [json.dumps({"id": i, "text": t}) for i, t in [("1", "ok"), ("2", "boom"), ("3", "ok")]]
    out = [json.loads(x) for x in run_batch(lines, decide)]
    assert [o["id"] for o in out] == ["1", "2", "3"]
    assert "error" in out[1] and "action" in out[0] and "action" in out[2]


def test_the_command_processes_a_stream_in_one_process() -> None:
    stdin = "\n".join(json.dumps({"id": str(i), "text": "пиздец" if i % 2 else "спасибо"}) for i in range(50))
    proc = subprocess.run(
        [sys.executable, "-m", "dozor", "classify", "--no-model"],
        input=stdin, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    out = [json.loads(x) for x in proc.stdout.splitlines()]
    assert len(out) == 50
    assert [o["action"] for o in out[:2]] == ["keep", "delete"]
