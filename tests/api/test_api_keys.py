"""Other systems' API keys in the admin: officials and superusers make one for a named
system acting as an account, see the key once, revoke it after a confirmation; no one
edits or deletes a key, and no one else manages them."""

import datetime as dt
import hashlib
import re

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory, VillageFactory
from villages.actions import api_token_create
from villages.choices import Role
from villages.models import ApiToken

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:villages_apitoken_changelist")
ADD = reverse("admin:villages_apitoken_add")
KEY = re.compile(r"hg_[A-Za-z0-9_-]{43}")
API = "/api/v1/statistics/"  # answers 200 to an official, 401 to no one


def _add(client, account, **fields):
    data = {"name": "县政务服务平台", "account": getattr(account, "pk", account)}
    data.update(fields)
    return client.post(ADD, data, follow=True)


def _token(official, account, name="12345热线") -> ApiToken:
    return api_token_create(name=name, account=account, by=official)[0]


def _revoke(client, *tokens, confirm: bool):
    data = {"action": "revoke", "_selected_action": [t.pk for t in tokens]}
    if confirm:
        data["post"] = "yes"
    return client.post(CHANGELIST, data)


@pytest.fixture
def superuser(db):
    return UserFactory(role=Role.OFFICIAL, is_superuser=True, is_staff=True)


