"""The rules of a life event, in pure Python (no database access): which items the
answers select, which answers exist, and which materials the selected items share.

A question is ``(key, [option values])``; an item's condition (`when`) maps question
keys to the answers under which it applies, all of which must hold (an empty
condition always holds). The loader refuses an event whose questions or items these
rules could never use (``event_problems``).
"""

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

YES, NO = "yes", "no"
YES_NO = (YES, NO)

Questions = Sequence[tuple[str, Sequence[str]]]
Condition = Mapping[str, Sequence[str]]


def applies(when: Condition, answers: Mapping[str, str]) -> bool:
    """Whether an item with condition `when` applies under `answers` (a question not
    answered satisfies no condition on it)."""
    return all(answers.get(key) in allowed for key, allowed in when.items())


def combinations(questions: Questions) -> Iterator[dict[str, str]]:
    """Every combination of answers to `questions` (one answer each)."""
    keys = [key for key, _options in questions]
    for values in itertools.product(*(options for _key, options in questions)):
        yield dict(zip(keys, values, strict=True))


def complete_answers(questions: Questions, given: Mapping[str, Any]) -> dict[str, str]:
    """The valid answers in `given` (a query string's values), only for the questions
    asked; an unknown key or an answer that is not an option is left out."""
    answers = {}
    for key, options in questions:
        value = given.get(key)
        if isinstance(value, str) and value in options:
            answers[key] = value
    return answers


def is_condition(when: Any) -> bool:
    """Whether `when` has a condition's shape: question keys mapped to lists of
    answers (the loader and the admin refuse anything else)."""
    return isinstance(when, dict) and all(
        isinstance(key, str)
        and isinstance(allowed, list)
        and all(isinstance(answer, str) for answer in allowed)
        for key, allowed in when.items()
    )


def options_problem(kind: str, options: Any) -> str | None:
    """What is wrong with a question's `options` for its `kind`, in words, or None:
    a yes/no question's are yes and no; a choice's are at least two
    ``{"value": …, "label": …}`` of distinct values (as the loader builds them)."""
    if kind == "yes_no":
        if option_values(options) != list(YES_NO):
            return _("A yes/no question's options are yes and no (leave them empty).")
        return None
    if not isinstance(options, list) or not all(
        isinstance(option, dict)
        and isinstance(option.get("value"), str)
        and 0 < len(option["value"].strip()) <= 40
        and isinstance(option.get("label"), str)
        and 0 < len(option["label"].strip()) <= 100
        for option in options
    ):
        return _(
            'List the options as [{"value": "…", "label": "…"}, …] (a value up to '
            "40 characters, a label up to 100)."
        )
    values = option_values(options)
    if len(values) < 2:
        return _("a choice needs at least two options")
    if len(set(values)) != len(values):
        return _("Two options have the same value.")
    return None


def option_values(options: Any) -> list[Any]:
    """The values of a question's `options` (as stored: a list of dicts)."""
    if not isinstance(options, list):
        return []
    return [o.get("value") if isinstance(o, dict) else o for o in options]


def event_problems(
    questions: Questions, conditions: Sequence[tuple[str, Condition]]
) -> list[tuple[str, str]]:
    """What makes an event unusable, as (where, problem code): a condition naming an
    unknown question or answer (``unknown-question``, ``unknown-answer``), a question
    no condition uses (``unused-question``), an item no combination of answers
    reaches (``unreachable``). `conditions` pairs each item's label with its `when`."""
    options = {key: set(values) for key, values in questions}
    problems: list[tuple[str, str]] = []
    used: set[str] = set()
    for label, when in conditions:
        for key, allowed in when.items():
            used.add(key)
            if key not in options:
                problems.append((label, "unknown-question"))
            elif not set(allowed) <= options[key]:
                problems.append((label, "unknown-answer"))
    problems += [(key, "unused-question") for key, _o in questions if key not in used]
    if problems:
        return problems
    everything = list(combinations(questions))
    problems += [
        (label, "unreachable")
        for label, when in conditions
        if not any(applies(when, answers) for answers in everything)
    ]
    return problems


# What each problem code of ``event_problems`` means, in words.
PROBLEMS = {
    "unknown-question": gettext_lazy("its condition names an unknown question"),
    "unknown-answer": gettext_lazy("its condition names an answer not offered"),
    "unused-question": gettext_lazy("no item's condition uses this question"),
    "unreachable": gettext_lazy("no combination of answers selects this item"),
}


@dataclass
class MergedMaterial:
    """One material of the event's form: a kind (one upload for every item asking for
    it) or an item's own material of no kind. `needs` pairs each item that asks for
    it with that item's material ids."""

    field: str
    name: str
    required: bool = False
    needs: dict[Any, list[int]] = field(default_factory=dict)


def merge_materials(
    items: Iterable[Any], kinds_of: Mapping[str, Sequence[tuple[str, str]]]
) -> list[MergedMaterial]:
    """The materials of `items` (catalog items with ``materials.all()``) listed once:
    those of a kind under ``kind_<code>``, in the kinds' order, then the others under
    ``material_<id>``. `kinds_of` maps a material's key or name to its kinds, each
    (code, name), in order. A kind is required when any item requires a material of
    it."""
    merged: dict[str, MergedMaterial] = {}
    own: list[MergedMaterial] = []
    for item in items:
        for material in item.materials.all():
            kinds = kinds_of.get(material.key) or kinds_of.get(material.name) or ()
            if not kinds:
                own.append(
                    MergedMaterial(
                        f"material_{material.pk}",
                        material.name,
                        material.required,
                        {item: [material.pk]},
                    )
                )
            for code, name in kinds:
                entry = merged.setdefault(
                    f"kind_{code}", MergedMaterial(f"kind_{code}", name)
                )
                entry.required = entry.required or material.required
                entry.needs.setdefault(item, []).append(material.pk)
    return [*merged.values(), *own]


def option_label(option: Mapping[str, str]) -> str:
    """What an answer is called: a choice's own label, or yes/no in the reader's
    language."""
    names = {YES: _("Yes"), NO: _("No")}
    return option.get("label") or names.get(option["value"], option["value"])


def linkable(item: Any) -> bool:
    """Whether a catalog item can be a linked request of an event: it is applied for
    in some mode, and not only in person at a window (派出所, a school)."""
    return bool(item.modes) and not item.in_person


# The mode a linked request is made in, among the item's own: the village carries it
# (定时代办) where it can, so that one visit to the sub-center serves the whole event;
# then on the spot; a home visit only where nothing else is offered.
MODE_PREFERENCE = ("agency", "instant", "home")


def preferred_mode(modes: Sequence[str]) -> str:
    """The mode a life event's request for an item with `modes` is made in."""
    return next(mode for mode in MODE_PREFERENCE if mode in modes)
