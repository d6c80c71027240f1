"""The API's Redoc page in Chromium: it renders the schema and asks no other host for
anything (Redoc's bundle asked cdn.redoc.ly for its "API docs by Redocly" logo)."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_redoc_renders_and_asks_no_other_host(browser, live_server):
    context = browser.new_context()
    page = context.new_page()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(live_server.url + "/api/v1/redoc/")
    page.wait_for_selector("text=API docs by Redocly", timeout=30000)
    page.wait_for_selector("h2", timeout=30000)  # the schema's operations
    page.wait_for_timeout(500)
    local = (live_server.url, f"blob:{live_server.url}")
    assert asked and all(url.startswith(local) for url in asked), asked
    assert page.locator("img[alt='redocly logo']").count() == 0
    context.close()


def test_swagger_ui_tries_an_operation_and_shows_its_answer(browser, live_server):
    """A developer opens /api/v1/docs/, tries ``GET /api/v1/services/`` and sees its
    200 and body, with every file served by the portal itself."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(live_server.url + "/api/v1/docs/")
    operation = page.locator(".opblock-get", has_text="/api/v1/services/").first
    operation.wait_for(timeout=30000)
    operation.locator(".opblock-summary").first.click()
    operation.locator("button.try-out__btn").click()
    operation.locator("button.execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for(timeout=30000)
    assert status.inner_text().strip().startswith("200")
    assert '"results"' in operation.locator(".live-responses-table").inner_text()
    local = (live_server.url, f"blob:{live_server.url}", "data:")
    assert all(url.startswith(local) for url in asked), asked
    context.close()
