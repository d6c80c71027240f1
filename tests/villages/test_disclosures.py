"""Village affairs in public (党务、村务、财务公开): the status rules, who sees and does
what, the public archive, the late list, PDF checks and constant query counts."""

import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from huagang.exceptions import InvalidInput, InvalidTransition, NotPermitted
from services import access
from services.actions import disclosures as actions
from services.selectors import disclosures as selectors
from tests.files import image_bytes, pdf_bytes, pdf_upload
from villages.choices import Role
from villages.models import Disclosure, DisclosureEvent, Village
from villages.models_affairs import (
    TRANSITIONS,
    DisclosureStatus,
    last_ended_quarter,
)

pytestmark = pytest.mark.django_db
S = DisclosureStatus

DRAFT = {
    "category": "finance",
    "year": 2025,
    "period_kind": "quarter",
    "period": 4,
    "title": "2025年第四季度财务收支公开",
    "body": "收入 12,000 元；支出 8,000 元。",
}


@pytest.fixture(autouse=True)
def _media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def draft(village, village_clerk):
    return actions.disclosure_create(village=village, by=village_clerk, **DRAFT)


@pytest.fixture
def submitted(draft, village_clerk):
    return actions.disclosure_submit(disclosure=draft, by=village_clerk)


@pytest.fixture
def approved(submitted, official):
    return actions.disclosure_approve(disclosure=submitted, by=official)


# --- the status rules -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "target"), list(itertools.product(S.values, S.values))
)
def test_only_the_listed_transitions_exist(source, target):
    allowed = {
        (S.DRAFT, S.SUBMITTED): Role.VILLAGE_CLERK,
        (S.RETURNED, S.SUBMITTED): Role.VILLAGE_CLERK,
        (S.SUBMITTED, S.APPROVED): Role.OFFICIAL,
        (S.SUBMITTED, S.RETURNED): Role.OFFICIAL,
    }
    assert TRANSITIONS.get((source, target)) == allowed.get((source, target))


def test_a_draft_goes_through_submit_return_resubmit_approve_each_recorded(
    draft, village_clerk, official
):
    actions.disclosure_submit(disclosure=draft, by=village_clerk)
    returned = actions.disclosure_return(
        disclosure=draft, by=official, reason="请附上支出明细"
    )
    assert returned.status == S.RETURNED and returned.return_reason == "请附上支出明细"
    actions.disclosure_update(
        disclosure=draft, by=village_clerk, **{**DRAFT, "body": "附支出明细"}
    )
    actions.disclosure_submit(disclosure=draft, by=village_clerk)
    done = actions.disclosure_approve(disclosure=draft, by=official)
    assert done.status == S.APPROVED and done.approved_by == official
    events = list(DisclosureEvent.objects.filter(disclosure=draft))
    assert [(e.from_status, e.to_status, e.actor_role) for e in events] == [
        (S.DRAFT, S.SUBMITTED, Role.VILLAGE_CLERK),
        (S.SUBMITTED, S.RETURNED, Role.OFFICIAL),
        (S.RETURNED, S.SUBMITTED, Role.VILLAGE_CLERK),
        (S.SUBMITTED, S.APPROVED, Role.OFFICIAL),
    ]
    assert events[1].note == "请附上支出明细"


def test_a_return_needs_a_reason(submitted, official):
    with pytest.raises(InvalidInput, match="改"):
        actions.disclosure_return(disclosure=submitted, by=official, reason=" ")
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED


def test_an_empty_draft_cannot_be_submitted(village, village_clerk):
    empty = actions.disclosure_create(
        village=village, by=village_clerk, **{**DRAFT, "body": ""}
    )
    with pytest.raises(InvalidInput):
        actions.disclosure_submit(disclosure=empty, by=village_clerk)


def test_a_quarter_is_1_to_4(village, village_clerk):
    with pytest.raises(InvalidInput):
        actions.disclosure_create(
            village=village, by=village_clerk, **{**DRAFT, "period": 5}
        )


def test_a_published_disclosure_is_no_longer_editable(approved, village_clerk):
    with pytest.raises(InvalidTransition):
        actions.disclosure_update(
            disclosure=approved, by=village_clerk, **{**DRAFT, "title": "改"}
        )
    with pytest.raises(InvalidTransition):
        actions.disclosure_submit(disclosure=approved, by=village_clerk)


# --- permissions ----------------------------------------------------------------------


def test_a_clerk_cannot_approve_and_an_official_can(submitted, village_clerk, official):
    with pytest.raises(NotPermitted):
        actions.disclosure_approve(disclosure=submitted, by=village_clerk)
    assert actions.disclosure_approve(disclosure=submitted, by=official).is_published


