"""A clerk enters a resident's request in the workbench (at a window or by phone).

The resident is in front of the clerk (or on the line): a clerk who may accept the
request accepts it in the same step, and for 即时即办 may complete it on the spot.

A grid worker (网格员) enters a household's request the same way, at the household
(channel 网格员代办), for one of their grids: the request records the grid, belongs
to the grid's village and waits there (待受理) for the village clerk to accept it."""

import uuid
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from huagang.exceptions import InvalidInput
from villages.models import Grid, User, Village

from .. import access
from ..models import Channel, HandlingMode, ServiceItem, ServiceRequest, Status
from ..wording import Reader, consent_missing, home_visit_problems
from ..workflow import Step
from .requests import service_request_accept, service_request_complete
from .submission import (
    id_number_required,
    service_request_problems,
    service_request_submit,
)

# A clerk's entry comes from a window or a phone call, never "online"; a grid
# worker's from the household (网格员代办), and only theirs.
ENTRY_CHANNELS = (Channel.WINDOW, Channel.PHONE)
GRID_CHANNELS = (Channel.GRID,)


def entry_channels(user: User | None) -> tuple[Channel, ...]:
    """The channels `user`'s entries may carry."""
    return GRID_CHANNELS if access.is_grid_worker(user) else ENTRY_CHANNELS


def _grid_problems(
    *, entered_by: User, grid: Grid | None, village: Village | str
) -> dict[str, list[str]]:
    """A grid worker enters for one of their grids, in that grid's village; nobody
    else records a grid on entry."""
    if not access.may_enter_for_grid(entered_by, grid):
        if grid is None:
            return {"grid": [_("Choose the grid of the household.")]}
        return {"grid": [_("You can enter requests only for the grids you serve.")]}
    if grid is not None and village:
        same = (
            grid.village_id == village.pk
            if isinstance(village, Village)
            else grid.village.code == village
        )
        if not same:
            return {"grid": [_("This grid is not in the chosen village.")]}
    return {}


def _entry_problems(
    *,
    entered_by: User,
    item: ServiceItem | str,
    mode: str,
    channel: str,
    applicant_id_number: str,
    consent_version: str,
    visit_weekdays: list[int] | None,
    visit_time: str,
    done_on_the_spot: bool,
    result: str,
) -> dict[str, list[str]]:
    """What a clerk's entry must carry besides what every submission does."""
    errors: dict[str, list[str]] = {}
    if channel not in entry_channels(entered_by):
        errors["channel"] = [_("Say whether the resident came to a window or called.")]
    if not consent_version:
        errors["consent"] = [consent_missing(Reader.STAFF)]
    if (
        isinstance(item, ServiceItem)
        and not (applicant_id_number or "").strip()
        and id_number_required(item)
    ):
        errors["applicant_id_number"] = [
            _("This item needs the applicant's ID number (it asks for the ID card).")
        ]
    if mode == HandlingMode.HOME:
        errors.update(
            home_visit_problems(
                reader=Reader.STAFF, weekdays=visit_weekdays, time=visit_time
            )
        )
    if done_on_the_spot:
        if mode != HandlingMode.INSTANT:
            errors["mode"] = [_("Only 即时即办 can be done on the spot.")]
        if not (result or "").strip():
            errors["result"] = [_("Write the result the resident receives.")]
    return errors


