"""Reads for the villages app."""

from dataclasses import dataclass

from django.db.models import QuerySet

from .models import Grid, Town, Village, VillageGroup, VillageLiaison


def town_get() -> Town | None:
    return Town.objects.first()


def villages_directory() -> QuerySet[Village]:
    """All villages with their sub-centers and windows, in directory order."""
    return (
        Village.objects.select_related("sub_center")
        .prefetch_related("sub_center__windows")
        .order_by("order", "code")
    )


@dataclass(frozen=True)
class VillageGrids:
    """A village's grids with their groups, and its 分片包联 officials (three
    queries, however many grids)."""

    grids: list[Grid]
    liaisons: list[VillageLiaison]
    ungrouped: list[VillageGroup]

    @property
    def households(self) -> int:
        return sum(grid.households for grid in self.grids) + sum(
            group.households for group in self.ungrouped
        )

    @property
    def group_count(self) -> int:
        return sum(len(grid.groups) for grid in self.grids) + len(self.ungrouped)

    @property
    def is_demo(self) -> bool:
        return any(grid.is_demo for grid in self.grids) or any(
            liaison.is_demo for liaison in self.liaisons
        )


def village_grids_get(*, village: Village) -> VillageGrids:
    """The grids of `village`, each with ``groups`` (its village groups, in order)
    and ``households`` (their sum), its worker's account; the groups no grid covers
    yet; the officials assigned to the village."""
    grids = list(
        Grid.objects.filter(village=village).select_related("worker").order_by("number")
    )
    by_grid: dict[int | None, list[VillageGroup]] = {}
    for group in VillageGroup.objects.filter(village=village).order_by("order", "name"):
        by_grid.setdefault(group.grid_id, []).append(group)
    for grid in grids:
        grid.groups = by_grid.get(grid.pk, [])  # type: ignore[attr-defined]
        grid.households = sum(g.households for g in grid.groups)  # type: ignore[attr-defined]
    liaisons = list(
        VillageLiaison.objects.filter(village=village)
        .select_related("account")
        .order_by("name")
    )
    return VillageGrids(grids, liaisons, by_grid.get(None, []))
