"""The one access rule: its object form and its queryset form agree for every kind of
user and request, the steps a screen offers are the steps permitted, and no other module
repeats the rule."""

import itertools
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from huagang.exceptions import DomainError, NotPermitted
from services import access, actions, workflow
from services.admin.forms import RequestStepForm, TripStepForm, VisitOutcomeForm
from services.models import Body, HomeVisit, ServiceRequest, Status
from tests.factories import BodyFactory, ServiceItemFactory, UserFactory
from villages.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(village, other_village):
    """Two villages × three bodies (the third a stationed one, like 花岗派出所) × three
    kinds of applicant, each request in a grid of its village or in none, and one
    user of every kind (with the roles each should hold towards a request, written
    out by hand)."""
    from villages.models import Grid

    bodies = [BodyFactory(), BodyFactory(), BodyFactory(kind=Body.Kind.STATIONED)]
    grids = {
        "g1": Grid.objects.create(village=village, number=91, name="测试一网格"),
        "g2": Grid.objects.create(village=village, number=92, name="测试二网格"),
        "g3": Grid.objects.create(village=other_village, number=93, name="测试三网格"),
    }
    items = [ServiceItemFactory(body=body, allows_instant=True) for body in bodies]
    people = {
        "resident": UserFactory(role=Role.RESIDENT),
        "other resident": UserFactory(role=Role.RESIDENT),
        "clerk of v1": UserFactory(role=Role.VILLAGE_CLERK, village=village),
        "clerk of v2": UserFactory(role=Role.VILLAGE_CLERK, village=other_village),
        "clerk of b1": UserFactory(role=Role.TOWN_CLERK),
        "clerk of b1+b2": UserFactory(role=Role.TOWN_CLERK),
        "clerk of no body": UserFactory(role=Role.TOWN_CLERK),
        "clerk of the station": UserFactory(role=Role.TOWN_CLERK),
        "official": UserFactory(role=Role.OFFICIAL),
        "inactive official": UserFactory(role=Role.OFFICIAL, is_active=False),
        # a clerk entered requests for these numbers; only a verified number counts
        "verified holder of the number": UserFactory(
            role=Role.RESIDENT, phone=PHONES[0], phone_verified_at=timezone.now()
        ),
        "unverified holder of the number": UserFactory(
            role=Role.RESIDENT, phone=PHONES[1]
        ),
        "grid worker of g1": UserFactory(role=Role.GRID_WORKER),
        "grid worker of g2+g3": UserFactory(role=Role.GRID_WORKER),
        "grid worker of no grid": UserFactory(role=Role.GRID_WORKER),
    }
    # a grid has one worker; one grid worker may serve grids of two villages
    grids["g1"].worker = people["grid worker of g1"]
    grids["g1"].save()
    grids["g3"].worker = people["grid worker of g2+g3"]
    grids["g3"].save()
    grids["g2"].worker = people["grid worker of g2+g3"]
    grids["g2"].save()
    bodies[0].clerks.add(people["clerk of b1"], people["clerk of b1+b2"])
    bodies[1].clerks.add(people["clerk of b1+b2"])
    bodies[2].clerks.add(people["clerk of the station"])
    applicants = [people["resident"], people["clerk of v2"], None]
    requests = [
        ServiceRequest.objects.create(
            tracking_number=f"HG260310{n:06d}",
            item=item,
            village=place,
            mode="instant",
            channel="window",
            applicant_name="张三",
            applicant_phone=phone,
            account=account,
            grid=(
                [None, grids["g1"], grids["g2"]][n % 3]
                if place == village
                else [None, grids["g3"]][n % 2]
            ),
        )
        for n, (place, item, account, phone) in enumerate(
            itertools.product([village, other_village], items, applicants, PHONES)
        )
    ]
    return people, requests, bodies


PHONES = ["13711110000", "13711110001"]


