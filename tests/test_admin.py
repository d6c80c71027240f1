"""The admin renders in Chinese for an official, for every model."""

import pytest
from django.contrib import admin
from django.urls import reverse

from villages.choices import Role

pytestmark = pytest.mark.django_db

MODELS = [model for model in admin.site._registry]
# Groups and their permissions are managed by superusers (and villages.roles), not
# officials; so are django-axes's records of sign-in attempts (numbers and addresses).
SUPERUSER_ONLY = {
    "auth.Group",
    "axes.AccessAttempt",
    "axes.AccessFailureLog",
    "axes.AccessLog",
    # a staff member's second factor: a superuser deletes it when a phone is lost
    "otp_static.StaticDevice",
    "otp_totp.TOTPDevice",
}


def _ids(model) -> str:
    return model._meta.label


@pytest.fixture
def full_case_read(full_case, village_clerk):
    """``full_case``, one entry in the record of reads (its ID number revealed),
    another system's API key, and a resident's question answered and published."""
    from services import actions
    from villages.actions import access_record, api_token_create
    from villages.verification import user_mark_phone_verified

    access_record(
        by=village_clerk,
        kind="reveal_id",
        subject=full_case["case"].tracking_number,
    )
    api_token_create(name="县政务服务平台", account=village_clerk, by=None)
    question = actions.question_ask(
        kind="consult",
        title="低保怎么申请",
        text="想问低保怎么申请。",
        village=village_clerk.village,
        account=user_mark_phone_verified(user=full_case["case"].account),
    )
    actions.question_answer(question=question, by=village_clerk, answer="到村里申请。")
    actions.question_publish(
        question=question, by=village_clerk, title="低保", text="问", answer="答"
    )
    _a_published_disclosure(village_clerk)
    return full_case


def _a_published_disclosure(village_clerk) -> None:
    """A village's 财务公开 with a PDF, submitted and approved (its history too)."""
    from services.actions import disclosures
    from tests.factories import UserFactory
    from tests.files import pdf_upload

    draft = disclosures.disclosure_create(
        village=village_clerk.village,
        by=village_clerk,
        category="finance",
        year=2025,
        period_kind="quarter",
        period=4,
        title="花岗社区2025年第四季度财务公开",
        body="收支明细见附件。",
    )
    disclosures.disclosure_attach(
        disclosure=draft, by=village_clerk, upload=pdf_upload("明细.pdf")
    )
    disclosures.disclosure_submit(disclosure=draft, by=village_clerk)
    disclosures.disclosure_approve(disclosure=draft, by=UserFactory(role=Role.OFFICIAL))


@pytest.mark.parametrize("model", MODELS, ids=_ids)
def test_changelist_renders_for_an_official(official_client, model, full_case_read):
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    response = official_client.get(url)
    if opts.label in SUPERUSER_ONLY:
        assert response.status_code == 403
        return
    assert response.status_code == 200, url
    assert "花岗" in response.content.decode()
    assert response.context["cl"].result_count > 0, url  # rows, not an empty list


@pytest.mark.parametrize("model", MODELS, ids=_ids)
def test_change_page_renders_for_an_official(
    official_client, official, model, full_case_read
):
    opts = model._meta
    obj = model._default_manager.first() or official
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    response = official_client.get(url)
    assert response.status_code == (403 if opts.label in SUPERUSER_ONLY else 200), url


def test_service_item_admin_search_and_inline(official_client):
    url = reverse("admin:services_serviceitem_changelist")
    response = official_client.get(url, {"q": "低保"})
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 2
    from services.models import ServiceItem

    item = ServiceItem.objects.filter(materials__isnull=False).first()
    page = official_client.get(
        reverse("admin:services_serviceitem_change", args=[item.pk])
    )
    assert item.materials.first().name in page.content.decode()


def test_admin_filters_by_mode(official_client):
    url = reverse("admin:services_serviceitem_changelist")
    response = official_client.get(url, {"mode": "home"})
    assert response.status_code == 200
    assert all(item.allows_home for item in response.context["cl"].result_list)


def test_a_resident_cannot_enter_the_admin(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(role=Role.RESIDENT))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
