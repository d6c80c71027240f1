"""What a service guide tells a resident in sentences: who accepts and who decides, and
how each handling mode the item allows works for them (and for their village).

These are the domain's rules for the guide page, in one place and translatable; the
data they read is loaded by ``selectors.service_guide_get`` in a fixed number of
queries, and nothing here touches the database.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext, pgettext_lazy

from villages.models import SubCenter, Town, Village

from .choices import HandlingMode, Level
from .models import ServiceItem

# A weekday as it follows "every" (每周二、五): ISO numbers, 1 = Monday.
WEEKDAYS = {
    1: pgettext_lazy("weekday after 'every'", "Monday"),
    2: pgettext_lazy("weekday after 'every'", "Tuesday"),
    3: pgettext_lazy("weekday after 'every'", "Wednesday"),
    4: pgettext_lazy("weekday after 'every'", "Thursday"),
    5: pgettext_lazy("weekday after 'every'", "Friday"),
    6: pgettext_lazy("weekday after 'every'", "Saturday"),
    7: pgettext_lazy("weekday after 'every'", "Sunday"),
}


@dataclass(frozen=True)
class ModeSentence:
    """How one handling mode works for this item, in one sentence."""

    mode: HandlingMode
    text: str
    demo: bool = False  # it quotes a sub-center's demo data (trip days, phone)


@dataclass(frozen=True)
class VillageTripDays:
    """On which days a village's agent carries 定时代办 cases to the town."""

    village: Village
    days: str  # "" when the sub-center has set none
    demo: bool


def in_person_sentence(item: ServiceItem) -> str:
    """How an item handled only in person at a window (派出所, a school) is done, or ""
    for the others."""
    if not item.in_person:
        return ""
    if item.is_instant:
        return _(
            "In person: go to %(place)s yourself and it is done there and then. It "
            "cannot be handed in through your village."
        ) % {"place": item.place}
    return ngettext(
        "In person: go to %(place)s yourself; the application is accepted there and "
        "the item is done within %(days)d working day. It cannot be handed in "
        "through your village.",
        "In person: go to %(place)s yourself; the application is accepted there and "
        "the item is done within %(days)d working days. It cannot be handed in "
        "through your village.",
        item.promised_days,
    ) % {"place": item.place, "days": item.promised_days}


def village_trip_days(village: Village) -> str:
    """ "every Tuesday, Friday" for the village's sub-center, or "" when it has set no
    days (or has no sub-center)."""
    sub_center = _sub_center(village)
    if sub_center is None or not sub_center.trip_weekdays:
        return ""
    return trip_days_text(sub_center.trip_weekdays)


def villages_trip_days(
    item: ServiceItem, villages: Iterable[Village]
) -> list[VillageTripDays]:
    """Every village's 定时代办 days, for a guide whose item allows that mode (none
    for the others)."""
    if not item.allows_agency:
        return []
    found = []
    for village in villages:
        sub_center = _sub_center(village)
        days = sub_center.trip_weekdays if sub_center is not None else []
        found.append(
            VillageTripDays(
                village=village,
                days=trip_days_text(days) if days else "",
                demo=bool(sub_center and sub_center.is_demo),
            )
        )
    return found


def accepts_online_application(item: ServiceItem) -> bool:
    """Whether a resident may apply for `item` on the portal.

    When the item is handled online (是否网办), or when the village sub-center acts
    for the resident: 定时代办 (the village agent collects the papers and carries them
    to the town) or 上门特办 (staff come to the home). An item handled only on the spot
    at a window, and not online, needs the resident there with the originals.
    """
    return item.online or item.allows_agency or item.allows_home


def depends_on_village(item: ServiceItem) -> bool:
    """Whether what the guide says changes with the resident's village (so the page
    offers the village picker)."""
    return (
        item.allows_agency
        or item.allows_home
        or (item.allows_instant and item.accept_level == Level.VILLAGE)
    )


def trip_days_text(weekdays: Iterable[int]) -> str:
    """ "every Tuesday, Friday" (每周二、五) for ISO weekdays [2, 5]."""
    names = [str(WEEKDAYS[day]) for day in sorted(set(weekdays)) if day in WEEKDAYS]
    return _("every %(days)s") % {
        "days": pgettext("separator between weekdays", ", ").join(names)
    }