def expected_roles(name: str, request, people, bodies, village) -> set[Role]:
    """The rule in words: applicant by account or by verified number; village clerk of
    the request's village; town clerk of the item's body; grid worker of the request's
    grid; an official always; inactive people nothing."""
    user = people[name]
    roles = set()
    if request.account_id == user.pk and user.is_active:
        roles.add(Role.RESIDENT)
    if name == "verified holder of the number" and request.applicant_phone == PHONES[0]:
        roles.add(Role.RESIDENT)
    in_v1 = request.village_id == village.pk
    body_1 = request.item.body_id == bodies[0].pk
    if (name == "clerk of v1" and in_v1) or (name == "clerk of v2" and not in_v1):
        roles.add(Role.VILLAGE_CLERK)
    station = request.item.body_id == bodies[2].pk
    if (name == "clerk of b1" and body_1) or (name == "clerk of b1+b2" and not station):
        roles.add(Role.TOWN_CLERK)
    if name == "clerk of the station" and station:
        roles.add(Role.TOWN_CLERK)
    if name == "official":
        roles.add(Role.OFFICIAL)
    grid = request.grid.name if request.grid else None
    served = {
        "grid worker of g1": {"测试一网格"},
        "grid worker of g2+g3": {"测试二网格", "测试三网格"},
    }
    if grid in served.get(name, set()):
        roles.add(Role.GRID_WORKER)
    return roles


def expected_step_roles(roles: set[Role], request, bodies) -> set[Role]:
    """The roles that take status steps, in words: all of them, but the village
    clerk's on a stationed body's 即时即办 case (done at that body's own window)."""
    if request.item.body_id == bodies[2].pk and request.mode == "instant":
        return roles - {Role.VILLAGE_CLERK}
    return roles


def test_object_and_queryset_answers_agree_for_every_user_and_request(world, village):
    """Seeing (each role lets one see the request) agrees in object and filter form;
    the steps offered are those of the roles that take status steps."""
    people, requests, bodies = world
    users = [*people.items(), ("anonymous", AnonymousUser()), ("nobody", None)]
    pairs = 0
    for name, user in users:
        scope = set(
            access.service_requests_scope(user=user).values_list("pk", flat=True)
        )
        queued = set(ServiceRequest.objects.filter(access.queue_q(user)))
        for request in requests:
            roles = access.roles_towards(user, request)
            assert bool(roles) is (request.pk in scope), (name, request.pk, roles)
            assert access.can_view_request(user, request) is bool(roles)
            assert access.in_queue(user, request) is (request in queued)
            if name in people:
                assert roles == expected_roles(name, request, people, bodies, village)
            else:
                assert roles == frozenset()
            acting = expected_step_roles(set(roles), request, bodies)
            assert access.step_roles(request, roles) == acting
            assert access.next_steps(user, request) == workflow.next_steps(
                request.mode, request.status, acting
            )
            assert access.steps_at_its_own_window(user, request) is (acting != roles)
            pairs += 1
    assert pairs == 17 * 36
    mine = set(
        access.requests_as_applicant(user=people["verified holder of the number"])
    )
    assert mine == {r for r in requests if r.applicant_phone == PHONES[0]}
    assert not access.requests_as_applicant(
        user=people["unverified holder of the number"]
    )
    # every role occurs somewhere, and so does "no role at all"
    seen = {r for _n, u in users for q in requests for r in access.roles_towards(u, q)}
    assert seen == set(Role)


def test_the_entry_form_offers_the_villages_the_clerk_may_enter_for(
    village, other_village, village_clerk, town_clerk
):
    from services.admin.forms import RequestEntryForm
    from villages.models import Village

    def offered(user):
        form = type("F", (RequestEntryForm,), {"user": user})()
        field = form.fields["village"]
        return list(field.queryset), field.initial

    assert offered(village_clerk) == ([village], village.pk)
    everywhere, preset = offered(town_clerk)
    assert len(everywhere) == Village.objects.count() == 30 and preset is None
    for candidate in Village.objects.all():
        assert access.may_enter_request(village_clerk, candidate) is (
            candidate == village
        )
        assert access.may_enter_request(town_clerk, candidate)


def test_a_grid_workers_queue_entry_and_statistics_follow_their_grids(
    world, village, other_village
):
    """The grid worker's scope in every form the access module gives it: the queue
    (object and filter agree), the villages and grids they enter for, and no
    dashboard (their grids' figures are the officials')."""
    from villages.models import Grid

    people, requests, _bodies = world
    worker = people["grid worker of g2+g3"]
    queued = set(ServiceRequest.objects.filter(access.queue_q(worker)))
    for request in requests:
        assert access.in_queue(worker, request) is (request in queued)
        assert (request in queued) is (
            request.grid is not None and request.grid.worker_id == worker.pk
        )
    assert queued  # not vacuous
    assert set(access.villages_for_entry(worker)) == {village, other_village}
    assert set(access.grids_for_entry(worker)) == set(
        Grid.objects.filter(worker=worker)
    )
    nobody = people["grid worker of no grid"]
    assert not access.villages_for_entry(nobody).exists()
    assert not access.may_enter_request(nobody, village)
    assert not ServiceRequest.objects.filter(access.queue_q(nobody)).exists()
    for grid in Grid.objects.all():
        assert access.may_enter_for_grid(worker, grid) is (grid.worker_id == worker.pk)
        assert not access.may_enter_for_grid(people["clerk of v1"], grid)
    assert access.may_enter_for_grid(people["clerk of v1"], None)
    assert not access.may_enter_for_grid(worker, None)
    assert not access.may_see_statistics(worker)
    assert access.statistics_limits(worker) == (frozenset(), frozenset())
    assert not access.serves_village(worker, village.pk)
    assert not access.serves_town(worker)


