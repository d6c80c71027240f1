"""A person at a browser using the admin as the clerks do: by the visible Chinese labels.

Nothing here posts a form by hand or reads a value the page does not show: fields are
found by their label, options chosen by their text, buttons clicked by their name.
"""

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported without playwright installed: the tests then skip
    from playwright.sync_api import Locator, Page

PASSWORD = "test-password"  # tests.factories.UserFactory's


def _label_text(label: str) -> re.Pattern:
    """A label's whole text: the admin adds a colon."""
    return re.compile(rf"^\s*{re.escape(label)}[:：]?\s*$")


class Person:
    """Someone at their own browser (a Playwright page in its own context).

    ``shot(step)`` saves a numbered screenshot; the numbering runs through the whole
    test, across people, so the folder reads as the story of the test.
    """

    def __init__(
        self, page: "Page", base_url: str, shot: Callable[["Page", str], None]
    ):
        self.page = page
        self.base_url = base_url
        self._shot = shot

    def shot(self, step: str) -> None:
        self._shot(self.page, step)

    # --- getting around ----------------------------------------------------------------

    def sign_in(self, user) -> None:
        """Type the mobile number and password into the admin's login page."""
        self.page.goto(self.base_url + "/admin/")  # the admin sends them to log in
        self.page.get_by_label("手机号码").fill(user.phone)
        self.page.get_by_label("密码").fill(PASSWORD)
        self.shot("login")
        self.page.get_by_role("button", name="登录").click()
        self.page.wait_for_url(self.base_url + "/admin/")
        self.shot("signed-in")

    def follow(self, link: "Locator") -> None:
        """Click a link and wait for the page it opens."""
        with self.page.expect_navigation():
            link.click()

    def home(self) -> None:
        """Back to the admin's front page through the site header."""
        self.follow(self.page.get_by_role("link", name="花岗镇为民服务门户").first)

    def open_list(self, name: str) -> None:
        """The list of one kind of record (e.g. 办件): from the side menu where the
        screen is wide enough to show it, else from the front page."""
        sidebar = self.page.locator("#nav-sidebar")
        if not sidebar.is_visible():
            self.home()
            sidebar = self.content
        self.follow(sidebar.get_by_role("link", name=name, exact=True))
        self.shot(f"list-{name}")

    def open_add_form(self, name: str) -> None:
        """From the front page, the 增加 link on the row of one kind of record."""
        self.home()
        row = self.content.get_by_role("row").filter(
            has=self.page.get_by_role("link", name=name, exact=True)
        )
        self.follow(row.get_by_role("link", name="增加"))

    def open_row(self, text: str) -> None:
        """In a list, open the record whose link shows `text`."""
        self.follow(self.results.get_by_role("link", name=text, exact=True))

    # --- reading the page --------------------------------------------------------------

    @property
    def content(self) -> "Locator":
        return self.page.locator("#content")

    @property
    def results(self) -> "Locator":
        """A list page's table of records (not its filters)."""
        return self.page.locator("#result_list")

    def list_cell(self, row: str, column: str) -> "Locator":
        """In a list, the cell under `column` in the row that links to `row`."""
        headers = self.results.locator("thead th").all_inner_texts()
        index = [h.strip() for h in headers].index(column)
        line = self.results.get_by_role("row").filter(
            has=self.page.get_by_role("link", name=row, exact=True)
        )
        return line.locator("th, td").nth(index)

    def field(self, label: str) -> "Locator":
        """A read-only field's shown value on a change page, by its label."""
        return self._row(label).locator(".readonly")

    def success(self) -> "Locator":
        return self.page.locator(".messagelist .success")

    def form_errors(self) -> "Locator":
        """Errors about the whole form, shown above its fields."""
        return self.page.locator("ul.errorlist.nonfield")

    def field_errors(self, label: str) -> "Locator":
        """Errors shown at the field labelled `label`."""
        return self._row(label).locator("ul.errorlist")

    def _row(self, label: str) -> "Locator":
        return self.page.locator(".form-row").filter(
            has=self.page.locator("label", has_text=_label_text(label))
        )

    # --- acting ------------------------------------------------------------------------

    def labelled(self, label: str) -> "Locator":
        """The input whose label reads `label` (the admin adds a colon)."""
        return self.page.get_by_label(_label_text(label))

    def choose(self, label: str, option: str) -> None:
        self.labelled(label).select_option(label=option)

    def type(self, label: str, text: str) -> None:
        self.labelled(label).fill(text)

    def set_date_time(self, label: str, *, date: str, time: str) -> None:
        """A date-and-time field: click a date shortcut (e.g. 今天), type the time.

        The admin labels only the date box; the time box is the row's second box.
        """
        row = self._row(label)
        row.get_by_role("link", name=date, exact=True).click()
        row.get_by_role("textbox").nth(1).fill(time)

    def save(self, step: str) -> None:
        """Press 保存 and wait for the page it leads to."""
        self.shot(f"{step}-filled")
        with self.page.expect_navigation():
            self.page.get_by_role("button", name="保存", exact=True).click()
        self.shot(step)

    def take_step(self, step: str, note: str = "") -> None:
        """On a request's page: choose the next step (下一步), write a note, save."""
        self.choose("下一步", step)
        if note:
            self.type("给居民的说明", note)
        self.save(f"step-{step}")

    def run_list_action(self, rows: list[str], action: str) -> None:
        """Tick the rows showing `rows` in a list, choose the action, press 执行."""
        for text in rows:
            row = self.results.get_by_role("row").filter(
                has=self.page.get_by_role("link", name=text, exact=True)
            )
            row.get_by_role("checkbox").check()
        self.page.get_by_label("动作").select_option(label=action)
        self.shot("list-action-chosen")
        with self.page.expect_navigation():
            self.page.get_by_role("button", name="执行").click()
        self.shot("list-action-done")
