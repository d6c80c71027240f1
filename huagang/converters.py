"""URL converters for the codes in addresses: anything else is a 404 before any query
(PostgreSQL, for one, refuses a NUL character in a query with an error).

Importing this module registers them as ``item_code``, ``division_code`` and
``tracking_number``."""

from django.urls import register_converter


class ItemCodeConverter:
    regex = r"[A-Za-z0-9][A-Za-z0-9-]{0,19}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class DivisionCodeConverter(ItemCodeConverter):
    regex = r"[0-9]{12}"


register_converter(ItemCodeConverter, "item_code")
register_converter(DivisionCodeConverter, "division_code")


class TrackingNumberConverter(ItemCodeConverter):
    """HG, the date (yymmdd) and six digits (services.actions.tracking_number_new)."""

    regex = r"HG[0-9]{12}"


register_converter(TrackingNumberConverter, "tracking_number")


class LifeEventNumberConverter(ItemCodeConverter):
    """HGE, the date (yymmdd) and six digits (services.actions.events)."""

    regex = r"HGE[0-9]{12}"


register_converter(LifeEventNumberConverter, "life_event_number")
