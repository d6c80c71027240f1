"""Roles: groups and permissions per role, and a village clerk's one village."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import UserFactory
from villages.actions import user_set_role
from villages.models import User, Village
from villages.validators import mask_mobile, normalize_mobile

pytestmark = pytest.mark.django_db


def test_a_village_clerk_serves_exactly_one_village():
    village = Village.objects.get(code="340123106202")
    clerk = UserFactory(role="village_clerk", village=village)
    assert clerk.village == village
    assert clerk.groups.get().name == "village clerks"
    assert clerk.is_staff


def test_a_village_clerk_without_a_village_is_refused():
    user = UserFactory(role="resident")
    with pytest.raises(ValidationError, match="村"):
        user_set_role(user=user, role="village_clerk", village=None)
    user.refresh_from_db()
    assert user.role == "resident"


def test_only_village_clerks_have_a_village():
    user = UserFactory(role="resident")
    with pytest.raises(ValidationError):
        user_set_role(user=user, role="official", village=Village.objects.first())


def test_changing_role_swaps_the_group():
    user = UserFactory(role="resident")
    user_set_role(user=user, role="official")
    assert list(user.groups.values_list("name", flat=True)) == ["officials"]
    assert user.has_perm("services.change_serviceitem")
    user = User.objects.get(pk=user.pk)
    user_set_role(user=user, role="town_clerk")
    user = User.objects.get(pk=user.pk)
    assert list(user.groups.values_list("name", flat=True)) == ["town-center clerks"]
    assert not user.has_perm("services.change_serviceitem")
    assert user.has_perm("services.view_serviceitem")


def test_a_resident_has_no_admin_access():
    resident = UserFactory(role="resident")
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
