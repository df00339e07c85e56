"""Structured log lines with tokens and personal data redacted before anything is written."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

_REDACTIONS = (
    # SQLAlchemy's bound values (comment texts, names): engines hide them; this catches any other's errors
    (re.compile(r"\[parameters: [^\n]*\]"), "[parameters: <hidden>]"),
    (re.compile(r"(?<!\d)\d{6,12}:[A-Za-z0-9_-]{20,}"), "<telegram-token>"),
    (re.compile(r"(access_token|token|key)=([^&\s\"']+)", re.I), r"\1=<redacted>"),
    (re.compile(r"\bvk1\.a\.[A-Za-z0-9_-]+"), "<vk-token>"),
    (re.compile(r"\b[a-f0-9]{60,}\b"), "<token>"),
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "<e-mail>"),
    (re.compile(r"(?:\+7|\b8)[\s(-]*\d{3,5}[\s)-]*\d{1,3}[\s-]*\d{2}[\s-]*\d{2}\b"), "<phone>"),
    (re.compile(r"\b\d{3}-\d{3}-\d{3}[\s-]?\d{2}\b"), "<snils>"),
    (re.compile(r"\b(?:\d[ -]?){13,19}\b"), "<number>"),
)


def redact(text: str) -> str:
    """Tokens, e-mails, phones and long numbers out of a log line."""
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class StructuredFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and any `extra` fields."""

    _STANDARD = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in self._STANDARD and not key.startswith("_"):
                line[key] = redact(str(value))
        if record.exc_info:
            line["error"] = redact(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class LogLevelError(ValueError):
    """A log level that does not exist; the message says which ones do."""


def configure(level: str = "INFO", stream: object = None) -> None:
    """Root logging for the daemon: structured lines on stderr (stdout stays for people and pipes)."""
    name = level.upper()
    if name not in LEVELS:
        raise LogLevelError(f"неизвестный уровень журнала «{level}»: укажите один из {', '.join(LEVELS)}")
    handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    handler.setFormatter(StructuredFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(name)
    for noisy in ("aiogram.event", "aiogram.dispatcher", "urllib3", "apscheduler.executors.default"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
