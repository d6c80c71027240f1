"""The life event's admin saves only what the loader would take: every post sends what
the change form sends (read from the rendered page), changed where the official
changes it."""

import html
import json
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from services.models import LifeEvent, LifeEventItem, LifeEventQuestion, ServiceItem

pytestmark = pytest.mark.django_db


class ChangeForm(HTMLParser):
    """The admin's change form as a browser sends it: each field's value (a ticked
    box, the selected option, a text area's text); no buttons."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") != "checkbox" or "checked" in attrs:
                self.data[name] = attrs.get("value") or (
                    "on" if attrs.get("type") == "checkbox" else ""
                )
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.data[self._textarea] = self.data[self._textarea].strip("\n")
            self._textarea = None


@pytest.fixture
def event() -> LifeEvent:
    return LifeEvent.objects.get(code="after-death")


@pytest.fixture
def change_form(official_client, event):
    """``(url, data)``: the event's change form as the page sends it."""
    url = reverse("admin:services_lifeevent_change", args=[event.pk])
    response = official_client.get(url)
    assert response.status_code == 200
    reader = ChangeForm()
    reader.feed(response.content.decode())
    assert reader.data["items-TOTAL_FORMS"] == "5"
    return url, reader.data


def _row(data: dict, code: str) -> int:
    """The items inline's row of the catalog item `code`."""
    pk = str(ServiceItem.objects.get(code=code).pk)
    rows = int(data["items-TOTAL_FORMS"])
    return next(n for n in range(rows) if data[f"items-{n}-item"] == pk)


def _saved(event: LifeEvent) -> dict:
    event.refresh_from_db()
    return {
        "name": event.name,
        "questions": list(event.questions.values_list("key", "options")),
        "items": list(event.items.values_list("item__code", "when")),
    }


def _item_errors(response, row: int) -> list[str]:
    items = response.context["inline_admin_formsets"][1].formset
    return items.forms[row].errors.get("when", [])


@pytest.mark.parametrize(
    ("when", "says"),
    [
        ({"pension": ["maybe"]}, "其适用条件引用了问题没有提供的答案"),
        ({"nosuch": ["yes"]}, "其适用条件引用了不存在的问题"),
        ({"pension": []}, "任何答案组合都不会选中这个事项"),
        (["pension"], "必须是“问题键 → 答案列表”的映射"),
    ],
)
def test_an_item_the_loader_would_refuse_is_not_saved(
    official_client, change_form, event, when, says
):
    url, data = change_form
    before = _saved(event)
    row = _row(data, "HG-SB-017")
    data[f"items-{row}-when"] = json.dumps(when)
    data["name"] = "身后一件事（改）"
    response = official_client.post(url, {**data, "_save": "保存"})
    assert response.status_code == 200
    assert says in _item_errors(response, row)
    assert says in response.content.decode()  # shown at the item's row
    assert _saved(event) == before  # nothing saved, not even the event's name


def test_a_question_no_item_uses_is_refused_above_the_items(
    official_client, change_form, event
):
    url, data = change_form
    before = _saved(event)
    data[f"items-{_row(data, 'HG-JZ-013')}-DELETE"] = "on"  # the one asking dibao
    response = official_client.post(url, {**data, "_save": "保存"})
    assert response.status_code == 200
    items = response.context["inline_admin_formsets"][1].formset
    assert items.non_form_errors() == [
        "问题“dibao”：没有任何事项的适用条件用到这个问题。"
    ]
    assert "问题“dibao”" in response.content.decode()
    assert _saved(event) == before


def test_the_items_are_checked_against_the_questions_as_posted(
    official_client, change_form, event
):
    """A question renamed in the same post: the items still naming the old key are
    refused; renamed in their conditions too, the event is saved."""
    url, data = change_form
    before = _saved(event)
    question = next(
        n
        for n in range(int(data["questions-TOTAL_FORMS"]))
        if data[f"questions-{n}-key"] == "pension"
    )
    data[f"questions-{question}-key"] = "pension-kind"
    row = _row(data, "HG-SB-017")
    refused = official_client.post(url, {**data, "_save": "保存"})
    assert refused.status_code == 200
    assert "其适用条件引用了不存在的问题" in _item_errors(refused, row)
    assert _saved(event) == before
    data[f"items-{row}-when"] = json.dumps({"pension-kind": ["yes"]})
    saved = official_client.post(url, {**data, "_save": "保存"})
    assert saved.status_code == 302
    assert LifeEventItem.objects.get(event=event, item__code="HG-SB-017").when == {
        "pension-kind": ["yes"]
    }
    assert event.questions.filter(key="pension-kind").exists()


def test_a_good_change_is_saved(official_client, change_form, event):
    url, data = change_form
    row = _row(data, "HG-SB-017")
    data[f"items-{row}-when"] = json.dumps({"pension": ["yes"], "dibao": ["no"]})
    response = official_client.post(url, {**data, "_save": "保存"})
    assert response.status_code == 302
    assert LifeEventItem.objects.get(event=event, item__code="HG-SB-017").when == {
        "pension": ["yes"],
        "dibao": ["no"],
    }


def test_a_yes_no_questions_options_are_yes_and_no(official_client, change_form, event):
    url, data = change_form
    data["questions-0-options"] = "[]"  # left empty: filled in
    assert official_client.post(url, {**data, "_save": "保存"}).status_code == 302
    first = event.questions.order_by("order").first()
    assert first.options == [{"value": "yes"}, {"value": "no"}]
    data["questions-0-options"] = json.dumps([{"value": "maybe"}])
    refused = official_client.post(url, {**data, "_save": "保存"})
    assert refused.status_code == 200
    questions = refused.context["inline_admin_formsets"][0].formset
    assert questions.forms[0].errors["options"]


def test_a_choice_needs_two_options_of_their_own(official_client, change_form, event):
    url, data = change_form
    data["questions-0-kind"] = LifeEventQuestion.Kind.CHOICE
    data["questions-0-options"] = json.dumps([{"value": "yes", "label": "是"}])
    refused = official_client.post(url, {**data, "_save": "保存"})
    assert refused.status_code == 200
    questions = refused.context["inline_admin_formsets"][0].formset
    assert questions.forms[0].errors["options"] == ["选择题至少需要两个选项"]


def test_an_item_twice_is_named_in_chinese(official_client, change_form, event):
    url, data = change_form
    before = _saved(event)
    data[f"items-{_row(data, 'HG-QT-001')}-item"] = data[
        f"items-{_row(data, 'HG-CJ-010')}-item"
    ]
    response = official_client.post(url, {**data, "_save": "保存"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "请修改服务事项的重复数据" in page
    assert "请修改item的重复数据" not in page
    assert _saved(event) == before


def test_the_questions_inline_is_worded_as_the_events_questions(
    official_client, change_form
):
    """Not 留言 (a resident's question): the heading, the add button and the column."""
    url, _data = change_form
    page = official_client.get(url).content.decode()
    heading = re.search(r'<h2 id="questions-heading"[^>]*>(.*?)</h2>', page, re.S)
    assert heading is not None and heading.group(1).strip() == "情形问题"
    inline = re.search(r'id="questions-group"[^>]*data-inline-formset="([^"]+)"', page)
    assert inline is not None
    options = json.loads(html.unescape(inline.group(1)))["options"]
    assert options["addText"] == "添加另一个 情形问题"
    assert re.search(r'<th class="column-text[^"]*"[^>]*>\s*问题', page)