def test_only_the_villages_own_clerk_drafts_and_submits(
    village, draft, other_village_clerk, official, town_clerk
):
    for someone in (other_village_clerk, official, town_clerk):
        with pytest.raises(NotPermitted):
            actions.disclosure_create(village=village, by=someone, **DRAFT)
        with pytest.raises(NotPermitted):
            actions.disclosure_submit(disclosure=draft, by=someone)


def test_the_object_and_queryset_forms_agree(
    draft,
    submitted,
    village,
    other_village,
    other_village_clerk,
    village_clerk,
    official,
    resident,
    town_clerk,
):
    from django.contrib.auth.models import AnonymousUser

    from tests.factories import UserFactory

    # drafts, one submitted, one returned, one published, in two villages
    actions.disclosure_create(village=other_village, by=other_village_clerk, **DRAFT)
    third = actions.disclosure_create(village=village, by=village_clerk, **DRAFT)
    actions.disclosure_submit(disclosure=third, by=village_clerk)
    actions.disclosure_approve(disclosure=third, by=official)
    fourth = actions.disclosure_create(village=village, by=village_clerk, **DRAFT)
    actions.disclosure_submit(disclosure=fourth, by=village_clerk)
    actions.disclosure_return(disclosure=fourth, by=official, reason="补充")
    inactive = UserFactory(role=Role.OFFICIAL, is_active=False)
    for user in (
        AnonymousUser(),
        resident,
        village_clerk,
        other_village_clerk,
        town_clerk,
        official,
        inactive,
    ):
        visible = set(
            Disclosure.objects.filter(access.disclosures_q(user)).values_list(
                "pk", flat=True
            )
        )
        for d in Disclosure.objects.all():
            assert (d.pk in visible) == access.may_see_disclosure(user, d), (user, d)


def test_unpublished_disclosures_are_invisible_to_residents_and_other_villages(
    client, submitted, resident, other_village_clerk, village
):
    for user in (None, resident, other_village_clerk):
        client.logout()
        if user:
            client.force_login(user)
        page = client.get(f"/villages/{village.code}/affairs/", {"year": 2025})
        assert page.status_code == 200
        assert DRAFT["title"] not in page.content.decode()
        if user is not None and user.role == Role.VILLAGE_CLERK:
            assert client.get(f"/staff/affairs/{submitted.pk}/").status_code == 404


def test_an_unpublished_pdf_is_served_only_to_its_clerk_and_officials(
    client, draft, village_clerk, other_village_clerk, resident, official
):
    stored = actions.disclosure_attach(
        disclosure=draft, by=village_clerk, upload=pdf_upload("收支明细.pdf")
    )
    url = f"/villages/affairs/files/{stored.pk}/"
    assert client.get(url).status_code == 404
    for user, status in [
        (resident, 404),
        (other_village_clerk, 404),
        (village_clerk, 200),
        (official, 200),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == status, user
    actions.disclosure_submit(disclosure=draft, by=village_clerk)
    actions.disclosure_approve(disclosure=draft, by=official)
    client.logout()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_staff_pages_answer_by_role(
    client, submitted, village_clerk, other_village_clerk, official, resident
):
    approve = f"/staff/affairs/{submitted.pk}/approve/"
    client.force_login(resident)
    assert client.get("/staff/affairs/").status_code == 403
    client.force_login(other_village_clerk)
    assert client.post(approve).status_code == 404
    assert client.get("/staff/affairs/new/").status_code == 200
    client.force_login(village_clerk)
    assert client.get(approve).status_code == 405
    assert client.post(approve, {"confirm": "on"}).status_code == 403
    client.force_login(official)
    assert client.get("/staff/affairs/new/").status_code == 403
    assert client.post(approve).status_code == 400  # not confirmed
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED
    assert client.post(approve, {"confirm": "on"}).status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == S.APPROVED
    assert client.post(approve, {"confirm": "on"}).status_code == 409


def test_a_return_without_reason_is_400_with_a_message(client, submitted, official):
    client.force_login(official)
    response = client.post(f"/staff/affairs/{submitted.pk}/return/", {"reason": ""})
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()


def test_a_clerk_drafts_and_submits_through_the_pages(client, village_clerk):
    client.force_login(village_clerk)
    response = client.post("/staff/affairs/new/", DRAFT)
    assert response.status_code == 302
    made = Disclosure.objects.get(title=DRAFT["title"])
    assert made.village_id == village_clerk.village_id and made.status == S.DRAFT
    bad = client.post("/staff/affairs/new/", {**DRAFT, "period": 9})
    assert bad.status_code == 400
    assert client.post(f"/staff/affairs/{made.pk}/submit/").status_code == 302
    made.refresh_from_db()
    assert made.status == S.SUBMITTED


# --- PDFs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("图片.pdf", image_bytes("PNG")),
        ("空.pdf", b""),
        ("假的.pdf", b"%PDF-1.4\n%%EOF\n"),
        ("网页.pdf", b"%PDF-<html><script>alert(1)</script></html>"),
    ],
)
def test_only_real_pdfs_are_attached(draft, village_clerk, name, content):
    with pytest.raises(InvalidInput):
        actions.disclosure_attach(
            disclosure=draft,
            by=village_clerk,
            upload=SimpleUploadedFile(name, content),
        )
    assert not draft.files.exists()