def service_request_enter_problems(
    *,
    item: ServiceItem | str,
    village: Village | str,
    mode: str,
    channel: str,
    applicant_name: str,
    applicant_phone: str,
    applicant_id_number: str = "",
    entered_by: User,
    uploads: list[tuple[UploadedFile, int | None]] | None = None,
    consent_version: str = "",
    visit_weekdays: list[int] | None = None,
    visit_time: str = "",
    done_on_the_spot: bool = False,
    result: str = "",
    grid: Grid | None = None,
) -> dict[str, list[str]]:
    """Every problem ``service_request_enter`` would report (field → messages).
    Saves nothing; a form whose own fields do not all parse asks this with what it
    has, so the clerk sees every error at once."""
    errors = service_request_problems(
        item=item,
        village=village,
        mode=mode,
        channel=channel if channel in entry_channels(entered_by) else Channel.WINDOW,
        applicant_name=applicant_name,
        applicant_phone=applicant_phone,
        applicant_id_number=applicant_id_number,
        entered_by=entered_by,
        uploads=uploads,
        consent_version=consent_version,
        visit_weekdays=visit_weekdays,
        visit_time=visit_time,
    )
    extra = _entry_problems(
        entered_by=entered_by,
        item=item,
        mode=mode,
        channel=channel,
        applicant_id_number=applicant_id_number,
        consent_version=consent_version,
        visit_weekdays=visit_weekdays,
        visit_time=visit_time,
        done_on_the_spot=done_on_the_spot,
        result=result,
    )
    if "village" not in errors:
        extra.update(_grid_problems(entered_by=entered_by, grid=grid, village=village))
    for field, messages in extra.items():
        present = errors.setdefault(field, [])
        present.extend(message for message in messages if message not in present)
    return errors


@transaction.atomic
def service_request_enter(
    *,
    entered_by: User,
    done_on_the_spot: bool = False,
    result: str = "",
    submission_key: uuid.UUID | None = None,
    applicant_address: str = "",
    description: str = "",
    grid: Grid | None = None,
    **values: Any,
) -> ServiceRequest:
    """Enter a resident's request for them (``service_request_submit`` with
    `entered_by`), with the resident's consent, which is required here and recorded.

    `values` are ``service_request_enter_problems``' arguments: the item, village,
    mode, channel (a window or the phone), the applicant, the files, the consent and
    the home-visit preference. The ID number is required when the item asks for the
    ID card, and the days and time at home for 上门特办, as online.

    A grid worker enters with channel 网格员代办 and one of their grids (`grid`, in
    the request's village); the request records it. Anyone else enters with no grid.

    When `entered_by` may accept the request (``access.next_steps`` offers
    ACCEPT: the village's clerk, a town clerk serving the item's body), it is
    accepted in the same transaction (events: submitted, accepted), its due date
    counted from now; otherwise (say, a town window entering for a body it does not
    serve) it stays submitted for those who may accept it.

    With `done_on_the_spot` (即时即办 only), the request is completed with `result` in
    the same transaction instead: two events, submitted then completed. If the
    completion is refused (say, a town-center clerk who does not serve the item's
    body), nothing is saved and the refusal is raised (NotPermitted,
    InvalidTransition). Raises InvalidInput listing every problem. The same
    `submission_key` again returns the first request as it is (a double post, done
    on the spot or not).
    """
    checked = {
        "item": values["item"],
        "mode": values["mode"],
        "channel": values["channel"],
        "applicant_id_number": values.get("applicant_id_number", ""),
        "consent_version": values.get("consent_version", ""),
        "visit_weekdays": values.get("visit_weekdays"),
        "visit_time": values.get("visit_time", ""),
    }
    if _entry_problems(
        **checked,
        entered_by=entered_by,
        done_on_the_spot=done_on_the_spot,
        result=result,
    ) or _grid_problems(entered_by=entered_by, grid=grid, village=values["village"]):
        raise InvalidInput(
            service_request_enter_problems(
                **values,
                entered_by=entered_by,
                done_on_the_spot=done_on_the_spot,
                result=result,
                grid=grid,
            )
        )
    created = service_request_submit(
        **values,
        grid=grid,
        entered_by=entered_by,
        submission_key=submission_key,
        applicant_address=applicant_address,
        description=description,
    )
    if created.status != Status.SUBMITTED:  # a double post: the first, as it is
        return created
    if done_on_the_spot:
        return service_request_complete(
            service_request=created, by=entered_by, result=result
        )
    if any(step == Step.ACCEPT for _to, step in access.next_steps(entered_by, created)):
        return service_request_accept(service_request=created, by=entered_by)
    return created