def test_a_grid_worker_takes_no_status_step_but_may_add_a_note(world):
    """A grid worker follows their grid's requests: no step of the workflow (those
    are the clerks'), a note and a material yes."""
    people, requests, _bodies = world
    worker = people["grid worker of g2+g3"]
    mine = [r for r in requests if Role.GRID_WORKER in access.roles_towards(worker, r)]
    assert mine
    for request in mine:
        assert access.next_steps(worker, request) == []
        assert access.may(worker, request, workflow.Activity.NOTE)
        assert access.may(worker, request, workflow.Activity.ATTACH)
        assert not access.may(worker, request, workflow.Activity.DECIDE)


@pytest.fixture
def station_clerk(db):
    """The window of 花岗派出所 (demo 13800000006): a town clerk serving that body."""
    clerk = UserFactory(role=Role.TOWN_CLERK, name="派出所户籍窗口")
    Body.objects.get(code="police-station").clerks.add(clerk)
    return clerk


def test_a_stationed_bodys_instant_case_is_stepped_only_at_its_own_window(
    submit, village_clerk, station_clerk, town_clerk, official
):
    """死亡注销 (花岗派出所's, from 身后一件事): its village's clerk sees it, has it on
    their queue, adds notes and materials, and takes no step: none offered, each
    refused by the action, saying where it is done. The station's window and an
    official take them."""
    from services.models import ServiceItem

    death = ServiceItem.objects.get(code="HG-HJ-002")
    case = submit("instant", item=death)
    assert access.done_at_its_own_window(case)
    assert access.can_view_request(village_clerk, case)
    assert access.in_queue(village_clerk, case) and access.in_queue(station_clerk, case)
    assert not access.can_view_request(town_clerk, case)  # serves other bodies
    assert access.next_steps(village_clerk, case) == []
    assert access.steps_at_its_own_window(village_clerk, case)
    assert not access.steps_at_its_own_window(station_clerk, case)
    assert access.may(village_clerk, case, workflow.Activity.NOTE)
    assert access.may(village_clerk, case, workflow.Activity.ATTACH)
    with pytest.raises(NotPermitted, match="花岗派出所"):
        access.step_target(village_clerk, case, workflow.Step.ACCEPT)
    for target in (
        Status.ACCEPTED,
        Status.COMPLETED,
        Status.REJECTED,
        Status.WITHDRAWN,
    ):
        with pytest.raises(NotPermitted, match="花岗派出所"):
            actions.service_request_transition(
                service_request=case, to=target, by=village_clerk, note="原因"
            )
    assert ServiceRequest.objects.get(pk=case.pk).status == Status.SUBMITTED
    actions.service_request_add_note(
        service_request=case, by=village_clerk, note="家属已到村里询问"
    )

    offered = {step for _target, step in access.next_steps(station_clerk, case)}
    assert offered == {
        workflow.Step.ACCEPT,
        workflow.Step.COMPLETE,
        workflow.Step.REJECT,
    }
    case = actions.service_request_accept(service_request=case, by=station_clerk)
    assert access.next_steps(village_clerk, case) == []
    case = actions.service_request_complete(
        service_request=case, by=official, result="户口已注销"
    )
    assert case.status == Status.COMPLETED


def test_a_stationed_bodys_item_in_another_mode_keeps_the_village_clerks_steps(
    submit, village_clerk
):
    """The rule is 即时即办's: an ID card applied for by a home visit (上门特办) is
    the village's own service, accepted and visited by its clerk as before."""
    from services.models import ServiceItem

    id_card = ServiceItem.objects.get(code="HG-HJ-005")
    case = submit("home", item=id_card)
    assert not access.done_at_its_own_window(case)
    assert workflow.Step.ACCEPT in {
        step for _target, step in access.next_steps(village_clerk, case)
    }


