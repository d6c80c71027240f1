"""Logging filters: what the portal's logs must never hold.

A search in the admin travels in the address (``?q=13912341234``, ``?q=张三``): that is
how Django's admin works, and the record of reads keeps such searches masked. The
development server's access log (``django.server``) writes every request line with its
query string, so this filter cuts the query string off. Production runs gunicorn
without an access log; if one is turned on, its format must use the path without the
query (``%(U)s``, not ``%(r)s``), see docs/operations.md.
"""

import logging
import re

from .log_context import request_id_var, request_var, task_id_var, user_id_of

_QUERY = re.compile(r"\?[^\s\"]*")


class NoQueryStrings(logging.Filter):
    """Replace every query string in the record's message and arguments by ``?…``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = _QUERY.sub("?…", record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                _QUERY.sub("?…", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        return True


# An 18-character resident ID number (GB 11643: 17 digits and a check digit or X) and a
# mainland mobile number (11 digits from 13… to 19…, perhaps +86 and spaced 3-4-4),
# standing alone: not part of a longer run of digits such as a timestamp.
_ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dA-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)")
ID_NUMBER_MASK = "[ID number]"
MOBILE_MASK = "[mobile]"


def mask_personal_numbers(text: str) -> str:
    """`text` with every ID number and mobile number replaced by a placeholder."""
    return _MOBILE.sub(MOBILE_MASK, _ID_NUMBER.sub(ID_NUMBER_MASK, text))


class NoPersonalNumbers(logging.Filter):
    """A safety net: mask ID numbers and mobile numbers in the whole formatted message,
    its traceback and its stack (a database error may quote a row's values).

    The portal logs ids and tracking numbers, never these; this catches what a library
    or a careless line lets through. The message is formatted here (``msg % args``),
    so every handler after this filter sees the masked text.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # arguments that do not fit: masked as they are
            message = f"{record.msg} {record.args!r}"
        masked = mask_personal_numbers(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_numbers(record.exc_text)
            # Formatters re-render exc_info when it is there; the masked text stays.
            record.exc_info = None
        if record.stack_info:
            record.stack_info = mask_personal_numbers(record.stack_info)
        return True


class RequestContext(logging.Filter):
    """Add ``request_id``, ``user_id`` and ``task_id`` to every record (None where
    there is none): see huagang/log_context.py."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.user_id = user_id_of(request_var.get())
        record.task_id = task_id_var.get()
        return True
