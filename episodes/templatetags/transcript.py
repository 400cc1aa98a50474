"""Template filters that write the transcript and its contents, too many elements for template tags.

Rendering a turn, a speaker's group or a section with template tags costs 15-60 µs each; a 3,000-turn
episode would spend a quarter of a second there. These filters write the same markup with one format
string each, escaping with the standard library's ``html.escape`` (what Django's ``escape`` calls,
without its lazy-string checks, which here cost more than the escaping itself).
"""

from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_SECTION = '<section class="chapter"{id}>\n{title}{groups}</section>\n'
_SECTION_TITLE = '<h2 class="chapter__title"><a class="chapter__anchor" href="#{anchor}">{title}</a>{time}</h2>\n'
_GROUP = '<div class="turns c{color}">\n<p class="who">{who}</p>\n{turns}</div>\n'
_PERSON = '<a href="{url}" title="{name}">{label}</a>'
_TURN = '<p class="turn" id="t{position}">{time}{text}</p>\n'
_LINKED_TIME = '<a class="ts" href="{href}" target="_blank" rel="noopener noreferrer"{label}>{time}</a>'
_TIME = '<span class="ts">{time}</span>'
_CONTENTS_ITEM = '<li><a href="#{anchor}">{title}</a> {time}</li>\n'


def _time(href: str, shown: str, label: str = "") -> str:
    """Return a time, as a link into the video when there is one."""
    if not href:
        return _TIME.format(time=escape(shown))
    label = f' aria-label="{escape(label)}"' if label else ""
    return _LINKED_TIME.format(href=escape(href), label=label, time=escape(shown))


@register.filter
def transcript(sections) -> SafeString:
    """Return the sections, each under its title and time, with the speakers' groups of turns."""
    people: dict[int, tuple[str, str]] = {}
    parts = []
    for section in sections:
        title = ""
        if section.is_header:
            time = " " + _time(section.href, section.time) if section.href else ""
            title = _SECTION_TITLE.format(anchor=escape(section.anchor), title=escape(section.title), time=time)
        groups = "".join(_group(group, people) for group in section.groups)
        anchor = f' id="{escape(section.anchor)}"' if section.is_header else ""
        parts.append(_SECTION.format(id=anchor, title=title, groups=groups))
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped


@register.filter
def contents(sections) -> SafeString:
    """Return the items of the table of contents: each section's title, linking to it, and its time."""
    items = []
    for s in sections:
        label = f"Play {s.title} from {s.time} on YouTube"
        title = escape(s.title or "(untitled section)")
        items.append(_CONTENTS_ITEM.format(anchor=escape(s.anchor), title=title, time=_time(s.href, s.time, label)))
    return mark_safe("".join(items))  # noqa: S308 - every value is escaped


def _group(group, people: dict[int, tuple[str, str]]) -> str:
    """Return a speaker's turns under their name, which links to their page when the person is known."""
    who = escape(group.who or "Speaker")
    person = group.person
    if person is not None:
        if person.pk not in people:
            people[person.pk] = escape(reverse("episodes:person", args=[person.key])), escape(str(person))
        url, name = people[person.pk]
        who = _PERSON.format(url=url, name=name, label=who)
    turns = "".join(_turn(turn) for turn in group.turns)
    return _GROUP.format(color=int(group.color), who=who, turns=turns)


def _turn(turn) -> str:
    time = _time(turn.href, turn.time) + " " if turn.show_time else ""
    return _TURN.format(position=int(turn.position), time=time, text=escape(turn.text))
