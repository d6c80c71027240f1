"""Checking answers against the GeoReport v2 specification: the JSON Schemas in
``schemas/`` (written from the specification's tables and examples) for both formats.

XML is read with xmltodict (as the ``georeport`` client does) and turned into the JSON
the Spark convention maps it to, guided by the same schema: a list's element must hold
only elements of the item's name (the schema's ``xml.name``), ``true``/``false`` and
numbers become JSON's, an empty element is null where the schema allows null. Then
the same schema validates it, so both formats are held to one description.
"""

import json
from functools import cache
from pathlib import Path
from typing import Any

import xmltodict
from jsonschema import Draft202012Validator

SCHEMAS = Path(__file__).parent / "schemas"
CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}


@cache
def schema(name: str) -> dict:
    document = json.loads((SCHEMAS / f"{name}.json").read_text())
    Draft202012Validator.check_schema(document)
    return document


def validate(name: str, data: Any) -> None:
    """Raise jsonschema's ValidationError listing the first problem."""
    Draft202012Validator(schema(name)).validate(data)


def checked(response, name: str, fmt: str) -> Any:
    """The body of `response` (a ``requests`` or Django test response) in format
    `fmt`, after checking its content type and validating it against schema `name`;
    returns the data (XML as the JSON it maps to)."""
    headers = response.headers
    assert headers["Content-Type"] == CONTENT_TYPES[fmt]
    content = response.content
    if fmt == "json":
        data = json.loads(content.decode("utf-8"))
    else:
        assert content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
        data = xml_as_json(content, schema(name))
    validate(name, data)
    return data


def xml_as_json(content: bytes, document_schema: dict) -> Any:
    """The JSON an Open311 XML document maps to (see the module's docstring)."""
    parsed = xmltodict.parse(content)  # raises ExpatError if not well formed
    root = document_schema["xml"]["name"]
    assert list(parsed) == [root], f"root element {list(parsed)}, expected {root}"
    return _convert(parsed[root], document_schema, document_schema)


def _resolve(node: dict, root: dict) -> dict:
    ref = node.get("$ref")
    if ref:
        for part in ref.removeprefix("#/").split("/"):
            root = root[part]
        return root
    return node


def _types(node: dict, root: dict) -> list[str]:
    node = _resolve(node, root)
    if "anyOf" in node:
        return [t for option in node["anyOf"] for t in _types(option, root)]
    kind = node.get("type", "string")
    return kind if isinstance(kind, list) else [kind]


def _convert(value: Any, node: dict, root: dict) -> Any:
    node = _resolve(node, root)
    types = _types(node, root)
    if "array" in types:
        return _array(value, node, root)
    if "object" in types:
        if value is None:
            return {}
        assert isinstance(value, dict), f"expected elements, found {value!r}"
        properties = node.get("properties", {})
        converted = {}
        for key, child in value.items():
            assert not isinstance(child, list), f"<{key}> repeated"
            converted[key] = _convert(child, properties.get(key, {}), root)
        return converted
    return _scalar(value, types)


def _array(value: Any, node: dict, root: dict) -> list:
    if value is None:
        return []
    item = node["items"]
    name = _resolve(item, root)["xml"]["name"]
    assert isinstance(value, dict) and list(value) == [name], (
        f"a list must hold only <{name}> elements, found {value!r}"
    )
    items = value[name]
    items = items if isinstance(items, list) else [items]
    return [_convert(one, item, root) for one in items]


def _scalar(value: Any, types: list[str]) -> Any:
    assert not isinstance(value, dict | list), f"expected text, found {value!r}"
    if value is None:
        return None if "null" in types else ""
    if "boolean" in types and value in ("true", "false"):
        return value == "true"
    if "integer" in types and value.lstrip("-").isdigit():
        return int(value)
    if "number" in types:
        try:
            return float(value)
        except ValueError:
            return value
    return value
