"""Open311's two formats, made from the same data: JSON, and XML mapped from it by the
specification's Spark convention (a list is an element holding one element per item,
named after what it holds: ``<services><service>…``). UTF-8 both; the XML starts
with its declaration, has no namespace, and escapes what XML needs escaped
(characters XML 1.0 cannot carry at all are dropped)."""

import json
import re
from typing import Any
from xml.sax.saxutils import escape

from django.http import HttpResponse

CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}
# The element of each item of a list, by the list's own element.
ITEM_ELEMENTS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
# Control characters (but tab and line breaks), lone surrogates and the two
# non-characters XML 1.0 cannot hold, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def respond(data: Any, *, fmt: str, root: str, status: int = 200) -> HttpResponse:
    """`data` in format `fmt` ("json" or "xml"); `root` names the XML's root element
    (for a list, the list's element, e.g. ``services``)."""
    if fmt == "xml":
        body = xml_document(root, data)
    else:
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(
        body.encode("utf-8", "replace"), status=status, content_type=CONTENT_TYPES[fmt]
    )


def xml_document(root: str, data: Any) -> str:
    writer = _XmlWriter()
    writer.element(root, data)
    return "".join(writer.parts)


class _XmlWriter:
    """Elements appended to `parts`; a text met again (a name, a status …: a list of a
    thousand requests repeats many) is escaped once."""

    def __init__(self):
        self.parts = ['<?xml version="1.0" encoding="utf-8"?>']
        self.texts: dict[str, str] = {}

    def element(self, name: str, value: Any) -> None:
        if isinstance(value, dict | list) and value:
            self.parts.append(f"<{name}>")
            if isinstance(value, dict):
                for key, item in value.items():
                    if item is None or isinstance(item, dict | list):
                        self.element(key, item)
                    else:  # the common case, written here: a request has a dozen
                        self.parts.append(f"<{key}>{self.text(item)}</{key}>")
            else:
                for item in value:
                    self.element(ITEM_ELEMENTS[name], item)
            self.parts.append(f"</{name}>")
        elif value is None or isinstance(value, dict | list):
            self.parts.append(f"<{name}/>")
        else:
            self.parts.append(f"<{name}>{self.text(value)}</{name}>")

    def text(self, value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if not isinstance(value, str):
            return escape(str(value))
        if value not in self.texts:
            self.texts[value] = escape(_NOT_XML.sub("", value))
        return self.texts[value]
