"""Turn text and addresses that editors or imported files provide into HTML that is safe to show.

Every link that reaches a public page goes through :func:`safe_url` (or nh3's scheme list for rendered
markdown), so ``javascript:`` and other non-http(s) addresses never do. Plain text is left to the
templates' autoescaping; only markdown is rendered, then sanitised.
"""

from __future__ import annotations

import json
import re
import threading
from urllib.parse import quote, urljoin, urlsplit

import markdown
import nh3
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

SAFE_SCHEMES = frozenset({"http", "https"})
# Browsers drop tabs and newlines inside URLs, so "java\tscript:" would still run: refuse any such character.
_UNSAFE_URL_CHARS = re.compile(r"[\x00-\x20\x7f\\]")
_TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "dd", "dl", "dt", "em", "hr", "i", "li", "ol", "p", "pre"}
_TAGS |= {"h2", "h3", "h4", "h5", "h6", "q", "s", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr"}
_TAGS |= {"ul"}
_MARKDOWN_EXTENSIONS = ["attr_list", "sane_lists"]
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    # Scripts and styles go with their content; other unknown tags are unwrapped and keep their text.
    clean_content_tags={"script", "style"},
    attributes={"a": {"href", "title"}, "abbr": {"title"}, "ol": {"start"}, "td": {"colspan"}, "th": {"colspan"}},
    tag_attribute_values={"a": {"target": {"_blank"}}},
    url_schemes=set(SAFE_SCHEMES),
    link_rel="noopener noreferrer",
)
_local = threading.local()
# JSON inside a <script> element: "</script>" or "<!--" in a value must not end or change the element.
# (str.replace, not str.translate: a page's structured data holds its whole transcript, and translate with a
# mapping goes through it a character at a time, a hundred times slower.)
_JSON_SCRIPT_ESCAPES = (("<", "\\u003C"), (">", "\\u003E"), ("&", "\\u0026"))


def safe_url(url) -> str:
    """Return ``url`` if it is an absolute http(s) address, else an empty string."""
    if not isinstance(url, str):
        return ""
    url = url.strip()
    if not url or _UNSAFE_URL_CHARS.search(url):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in SAFE_SCHEMES or not parts.hostname:
        return ""
    return url


def profile_url(base: str, value: str, *, suffix: str = "") -> str:
    """Return the address of a handle on a site (``base`` + handle), or ``value`` if it is already an address."""
    value = (value or "").strip()
    if not value:
        return ""
    if "://" in value:
        return safe_url(value)
    handle = quote(value.lstrip("@").strip("/"), safe="/%-_.~")
    return f"{base}{handle}{suffix}" if handle else ""


def image_url(path: str, *, base: str) -> str:
    """Return where an image path such as ``images/authors/key.jpg`` is served from ``base``, or '' for other
    addresses.

    Only paths under ``base`` (the site's ``PODCAST_IMAGES_URL``) are used: an editor's absolute image address
    would load a third-party asset into our pages.
    """
    path = (path or "").strip()
    if not path or _UNSAFE_URL_CHARS.search(path):
        return ""
    if "://" in path or path.startswith("//"):
        return path if base.startswith(("http://", "https://")) and path.startswith(base) else ""
    parts = urlsplit(path)
    if parts.scheme or ".." in parts.path.split("/"):
        return ""
    return urljoin(base, path.lstrip("/"))


def _markdown() -> markdown.Markdown:
    # Building a converter costs as much as converting a page's body; one per thread, as they keep state.
    converter = getattr(_local, "markdown", None)
    if converter is None:
        converter = _local.markdown = markdown.Markdown(extensions=_MARKDOWN_EXTENSIONS)
    return converter


def render_markdown(text: str) -> SafeString:
    """Return the HTML of markdown ``text``, sanitised: only safe tags, attributes and http(s) links."""
    if not text or not text.strip():
        return mark_safe("")  # noqa: S308 - empty string
    html = _markdown().reset().convert(text)
    return mark_safe(_CLEANER.clean(html))  # noqa: S308 - sanitised by nh3 just above


def plain_text(text: str, *, limit: int = 300) -> str:
    """Return ``text`` without markup, whitespace collapsed, cut at a word boundary within ``limit``."""
    text = " ".join(strip_tags(text or "").split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


def json_script(data, *, type_: str = "application/ld+json") -> SafeString:
    """Return a ``<script>`` element holding ``data`` as JSON that cannot break out of the element."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in _JSON_SCRIPT_ESCAPES:
        payload = payload.replace(char, escaped)
    return mark_safe(f'<script type="{type_}">{payload}</script>')  # noqa: S308 - payload escaped above
