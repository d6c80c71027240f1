"""The API's schema and its documentation pages: generated from the code, valid and
warning-free, and readable offline (Swagger UI and Redoc from the vendored
drf-spectacular-sidecar, no inline script, nothing fetched from another site)."""

import re
from io import StringIO

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

pytestmark = pytest.mark.django_db

DOCS, REDOC, SCHEMA = "/api/v1/docs/", "/api/v1/redoc/", "/api/v1/schema/"
REFERENCE = re.compile(r"""\b(?:src|href|spec-url)\s*=\s*["']([^"']*)["']""")
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def _references(html: str) -> list[str]:
    return REFERENCE.findall(html)


@pytest.mark.parametrize("url", [DOCS, REDOC])
def test_the_pages_reference_only_local_files_that_exist(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    references = _references(html)
    assert references, html
    for reference in references:
        assert reference.startswith("/"), reference
        assert not reference.startswith("//"), reference
        if reference.startswith("/static/"):
            assert finders.find(reference.removeprefix("/static/")), reference
        else:
            assert reference.startswith("/api/v1/"), reference
    assert "http://" not in html and "https://" not in html


@pytest.mark.parametrize("url", [DOCS, REDOC])
def test_the_pages_hold_no_inline_script(client, url):
    html = client.get(url).content.decode()
    assert "<script" in html
    assert not INLINE_SCRIPT.search(html) and not INLINE_HANDLER.search(html)


def test_swagger_ui_loads_its_start_up_script_from_the_same_view(client):
    html = client.get(DOCS).content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert [s for s in scripts if s.startswith("/static/")] == [
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/"
        "swagger-ui-standalone-preset.js",
    ]
    start = scripts[-1].replace("&amp;", "&")
    assert start.startswith(f"{DOCS}?")
    response = client.get(start)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    script = response.content.decode()
    assert f'url: "{SCHEMA}' in script.replace("\\u002D", "-")
    assert "https://" not in script and "http://" not in script
    assert '"validatorUrl": null' in script  # no badge from validator.swagger.io


def test_redoc_reads_the_schema(client):
    html = client.get(REDOC).content.decode()
    assert f'<redoc spec-url="{SCHEMA}"></redoc>' in html
    assert "fonts.googleapis.com" not in html


def test_the_schema_is_served(client):
    response = client.get(SCHEMA)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    assert response.content.startswith(b"openapi: 3.")
    found = client.get(SCHEMA, {"format": "json"})
    assert found.status_code == 200
    schema = found.json()
    paths = schema["paths"]
    for path in (
        "/api/v1/services/",
        "/api/v1/services/{code}/",
        "/api/v1/categories/",
        "/api/v1/bodies/",
        "/api/v1/villages/",
        "/api/v1/villages/{code}/",
        "/api/v1/statistics/",
        "/api/v1/statistics/overdue/",
    ):
        assert set(paths[path]) == {"get"}, path
    assert not any(p.startswith(("/api/v1/docs", "/api/v1/schema")) for p in paths)


def test_the_schema_describes_the_filters_and_their_errors(client):
    schema = client.get(SCHEMA, {"format": "json"}).json()
    services = schema["paths"]["/api/v1/services/"]["get"]
    parameters = {p["name"]: p for p in services["parameters"]}
    assert set(parameters) == {
        "q",
        "category",
        "body",
        "mode",
        "level",
        "online",
        "cursor",
        "page_size",
    }
    assert parameters["online"]["schema"] == {"type": "boolean"}
    assert parameters["q"]["schema"]["maxLength"] == 50
    assert parameters["mode"]["schema"]["enum"] == ["agency", "home", "instant"]
    assert {"200", "400", "429"} <= set(services["responses"])
    assert "404" not in services["responses"]  # a bad cursor is a 400
    detail = schema["paths"]["/api/v1/services/{code}/"]["get"]
    assert {"200", "400", "404"} <= set(detail["responses"])
    statistics = schema["paths"]["/api/v1/statistics/"]["get"]
    assert {"200", "400", "401", "403"} <= set(statistics["responses"])
    assert {} not in statistics.get("security", [])  # no anonymous access
    assert {} in services["security"]  # the catalog is public


def test_the_schema_follows_the_language_asked_for(client):
    english = client.get(SCHEMA, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(SCHEMA).content.decode()
    assert "item code" in english and "事项编码" in chinese


def test_the_schema_validates_without_warnings():
    out = StringIO()
    # raises on any warning or error
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    assert out.getvalue().startswith("openapi: 3.")


def test_the_handling_level_and_the_rating_level_are_separate_enums(client):
    schema = client.get(SCHEMA, {"format": "json"}).json()
    schemas = schema["components"]["schemas"]
    accept = schemas["ServiceDetail"]["properties"]["accept_level"]
    name = accept["allOf"][0]["$ref"].rsplit("/", 1)[1]
    assert set(schemas[name]["enum"]) == {"village", "town", "county"}
    rating = schemas["RatingOut"]["properties"]["level"]["$ref"].rsplit("/", 1)[1]
    assert rating != name
    assert schemas[rating]["enum"] == [5, 4, 3, 2, 1]


def test_the_guide_s_materials_carry_the_id_their_upload_field_is_named_by(client):
    schemas = client.get(SCHEMA, {"format": "json"}).json()["components"]["schemas"]
    material = schemas["Material"]
    assert material["properties"]["id"]["type"] == "integer"
    assert "material_<id>" in material["properties"]["id"]["description"]


# An address the script would load (an image's or a script's source, a fetch), as
# opposed to the many it only names (JSON-schema ids, links a person may click).
LOADED = re.compile(r"""\b(?:src|srcset|fetch\()\s*[:=(]?\s*["'`](?:https?:)?//""")


def test_redoc_s_script_is_served_locally_and_loads_nothing_from_elsewhere(client):
    html = client.get(REDOC).content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert scripts == ["/api/v1/redoc/redoc.js"]
    response = client.get(scripts[0])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    script = response.content.decode()
    assert "cdn.redoc.ly" not in script  # the "API docs by Redocly" logo
    assert not LOADED.search(script), LOADED.search(script)
    assert 'alt:"redocly logo",onError:()=>t(!1),src:"data:,"' in script
    bundle = finders.find("drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js")
    with open(bundle, encoding="utf-8") as original:
        assert LOADED.search(original.read())  # the check sees what it looks for


def test_the_description_holds_nothing_a_viewer_would_take_for_html(client):
    description = client.get(SCHEMA, {"format": "json"}).json()["info"]["description"]
    assert not re.search(r"<[a-z]", description), description
    assert "`Authorization: Token hg_…`" in description
