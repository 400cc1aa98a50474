"""The body's link list: a "Links:" line, blank lines, then one markdown link per line; split and written back."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# The body's link list: a "Links:" line, blank lines, then one markdown link per line.
_LINKS_HEADER = re.compile(r"^Links:[ \t]*\n(?:[ \t]*\n)*", re.MULTILINE)
_LINK_LINE = re.compile(r"^([*-]) (?:\[(.*?)\]\((\S*)\)|<(\S+)>)(\{:target=\"_blank\"\})?$")
NEW_TAB = '{:target="_blank"}'


@dataclass
class Link:
    """One item of the body's link list; an empty ``text`` is written as an autolink ``<url>``."""

    text: str
    url: str
    marker: str = "*"
    new_tab: bool = True

    def line(self) -> str:
        target = f"<{self.url}>" if not self.text else f"[{self.text}]({self.url})"
        return f"{self.marker} {target}{NEW_TAB if self.new_tab else ''}"


@dataclass
class Body:
    """A body split around its link list: ``before`` ends where the first link line starts."""

    before: str
    links: list[Link] = field(default_factory=list)
    after: str = ""
    has_list: bool = False

    def render(self) -> str:
        return self.before + "\n".join(link.line() for link in self.links) + self.after


_HEADER_AT_END = re.compile(r"(?:\A|\n)Links:[ \t]*\n(?:[ \t]*\n)*\Z")


def with_links_header(before: str) -> str:
    """Return the text before a link list, ending with a "Links:" header ready for the first link line."""
    if _HEADER_AT_END.search(before):
        return before
    return before.rstrip("\n") + "\n\nLinks:\n\n"


def split_body(body: str) -> Body:
    """Split ``body`` around its ``Links:`` list; a body of any other form stays whole in ``before``."""
    for header in _LINKS_HEADER.finditer(body):
        start = header.end()
        end = body.find("\n\n", start)
        block = body[start : len(body) if end < 0 else end]
        # The block may end with one newline before the end of the body or a blank line.
        lines = block.rstrip("\n").split("\n") if block.strip() else []
        links = []
        for text in lines:
            match = _LINK_LINE.match(text)
            if match is None:
                break
            marker, label, url, auto, new_tab = match.groups()
            links.append(
                Link(text=label or "", url=url if auto is None else auto, marker=marker, new_tab=bool(new_tab))
            )
        else:
            length = sum(len(text) for text in lines) + max(len(lines) - 1, 0)
            parsed = Body(before=body[:start], links=links, after=body[start + length :], has_list=True)
            # Keep the rows only when they write back the same text ("[](url)" would not).
            if parsed.render() == body:
                return parsed
    return Body(before=body)
