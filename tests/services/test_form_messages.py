"""Residents read the portal's own words at a field, never Django's stock messages
("确保该变量包含不超过 50 字符 (目前字符数 500)", "该字段是必填项。")."""

import pytest
from django.test import Client

from services.forms import ApplyForm, CatalogFilterForm, RatingForm, WithdrawForm
from services.models import ServiceItem

pytestmark = pytest.mark.django_db

STOCK = ["确保该变量", "该字段是必填项", "这个字段是必填项", "选择一个有效的选项"]


def assert_no_stock_words(html: str) -> None:
    assert not [words for words in STOCK if words in html], html


def test_a_long_search_is_explained(client: Client):
    page = client.get("/services/", {"q": "低" * 3000})
    html = page.content.decode()
    assert "搜索词不能超过 50 个字。" in html
    assert_no_stock_words(html)


@pytest.mark.parametrize(
    ("field", "message"),
    [("mode", "没有这种办理方式。"), ("level", "没有这个受理层级。")],
)
def test_an_unknown_catalog_filter_is_explained(field, message):
    form = CatalogFilterForm({field: "nonsense"})
    assert not form.is_valid()
    assert form.errors[field] == [message]


def test_an_empty_track_lookup_is_explained(client: Client):
    assert client.get("/track/").status_code == 200
    refused = client.post("/track/", {"number": "", "phone_last4": ""})
    html = refused.content.decode()
    assert "请输入办件编号。" in html and "请输入您手机号码的后四位。" in html
    assert_no_stock_words(html)
    too_long = client.post("/track/", {"number": "H" * 300, "phone_last4": "1" * 50})
    html = too_long.content.decode()
    assert "办件编号不能超过 30 个字符。" in html and "请输入4位数字" in html
    assert_no_stock_words(html)


def test_the_apply_form_explains_missing_and_long_text():
    item = ServiceItem.objects.order_by("pk").first()
    form = ApplyForm(
        {
            "applicant_name": "",
            "applicant_phone": "",
            "applicant_address": "村" * 201,
            "description": "事" * 1001,
            "applicant_id_number": "1" * 31,
        },
        item=item,
        account=None,
    )
    assert not form.is_valid()
    assert form.errors["applicant_name"] == ["请输入您的姓名。"]
    assert form.errors["applicant_phone"] == ["请输入您的手机号码。"]
    assert form.errors["village"] == ["请选择您居住的村(社区)。"]
    assert form.errors["applicant_address"] == ["住址不能超过 200 个字。"]
    assert form.errors["description"] == ["办理事项说明不能超过 1000 个字。"]
    assert "18 位" in form.errors["applicant_id_number"][0]
    long_name = ApplyForm({"applicant_name": "王" * 500}, item=item, account=None)
    long_name.is_valid()
    assert long_name.errors["applicant_name"] == ["姓名不能超过 50 个字。"]


def test_the_rating_and_withdrawal_forms_explain_long_text():
    rating = RatingForm({"level": "9", "comment": "好" * 501})
    assert not rating.is_valid()
    assert rating.errors["comment"] == ["意见建议不能超过 500 个字。"]
    assert rating.errors["level"] == ["请选择五个评价等级之一。"]
    withdraw = WithdrawForm({"version": "1", "reason": "因" * 201})
    assert not withdraw.is_valid()
    assert withdraw.errors["reason"] == ["原因不能超过 200 个字。"]
