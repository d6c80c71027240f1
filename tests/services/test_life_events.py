"""Life events (一件事一次办): the questions select the items, one application makes
linked requests atomically, one upload serves every item asking for its kind, and the
loader refuses an event its rules could not use."""

import uuid
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from huagang.exceptions import InvalidInput
from huagang.privacy import NOTICE_VERSION
from services import actions, life_events, notifications
from services.actions import events as event_actions
from services.actions import submission
from services.models import (
    Attachment,
    LifeEvent,
    LifeEventApplication,
    Notification,
    ServiceRequest,
)
from services.selectors.events import life_event_get, life_event_plan
from tests.files import pdf_upload

pytestmark = pytest.mark.django_db

Y, N = "yes", "no"

# What each event must select, written out independently of the data file's
# conditions: answers → the item codes, in the event's order.
EXPECTED = {
    "after-death": lambda a: [
        "HG-HJ-002",
        *(["HG-SB-017"] if a["pension"] == Y else []),
        *(["HG-CJ-010"] if a["disability-card"] == Y else []),
        *(["HG-QT-001"] if a["cremated"] == Y else []),
        *(["HG-JZ-013"] if a["dibao"] == Y else []),
    ],
    "disability": lambda a: [
        "HG-CJ-001",
        *(["HG-CJ-005"] if a["hardship"] == Y else []),
        *(["HG-CJ-006"] if a["severity"] == "severe" else []),
        *(["HG-CJ-007"] if a["assistive"] == Y else []),
    ],
    "newborn": lambda a: [
        "HG-HJ-001",
        "HG-YB-001",
        *(["HG-SB-015"] if a["social-card"] == Y else []),
        *(["HG-JZ-013"] if a["dibao"] == Y else []),
    ],
    "retirement": lambda a: [
        "HG-SB-009" if a["other-pension"] == N else "HG-SB-008",
        *(["HG-YL-003"] if a["senior-card"] == Y else []),
        *(["HG-YL-001"] if a["over-80"] == Y else []),
    ],
}
COMBINATIONS = {"after-death": 16, "disability": 12, "newborn": 4, "retirement": 8}


def test_the_four_events_follow_the_national_key_matters_list():
    events = LifeEvent.objects.order_by("order")
    assert [e.name for e in events] == [
        "身后一件事",
        "残疾人服务一件事",
        "新生儿出生一件事",
        "退休一件事",
    ]
    for event in events:
        assert event.key_matter
        assert "国发〔2024〕3号" in event.policy_basis
        assert "国办发〔2025〕24号" in event.policy_basis


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_every_combination_of_answers_selects_exactly_the_expected_items(code):
    event = life_event_get(code=code)
    questions = [
        (q.key, [o["value"] for o in q.options]) for q in event.questions.all()
    ]
    seen = 0
    for answers in life_events.combinations(questions):
        plan = life_event_plan(event=event, given=answers, kinds={})
        assert [item.code for item in plan.items] == EXPECTED[code](answers), answers
        seen += 1
    assert seen == COMBINATIONS[code]


def test_unanswered_questions_select_nothing():
    event = life_event_get(code="after-death")
    plan = life_event_plan(event=event, given={"pension": Y, "dibao": "maybe"})
    assert not plan.complete and plan.items == []


def _death_plan(**answers):
    event = life_event_get(code="after-death")
    given = {"pension": Y, "disability-card": Y, "cremated": Y, "dibao": N}
    return life_event_plan(event=event, given={**given, **answers})


def _apply(plan, village, resident, uploads=None, **overrides):
    values = {
        "plan": plan,
        "village": village,
        "applicant_name": "张桂英",
        "applicant_phone": "13955550123",
        "applicant_id_number": "11010519491231002X",
        "account": resident,
        "consent_version": NOTICE_VERSION,
        "uploads": uploads,
        "submission_key": uuid.uuid4(),
    }
    values.update(overrides)
    return event_actions.life_event_submit(**values)


def test_the_death_event_lists_each_kind_once_with_the_items_needing_it():
    plan = _death_plan()
    fields = [entry.field for entry in plan.materials]
    assert len(fields) == len(set(fields))
    by_field = {entry.field: entry for entry in plan.materials}
    death = by_field["kind_death-certificate"]
    assert sorted(i.code for i in death.needs) == [
        "HG-CJ-010",
        "HG-HJ-002",
        "HG-QT-001",
        "HG-SB-017",
    ]
    applicant_id = by_field["kind_id-card"]
    assert {"HG-HJ-002", "HG-SB-017", "HG-CJ-010"} <= {
        i.code for i in applicant_id.needs
    }


