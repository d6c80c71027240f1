"""Reads for the pages on the town's structure: its ten bodies ("一中心、两办、七局")
with the items each handles, and the register of powers delegated by the county."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from ..models import Body, CountyDepartment, DelegatedPower, ServiceItem


def _published_items() -> QuerySet[ServiceItem]:
    return (
        ServiceItem.objects.filter(is_active=True)
        .only("code", "name", "body_id")
        .order_by("code")
    )


def bodies_with_items() -> QuerySet[Body]:
    """The bodies in order, each with `published_items` (two queries)."""
    return Body.objects.prefetch_related(
        Prefetch("items", queryset=_published_items(), to_attr="published_items")
    ).order_by("order", "code")


@dataclass(frozen=True)
class Register:
    """The delegated powers by department, with what the register holds: how many
    rows in all and how many of them are real (not demo data)."""

    departments: list[CountyDepartment]
    powers: int
    real_powers: int
    real_departments: int

    @property
    def demo_powers(self) -> int:
        return self.powers - self.real_powers


def delegated_powers_register() -> Register:
    """Departments in order with `listed_powers`, each with its published items
    (three queries whatever the register holds)."""
    powers = DelegatedPower.objects.prefetch_related(
        Prefetch("items", queryset=_published_items(), to_attr="published_items")
    ).order_by("code")
    departments = list(
        CountyDepartment.objects.prefetch_related(
            Prefetch("powers", queryset=powers, to_attr="listed_powers")
        ).order_by("order", "code")
    )
    listed = [power for d in departments for power in d.listed_powers]
    return Register(
        departments=departments,
        powers=len(listed),
        real_powers=sum(not power.is_demo for power in listed),
        real_departments=sum(not d.is_demo for d in departments),
    )
