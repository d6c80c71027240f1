"""Roles: groups and permissions per role, and a village clerk's one village."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import UserFactory
from villages.actions import user_set_role
from villages.choices import Role
from villages.models import User, Village
from villages.validators import mask_mobile, normalize_mobile

pytestmark = pytest.mark.django_db


def test_a_village_clerk_serves_exactly_one_village():
    village = Village.objects.get(code="340123106202")
    clerk = UserFactory(role=Role.VILLAGE_CLERK, village=village)
    assert clerk.village == village
    assert clerk.groups.get().name == "village clerks"
    assert clerk.is_staff


def test_a_village_clerk_without_a_village_is_refused():
    user = UserFactory(role=Role.RESIDENT)
    with pytest.raises(ValidationError, match="村"):
        user_set_role(user=user, role=Role.VILLAGE_CLERK, village=None)
    user.refresh_from_db()
    assert user.role == "resident"


def test_only_village_clerks_have_a_village():
    user = UserFactory(role=Role.RESIDENT)
    with pytest.raises(ValidationError):
        user_set_role(user=user, role=Role.OFFICIAL, village=Village.objects.first())


def test_changing_role_swaps_the_group():
    user = UserFactory(role=Role.RESIDENT)
    user_set_role(user=user, role=Role.OFFICIAL)
    assert list(user.groups.values_list("name", flat=True)) == ["officials"]
    assert user.has_perm("services.change_serviceitem")
    user = User.objects.get(pk=user.pk)
    user_set_role(user=user, role=Role.TOWN_CLERK)
    user = User.objects.get(pk=user.pk)
    assert list(user.groups.values_list("name", flat=True)) == ["town-center clerks"]
    assert not user.has_perm("services.change_serviceitem")
    assert user.has_perm("services.view_serviceitem")


def test_a_resident_has_no_admin_access():
    resident = UserFactory(role=Role.RESIDENT)
    assert not resident.is_staff
    assert not resident.has_perm("services.view_serviceitem")


@pytest.mark.parametrize(
    "raw, expected",
    [("138 0013 8000", "13800138000"), ("+8613800138000", "13800138000")],
)
def test_mobile_numbers_are_normalized(raw, expected):
    assert normalize_mobile(raw) == expected


@pytest.mark.parametrize("raw", ["12800138000", "1380013800", "abc", ""])
def test_invalid_mobile_numbers_are_refused(raw):
    with pytest.raises(ValidationError):
        normalize_mobile(raw)


def test_phone_numbers_are_masked_for_display():
    assert mask_mobile("13800138000") == "138****8000"
    assert str(UserFactory(name="", phone="13912345678")) == "139****5678"


def test_an_official_cannot_make_anyone_a_superuser(client):
    from django.urls import reverse

    official = UserFactory(role=Role.OFFICIAL)
    admin_user = User.objects.create_superuser(phone="13912340000", password="x" * 12)
    client.force_login(official)
    own = reverse("admin:villages_user_change", args=[official.pk])
    page = client.get(own)
    assert "is_superuser" not in page.context["adminform"].form.fields
    response = client.post(
        own,
        {
            "phone": official.phone,
            "name": "官员",
            "role": "official",
            "is_superuser": "on",
            "is_active": "on",
        },
    )
    # The form was valid and saved (the new name is there); only the flag was ignored.
    errors = response.context["adminform"].form.errors if response.context else None
    assert (response.status_code, errors) == (302, None)
    official.refresh_from_db()
    assert official.name == "官员" and official.role == "official"
    assert not official.is_superuser
    assert official.is_staff and official.is_active
    assert list(official.groups.values_list("name", flat=True)) == ["officials"]
    assert User.objects.filter(is_superuser=True).get() == admin_user
    superuser_page = reverse("admin:villages_user_change", args=[admin_user.pk])
    assert client.get(superuser_page).status_code == 302  # not found for officials


def test_changing_a_role_in_the_admin_changes_group_and_access(client):
    from django.urls import reverse

    official = UserFactory(role=Role.OFFICIAL)
    clerk = UserFactory(role=Role.VILLAGE_CLERK, village=Village.objects.first())
    client.force_login(official)
    response = client.post(
        reverse("admin:villages_user_change", args=[clerk.pk]),
        {
            "phone": clerk.phone,
            "name": clerk.name,
            "role": "resident",
            "village": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    clerk = User.objects.get(pk=clerk.pk)
    assert clerk.role == "resident" and not clerk.is_staff
    assert list(clerk.groups.values_list("name", flat=True)) == ["residents"]
