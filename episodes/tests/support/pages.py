"""Read an admin page's form the way a browser would submit it (stdlib HTML parser only)."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self, form_id: str):
        super().__init__()
        self.form_id = form_id
        self.depth = 0  # >0 while inside <form id=form_id>
        self.fields: list[tuple[str, str]] = []
        self._textarea = None
        self._select = None
        self._select_value = None
        self._option_value = None

    def _owned(self, attrs) -> bool:
        owner = attrs.get("form")
        return owner == self.form_id if owner else self.depth > 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.depth = 1
            return
        if tag == "form" and self.depth:
            self.depth += 1
        if tag == "input" and self._owned(attrs) and "name" in attrs and "disabled" not in attrs:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append((attrs["name"], attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and self._owned(attrs) and "name" in attrs:
            self._textarea = [attrs["name"], ""]
        elif tag == "select" and self._owned(attrs) and "name" in attrs:
            self._select, self._select_value = attrs["name"], None
        elif tag == "option" and self._select:
            self._option_value = attrs.get("value")
            if "selected" in attrs or self._select_value is None:
                self._select_value = (attrs.get("value"), "selected" in attrs)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.depth:
            self.depth -= 1
        elif tag == "textarea" and self._textarea is not None:
            value = self._textarea[1]
            # Browsers drop one newline right after <textarea>.
            self.fields.append((self._textarea[0], value[1:] if value.startswith("\n") else value))
            self._textarea = None
        elif tag == "select" and self._select:
            if self._select_value is not None and self._select_value[0] is not None:
                self.fields.append((self._select, self._select_value[0]))
            self._select = None


def form_fields(html: str, form_id: str = "episode_form") -> dict[str, str]:
    """Return the name → value pairs a browser would submit for the form ``form_id``."""
    parser = _FormParser(form_id)
    parser.feed(html)
    return dict(parser.fields)
