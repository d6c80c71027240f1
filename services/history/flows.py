"""The three handling modes' flows for a generated case (see ``cases.Case``).

Each flow starts from a submitted case and takes the steps the actions take, with
plausible delays: acceptance, an occasional supplement, the trip to the town and back
(定时代办), the home visit (上门特办), completion, and sometimes rejection or withdrawal.
"""

from villages.choices import Role

from ..choices import HandlingMode, Status
from ..models import Delivery, EventKind, HomeVisit, TripCheck
from . import shape
from .cases import DAY, Case

S = Status
VILLAGE_CLERK, TOWN_CLERK, RESIDENT = Role.VILLAGE_CLERK, Role.TOWN_CLERK, Role.RESIDENT


class Flows:
    """Mixin of ``simulate.History``: needs ``rng``, ``days``, ``next_trip`` and the
    staff ids (``clerks`` by village, ``town_clerks``)."""

    def run_flow(self, case: Case, *, t0, village, item, channel) -> None:
        rng, clerk = self.rng, self.clerks[village]
        if channel == "online":
            accept_day = self.days.add(t0 // DAY + 1, 0)
            ta = accept_day * DAY + 9 * 60 + rng.randrange(150)
        else:
            ta = t0 + 3 + rng.randrange(12)
        fate = rng.random()
        if fate < 0.025:  # 不予受理 at once
            t = ta if channel == "online" else t0 + 5
            reason = rng.choice(shape.REJECT_REASONS)
            case.to(t, S.REJECTED, clerk, VILLAGE_CLERK, reason, result_note=reason)
            return
        if fate < 0.033 and channel == "online":  # withdrawn before acceptance
            case.to(
                min(ta - 5, t0 + 30 + rng.randrange(600)), S.WITHDRAWN, None, RESIDENT
            )
            return
        on_the_spot = item.promised_days == 0 and channel != "online"
        if on_the_spot and case.mode == HandlingMode.INSTANT:
            t = t0 + 5 + rng.randrange(35)
            result = rng.choice(shape.RESULTS)
            if case.to(t, S.COMPLETED, clerk, VILLAGE_CLERK, result):
                self._completed(case, t, clerk)
            return
        if not self._accept(case, ta, clerk, item):
            return
        if fate < 0.045:  # withdrawn after acceptance
            case.to(ta + 60 + rng.randrange(180), S.WITHDRAWN, None, RESIDENT)
            return
        late = rng.random() < 0.04
        supplement = case.mode != HandlingMode.INSTANT and rng.random() < 0.05
        if supplement and not self._supplement(case, ta, clerk, item):
            return
        start = case.fields["clock_started_on"]
        {
            HandlingMode.INSTANT: self._instant,
            HandlingMode.AGENCY: self._agency,
            HandlingMode.HOME: self._home,
        }[case.mode](case, start=start, village=village, item=item, late=late)

    def _accept(self, case: Case, ta: int, clerk, item) -> bool:
        day = ta // DAY
        due = self.days.add(self.days.add(day, 0), item.promised_days)
        return case.to(
            ta,
            S.ACCEPTED,
            clerk,
            VILLAGE_CLERK,
            accepted_at=ta,
            clock_started_on=day,
            due_date=due,
            assigned_to=clerk,
        )

    def _supplement(self, case: Case, ta: int, clerk, item) -> bool:
        """待补正 and back: the clock pauses with the working days left, or (one in
        ten) the resident never brings the papers and the case is rejected."""
        rng, days = self.rng, self.days
        ask = ta + 30 + rng.randrange(DAY)
        started = case.fields["clock_started_on"]
        left = max(0, item.promised_days - days.between(started, ask // DAY))
        note = rng.choice(shape.SUPPLEMENT_NOTES)
        if not case.to(
            ask, S.SUPPLEMENT, clerk, VILLAGE_CLERK, note, paused_days_left=left
        ):
            return False
        case.fields["due_date"] = None
        back_day = days.add(ask // DAY, 1 + rng.randrange(5))
        back = back_day * DAY + 8 * 60 + 30 + rng.randrange(480)
        if rng.random() < 0.1:
            reason = shape.REJECT_REASONS[1]
            case.to(back, S.REJECTED, clerk, VILLAGE_CLERK, reason, result_note=reason)
            return False
        return case.to(
            back,
            S.ACCEPTED,
            clerk,
            VILLAGE_CLERK,
            paused_days_left=None,
            clock_started_on=back_day,
            due_date=days.add(days.add(back_day, 0), left),
        )

    def _instant(self, case: Case, *, start, village, item, late) -> None:
        rng, clerk = self.rng, self.clerks[village]
        spent = rng.randint(0, item.promised_days) // rng.choice((1, 2))
        day = self.days.add(
            self.days.add(start, 0), spent + (rng.randint(1, 5) if late else 0)
        )
        t = max(case.last + 5, day * DAY + 9 * 60 + rng.randrange(420))
        if case.to(t, S.COMPLETED, clerk, VILLAGE_CLERK, rng.choice(shape.RESULTS)):
            self._completed(case, t, clerk)

    def _agency(self, case: Case, *, start, village, item, late) -> None:
        rng, days, clerk = self.rng, self.days, self.clerks[village]
        town = rng.choice(self.town_clerks)
        put = case.last + 5 + rng.randrange(60)
        out_day = self.next_trip(village, put // DAY + 1)
        if not case.note(
            put,
            EventKind.TRIP,
            clerk,
            VILLAGE_CLERK,
            f"随 {days.text[out_day]} 代办车次送镇中心（演示）",
        ):
            return
        case.trips.append((village, out_day))
        handed = out_day * DAY + 9 * 60 + 30 + rng.randrange(20)
        if not case.to(
            handed, S.SENT_TO_TOWN, clerk, VILLAGE_CLERK, "已随代办车次送镇中心（演示）"
        ):
            return
        case.checks.append(
            ((village, out_day), TripCheck.Leg.OUT.value, handed + 30, town)
        )
        room = days.between(out_day, case.fields["due_date"]) - 5
        spent = rng.randint(0, max(0, room)) + (rng.randint(2, 8) if late else 0)
        decided_day = days.add(out_day, spent)
        decided = max(handed + 60, decided_day * DAY + 14 * 60 + rng.randrange(120))
        if not case.can(decided):
            return
        result = rng.choice(shape.RESULTS)
        case.decide(decided, town, TOWN_CLERK, result)
        back_day = self.next_trip(village, decided // DAY + 1)
        back = back_day * DAY + 15 * 60 + rng.randrange(30)
        if not case.to(back, S.RETURNED_TO_VILLAGE, town, TOWN_CLERK, result):
            return
        case.trips.append((village, back_day))
        case.checks.append(
            ((village, back_day), TripCheck.Leg.BACK.value, back + 60, clerk)
        )
        wait = rng.choice((0, 0, 0, 1))
        day = days.add(back_day, wait) if wait else back_day
        t = max(back + 90, day * DAY + 9 * 60 + rng.randrange(480))
        how = rng.choices(list(Delivery), cum_weights=(70, 90, 100))[0]
        if case.to(
            t, S.COMPLETED, clerk, VILLAGE_CLERK, result, delivered_how=how.value
        ):
            self._completed(case, t, clerk)

    def _home(self, case: Case, *, start, village, item, late) -> None:
        rng, days, clerk = self.rng, self.days, self.clerks[village]
        booked = case.last + 10 + rng.randrange(110)
        promised = item.promised_days
        offset = rng.randint(0 if promised == 0 else 1, max(1, min(5, promised)))
        if offset == 0 and booked % DAY >= 13 * 60:
            offset = 1  # too late in the day for a visit today
        offset += rng.randint(2, 6) if late else 0
        visit_day = days.add(days.add(start, 0), offset)
        preferred = case.fields["visit_time"]
        afternoon = (
            offset == 0
            or preferred == "afternoon"
            or (preferred == "any" and rng.random() < 0.5)
        )
        hour = 14 * 60 + 30 if afternoon else 9 * 60
        label = "下午" if afternoon else "上午"
        note = f"预约上门：{days.text[visit_day]} {label}（演示）"
        if not case.to(booked, S.VISIT_SCHEDULED, clerk, VILLAGE_CLERK, note):
            return
        reason = rng.choices(list(HomeVisit.Reason), cum_weights=(50, 75, 95, 100))[
            0
        ].value
        if rng.random() < 0.07:  # nobody at home: a second visit
            starts = visit_day * DAY + hour
            if not case.can(starts + 120):
                case.visits.append((starts, clerk, reason, "planned", "", None))
                return
            case.visits.append(
                (starts, clerk, reason, "absent", "上门未遇（演示）", starts + 120)
            )
            case.note(
                starts + 125,
                EventKind.VISIT,
                clerk,
                VILLAGE_CLERK,
                "上门未遇，已改约（演示）",
                True,
            )
            visit_day = days.add(visit_day, rng.randint(1, 3))
        starts = visit_day * DAY + hour
        if not case.can(starts + 125):
            case.visits.append((starts, clerk, reason, "planned", "", None))
            return
        case.visits.append((starts, clerk, reason, "done", "", starts + 120))
        if case.to(
            starts + 125, S.COMPLETED, clerk, VILLAGE_CLERK, rng.choice(shape.RESULTS)
        ):
            self._completed(case, starts + 125, clerk)

    def _completed(self, case: Case, t: int, clerk) -> None:
        case.fields["completed_at"] = t
        case.fields.setdefault("accepted_at", t)
        case.fields.setdefault("assigned_to", clerk)
        if not case.fields.get("result_note"):
            case.fields["result_note"] = case.events[-1][6]
