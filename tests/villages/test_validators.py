"""Phone and ID numbers: NFKC-normalised, then ASCII digits only, then checked."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import UserFactory
from villages.validators import normalize_id_number, normalize_mobile

VALID_ID = "11010519491231002X"  # the GB 11643 standard's own example


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in text)


@pytest.mark.parametrize(
    "raw",
    [
        "13９００００００７１",  # full-width, as a Chinese input method types it
        full_width("13900000071"),
        "＋８６ １３９－０００００－０７１",
        "\u3000 13900000071 \u3000",  # ideographic spaces around it
    ],
)
def test_full_width_mobile_numbers_become_ascii(raw):
    assert normalize_mobile(raw) == "13900000071"


@pytest.mark.parametrize(
    "raw",
    [
        "13٩٠٠٠٠٠٠٧٢",  # Arabic-Indic digits: int() reads them, a clerk cannot
        "1390000007\u0662",
        "139000000\u096d\u0968",  # Devanagari
    ],
)
def test_mobile_numbers_in_other_digits_are_refused_with_the_usual_message(raw):
    with pytest.raises(ValidationError, match="11 位数字") as excinfo:
        normalize_mobile(raw)
    assert excinfo.value.code == "invalid_mobile"


@pytest.mark.django_db
@pytest.mark.parametrize("phone", ["13٩٠٠٠٠٠٠٧٢", "13９００００００７１"])
def test_a_users_phone_must_be_ascii_digits(phone):
    user = UserFactory.build(phone=phone)
    with pytest.raises(ValidationError) as excinfo:
        user.full_clean(exclude=["password"])
    assert "phone" in excinfo.value.message_dict


@pytest.mark.parametrize(
    "raw", [full_width(VALID_ID), full_width(VALID_ID.lower()), f" {VALID_ID} "]
)
def test_full_width_id_numbers_become_ascii(raw):
    assert normalize_id_number(raw) == VALID_ID


def test_id_numbers_in_other_digits_are_refused():
    arabic_indic = "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in VALID_ID)
    with pytest.raises(ValidationError) as excinfo:
        normalize_id_number(arabic_indic)
    assert excinfo.value.code == "invalid_id_format"


@pytest.mark.parametrize(
    "number, born",
    [
        ("110105189912310023", "1899-12-31"),
        ("110105202603110021", "2026-03-11"),  # tomorrow: the tests run on 03-10
        ("110105203001010028", "2030-01-01"),
    ],
)
def test_an_id_numbers_birth_date_lies_between_1900_and_today(number, born):
    with pytest.raises(ValidationError, match=born) as excinfo:
        normalize_id_number(number)
    assert excinfo.value.code == "invalid_id_birth_date"


@pytest.mark.parametrize("number", ["110105190001010028", "110105202603100026"])
def test_the_edges_of_the_birth_date_window_are_accepted(number):
    assert normalize_id_number(number) == number


def test_the_check_digit_is_verified():
    with pytest.raises(ValidationError) as excinfo:
        normalize_id_number(VALID_ID[:-1] + "1")
    assert excinfo.value.code == "invalid_id_check_digit"
