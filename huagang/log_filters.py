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
