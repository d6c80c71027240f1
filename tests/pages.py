"""Post a page's form as a browser would: only the fields the page has, with its
hidden values, to its action."""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str
    method: str
    names: set[str] = field(default_factory=set)
    values: dict[str, str] = field(default_factory=dict)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
        elif self.forms and tag in {"input", "textarea", "select"} and a.get("name"):
            form, name = self.forms[-1], a["name"]
            form.names.add(name)
            kind = a.get("type", "text")
            if tag == "input" and kind not in {"radio", "checkbox", "submit"}:
                form.values[name] = a.get("value", "")
            elif kind in {"radio", "checkbox"} and "checked" in a:
                form.values[name] = a.get("value", "on")
            if tag == "textarea":
                self._textarea = name
                form.values[name] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.forms[-1].values[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None


def page_form(response, action: str) -> Form:
    """The form of the page that posts to `action` (it must be there)."""
    parser = _Forms()
    parser.feed(response.content.decode())
    found = [f for f in parser.forms if f.action == action and f.method == "post"]
    assert found, f"no form posting to {action} on the page"
    return found[0]


def submit(client, page_url: str, action: str, **values: str):
    """Open `page_url`, fill its form posting to `action` with `values` (each must be
    a field of the form), and post it with the page's other values."""
    page = client.get(page_url)
    assert page.status_code == 200, page.status_code
    form = page_form(page, action)
    unknown = set(values) - form.names
    assert not unknown, f"the form has no field {unknown}"
    data = {**form.values, **values}
    data.pop("csrfmiddlewaretoken", None)
    return client.post(action, data)