def test_visits_and_trips_are_scoped_by_the_same_rule(full_case, village_clerk):
    stranger = UserFactory(role=Role.VILLAGE_CLERK, village=full_case["case"].village)
    other = UserFactory(role=Role.TOWN_CLERK)  # serves no body
    assert list(access.home_visits_scope(user=village_clerk)) == [full_case["visit"]]
    assert list(access.home_visits_scope(user=other)) == []
    assert list(access.agency_trips_scope(user=stranger)) == [full_case["trip"]]
    assert list(access.agency_trips_scope(user=other)) == []
    assert list(access.agency_trips_scope(user=full_case["case"].account)) == []


def _form_steps(user, request) -> list[str]:
    form_class = type("F", (RequestStepForm,), {"user": user})
    return [v for v, _label in form_class(instance=request).fields["step"].choices if v]


STATES = [
    ("instant", []),
    ("instant", ["accept"]),
    ("agency", ["accept"]),
    ("agency", ["accept", "supplement"]),
    ("agency", ["accept", "trip"]),
    ("agency", ["accept", "trip", "return"]),
    ("home", ["accept", "visit"]),
]


@pytest.mark.parametrize("mode, path", STATES, ids=lambda v: str(v))
def test_every_step_a_form_offers_is_permitted(
    mode,
    path,
    submit,
    village,
    village_clerk,
    other_village_clerk,
    town_clerk,
    official,
):
    """For each user and status: each offered step, taken, is not refused as a
    permission; and no step the workflow permits through a form is left out."""
    people = [village_clerk, other_village_clerk, town_clerk, official]
    for user in people:
        request = _walk(submit(mode), path, village, village_clerk, town_clerk)
        permitted = [
            target.value
            for target, step in workflow.next_steps(
                request.mode, request.status, access.roles_towards(user, request)
            )
            if step in workflow.FORM_STEPS
        ]
        offered = _form_steps(user, request)
        assert offered == permitted
        for target in offered:
            fresh = ServiceRequest.objects.get(pk=request.pk)
            try:
                actions.service_request_transition(
                    service_request=fresh, to=target, by=user, note="原因"
                )
            except NotPermitted:  # pragma: no cover - the assertion below fails
                pytest.fail(f"{user.role} offered {target} but refused")
            except DomainError:
                pass  # another rule (e.g. the calendar) may refuse; not permission
            request = _walk(submit(mode), path, village, village_clerk, town_clerk)


def _on_the_day_of(trip):
    """A trip is handed over and returned from its day on; once today's trip has left,
    the next case goes on a later one."""
    import contextlib
    import datetime as dt

    import time_machine
    from django.utils import timezone

    if trip.trip_date <= timezone.localdate():
        return contextlib.nullcontext()
    nine = dt.time(9, tzinfo=timezone.get_current_timezone())
    return time_machine.travel(dt.datetime.combine(trip.trip_date, nine))


def _walk(request, path, village, clerk, town_clerk):
    for step in path:
        request.refresh_from_db()
        if step == "accept":
            actions.service_request_accept(service_request=request, by=clerk)
        elif step == "supplement":
            actions.service_request_ask_supplement(
                service_request=request, by=clerk, what="户口簿"
            )
        elif step == "trip":
            trip = actions.agency_trip_plan(village=village, by=clerk)
            actions.agency_trip_add(trip=trip, service_requests=[request], by=clerk)
            with _on_the_day_of(trip):
                actions.agency_trip_hand_over(
                    trip=trip, by=clerk, received_by=town_clerk, documents=1
                )
        elif step == "return":
            trip = request.agency_trips.get()
            with _on_the_day_of(trip):
                actions.agency_trip_return(
                    trip=trip,
                    by=town_clerk,
                    received_by=clerk,
                    documents=1,
                    results={request.pk: "好"},
                )
        elif step == "visit":
            import datetime as dt

            from django.utils import timezone

            start = timezone.now() + dt.timedelta(hours=1)
            actions.home_visit_schedule(
                service_request=request,
                by=clerk,
                staff=clerk,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=1),
                reason="age",
            )
    request.refresh_from_db()
    return request


def test_the_village_clerk_is_not_offered_the_return_the_town_clerk_is(
    submit, village, village_clerk, town_clerk, official
):
    case = _walk(
        submit("agency"), ["accept", "trip"], village, village_clerk, town_clerk
    )
    trip = case.agency_trips.get()

    def offered(user):
        form = type("F", (TripStepForm,), {"user": user})(instance=trip)
        return [v for v, _label in form.fields["step"].choices if v]

    assert offered(village_clerk) == []
    assert offered(town_clerk) == [workflow.Step.RETURN]
    assert offered(official) == [workflow.Step.RETURN]
    assert offered(UserFactory(role=Role.TOWN_CLERK)) == []  # serves no body


