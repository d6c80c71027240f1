"""Reads for village affairs in public: the staff list, the public archive of a
village, and the villages late for the period due. Scoped by ``services.access``."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from villages.models import User, Village
from villages.models_affairs import (
    Disclosure,
    DisclosureCategory,
    DisclosureFile,
    DisclosureStatus,
    PeriodKind,
    last_ended_quarter,
    quarter_months,
)

from .. import access


def disclosures_for_staff(*, user: User | None) -> QuerySet[Disclosure]:
    """A clerk's own village's disclosures, or every village's for an official; those
    awaiting approval first, then the newest."""
    waiting_first = Case(
        When(status=DisclosureStatus.SUBMITTED, then=Value(0)),
        When(status=DisclosureStatus.RETURNED, then=Value(1)),
        When(status=DisclosureStatus.DRAFT, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return (
        Disclosure.objects.filter(access.staff_disclosures_q(user))
        .select_related("village")
        .order_by(waiting_first, "-updated_at", "-pk")
    )


def disclosure_for_staff(*, user: User | None, pk: int) -> Disclosure | None:
    return (
        Disclosure.objects.filter(access.staff_disclosures_q(user), pk=pk)
        .select_related("village", "created_by", "approved_by")
        .prefetch_related("files", "events__actor")
        .first()
    )


def disclosure_file_get(*, pk: int) -> DisclosureFile | None:
    return DisclosureFile.objects.select_related("disclosure").filter(pk=pk).first()


@dataclass(frozen=True)
class Archive:
    village: Village
    years: list[int]
    year: int | None
    category: str
    disclosures: list[Disclosure]


def disclosure_archive(*, village: Village, year: int | None, category: str) -> Archive:
    """A village's published disclosures of one year (the latest by default), of one
    category or all; two queries (the years, the disclosures with their files)."""
    published = Disclosure.objects.filter(
        village=village, status=DisclosureStatus.APPROVED
    )
    years = sorted(set(published.values_list("year", flat=True)), reverse=True)
    if year is None and years:
        year = years[0]
    found = published.filter(year=year)
    if category:
        found = found.filter(category=category)
    disclosures = list(
        found.prefetch_related("files").order_by(
            "category", "-period_kind", "period", "pk"
        )
        if year is not None
        else []
    )
    return Archive(village, years, year, category, disclosures)


@dataclass(frozen=True)
class LateVillage:
    village: Village
    missing: list[str]  # category labels


@dataclass(frozen=True)
class LateList:
    year: int
    quarter: int
    villages: list[LateVillage]
    on_time: int


def villages_late(*, today: dt.date) -> LateList:
    """The villages with no published disclosure for the quarter due, per category.

    The rule (村民委员会组织法 第三十条: ordinary matters at least once a quarter): the
    quarter due is the latest quarter that has ended; a category is covered by a
    published disclosure of that quarter or of one of its months. Two queries.
    """
    year, quarter = last_ended_quarter(today)
    covered = set(
        Disclosure.objects.filter(status=DisclosureStatus.APPROVED, year=year)
        .filter(
            Q(period_kind=PeriodKind.QUARTER, period=quarter)
            | Q(period_kind=PeriodKind.MONTH, period__in=list(quarter_months(quarter)))
        )
        .values_list("village_id", "category")
        .distinct()
    )
    late, on_time = [], 0
    for village in Village.objects.order_by("order", "code"):
        missing = [
            label
            for value, label in DisclosureCategory.choices
            if (village.pk, value) not in covered
        ]
        if missing:
            late.append(LateVillage(village, missing))
        else:
            on_time += 1
    return LateList(year, quarter, late, on_time)