def test_one_upload_is_attached_to_every_linked_request_needing_its_kind(
    village, resident, django_capture_on_commit_callbacks
):
    plan = _death_plan()
    uploads = {
        e.field: pdf_upload(f"{e.field}.pdf", unique=True) for e in plan.materials
    }
    with django_capture_on_commit_callbacks(execute=True):
        application = _apply(plan, village, resident, uploads)
    requests = ServiceRequest.objects.filter(life_event_link__application=application)
    assert sorted(r.item.code for r in requests) == [
        "HG-CJ-010",
        "HG-HJ-002",
        "HG-QT-001",
        "HG-SB-017",
    ]
    death_file = Attachment.objects.filter(original_name="kind_death-certificate.pdf")
    assert sorted(a.request.item.code for a in death_file) == [
        "HG-CJ-010",
        "HG-HJ-002",
        "HG-QT-001",
        "HG-SB-017",
    ]
    assert len({a.sha256 for a in death_file}) == 1
    # Each request in its own mode: the 户口注销 on the spot, the others carried.
    modes = {r.item.code: r.mode for r in requests}
    assert modes == {
        "HG-HJ-002": "instant",
        "HG-SB-017": "agency",
        "HG-CJ-010": "agency",
        "HG-QT-001": "agency",
    }


def test_a_failure_in_any_linked_request_creates_none(village, resident, monkeypatch):
    plan = _death_plan()
    real = submission.service_request_submit
    calls = []

    def failing(**values):
        calls.append(values["item"].code)
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        return real(**values)

    monkeypatch.setattr(submission, "service_request_submit", failing)
    before = ServiceRequest.objects.count()
    with pytest.raises(RuntimeError):
        _apply(plan, village, resident)
    assert len(calls) == 3
    assert ServiceRequest.objects.count() == before
    assert not LifeEventApplication.objects.exists()


def test_a_problem_is_reported_at_the_event_form_and_nothing_is_made(village, resident):
    plan = _death_plan()
    with pytest.raises(InvalidInput) as caught:
        _apply(plan, village, resident, consent_version="", applicant_id_number="")
    assert "consent" in caught.value.errors
    assert "applicant_id_number" in caught.value.errors
    assert not LifeEventApplication.objects.exists()


def test_the_same_form_posted_twice_makes_one_application(village, resident):
    plan = _death_plan()
    key = uuid.uuid4()
    first = _apply(plan, village, resident, submission_key=key)
    again = _apply(plan, village, resident, submission_key=key)
    assert again == first
    assert first.links.count() == 4
    assert LifeEventApplication.objects.count() == 1
    assert ServiceRequest.objects.filter(life_event_link__isnull=False).count() == 4


def test_the_applicant_is_told_once_for_the_whole_event(
    village, resident, village_clerk, django_capture_on_commit_callbacks
):
    plan = _death_plan()
    with django_capture_on_commit_callbacks(execute=True):
        application = _apply(plan, village, resident)
    told = Notification.objects.order_by("pk")
    assert [(n.channel, n.recipient) for n in told] == [
        ("sms", "13955550123"),
        ("email", "resident@example.org"),
    ]
    body = told[0].body
    assert application.number in body and "身后一件事" in body
    for link in application.links.select_related("service_request__item"):
        assert link.service_request.item.name in body
        assert link.service_request.tracking_number not in body
    # Later steps are each request's own news.
    linked = application.links.get(service_request__item__code="HG-SB-017")
    with django_capture_on_commit_callbacks(execute=True):
        actions.service_request_accept(
            service_request=linked.service_request, by=village_clerk
        )
    after = Notification.objects.order_by("pk")
    assert after.count() == 4
    assert linked.service_request.tracking_number in after.last().body


