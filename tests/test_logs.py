"""Log lines never carry tokens or citizens' personal data."""

from __future__ import annotations

import io
import json
import logging

import pytest

from dozor.logs import StructuredFormatter, redact


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("GET /bot7000001:AAHdemo-dozor-rubtsovsk-not-a-secret/getMe failed", "AAHdemo-dozor"),
        ("https://api.vk.ru/method/wall.get?access_token=vk1.a.abcdef123&v=5.199", "vk1.a.abcdef123"),
        ("long poll key=8a7d6c5b4a3f2e1d0c9b8a7d6c5b4a3f2e1d0c9b", "8a7d6c5b4a3f2e1d0c9b"),
        ("comment from ivan.petrov@mail.ru", "ivan.petrov@mail.ru"),
        ("позвоните +7 913 123-45-67 вечером", "123-45-67"),
        ("СНИЛС 112-233-445 95", "112-233-445"),
        ("карта 4276 3800 1234 5678", "1234 5678"),
        (
            "[SQL: INSERT INTO comments]\n[parameters: ('Иван Петров', 'мой текст')]\n(Background",
            "Иван Петров",
        ),
    ],
    ids=["telegram-token", "vk-token", "longpoll-key", "email", "phone", "snils", "card", "sql-parameters"],
)
def test_redact(text: str, secret: str) -> None:
    assert secret not in redact(text)


def test_structured_line_is_json_and_redacted() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(StructuredFormatter())
    logger = logging.getLogger("dozor.test.logs")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("deleted comment from %s", "+7 913 123-45-67", extra={"page": "vk:170001"})
    finally:
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert line["level"] == "warning" and line["page"] == "vk:170001"
    assert "123-45-67" not in line["msg"] and "<phone>" in line["msg"]
