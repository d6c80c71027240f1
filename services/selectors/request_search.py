"""Finding requests by what a clerk or an official types: a tracking number, the
applicant's mobile number, or a name (the applicant's, or the item's).

Each kind of term is one indexed lookup, so a search stays fast at a million requests:
a whole tracking number and a whole mobile number are exact matches on their indexes,
an applicant's name matches from its start (``request_applicant_name_prefix``), and an
item's name is matched in the catalog (123 rows) first. Substring matches over the
whole table (what the admin's ``search_fields`` does) would read every row.

A search by name or phone reads residents' personal data: the caller records it
(``villages.actions.access_record``, kind "search") with ``search_term_masked``.
"""

import enum
import re

from django.db.models import Q, QuerySet

from huagang.crypto import lookup_hash
from villages.validators import mask_id_number, mask_mobile, nfkc

from ..models import ServiceItem, ServiceRequest

_NUMBER = re.compile(r"HG[0-9]{1,12}")
_ID_NUMBER = re.compile(r"[0-9]{17}[0-9X]")
_SEPARATORS = re.compile(r"[\s\-]+")


class TermKind(enum.StrEnum):
    NUMBER = "number"
    PHONE = "phone"
    ID_NUMBER = "id_number"
    NAME = "name"


def search_term_kind(term: str) -> tuple[TermKind, str]:
    """What `term` is, and its normalized form (full-width → ASCII, no spaces)."""
    text = _SEPARATORS.sub("", nfkc(term))
    if _NUMBER.fullmatch(text.upper()):
        return TermKind.NUMBER, text.upper()
    if _ID_NUMBER.fullmatch(text.upper()):
        return TermKind.ID_NUMBER, text.upper()
    if text.isascii() and text.isdigit():
        return TermKind.PHONE, text
    return TermKind.NAME, nfkc(term)


def search_term_is_personal(term: str) -> bool:
    """Whether `term` may find people by their name or phone (anything but an empty
    term or a tracking number): such a term is kept out of addresses."""
    if not nfkc(term):
        return False
    return search_term_kind(term)[0] != TermKind.NUMBER


def search_term_masked(term: str) -> str:
    """`term` as the record of reads may keep it: 139****1234, 张*, HG2603… in full."""
    kind, text = search_term_kind(term)
    if kind == TermKind.NUMBER:
        return text
    if kind == TermKind.ID_NUMBER:
        return mask_id_number(text)
    if kind == TermKind.PHONE:
        if len(text) == 11:
            return mask_mobile(text)
        return text[:3] + "*" * (len(text) - 3) if len(text) > 6 else "*" * len(text)
    return text[:1] + "*" * max(1, len(text) - 1)


def _prefix_q(field: str, text: str, length: int) -> Q:
    """`field` equal to `text`, or starting with it. Numbers of a fixed length, whose
    tail is digits, also lie between `text` padded with 0s and with 9s: that range
    reads the column's ordinary index, where ``LIKE 'text%'`` reads the whole table
    (the database's collation is not "C")."""
    if len(text) >= length:
        return Q(**{field: text})
    return Q(
        **{
            f"{field}__gte": text.ljust(length, "0"),
            f"{field}__lte": text.ljust(length, "9"),
            f"{field}__startswith": text,
        }
    )


def service_requests_search(
    queryset: QuerySet[ServiceRequest], *, term: str
) -> tuple[QuerySet[ServiceRequest], TermKind | None]:
    """`queryset` narrowed to the requests `term` finds, and what kind of term it was
    (None for an empty term: `queryset` unchanged).

    - HG and digits: that tracking number, or the numbers starting so;
    - a whole ID number (17 digits and a digit or X): the requests giving it, by its
      keyed hash (the number itself is stored encrypted);
    - other digits: that mobile number (11 digits), or the numbers starting so;
    - anything else: applicants whose name starts so, or items whose name holds it.
    """
    if not nfkc(term):
        return queryset, None
    kind, text = search_term_kind(term)
    if kind == TermKind.NUMBER:
        return queryset.filter(_prefix_q("tracking_number", text, 14)), kind
    if kind == TermKind.PHONE:
        return queryset.filter(_prefix_q("applicant_phone", text, 11)), kind
    if kind == TermKind.ID_NUMBER:  # stored encrypted: found by its keyed hash
        return queryset.filter(applicant_id_hash=lookup_hash(text)), kind
    items = list(
        ServiceItem.objects.filter(Q(name__icontains=text) | Q(code=text)).values_list(
            "pk", flat=True
        )
    )
    return queryset.filter(
        Q(applicant_name__startswith=text) | Q(item_id__in=items)
    ), kind