@pytest.mark.parametrize("manager", ["official", "superuser"])
def test_the_key_is_shown_once_and_only_its_hash_kept(client, request, manager):
    user = request.getfixturevalue(manager)
    account = UserFactory(role=Role.OFFICIAL)
    client.force_login(user)
    assert client.get(ADD).status_code == 200
    response = _add(client, account)
    assert response.redirect_chain[-1][0] == CHANGELIST
    shown = KEY.findall(response.content.decode())
    assert len(shown) == 1
    key = shown[0]
    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.prefix == key[:8] and token.created_by == user
    assert token.account == account and token.name == "县政务服务平台"
    # Never again: not on the list, not on the key's page, not in the admin's log.
    for url in (CHANGELIST, reverse("admin:villages_apitoken_change", args=[token.pk])):
        page = client.get(url).content.decode()
        assert key not in page and f"{token.prefix}…" in page
    assert not any(key in entry.object_repr for entry in LogEntry.objects.all())
    assert not ApiToken.objects.filter(name__contains=key[8:]).exists()
    # And the key works, as its account.
    client.logout()
    response = client.get(API, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200


def test_the_list_shows_who_made_each_key_and_its_state(client, official, village):
    account = UserFactory(role=Role.VILLAGE_CLERK, village=village, name="代办员甲")
    used = _token(official, account, name="微信小程序")
    ApiToken.objects.filter(pk=used.pk).update(
        last_used_at=timezone.now(), expires_at=timezone.now() + dt.timedelta(days=30)
    )
    revoked = _token(official, account, name="旧平台")
    ApiToken.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    client.force_login(official)
    client.cookies["django_language"] = "en"
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    headers = [str(h["text"]) for h in response.context["result_headers"]]
    assert headers[1:] == [
        "system name",
        "acts as",
        "key starts with",
        "created by",
        "created",
        "last used",
        "expires",
        "revoked",
    ]
    rows = response.context["cl"].result_list
    assert {t.name for t in rows} == {"微信小程序", "旧平台"}
    page = response.content.decode()
    assert "代办员甲" in page and official.name in page
    only_revoked = client.get(CHANGELIST, {"revoked_at__isempty": "0"})
    assert [t.name for t in only_revoked.context["cl"].result_list] == ["旧平台"]


def test_revoking_asks_first_then_the_key_stops_working(client, official):
    token, key = api_token_create(name="12345热线", account=official, by=official)
    other = _token(official, official, name="县平台")
    client.force_login(official)
    asked = _revoke(client, token, confirm=False)
    assert asked.status_code == 200
    assert (
        "12345热线" in asked.content.decode() and "县平台" not in asked.content.decode()
    )
    token.refresh_from_db()
    assert token.revoked_at is None  # nothing yet
    done = _revoke(client, token, confirm=True)
    assert done.status_code == 302
    token.refresh_from_db()
    other.refresh_from_db()
    assert token.revoked_at is not None and other.revoked_at is None
    assert ApiToken.objects.count() == 2  # revoked, never deleted
    client.logout()
    response = client.get(API, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_revoking_a_revoked_key_again_changes_nothing(client, official):
    token = _token(official, official)
    client.force_login(official)
    client.cookies["django_language"] = "en"
    _revoke(client, token, confirm=True)
    token.refresh_from_db()
    first = token.revoked_at
    page = _revoke(client, token, confirm=False).content.decode()
    assert "The selected keys are already revoked." in page
    _revoke(client, token, confirm=True)
    token.refresh_from_db()
    assert token.revoked_at == first


def test_a_key_is_never_edited_nor_deleted(client, official, superuser):
    token = _token(official, official)
    for user in (official, superuser):
        client.force_login(user)
        change = reverse("admin:villages_apitoken_change", args=[token.pk])
        page = client.get(change)
        assert page.status_code == 200 and 'name="name"' not in page.content.decode()
        posted = client.post(change, {"name": "改名", "account": official.pk})
        assert posted.status_code == 403
        delete = reverse("admin:villages_apitoken_delete", args=[token.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
        actions = client.get(CHANGELIST).context["action_form"].fields["action"]
        assert [name for name, _label in actions.choices if name] == ["revoke"]
    token.refresh_from_db()
    assert token.name == "12345热线" and ApiToken.objects.filter(pk=token.pk).exists()


@pytest.mark.parametrize("role", [Role.VILLAGE_CLERK, Role.TOWN_CLERK])
def test_nobody_else_manages_keys(client, role, village, official):
    clerk = UserFactory(
        role=role, village=village if role == Role.VILLAGE_CLERK else None
    )
    assert clerk.is_staff
    token = _token(official, official)
    client.force_login(clerk)
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(ADD).status_code == 403
    assert _add(client, clerk).status_code == 403
    assert _revoke(client, token, confirm=True).status_code == 403
    change = reverse("admin:villages_apitoken_change", args=[token.pk])
    assert client.get(change).status_code == 403
    assert "apitoken" not in client.get(reverse("admin:index")).content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None and ApiToken.objects.count() == 1


def test_an_official_cannot_make_a_key_acting_as_a_superuser(
    client, official, superuser
):
    client.force_login(official)
    response = _add(client, superuser)
    assert response.context["adminform"].form.errors["account"]
    assert not ApiToken.objects.exists()
    client.force_login(superuser)
    _add(client, superuser)
    assert ApiToken.objects.get().account == superuser


@pytest.mark.parametrize(
    "fields, error",
    [
        ({"name": ""}, "name"),
        ({"expires_at_0": "2020-01-01", "expires_at_1": "00:00:00"}, "expires_at"),
        ({"expires_at_0": "someday", "expires_at_1": "noon"}, "expires_at"),
        ({"account": 999_999}, "account"),
    ],
)
def test_bad_input_makes_no_key(client, official, fields, error):
    client.force_login(official)
    fields = dict(fields)
    response = _add(client, fields.pop("account", official), **fields)
    assert response.status_code == 200
    assert error in response.context["adminform"].form.errors
    assert not ApiToken.objects.exists()
    assert not KEY.search(response.content.decode())


def test_an_inactive_account_cannot_be_chosen(client, official):
    gone = UserFactory(role=Role.OFFICIAL, is_active=False)
    client.force_login(official)
    response = _add(client, gone)
    assert response.context["adminform"].form.errors["account"]


def test_a_key_with_an_end_works_until_then(client, official):
    client.force_login(official)
    later = timezone.localtime() + dt.timedelta(days=1)
    response = _add(
        client,
        official,
        expires_at_0=later.date().isoformat(),
        expires_at_1=later.strftime("%H:%M:%S"),
    )
    key = KEY.findall(response.content.decode())[0]
    client.logout()
    assert client.get(API, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    # Known to the cache by now: its end is still checked on every call.
    with time_machine.travel(later + dt.timedelta(seconds=2), tick=False):
        assert client.get(API, HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


def test_the_account_picker_tells_accounts_of_the_same_name_apart(client, official):
    village = VillageFactory(name="东岗村")
    UserFactory(
        role=Role.VILLAGE_CLERK, village=village, name="演示", phone="13900001234"
    )
    UserFactory(role=Role.OFFICIAL, name="演示", phone="13900005678")
    client.force_login(official)
    client.cookies["django_language"] = "en"
    page = client.get(ADD).content.decode()
    assert "演示 (village clerk · 东岗村 · 139****1234)" in page
    assert "演示 (official · 139****5678)" in page
    assert "13900001234" not in page


# --- a found key is kept in the cache; a change to it or its account is seen at once ---


def _calls(client, key, path=API) -> int:
    return client.get(path, HTTP_AUTHORIZATION=f"Token {key}").status_code


def test_a_known_key_is_not_read_from_the_database_again(client, official):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    key = api_token_create(name="12345热线", account=official, by=official)[1]
    with CaptureQueriesContext(connection) as first:
        assert _calls(client, key) == 200
    with CaptureQueriesContext(connection) as second:
        assert _calls(client, key) == 200
    tables = ('"villages_apitoken"', '"villages_user"')
    assert any(t in q["sql"] for q in first.captured_queries for t in tables)
    assert not any(t in q["sql"] for q in second.captured_queries for t in tables)


def test_a_role_change_reaches_the_next_call(client, official, village):
    from villages.actions import user_set_role

    account = UserFactory(role=Role.OFFICIAL)
    key = api_token_create(name="12345热线", account=account, by=official)[1]
    assert _calls(client, key) == 200
    user_set_role(user=account, role=Role.VILLAGE_CLERK, village=village)
    response = client.get(
        "/api/v1/statistics/", HTTP_AUTHORIZATION=f"Token {key}"
    ).json()
    assert response["scope"]["villages"] == [village.code]


def test_a_deactivated_account_s_key_stops_at_once(client, official):
    account = UserFactory(role=Role.OFFICIAL)
    key = api_token_create(name="12345热线", account=account, by=official)[1]
    assert _calls(client, key) == 200
    account.is_active = False
    account.save()
    assert _calls(client, key) == 401


def test_a_key_revoked_through_the_admin_stops_at_once(client, official):
    token, key = api_token_create(name="12345热线", account=official, by=official)
    assert _calls(client, key) == 200
    client.force_login(official)
    _revoke(client, token, confirm=True)
    client.logout()
    assert _calls(client, key) == 401


def test_another_worker_s_copy_lasts_seconds_only(client, official, monkeypatch):
    """A revoke made by another worker reaches this one within TOKEN_LOCAL_SECONDS:
    here the shared cache and the database say revoked, this process's copy not."""
    import time

    from django.core.cache import cache

    from villages import actions

    token, key = api_token_create(name="12345热线", account=official, by=official)
    assert _calls(client, key) == 200
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    cache.delete(actions._token_cache_key(token.key_hash))  # the other worker's forget
    assert _calls(client, key) == 200  # this process's copy, for a few seconds more
    later = time.monotonic() + actions.TOKEN_LOCAL_SECONDS + 1
    monkeypatch.setattr(actions.time, "monotonic", lambda: later)
    assert _calls(client, key) == 401
