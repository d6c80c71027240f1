"""The field-work lists' filters answer a bad value the way the requests list does:
booleans ask for true or false, choices name the values they take (not Django's
"选择一个有效的选项。 maybe 不在可用的选项中。")."""

import pytest

from tests.api.answers import client_of

pytestmark = pytest.mark.django_db

API = "/api/v1/"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("trips/?handed_over=maybe", "handed_over", "请填写 true 或 false。"),
        ("trips/?returned=2", "returned", "请填写 true 或 false。"),
        (
            "trips/?task=drive",
            "task",
            "请填写以下之一：fill, check_in_out, check_in_back。",
        ),
        (
            "visits/?outcome=x",
            "outcome",
            "请填写以下之一：planned, done, absent, impossible。",
        ),
        ("follow-ups/?stage=x", "stage", "请填写以下之一："),
    ],
)
def test_a_bad_filter_value_is_named_and_explained(official, query, field, message):
    response = client_of(official).get(API + query)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_input"
    [said] = body["errors"][field]
    assert said.startswith(message), said
    assert "选择一个有效的选项" not in said


def test_the_same_in_english(official):
    response = client_of(official).get(
        API + "visits/?outcome=x", HTTP_ACCEPT_LANGUAGE="en"
    )
    [said] = response.json()["errors"]["outcome"]
    assert said.startswith("Give one of: ")
