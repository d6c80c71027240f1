"""Log formatters: one JSON object per line in production, readable text in development.

Both show the same things: the time, the level, the logger, the message, and the
request id, user id and task id that ``huagang.log_filters.RequestContext`` put on the
record. The JSON names a fixed set of fields and nothing else: records carry extras
that must not be written out (Django's ``request``, whose text holds the query string;
Celery's ``data``, which holds a task's arguments), so a formatter that writes every
extra attribute (as python-json-logger does) would need a list of what to leave out
that no one keeps up to date.
"""

import datetime as dt
import json
import logging

CONTEXT_FIELDS = ("request_id", "user_id", "task_id")


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "request_id", "user_id", "task_id"}``
    and, where there is one, ``"status_code"``, ``"exception"`` and ``"stack"``; UTF-8
    text, one line per record (line breaks inside values are escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({name: getattr(record, name, None) for name in CONTEXT_FIELDS})
        status = getattr(record, "status_code", None)
        if isinstance(status, int):
            entry["status_code"] = status  # django.request's 4xx and 5xx lines
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Django's usual line, followed by the request, user and task it belongs to
    (only those there are): ``… INFO huagang.requests request HG… [request=3f…
    user=12]``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        context = " ".join(
            f"{name.removesuffix('_id')}={value}"
            for name in CONTEXT_FIELDS
            if (value := getattr(record, name, None)) is not None
        )
        if not context:
            return line
        first, newline, rest = line.partition("\n")
        return f"{first} [{context}]{newline}{rest}"