def test_visit_outcomes_are_offered_only_to_the_villages_staff(
    full_case, village_clerk, other_village_clerk, town_clerk
):
    visit = full_case["visit"]

    def offered(user):
        form = type("F", (VisitOutcomeForm,), {"user": user})(instance=visit)
        return [v for v, _label in form.fields["outcome_choice"].choices if v]

    assert offered(village_clerk) == ["done", "absent", "impossible"]
    assert offered(other_village_clerk) == []
    assert offered(town_clerk) == []
    HomeVisit.objects.filter(pk=visit.pk).update(outcome="done")
    visit.refresh_from_db()
    assert offered(village_clerk) == []


def test_every_form_step_has_its_action_and_every_transition_a_step():
    from services.actions.requests import _FORM_ACTIONS

    assert set(_FORM_ACTIONS) == workflow.FORM_STEPS
    for table in workflow.TRANSITIONS.values():
        for (source, target), found in table.items():
            assert found.step in workflow.Step, (source, target)


def test_an_action_refuses_a_change_that_belongs_to_another_step(
    submit, village, village_clerk, town_clerk
):
    """Completing a home-visit case is its visit's outcome, not a bare 办结."""
    case = _walk(
        submit("home"), ["accept", "visit"], village, village_clerk, town_clerk
    )
    with pytest.raises(DomainError, match=r"上门|visit"):
        actions.service_request_complete(service_request=case, by=village_clerk)
    assert ServiceRequest.objects.get(pk=case.pk).status == Status.VISIT_SCHEDULED


# --- nobody else repeats the rule ------------------------------------------------------

APP_DIRS = ["services", "villages", "huagang"]
# A role compared or assigned as a string; not a translated label (``_("system")``,
# the API key's verbose name).
ROLE_LITERAL = re.compile(
    r"""(?<!_\()(["'])(resident|village_clerk|town_clerk|official|grid_worker|system)\1"""
)
ALLOWED = {Path("villages/choices.py"), Path("services/access.py")}


def _sources():
    base = Path(settings.BASE_DIR)
    for app in APP_DIRS:
        for path in (base / app).rglob("*.py"):
            relative = path.relative_to(base)
            if "migrations" not in relative.parts and relative not in ALLOWED:
                yield relative, path.read_text(encoding="utf-8")


def test_no_role_string_literal_outside_the_access_module():
    found = [
        f"{path}:{n}"
        for path, text in _sources()
        for n, line in enumerate(text.splitlines(), 1)
        if ROLE_LITERAL.search(line)
    ]
    assert found == []


def test_no_applicant_flag_outside_the_access_module():
    found = [
        str(path) for path, text in _sources() if re.search(r"\bas_applicant\b", text)
    ]
    assert found == []


def test_list_actions_and_add_pages_only_for_roles_that_can_use_them(
    client, town_clerk, village_clerk
):
    from django.urls import reverse

    changelist = reverse("admin:services_servicerequest_changelist")
    client.force_login(town_clerk)
    actions = client.get(changelist).context["action_form"].fields["action"].choices
    names = [name for name, _label in actions]
    assert "put_on_next_trip" not in names and "accept_selected" in names
    forbidden = client.get(reverse("admin:services_homevisit_add"))
    assert forbidden.status_code == 403
    assert "无权访问" in forbidden.content.decode()  # a Chinese page, not bare English
    client.force_login(village_clerk)
    actions = client.get(changelist).context["action_form"].fields["action"].choices
    assert "put_on_next_trip" in [name for name, _label in actions]
    assert client.get(reverse("admin:services_homevisit_add")).status_code == 200


def test_a_selection_with_nothing_of_yours_says_so(
    client, submit, other_village, village_clerk
):
    from django.urls import reverse

    theirs = submit("agency", village=other_village)
    client.force_login(village_clerk)
    for action in ("accept_selected", "put_on_next_trip"):
        response = client.post(
            reverse("admin:services_servicerequest_changelist"),
            {"action": action, "_selected_action": [theirs.pk]},
            follow=True,
        )
        messages = [(m.level_tag, str(m)) for m in response.context["messages"]]
        assert len(messages) == 1 and messages[0][0] == "warning", messages
    assert ServiceRequest.objects.get(pk=theirs.pk).status == Status.SUBMITTED
