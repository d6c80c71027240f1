"""Reads for the villages app."""

from django.db.models import QuerySet

from .models import Town, Village


def town_get() -> Town | None:
    return Town.objects.first()


def villages_directory() -> QuerySet[Village]:
    """All villages with their sub-centers and windows, in directory order."""
    return (
        Village.objects.select_related("sub_center")
        .prefetch_related("sub_center__windows")
        .order_by("order", "code")
    )
