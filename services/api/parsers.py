"""The API's JSON parser: DRF's, except that JSON nested deeper than Python's parser
can follow (``[[[[…`` a thousand times, a 4 KB body) is a 400 ``parse_error`` like any
other unreadable body, not a RecursionError and a 500."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error - nested too deeply") from exc
