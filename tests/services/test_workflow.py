"""The state machine, exhaustively: every (status, status) pair, every mode, every role.

The specification below is written out independently of services/workflow.py so that a
change to the table there must be made here too, on purpose.
R = resident (applicant), V = village clerk, T = town-center clerk, O = official.
"""

import itertools

import pytest

from huagang.exceptions import InvalidTransition, NotPermitted
from services import workflow
from services.choices import HandlingMode, Status
from villages.choices import Role

ROLE_LETTERS = {
    "R": Role.RESIDENT,
    "V": Role.VILLAGE_CLERK,
    "T": Role.TOWN_CLERK,
    "O": Role.OFFICIAL,
}
ALL_ACTORS = list(Role)

COMMON = {
    "instant": "V T O",
    "agency": "V O",
    "home": "V O",
}
SPEC_TEXT = {
    "instant": """
        submitted -> accepted: {h}
        submitted -> rejected: {h}
        submitted -> withdrawn: R V O
        submitted -> completed: V T O
        accepted -> supplement: {h}
        accepted -> rejected: {h}
        accepted -> withdrawn: R V O
        accepted -> completed: V T O
        supplement -> accepted: {h}
        supplement -> rejected: {h}
        supplement -> withdrawn: R V O
    """,
    "agency": """
        submitted -> accepted: {h}
        submitted -> rejected: {h}
        submitted -> withdrawn: R V O
        accepted -> supplement: {h}
        accepted -> rejected: {h}
        accepted -> withdrawn: R V O
        accepted -> sent_to_town: V O
        supplement -> accepted: {h}
        supplement -> rejected: {h}
        supplement -> withdrawn: R V O
        sent_to_town -> returned_to_village: T O
        sent_to_town -> supplement: T O
        returned_to_village -> completed: V O
    """,
    "home": """
        submitted -> accepted: {h}
        submitted -> rejected: {h}
        submitted -> withdrawn: R V O
        accepted -> supplement: {h}
        accepted -> rejected: {h}
        accepted -> withdrawn: R V O
        accepted -> visit_scheduled: V O
        supplement -> accepted: {h}
        supplement -> rejected: {h}
        supplement -> withdrawn: R V O
        visit_scheduled -> completed: V O
        visit_scheduled -> accepted: V O
        visit_scheduled -> supplement: V O
        visit_scheduled -> withdrawn: R V O
    """,
}


def _parse(mode: str) -> dict[tuple[str, str], set[Role]]:
    spec = {}
    for line in SPEC_TEXT[mode].format(h=COMMON[mode]).strip().splitlines():
        pair, roles = line.split(":")
        source, target = (part.strip() for part in pair.split("->"))
        spec[(source, target)] = {ROLE_LETTERS[r] for r in roles.split()}
    return spec


SPEC = {mode: _parse(mode) for mode in SPEC_TEXT}
CASES = [
    (mode, source, target)
    for mode in HandlingMode.values
    for source, target in itertools.product(Status.values, repeat=2)
]


@pytest.mark.parametrize("mode, source, target", CASES)
def test_every_pair_for_every_role(mode, source, target):
    permitted = SPEC[mode].get((source, target))
    for actor in ALL_ACTORS:
        expected = permitted is not None and actor in permitted
        assert workflow.allowed(mode, source, target, {actor}) is expected, actor
        if expected:
            workflow.check(mode, source, target, {actor})
        elif permitted is None:
            with pytest.raises(InvalidTransition):
                workflow.check(mode, source, target, {actor})
        else:
            with pytest.raises(NotPermitted):
                workflow.check(mode, source, target, {actor})


def test_the_table_has_nothing_the_specification_lacks():
    for mode in HandlingMode.values:
        table = {
            (s.value, t.value): set(found.roles)
            for (s, t), found in workflow.TRANSITIONS[HandlingMode(mode)].items()
        }
        assert table == SPEC[mode]


def test_terminal_statuses_lead_nowhere():
    for mode, status in itertools.product(HandlingMode.values, workflow.TERMINAL):
        assert workflow.next_statuses(mode, status, ROLE_LETTERS.values()) == []


def test_no_actor_set_gives_no_step():
    for mode, status in itertools.product(HandlingMode.values, Status.values):
        assert workflow.next_statuses(mode, status, set()) == []


def test_a_clerk_and_the_applicant_together_have_both_rights():
    steps = workflow.next_statuses(
        "agency", "accepted", {Role.RESIDENT, Role.VILLAGE_CLERK}
    )
    assert steps == [
        Status.SUPPLEMENT,
        Status.SENT_TO_TOWN,
        Status.REJECTED,
        Status.WITHDRAWN,
    ]


def test_rejection_and_supplement_need_a_note():
    assert {
        Status.REJECTED,
        Status.SUPPLEMENT,
        Status.RETURNED_TO_VILLAGE,
    } == workflow.NOTE_REQUIRED


def test_the_clock_pauses_only_while_awaiting_supplement():
    open_statuses = workflow.OPEN - {Status.SUBMITTED}
    assert open_statuses - workflow.CLOCK_RUNNING == {Status.SUPPLEMENT}


WHO = {
    Role.RESIDENT: "applicant",
    Role.VILLAGE_CLERK: "village clerk",
    Role.TOWN_CLERK: "town-center clerk",
    Role.OFFICIAL: "official",
}
MODE_NAMES = {"instant": "即时即办", "agency": "定时代办", "home": "上门特办"}


def steps_table() -> str:
    """README's table of each mode's steps and who takes each, from the workflow."""
    rows = ["| mode | from → to | step | who may take it |", "|---|---|---|---|"]
    for mode in HandlingMode:
        for (source, target), found in workflow.TRANSITIONS[mode].items():
            who = ", ".join(WHO[role] for role in Role if role in found.roles)
            rows.append(
                f"| {MODE_NAMES[mode]} | {source.value} → {target.value} "
                f"| `{found.step.value}` | {who} |"
            )
    return "\n".join(rows)


def test_the_readme_table_of_steps_is_the_workflow():
    from pathlib import Path

    from django.conf import settings

    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    assert steps_table() in readme, "README.md should contain:\n" + steps_table()