def who_handles(item: ServiceItem, town: Town | None) -> str:
    """The implementing body with the town's name and, where another level decides,
    that level: "花岗镇社会管理局受理，肥西县民政局审批"."""
    # A county agency stationed in the town (花岗派出所) is named as it is; the town's
    # own bodies with the town's name (花岗镇社会管理局).
    stationed = item.body.kind == item.body.Kind.STATIONED
    body = f"{'' if stationed or not town else town.name}{item.body.name}"
    decider = item.decided_by or (
        _("the competent department of %(county)s") % {"county": town.county}
        if town
        else _("the competent county department")
    )
    if item.accept_level == Level.COUNTY:
        return _(
            "This item is accepted at the county and %(decider)s decides; "
            "%(body)s answers your questions."
        ) % {"decider": decider, "body": body}
    if item.accept_level == Level.VILLAGE and item.decide_level != Level.VILLAGE:
        # Handed in at the resident's own sub-center (受理层级 村), then carried up.
        if item.decide_level == Level.COUNTY:
            return _(
                "Your village or community's service sub-center takes the "
                "application in; %(body)s accepts the application and %(decider)s "
                "decides."
            ) % {"body": body, "decider": decider}
        return _(
            "Your village or community's service sub-center takes the application "
            "in; %(body)s accepts the application and decides."
        ) % {"body": body}
    if item.decide_level == Level.COUNTY:
        return _("%(body)s accepts the application and %(decider)s decides.") % {
            "body": body,
            "decider": decider,
        }
    if item.decide_level == Level.VILLAGE:
        return _(
            "Your village or community decides on the spot; %(body)s is responsible."
        ) % {"body": body}
    return _("%(body)s accepts the application and decides.") % {"body": body}


def mode_sentences(item: ServiceItem, *, village: Village | None) -> list[ModeSentence]:
    """One sentence for each mode `item` allows, for a resident of `village` (None
    while they have not picked one)."""
    sub_center = _sub_center(village)
    sentences = []
    if item.allows_instant:
        sentences.append(_instant(item, sub_center))
    if item.allows_agency:
        sentences.append(_agency(village, sub_center))
    if item.allows_home:
        sentences.append(_home(sub_center))
    return sentences


def _sub_center(village: Village | None) -> SubCenter | None:
    try:
        return village.sub_center if village is not None else None
    except SubCenter.DoesNotExist:
        return None


def _instant(item: ServiceItem, sub_center: SubCenter | None) -> ModeSentence:
    if item.is_instant:
        text = _(
            "On the spot: bring the materials to %(place)s and it is done "
            "there and then."
        ) % {"place": item.place}
    else:
        text = ngettext(
            "On the spot: bring the materials to %(place)s; the window accepts them "
            "at once and the item is done within %(days)d working day.",
            "On the spot: bring the materials to %(place)s; the window accepts them "
            "at once and the item is done within %(days)d working days.",
            item.promised_days,
        ) % {"place": item.place, "days": item.promised_days}
    if sub_center is not None and item.accept_level == Level.VILLAGE:
        text += " " + _("You can also start it at %(sub_center)s (%(address)s).") % {
            "sub_center": sub_center.name,
            "address": sub_center.address,
        }
        return ModeSentence(
            HandlingMode.INSTANT,
            text,
            demo=sub_center.is_demo or item.contact_is_demo,
        )
    return ModeSentence(HandlingMode.INSTANT, text, demo=item.contact_is_demo)


def _agency(village: Village | None, sub_center: SubCenter | None) -> ModeSentence:
    mode = HandlingMode.AGENCY
    if village is None:
        return ModeSentence(
            mode,
            _(
                "Scheduled agency: hand your materials in at your village or "
                "community sub-center; the village agent takes them to the town on "
                "fixed days and brings the result back. Pick your village below to "
                "see its days."
            ),
        )
    if sub_center is None:
        return ModeSentence(
            mode,
            _(
                "Scheduled agency: %(village)s has no sub-center on record yet; ask "
                "the town service center."
            )
            % {"village": village.name},
        )
    if not sub_center.trip_weekdays:
        return ModeSentence(
            mode,
            _(
                "Scheduled agency: %(sub_center)s has not set its days for taking "
                "cases to the town yet; call %(phone)s to ask."
            )
            % {"sub_center": sub_center.name, "phone": sub_center.phone},
            demo=sub_center.is_demo,
        )
    return ModeSentence(
        mode,
        _(
            "Scheduled agency: hand your materials in at %(sub_center)s; the village "
            "agent takes them to the town %(days)s and brings the result back to you."
        )
        % {
            "sub_center": sub_center.name,
            "days": trip_days_text(sub_center.trip_weekdays),
        },
        demo=sub_center.is_demo,
    )


def _home(sub_center: SubCenter | None) -> ModeSentence:
    if sub_center is None:
        contact, demo = _("your village or community sub-center"), False
    else:
        contact = _("%(sub_center)s (phone %(phone)s)") % {
            "sub_center": sub_center.name,
            "phone": sub_center.phone,
        }
        demo = sub_center.is_demo
    return ModeSentence(
        HandlingMode.HOME,
        _(
            "Home visit: residents who cannot come in themselves because of old age, "
            "a disability or a serious illness ask %(contact)s to book a visit, and "
            "staff handle the item at their home."
        )
        % {"contact": contact},
        demo=demo,
    )
