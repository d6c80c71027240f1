import pytest

from villages.choices import Role

OPEN311 = "/open311/v2"
FENFANG_CODE = "340123106202"  # 粉坊村

# What the applicant gave and what staff wrote: none of it may appear in any Open311
# answer (the tests search every body for each).
APPLICANT = {
    "applicant_name": "欧阳桂英",
    "applicant_phone": "13955550123",
    "applicant_id_number": "11010519491231002X",  # GB 11643's own example
    "applicant_address": "幸福路18号",
}
PERSONAL = [
    "欧阳",
    "桂英",
    "13955550123",
    "5550123",
    "11010519491231002X",
    "幸福路",
    "亲手写的说明",
    "请带户口簿",
    "已审核通过",
    "张清",  # the POST's applicant
    "13800001111",
    "320102",
    "和平街",
    "来电描述",
]


def assert_nothing_personal(body: bytes | str, *numbers: str) -> None:
    text = body.decode() if isinstance(body, bytes) else body
    for secret in [*PERSONAL, *numbers]:
        assert secret not in text, f"{secret!r} appears in an Open311 answer"


@pytest.fixture
def key_for():
    """`key_for(user)`: a new API key acting as `user` (what officials make)."""
    from villages.actions import api_token_create

    def _key(user) -> str:
        return api_token_create(name="县政务服务平台", account=user, by=None)[1]

    return _key


@pytest.fixture
def system_key(town_clerk, key_for):
    """A key for another system, acting as a town-center clerk (any village)."""
    return key_for(town_clerk)


@pytest.fixture
def made(submit, items, village, village_clerk, resident, commit):
    """Requests through the actions: one awaiting acceptance, one accepted with a
    public note, one completed with a result, one rejected; each with the applicant's
    details above and a description they wrote."""
    from services import actions

    def _one(kind: str, n: int):
        return submit(kind, description=f"亲手写的说明{n}", **APPLICANT)

    with commit():
        waiting = _one("agency", 1)
        accepted = _one("home", 2)
        actions.service_request_accept(service_request=accepted, by=village_clerk)
        done = _one("instant", 3)
        actions.service_request_accept(service_request=done, by=village_clerk)
        actions.service_request_complete(
            service_request=done, by=village_clerk, result="已审核通过"
        )
        refused = _one("agency", 4)
        actions.service_request_reject(
            service_request=refused, by=village_clerk, reason="请带户口簿再来"
        )
    for made_request in (waiting, accepted, done, refused):
        made_request.refresh_from_db()
    return {
        "waiting": waiting,
        "accepted": accepted,
        "done": done,
        "refused": refused,
    }


def post_values(item, village_code: str, **overrides) -> dict:
    """A complete Open311 POST for `item` (in its first mode) from the hotline."""
    from huagang.privacy import NOTICE_VERSION
    from services.actions.submission import id_number_required

    values = {
        "service_code": item.code,
        "attribute[mode]": item.modes[0].value,
        "attribute[village]": village_code,
        "attribute[consent]": NOTICE_VERSION,
        "first_name": "清",
        "last_name": "张",
        "phone": "13800001111",
        "email": "zhang@example.org",
        "address_string": "和平街3号",
        "description": "来电描述：需要办理",
    }
    if id_number_required(item):
        values["attribute[id_number]"] = "320102198001010032"
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


@pytest.fixture
def resident_user(db):
    from tests.factories import UserFactory

    return UserFactory(role=Role.RESIDENT)
