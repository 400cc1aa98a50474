"""The topics field: one topic per line, with a box that suggests the curated topics (a datalist of the Topic
rows and their aliases) and adds the one chosen; topics not on the list are marked beside the field as typed
(``static/episodes/editor/topics.js``), as the ``topics-curated`` rule marks them once saved."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django import forms
from django.utils.html import format_html, format_html_join

ADD_LABEL = "Add a topic from the curated list"


class TopicsWidget(forms.Textarea):
    """A textarea of topics, one a line, and a box suggesting the curated ones: ``choices`` returns them as
    (name, aliases), asked only when the field is shown (a save that redirects reads none)."""

    def __init__(self, attrs=None, choices: Callable[[], Sequence[tuple[str, Sequence[str]]]] = tuple):
        super().__init__(attrs)
        self.choices = choices

    @property
    def media(self):
        return forms.Media(js=["episodes/editor/topics.js"])

    def render(self, name, value, attrs=None, renderer=None):
        area = super().render(name, value, attrs, renderer)
        choices = self.choices()
        if not choices:
            return area
        field_id = (attrs or {}).get("id") or f"id_{name}"
        options = format_html_join(
            "",
            '<option value="{}" data-aliases="{}">{}</option>',
            ((topic, "\n".join(aliases), ", ".join(aliases)) for topic, aliases in choices),
        )
        return format_html(
            '{}<div class="topic-suggest"><input type="text" class="topic-add" list="{}-list" data-for="{}" '
            'placeholder="{}" aria-label="{}" autocomplete="off"><datalist id="{}-list">{}</datalist>'
            '<p class="topics-off-list warn" data-for="{}" hidden></p></div>',
            area, field_id, field_id, ADD_LABEL, ADD_LABEL, field_id, options, field_id,
        )  # fmt: skip
