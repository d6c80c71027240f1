"""Browser tests: Debian's Chromium, driven by Playwright, clicks through the live portal.

One browser for all the browser tests; every test gets fresh contexts (a person at
their own browser: cookies, language, screen size) on pytest-django's ``live_server``,
which shares the file SQLite test database (or PostgreSQL) with the test thread. Each step is
saved as a screenshot under ``$HUAGANG_SCREENSHOTS`` (default ``var/screenshots``):
``<test name>/<nn>-<step>.png``.

Skipped, with the reason, where Chromium or the playwright package is missing (a
newcomer's laptop); CI installs both and fails on any skip. Never ``playwright install``:
the tests launch the system Chromium.
"""

import itertools
import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from .clerk import Person

CHROMIUM = Path(os.environ.get("HUAGANG_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 800}
# What Chromium writes to the console when the Content-Security-Policy blocks
# something, or when the Permissions-Policy header names what it does not know.
POLICY_MESSAGE = re.compile(
    r"Content[ -]Security[ -]Policy|Permissions[ -]Policy", re.I
)
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="package")
def browser():
    """Headless Chromium, shared by every browser test and closed after the last one.

    While Playwright's sync API is started, the main thread has a running event loop,
    so Django refuses ORM calls there (SynchronousOnlyOperation). Nothing here is
    async: allow it while the browser lives. Package scope rather than session scope,
    so that the tests after these run without that loop or that permission.
    """
    if not CHROMIUM.exists():
        pytest.skip(
            f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)"
        )
    sync_api = pytest.importorskip(
        "playwright.sync_api",
        reason="browser tests need the playwright package (pip install -e '.[test]')",
    )
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_api.sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def _static_files_cached():
    """Let the browser keep the admin's CSS and JavaScript between pages.

    The tests travel to 2026-03-10, in the live server's thread too, so the responses'
    Date lies far from the browser's clock and from the files' Last-Modified: Chromium
    then fetches every file again on every page, which makes each page take about twice
    as long. A max-age longer than that gap lets it reuse them for the test's context.
    """
    from django.contrib.staticfiles.handlers import StaticFilesHandler

    serve = StaticFilesHandler.serve

    def serve_cacheable(self, request):
        response = serve(self, request)
        response.headers["Cache-Control"] = "max-age=315360000"
        return response

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(StaticFilesHandler, "serve", serve_cacheable)
        yield


@pytest.fixture(autouse=True)
def policy_violations(request) -> Iterator[list[str]]:
    """Fail a browser test whose pages broke the Content-Security-Policy (a blocked
    inline script or style, a source from elsewhere) or whose Permissions-Policy
    header Chromium did not understand: every context the test opens, through
    ``person`` or ``browser.new_context`` itself, reports its pages' console here."""
    violations: list[str] = []
    if "browser" not in request.fixturenames:
        yield violations
        return
    browser = request.getfixturevalue("browser")
    new_context = browser.new_context

    def watched_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.on("page", lambda page: _watch(page, violations))
        return context

    browser.new_context = watched_context
    try:
        yield violations
    finally:
        del browser.new_context
    if violations:
        pytest.fail("the browser reported policy violations:\n" + "\n".join(violations))


def _watch(page, violations: list[str]) -> None:
    def on_message(text: str) -> None:
        if POLICY_MESSAGE.search(text):
            violations.append(f"{page.url}: {text}")

    page.on("console", lambda message: on_message(message.text))
    page.on("pageerror", lambda error: on_message(str(error)))


@pytest.fixture
def screenshots(request) -> Path:
    """This test's screenshot folder, emptied first."""
    root = Path(
        os.environ.get("HUAGANG_SCREENSHOTS")
        or Path(settings.BASE_DIR) / "var/screenshots"
    )
    folder = root / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so fixtures can see a failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def person(
    request, browser, live_server, _static_files_cached, screenshots
) -> Iterator[Callable[..., Person]]:
    """``person(viewport=DESKTOP)``: a fresh browser context and page, Chinese UI;
    other keywords go to the context (e.g. ``device_scale_factor=2``)."""
    contexts = []
    counter = itertools.count(1)

    def shot(page, step: str) -> None:
        slug = re.sub(r"[^\w-]+", "-", step)
        name = f"{next(counter):02d}-{slug}.png"
        page.screenshot(path=str(screenshots / name), full_page=True)

    def _person(viewport: dict | None = None, **options) -> Person:
        context = browser.new_context(
            viewport=viewport or DESKTOP,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            **options,
        )
        context.set_default_timeout(10_000)
        # The browser's clock shows the test's day too: the admin's date shortcuts
        # (今天, 现在) read it.
        context.clock.install(time=timezone.now())
        contexts.append(context)
        return Person(context.new_page(), live_server.url, shot)

    yield _person
    failed = getattr(request.node, "report_call", None)
    for context in contexts:
        if failed is not None and failed.failed:
            for page in context.pages:
                shot(page, "failed")
        context.close()


_browser_seconds: list[float] = []


def pytest_runtest_logreport(report):
    if "browser" in report.keywords:
        _browser_seconds.append(report.duration)


def pytest_terminal_summary(terminalreporter):
    """Say what the browser tests cost: they are the slowest part of the suite."""
    if _browser_seconds:
        terminalreporter.write_line(
            f"browser tests: {sum(_browser_seconds):.1f} s "
            "(setup, run and teardown; screenshots under var/screenshots/ "
            "or $HUAGANG_SCREENSHOTS)"
        )