def test_the_submission_message_names_the_page_to_track_it_on(
    village, resident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = _apply(_death_plan(), village, resident)
    body = Notification.objects.get(channel="sms").body
    assert body.startswith("【花岗镇为民服务】您的身后一件事")
    assert f"编号{application.number}" in body
    assert "花岗镇为民服务网站的“一件事查询”页" in body


def test_a_linked_requests_later_messages_name_its_event(
    village, resident, village_clerk, django_capture_on_commit_callbacks
):
    application = _apply(_death_plan(), village, resident)
    linked = application.links.get(service_request__item__code="HG-SB-017")
    with django_capture_on_commit_callbacks(execute=True):
        actions.service_request_accept(
            service_request=linked.service_request, by=village_clerk
        )
    body = Notification.objects.get(channel="sms").body
    assert body.startswith(
        "【花岗镇为民服务】您的办件 " + linked.service_request.tracking_number
    )
    assert f"该办件属于您的身后一件事（编号{application.number}）。" in body
    # Chinese sentences follow each other with no space between them.
    assert "。 " not in body and "已受理。该办件属于" in body


def _queries_to_tell(service_request, by, django_capture_on_commit_callbacks) -> int:
    """The queries of composing and sending the message of `service_request`'s
    acceptance (its task's work)."""
    with django_capture_on_commit_callbacks(execute=False):
        actions.service_request_accept(service_request=service_request, by=by)
    event = service_request.events.latest("pk")
    with CaptureQueriesContext(connection) as queries:
        assert len(notifications.notifications_for_event(event_id=event.pk)) == 2
    return len(queries)


def test_naming_the_event_costs_no_query_more_than_a_single_requests_message(
    village, resident, village_clerk, submit, django_capture_on_commit_callbacks
):
    single = submit("agency")
    application = _apply(_death_plan(), village, resident)
    linked = application.links.get(service_request__item__code="HG-SB-017")
    alone = _queries_to_tell(single, village_clerk, django_capture_on_commit_callbacks)
    in_event = _queries_to_tell(
        linked.service_request, village_clerk, django_capture_on_commit_callbacks
    )
    assert in_event <= alone + 1


def test_an_item_done_only_in_person_is_never_a_linked_request():
    from django.core.exceptions import ValidationError

    from services.models import LifeEventItem, ServiceItem

    event = LifeEvent.objects.get(code="after-death")
    in_person = ServiceItem.objects.get(code="HG-HJ-007")
    with pytest.raises(ValidationError) as refused:
        LifeEventItem(event=event, item=in_person).clean()  # the admin's check
    assert "item" in refused.value.message_dict
    # An item of the event made in-person later drops out of the plan.
    ServiceItem.objects.filter(code="HG-QT-001").update(in_person=True)
    assert "HG-QT-001" not in [item.code for item in _death_plan().items]


# --- the loader ------------------------------------------------------------------------


@pytest.fixture
def data_dir(tmp_path: Path, settings) -> Path:
    import shutil

    target = tmp_path / "data"
    shutil.copytree(settings.TOWN_DATA_DIR, target)
    return target


def _edit_events(data_dir: Path, change) -> None:
    path = data_dir / "life_events.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(document[0])
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")


def _load(data_dir: Path) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("load_town_data", "--data-dir", str(data_dir), stdout=out)
    return out.getvalue()


def _unknown_item(event):
    event["items"].append({"item": "HG-XX-999"})


def _unused_question(event):
    event["questions"].append(
        {"key": "spare", "text": "多余的问题？", "kind": "yes_no"}
    )


def _in_person_item(event):
    event["items"].append({"item": "HG-HJ-007"})  # 落户: at the police station only


def _dotted_key(event):
    event["questions"][0]["key"] = "q.asked"


def _folded_summary(event):
    # What YAML's ">-" makes of a summary written on two lines.
    event["summary"] = "一次申请、一套材料， 由村（社区）便民服务分中心代办。"


def _one_option(event):
    event["questions"][0] = {
        "key": "pension",
        "text": "逝者领取哪种养老金？",
        "kind": "choice",
        "options": [{"value": "yes", "label": "城乡居民养老保险"}],
    }


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (_unknown_item, "no catalog item has this code"),
        (_unused_question, "spare: no item's condition uses this question"),
        (_dotted_key, "use only letters, digits, hyphens and underscores"),
        (_in_person_item, "done only in person at its window"),
        (_folded_summary, "summary.*a space between two Chinese characters"),
        (_one_option, "a choice needs at least two options"),
    ],
)
def test_the_loader_refuses_an_unusable_event(data_dir, change, says):
    _edit_events(data_dir, change)
    with pytest.raises(CommandError, match=says):
        _load(data_dir)


