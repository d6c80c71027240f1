from io import StringIO

import pytest
from django.core.management import call_command

from villages.choices import Role


def reload_town_data() -> None:
    """Load the real town data (idempotent); also after a transactional test, whose
    teardown empties every table."""
    call_command("load_town_data", stdout=StringIO())
    call_command("setup_roles", stdout=StringIO())


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real town data once per test session."""
    with django_db_blocker.unblock():
        reload_town_data()


@pytest.fixture(autouse=True)
def _a_fixed_ordinary_day():
    """Every test runs on Tuesday 2026-03-10 (time ticking on from there) unless it
    travels elsewhere itself: results must not depend on the day CI happens to run,
    e.g. a time limit reaching into a year the holiday calendar does not know yet."""
    import datetime as dt

    import time_machine

    with time_machine.travel(dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC), tick=True):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the rate limits on verification codes
    count there, and the public pages' fragments are kept there and in this
    process's own copies (services.caching)."""
    from django.core.cache import cache

    from services.caching import fragments_forget

    cache.clear()
    fragments_forget()


@pytest.fixture
def calendar_known_until_2098(db):
    """The officials have entered 2098 (no holidays: weekdays are working days) and
    no one knows 2099: a time limit from late 2098 reaches into an unknown year.

    Never "next year": the chinese-calendar package learns each year in the November
    before, and a test relying on it not knowing 2027 fails one day with no change in
    the code. No release will know 2098 or 2099 for decades (checked in
    tests/services/test_working_days.py).
    """
    from services.models import CalendarYear

    CalendarYear.objects.create(year=2098, note="测试")


@pytest.fixture(autouse=True)
def _town_data_for_transactional_tests(request):
    """A transactional test's teardown empties every table: reload before each one."""
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in request.fixturenames or (
        marker and marker.kwargs.get("transaction")
    ):
        request.getfixturevalue("transactional_db")
        reload_town_data()


@pytest.fixture
def official(db):
    from tests.factories import UserFactory

    return UserFactory(role=Role.OFFICIAL, is_superuser=False)


@pytest.fixture
def official_client(client, official):
    client.force_login(official)
    return client


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "postgres_only: needs PostgreSQL (row locks, real concurrency)"
    )
    config.addinivalue_line(
        "markers", "browser: drives Chromium through the live portal (tests/browser/)"
    )


def pytest_sessionfinish(session, exitstatus):
    """In CI (HUAGANG_FAIL_ON_SKIP=1) a skipped test fails the run: CI has every service."""
    import os

    if os.environ.get("HUAGANG_FAIL_ON_SKIP") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and session.exitstatus == 0:
        reporter.write_line(
            f"FAILED: {len(skipped)} test(s) skipped, but CI provides every service:",
            red=True,
        )
        for report in skipped:
            reporter.write_line(f"  {report.nodeid}: {report.longrepr[-1]}")
        session.exitstatus = 1


# --- people and requests ---------------------------------------------------------------

HUAGANG = "340123106001"  # 花岗社区
FENFANG = "340123106202"  # 粉坊村


@pytest.fixture
def village(db):
    from villages.models import Village

    return Village.objects.get(code=HUAGANG)


@pytest.fixture
def other_village(db):
    from villages.models import Village

    return Village.objects.get(code=FENFANG)


@pytest.fixture
def village_clerk(village):
    from tests.factories import UserFactory

    return UserFactory(role=Role.VILLAGE_CLERK, village=village, name="村代办员")


@pytest.fixture
def other_village_clerk(other_village):
    from tests.factories import UserFactory

    return UserFactory(role=Role.VILLAGE_CLERK, village=other_village)


@pytest.fixture
def resident(db):
    from tests.factories import UserFactory

    return UserFactory(role=Role.RESIDENT, email="resident@example.org")


@pytest.fixture
def items(db):
    """One real catalog item per handling mode (instant items are 即办 where possible,
    with materials to bring), each one a village clerk may handle: none of a
    stationed body's (花岗派出所's 户口 items are done only at its own window,
    ``access.done_at_its_own_window``)."""
    from services.models import Body, ServiceItem

    published = (
        ServiceItem.objects.select_related("body")
        .exclude(body__kind=Body.Kind.STATIONED)
        .order_by("code")
    )
    instant = published.filter(allows_instant=True, promised_days=0)
    return {
        "instant": instant.filter(materials__isnull=False).first(),
        "agency": published.filter(allows_agency=True, promised_days__gte=5).first(),
        "home": published.filter(allows_home=True, promised_days__gte=5).first(),
    }


@pytest.fixture
def town_clerk(items):
    from tests.factories import UserFactory

    clerk = UserFactory(role=Role.TOWN_CLERK, name="镇中心工作人员")
    for item in items.values():
        item.body.clerks.add(clerk)
    return clerk


@pytest.fixture
def submit(items, village, resident, django_capture_on_commit_callbacks):
    """Submit a request in a mode, as the resident, running on-commit callbacks.

    Each call describes a new matter (an identical request just sent is the same one)."""
    import itertools

    from huagang.privacy import NOTICE_VERSION
    from services.actions import service_request_submit

    matters = itertools.count(1)

    def _submit(kind: str = "agency", **overrides):
        values = {
            "item": items[kind],
            "village": village,
            "mode": kind,
            "channel": "online",
            "applicant_name": "张桂英",
            "applicant_phone": "13955550123",
            "applicant_id_number": "11010519491231002X",  # GB 11643's own example
            "account": resident,
            "description": f"第{next(matters)}件事",
            # What an online application carries besides (see service_request_submit).
            "consent_version": NOTICE_VERSION,
            "visit_weekdays": [2, 4] if kind == "home" else None,
            "visit_time": "morning" if kind == "home" else "",
        }
        values.update(overrides)
        with django_capture_on_commit_callbacks(execute=True):
            return service_request_submit(**values)

    return _submit


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """`with commit(): action(...)` runs the action's on-commit work (notifications)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def full_case(submit, village, village_clerk, town_clerk, official, commit):
    """One of everything, made through the actions: an agency case carried to the town
    and back, completed and rated poorly (a follow-up); a home visit; calendar rows."""
    import datetime as dt

    from django.utils import timezone

    from services import actions
    from services.models import CalendarDay, CalendarYear

    with commit():
        case = submit("agency")
        actions.service_request_accept(service_request=case, by=village_clerk)
        trip = actions.agency_trip_plan(village=village, by=village_clerk)
        actions.agency_trip_add(trip=trip, service_requests=[case], by=village_clerk)
        actions.agency_trip_hand_over(
            trip=trip, by=village_clerk, received_by=town_clerk, documents=3
        )
        actions.agency_trip_return(
            trip=trip,
            by=town_clerk,
            received_by=village_clerk,
            documents=3,
            results={case.pk: "已审核通过"},
        )
        actions.service_request_complete(service_request=case, by=village_clerk)
        case.refresh_from_db()
        rating = actions.rating_submit(
            service_request=case, by=case.account, level=1, comment="等太久"
        )
        home = submit("home")
        actions.service_request_accept(service_request=home, by=village_clerk)
        start = timezone.now() + dt.timedelta(days=1)
        visit = actions.home_visit_schedule(
            service_request=home,
            by=village_clerk,
            staff=village_clerk,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            reason="age",
        )
    CalendarYear.objects.get_or_create(year=2027)
    CalendarDay.objects.get_or_create(
        date=dt.date(2027, 1, 1), defaults={"is_workday": False, "name": "元旦"}
    )
    return {"case": case, "trip": trip, "rating": rating, "home": home, "visit": visit}
