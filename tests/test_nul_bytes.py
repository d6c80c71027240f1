"""A NUL byte in a query, a form or the path is answered 400, never 500.

PostgreSQL refuses NUL in text, so before the middleware such a value reaching a
query failed with a server error (an admin list filter, the catalog's search box).
"""

import pytest
from django.contrib import admin
from django.contrib.admin.filters import FieldListFilter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from huagang.middleware import RejectNulMiddleware
from services.models import ServiceRequest
from villages.choices import Role

pytestmark = pytest.mark.django_db

NUL = "\x00"


def _filter_parameters() -> list[tuple[str, str]]:
    """(changelist URL, parameter) for every list filter of every registered admin.

    Both the parameters each filter itself reads (``status__exact``, ``trip_date__gte``
    …) and the bare field path (``?status=``), which the admin also accepts as a
    lookup: both reached the database.
    """
    from villages.models import User

    superuser = User(
        role=Role.OFFICIAL, is_superuser=True, is_staff=True, is_active=True
    )
    cases = []
    for model, model_admin in admin.site._registry.items():
        if not model_admin.list_filter:
            continue
        url = reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        )
        request = RequestFactory().get(url)
        request.user = superuser
        changelist = model_admin.get_changelist_instance(request)
        for spec in changelist.filter_specs:
            names = set(spec.expected_parameters())
            if isinstance(spec, FieldListFilter):
                names.add(spec.field_path)
            cases += [(url, name) for name in sorted(names)]
    return cases


def test_every_list_filter_of_every_changelist_answers_400_to_a_nul(
    client, django_user_model
):
    boss = django_user_model.objects.create_superuser(
        phone="13900000001", password="x" * 12, name="管理员"
    )
    client.force_login(boss)
    cases = _filter_parameters()
    assert len(cases) > 31  # every filter: the 31 of the review and their lookups
    answers = {(url, name): client.get(url, {name: NUL}) for url, name in cases}
    wrong = {key: r.status_code for key, r in answers.items() if r.status_code != 400}
    assert not wrong
    page = next(iter(answers.values())).content.decode()
    assert "无法处理的字符" in page


def test_a_nul_in_a_form_field_is_refused_and_nothing_is_saved(
    client, official, items, village
):
    client.force_login(official)
    response = client.post(
        reverse("admin:services_servicerequest_add"),
        {
            "item": items["agency"].pk,
            "village": village.pk,
            "mode": "agency",
            "channel": "window",
            "applicant_name": f"张{NUL}三",
            "applicant_phone": "13955550123",
        },
    )
    assert response.status_code == 400
    assert "无法处理的字符" in response.content.decode()
    assert not ServiceRequest.objects.exists()


@pytest.mark.parametrize(
    "query", [{"q": NUL}, {"q": f"户口{NUL}"}, {NUL: "x"}, {"page": NUL}]
)
def test_a_nul_in_the_catalog_search_is_refused(client, query):
    response = client.get(reverse("services:catalog"), query)
    assert response.status_code == 400
    assert "无法处理的字符" in response.content.decode()


@pytest.mark.parametrize(
    "path", ["/services/%00/", "/services/HG%00/", "/villages/3401%00/", "/%00"]
)
def test_a_nul_in_the_path_is_refused(client, path):
    """Before, the URL converters answered 404 for the first three; now one rule."""
    assert client.get(path).status_code == 400


def test_ordinary_queries_pass(client):
    assert client.get(reverse("services:catalog"), {"q": "户口"}).status_code == 200


def test_an_uploaded_files_content_may_hold_nul_bytes():
    """A PDF or a photo is full of NUL bytes: the middleware reads only the fields."""
    seen = []

    def view(request):
        seen.append(request.FILES["file"].read())
        return HttpResponse("ok")

    request = RequestFactory().post(
        "/upload/",
        {"note": "身份证", "file": SimpleUploadedFile("id.pdf", b"%PDF\x00\x00\x01")},
    )
    response = RejectNulMiddleware(view)(request)
    assert response.status_code == 200
    assert seen == [b"%PDF\x00\x00\x01"]


def test_a_nul_in_the_session_cookie_is_refused(client):
    """The session key is looked up in the database on the first use of request.user."""
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
    assert client.get(reverse("admin:index")).status_code == 400
