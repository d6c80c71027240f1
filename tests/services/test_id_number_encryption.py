"""Residents' ID numbers are encrypted at rest (huagang/crypto.py): the database and its
dumps hold only tokens; the portal reads them whole; a whole ID number still finds its
requests through the keyed hash; keys rotate without losing a number."""

import shutil
import subprocess

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from huagang import crypto
from services.models import ServiceRequest
from services.selectors.request_search import (
    search_term_masked,
    service_requests_search,
)

ID = "11010519491231002X"  # the submit fixture's applicant


def _stored(case) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT applicant_id_number, applicant_id_hash FROM "
            "services_servicerequest WHERE id = %s",
            [case.pk],
        )
        return cursor.fetchone()


@pytest.mark.django_db
def test_the_database_holds_a_token_the_portal_reads_the_number(submit):
    case = submit("agency")
    token, hashed = _stored(case)
    assert ID not in token and ID[-6:] not in token
    assert token.startswith("gAAAAA")  # a Fernet token
    assert hashed == crypto.lookup_hash(ID) and ID not in hashed
    assert ServiceRequest.objects.get(pk=case.pk).applicant_id_number == ID
    assert (
        ServiceRequest.objects.filter(pk=case.pk)
        .values_list("applicant_id_number", flat=True)
        .get()
        == ID
    )


@pytest.mark.django_db
def test_the_same_number_is_stored_differently_each_time(submit):
    first, second = submit("agency"), submit("agency")
    assert _stored(first)[0] != _stored(second)[0]
    assert _stored(first)[1] == _stored(second)[1]


def _without_id_number(case):
    """An application that gave none (a walk-in for an item that needs none)."""
    case.applicant_id_number = ""
    case.save(update_fields=["applicant_id_number"])
    return case


@pytest.mark.django_db
def test_no_number_stores_nothing(submit):
    case = _without_id_number(submit("agency"))
    assert _stored(case) == ("", "")


@pytest.mark.django_db
def test_the_field_cannot_be_searched_directly(submit):
    submit("agency")
    with pytest.raises(FieldError, match="encrypted"):
        ServiceRequest.objects.filter(applicant_id_number=ID).exists()
    with pytest.raises(FieldError):
        ServiceRequest.objects.filter(applicant_id_number__startswith="110").exists()


@pytest.mark.django_db
def test_a_whole_id_number_finds_its_requests_by_hash(submit):
    case = submit("agency")
    other = _without_id_number(submit("agency"))
    for typed in (ID, ID.lower(), "110105 19491231 002x"):
        found, kind = service_requests_search(ServiceRequest.objects.all(), term=typed)
        assert list(found) == [case], typed
        assert kind == "id_number"
    assert other not in found
    assert search_term_masked(ID) == "110***********002X"
    found, _kind = service_requests_search(
        ServiceRequest.objects.all(), term="110105194912310021"
    )
    assert not found.exists()


@pytest.mark.django_db
def test_keys_rotate_without_losing_a_number(submit, settings):
    case = submit("agency")
    old_token = _stored(case)[0]
    new_key = Fernet.generate_key().decode()
    settings.HUAGANG_FIELD_KEYS = [new_key, *settings.HUAGANG_FIELD_KEYS]
    assert ServiceRequest.objects.get(pk=case.pk).applicant_id_number == ID
    call_command("rotate_field_keys")
    new_token = _stored(case)[0]
    assert new_token != old_token
    settings.HUAGANG_FIELD_KEYS = [new_key]  # the old key dropped
    assert ServiceRequest.objects.get(pk=case.pk).applicant_id_number == ID
    assert Fernet(new_key.encode()).decrypt(new_token.encode()).decode() == ID


@pytest.mark.django_db
def test_a_number_under_a_dropped_key_is_a_clear_error(submit, settings):
    case = submit("agency")
    settings.HUAGANG_FIELD_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ImproperlyConfigured, match="rotate_field_keys"):
        ServiceRequest.objects.get(pk=case.pk)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_raw_database_dump_shows_no_id_number(submit):
    """pg_dump of the whole database (what a backup or a stolen disk holds)."""
    if connection.vendor != "postgresql" or not shutil.which("pg_dump"):
        pytest.skip("needs PostgreSQL and pg_dump")
    submit("agency")
    submit("home", applicant_id_number="340123198001010011")
    settings_dict = connection.settings_dict
    dump = subprocess.run(
        [
            "pg_dump",
            "--data-only",
            "-h",
            settings_dict["HOST"] or "127.0.0.1",
            "-p",
            str(settings_dict["PORT"] or 5432),
            "-U",
            settings_dict["USER"],
            settings_dict["NAME"],
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert "13955550123" in dump  # the dump is real: the phone is not encrypted
    assert ID not in dump and "340123198001010011" not in dump
