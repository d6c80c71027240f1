"""What the case page shows, from a case loaded by
``selectors.staff.service_request_for_staff`` (no further queries but the life
event's two: the application it is linked under and the siblings the user may see)."""

from dataclasses import dataclass

from villages.models import User

from ... import access, workflow
from ...forms.staff_cases import NoteForm, VersionForm, step_form
from ...forms.staff_cases import note_form as new_note_form
from ...models import Attachment, DueState, Material, ServiceRequest
from ...selectors.events import life_event_siblings

# The order and look of the step buttons: the steps that cannot be undone last.
STEP_ORDER = [
    workflow.Step.ACCEPT,
    workflow.Step.RESUME,
    workflow.Step.COMPLETE,
    workflow.Step.SUPPLEMENT,
    workflow.Step.REJECT,
    workflow.Step.WITHDRAW,
]
DESTRUCTIVE = frozenset({workflow.Step.REJECT, workflow.Step.WITHDRAW})


@dataclass(frozen=True)
class StepOffer:
    step: workflow.Step
    form: VersionForm
    destructive: bool
    open: bool  # shown unfolded: its form was posted with an error


@dataclass(frozen=True)
class MaterialFiles:
    material: Material | None  # None: files not tied to a listed material
    files: list[Attachment]


def _files_by_material(case: ServiceRequest) -> list[MaterialFiles]:
    files = list(case.attachments.all())
    listed = [
        MaterialFiles(m, [f for f in files if f.material_id == m.pk])
        for m in case.item.materials.all()
    ]
    known = {m.pk for m in case.item.materials.all()}
    other = [f for f in files if f.material_id not in known]
    return listed + ([MaterialFiles(None, other)] if other else [])


def _offers(user: User, case: ServiceRequest, bound: tuple | None) -> list[StepOffer]:
    steps = {
        step for _t, step in access.next_steps(user, case, only=workflow.FORM_STEPS)
    }
    offers = []
    for step in STEP_ORDER:
        if step not in steps:
            continue
        posted = bound is not None and bound[0] == step
        form = bound[1] if posted else step_form(step, case)
        offers.append(StepOffer(step, form, step in DESTRUCTIVE, posted))
    return offers


def case_context(
    user: User,
    case: ServiceRequest,
    *,
    bound: tuple | None = None,
    note_form: NoteForm | None = None,
    revealed: dict[str, str] | None = None,
    error: str = "",
) -> dict:
    may_note = access.may(user, case, workflow.Activity.NOTE)
    life_event, siblings = life_event_siblings(service_request=case, user=user)
    return {
        "life_event": life_event,
        "siblings": siblings,
        "case": case,
        "due_label": DueState(case.due_flag).label if case.due_flag else "",
        "materials": _files_by_material(case),
        "timeline": list(case.events.all()),
        "offers": _offers(user, case, bound),
        # seen, but its steps are taken at a stationed body's own window
        "steps_elsewhere": access.steps_at_its_own_window(user, case),
        "note_form": (note_form or new_note_form(case)) if may_note else None,
        "revealed": revealed or {},
        "error": error,
    }