def test_no_life_event_text_has_a_space_inside_chinese():
    from services.loading_events import _SPACE_IN_CHINESE

    texts = [
        text
        for event in LifeEvent.objects.prefetch_related("questions")
        for text in (
            event.summary,
            event.for_whom,
            *(question.text for question in event.questions.all()),
        )
    ]
    assert len(texts) > 8
    assert [t for t in texts if _SPACE_IN_CHINESE.search(t)] == []
    assert _SPACE_IN_CHINESE.search("一套材料， 由村")
    assert _SPACE_IN_CHINESE.search("一套材料，\n由村")
    assert not _SPACE_IN_CHINESE.search("年满 60 周岁")


def test_an_item_no_combination_reaches_is_a_problem():
    assert life_events.event_problems(
        [("q", ["yes", "no"]), ("r", ["yes", "no"])],
        [("A", {"q": ["yes"]}), ("B", {"r": []})],
    ) == [("B", "unreachable")]


def test_the_loader_refuses_an_unreachable_item_in_the_file(data_dir):
    def change(event):
        event["items"].append({"item": "HG-SB-001", "when": {"pension": []}})

    _edit_events(data_dir, change)
    with pytest.raises(
        CommandError, match="HG-SB-001: no combination of answers selects this item"
    ):
        _load(data_dir)


def test_reloading_the_events_changes_nothing(settings):
    output = _load(Path(settings.TOWN_DATA_DIR))
    assert "life events: 0 created, 0 updated, 4 unchanged" in output
    assert "material kinds: 0 created, 0 updated, 12 unchanged" in output


def test_the_same_form_sent_again_with_a_new_key_finds_the_first(village, resident):
    plan = _death_plan()
    first = _apply(plan, village, resident)
    again = _apply(plan, village, resident)  # a new key: the back button, then send
    assert again == first
    assert LifeEventApplication.objects.count() == 1
    assert ServiceRequest.objects.filter(life_event_link__isnull=False).count() == 4


def test_without_an_account_only_the_session_that_sent_it_finds_the_first(village):
    """Not signed in: the same form sent again with a new key is the first event
    for the browser session that sent it, and refused, naming nothing, otherwise."""
    from huagang.exceptions import Conflict
    from services.access import session_submissions

    plan = _death_plan()
    first = _apply(plan, village, None, sent_from=session_submissions({}))
    requests = ServiceRequest.objects.count()
    with pytest.raises(Conflict, match="短信") as refused:
        _apply(plan, village, None, sent_from=session_submissions({}))
    assert refused.value.code == "already_submitted"
    assert first.number not in refused.value.message
    with pytest.raises(Conflict):
        _apply(plan, village, None)  # no session at all (another system)
    sent_here = session_submissions({"huagang.submitted_life_events": [first.pk]})
    assert _apply(plan, village, None, sent_from=sent_here) == first
    assert LifeEventApplication.objects.count() == 1
    assert ServiceRequest.objects.count() == requests


def test_a_request_sent_from_the_session_is_found_and_another_persons_is_not(
    village, submit
):
    """The request a session remembers is found again; the same values of a request
    a signed-in resident sent are not this anonymous applicant's."""
    from huagang.exceptions import Conflict
    from services.access import session_submissions

    values = {"account": None, "description": "换发"}
    first = submit("agency", **values)
    here = session_submissions({"huagang.submitted_requests": [first.pk]})
    assert submit("agency", **values, sent_from=here) == first
    with pytest.raises(Conflict, match="短信"):
        submit("agency", **values, sent_from=session_submissions({}))
    signed_in = submit("agency", description="换发")  # the resident's own, the same
    assert signed_in != first
    assert submit("agency", description="换发") == signed_in
    assert ServiceRequest.objects.count() == 2


def test_every_material_named_by_a_kind_is_in_the_catalog():
    """A kind names materials as the catalog spells them: a renamed material shows
    here, not as an upload silently asked twice."""
    from services.models import Material, MaterialKind

    names = set(Material.objects.values_list("name", flat=True))
    names |= set(Material.objects.values_list("key", flat=True))
    for kind in MaterialKind.objects.all():
        assert set(kind.materials) <= names, (kind.code, set(kind.materials) - names)
