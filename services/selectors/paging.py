"""A page of a list without counting the whole list: one row more than the page is
read to know whether there is a next one (a COUNT of a long list costs more than
the page itself). The same attributes as Django's ``Page`` that a template uses,
except the number of pages."""

from dataclasses import dataclass

from django.db.models import QuerySet

MAX_PAGE = 10_000


def page_number(raw: str | None) -> int:
    """The page asked for in the address: 1 for anything but a positive number."""
    raw = raw or "1"
    return min(int(raw), MAX_PAGE) if raw.isdigit() and int(raw) > 0 else 1


@dataclass(frozen=True)
class CountlessPage:
    object_list: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def countless_page(rows: QuerySet, raw_number: str | None, size: int) -> CountlessPage:
    """Page `raw_number` (as typed in the address) of the ordered `rows`."""
    number = page_number(raw_number)
    start = (number - 1) * size
    found = list(rows[start : start + size + 1])
    return CountlessPage(found[:size], number, has_next=len(found) > size)
