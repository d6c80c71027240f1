"""Reads for walk-in and phone entry (/staff/new/): finding the item as a clerk types.

A clerk types what comes first: characters of the name (低保), the item code
(HG-JZ-001), pinyin initials (zdsh) or full pinyin (zuidi), or a mix of both
(zuidish). A synonym word is typed the same ways: 低保, dibao or db find what 低保
finds. The pinyin of the 123 names, and of the synonym words with the items each
finds, is computed once per catalog version (kept in the page cache like a fragment,
``services.caching.catalog_cached``), so a keystroke costs the catalog-version read,
at most one query for the synonyms of Chinese words, and a scan of small lists in
memory.
"""

from dataclasses import dataclass

from django.http import HttpRequest

from ..caching import catalog_cached
from ..models import HandlingMode, SearchSynonym, ServiceItem
from . import service_items_requestable, service_items_search

RESULTS_SHOWN = 12


@dataclass(frozen=True)
class PickableItem:
    """One item as the picker lists and matches it (plain values: cacheable)."""

    code: str
    name: str
    body: str
    modes: tuple[str, ...]
    initials: str  # 最低生活保障申请 → zdshbzsq
    syllables: tuple[str, ...]  # ("zui", "di", "sheng", …)

    @property
    def full_pinyin(self) -> str:
        return "".join(self.syllables)

    def mode_labels(self) -> list[str]:
        return [str(HandlingMode(mode).label) for mode in self.modes]


@dataclass(frozen=True)
class PickableSynonym:
    """A synonym word (低保) with its pinyin and the codes of the items it finds."""

    word: str
    syllables: tuple[str, ...]
    codes: tuple[str, ...]  # best first, as ``service_items_search`` orders them


def _syllables_of(name: str) -> tuple[str, ...]:
    """The name's pinyin, one lower-case syllable per character (words of letters or
    digits kept whole; punctuation dropped). pypinyin reads phrases, so 银行 is
    yin hang, not yin xing."""
    from pypinyin import lazy_pinyin  # loads its dictionaries: only when first needed

    syllables = []
    for part in lazy_pinyin(name, errors="default"):
        word = "".join(
            char for char in part.lower() if char.isascii() and char.isalnum()
        )
        if word:
            syllables.append(word)
    return tuple(syllables)


def pickable_items_compute() -> list[PickableItem]:
    """Every published item the town can take in, with its pinyin (one query; about
    100 ms of pypinyin). An item handled only in person at another body's window (the
    police station, a school) has no mode the town's workbench could record."""
    items = service_items_requestable().order_by("code")
    found = []
    for item in items:
        syllables = _syllables_of(item.name)
        found.append(
            PickableItem(
                code=item.code,
                name=item.name,
                body=item.body.name,
                modes=tuple(mode.value for mode in item.modes),
                initials="".join(syllable[0] for syllable in syllables),
                syllables=syllables,
            )
        )
    return found


def pickable_items(request: HttpRequest | None = None) -> list[PickableItem]:
    """The pickable items, computed once per catalog version."""
    return catalog_cached(request, "staff-entry-pinyin", pickable_items_compute)


def pickable_synonyms_compute() -> list[PickableSynonym]:
    """Every synonym word with its pinyin and what a search for it finds (one query
    per word: run once per catalog version)."""
    words = SearchSynonym.objects.order_by("word").values_list("word", flat=True)
    return [
        PickableSynonym(
            word=word,
            syllables=_syllables_of(word),
            codes=tuple(service_items_search(q=word).values_list("code", flat=True)),
        )
        for word in words
    ]


def pickable_synonyms(request: HttpRequest | None = None) -> list[PickableSynonym]:
    """The synonym words typed in pinyin, computed once per catalog version."""
    return catalog_cached(request, "staff-entry-synonyms", pickable_synonyms_compute)


def _spelled_by(query: str, syllables: tuple[str, ...]) -> int | None:
    """Where `query` spells consecutive syllables, each by its first letters (at
    least one): "zdsh", "zuidi", "zuidish" all spell 最低生活…; None if nowhere."""
    for start in range(len(syllables)):
        states = {0}  # positions in the query reached after the syllables so far
        for syllable in syllables[start:]:
            reached = set()
            for position in states:
                rest = query[position:]
                length = 0
                while (
                    length < len(syllable)
                    and length < len(rest)
                    and rest[length] == syllable[length]
                ):
                    length += 1
                    reached.add(position + length)
            if len(query) in reached:
                return start
            states = reached
            if not states:
                break
    return None


def _rank(item: PickableItem, query: str, letters: str) -> int | None:
    """How well `item` matches (lower is better), None when it does not."""
    if query.upper() == item.code.upper():
        return 0
    if query in item.name:
        return 1 if item.name.startswith(query) else 2
    if letters.isascii():
        if letters.upper() in item.code.upper():
            return 3
        start = _spelled_by(letters, item.syllables)
        if start is not None:
            return 1 if start == 0 else 2
    return None


def service_items_for_picker(
    *, q: str, request: HttpRequest | None = None, limit: int = RESULTS_SHOWN
) -> tuple[list[PickableItem], int]:
    """The items matching what a clerk typed, best first, and how many match in all.

    Characters of the name, the item code, pinyin initials or syllables (any mix,
    case and spaces ignored); words in Chinese also find their synonyms' items
    (``service_items_search``: 低保 finds 最低生活保障…), after the direct matches,
    and so do letters spelling a synonym word's pinyin (dibao, db).
    """
    query = q.strip()
    if not query:
        return [], 0
    letters = "".join(query.lower().split())
    items = pickable_items(request)
    ranked = []
    for index, item in enumerate(items):
        rank = _rank(item, query, letters)
        if rank is not None:
            ranked.append((rank, index, item))
    if letters.isascii():
        codes = _codes_of_synonyms_spelled(letters, request)
    else:
        codes = list(service_items_search(q=query).values_list("code", flat=True))
    found = {item.code for _rank, _index, item in ranked}
    by_code = {item.code: item for item in items}
    ranked += [
        (4, index, by_code[code])
        for index, code in enumerate(codes)
        if code in by_code and code not in found
    ]
    ranked.sort(key=lambda entry: entry[:2])
    return [item for _rank, _index, item in ranked[:limit]], len(ranked)


def _codes_of_synonyms_spelled(letters: str, request: HttpRequest | None) -> list[str]:
    """The codes found by the synonym words whose pinyin `letters` spell (as an item's
    name is spelled: initials, syllables or a mix), without repeats, in order."""
    codes: dict[str, None] = {}
    for synonym in pickable_synonyms(request):
        if _spelled_by(letters, synonym.syllables) is not None:
            codes.update(dict.fromkeys(synonym.codes))
    return list(codes)


def service_item_for_entry(*, code: str) -> ServiceItem | None:
    """The requestable item with this code (published, with a handling mode of the
    town's), with what the entry form shows (its body, its materials), or None."""
    return (
        service_items_requestable()
        .filter(code=code)
        .prefetch_related("materials")
        .first()
    )