@override_settings(HUAGANG_MAX_UPLOAD_BYTES=100)
def test_a_pdf_over_the_limit_is_refused(draft, village_clerk):
    with pytest.raises(InvalidInput, match="MB"):
        actions.disclosure_attach(
            disclosure=draft, by=village_clerk, upload=pdf_upload()
        )


def test_a_bad_upload_on_the_page_is_400_with_its_message(client, draft, village_clerk):
    client.force_login(village_clerk)
    response = client.post(
        f"/staff/affairs/{draft.pk}/attach/",
        {"file": SimpleUploadedFile("a.pdf", image_bytes("PNG"))},
    )
    assert response.status_code == 400
    assert "PDF" in response.content.decode()


def test_removing_a_pdf_asks_first(client, draft, village_clerk):
    stored = actions.disclosure_attach(
        disclosure=draft, by=village_clerk, upload=pdf_upload()
    )
    client.force_login(village_clerk)
    url = f"/staff/affairs/{draft.pk}/files/{stored.pk}/delete/"
    assert client.get(url).status_code == 200
    assert draft.files.exists()
    assert client.post(url).status_code == 302
    assert not draft.files.exists()


# --- the archive and the late list -----------------------------------------------------


def test_the_archive_shows_published_items_by_year_and_category(
    client, approved, village, village_clerk, official
):
    client.logout()
    page = client.get(f"/villages/{village.code}/affairs/").content.decode()
    assert DRAFT["title"] in page
    other = client.get(
        f"/villages/{village.code}/affairs/", {"year": 2025, "category": "party"}
    ).content.decode()
    assert DRAFT["title"] not in other
    assert (
        client.get(
            f"/villages/{village.code}/affairs/", {"category": "nonsense"}
        ).status_code
        == 400
    )
    village_page = client.get(village.get_absolute_url()).content.decode()
    assert f"/villages/{village.code}/affairs/" in village_page


def test_the_quarter_due_is_the_latest_ended():
    import datetime as dt

    assert last_ended_quarter(dt.date(2026, 3, 10)) == (2025, 4)
    assert last_ended_quarter(dt.date(2026, 4, 1)) == (2026, 1)
    assert last_ended_quarter(dt.date(2026, 12, 31)) == (2026, 3)


def test_the_late_list(client, approved, village, village_clerk, official):
    # 2026-03-10: the quarter due is 2025 Q4; the village published its finances as a
    # quarter, its village affairs for December (a month of that quarter)
    monthly = actions.disclosure_create(
        village=village,
        by=village_clerk,
        **{**DRAFT, "category": "village", "period_kind": "month", "period": 12},
    )
    actions.disclosure_submit(disclosure=monthly, by=village_clerk)
    actions.disclosure_approve(disclosure=monthly, by=official)
    late = selectors.villages_late(today=approved.approved_at.date())
    assert (late.year, late.quarter) == (2025, 4)
    row = next(r for r in late.villages if r.village == village)
    assert [str(label) for label in row.missing] == ["党务公开"]
    assert len(late.villages) == Village.objects.count()
    page = client.get("/villages/affairs/late/").content.decode()
    assert "2025" in page and village.name in page


def test_query_counts_do_not_grow_with_the_data(
    client, village, village_clerk, official, other_village
):
    def count(url: str, user=None) -> int:
        client.logout()
        if user is not None:
            client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def counts() -> tuple[int, ...]:
        return (
            count(f"/villages/{village.code}/affairs/"),
            count("/villages/affairs/late/"),
            count("/staff/affairs/", official),
            count("/staff/affairs/", village_clerk),
        )

    def publish(n: int) -> None:
        for _i in range(n):
            d = actions.disclosure_create(village=village, by=village_clerk, **DRAFT)
            actions.disclosure_attach(
                disclosure=d, by=village_clerk, upload=pdf_upload(unique=True)
            )
            actions.disclosure_submit(disclosure=d, by=village_clerk)
            actions.disclosure_approve(disclosure=d, by=official)

    publish(1)
    before = counts()
    publish(3)
    assert counts() == before


def test_pdf_bytes_helper_is_a_pdf():
    assert pdf_bytes().startswith(b"%PDF-")
