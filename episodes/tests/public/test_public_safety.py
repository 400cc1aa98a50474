"""Hostile text from an imported file or an editor never becomes active content on a public page."""

import json
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from episodes.models import Episode
from episodes.tests.support.factories import make_episode, make_person

SCRIPT = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'
JS = "javascript:alert(1)"
SLUG = "evil"
SAFE_ADDRESS = re.compile(r"^(https?://|/(?!/)|#|\?)")
OG_ADDRESSES = {"og:url", "og:image", "og:video"}


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._script: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append((tag, attrs))
        if tag == "script":
            self._script = attrs
            self.scripts.append((attrs, ""))

    def handle_data(self, data):
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None


def assert_inert(html: str) -> None:
    """Assert that ``html`` runs no script but ours, has no event handler and only http(s) or local links."""
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.elements:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)
            is_address = name in {"href", "src", "action", "formaction", "poster", "data", "srcset"}
            if (is_address or (name == "content" and attrs.get("property") in OG_ADDRESSES)) and value:
                assert SAFE_ADDRESS.match(value), (tag, name, value)
        if tag == "iframe":
            assert attrs["src"].startswith("https://www.youtube-nocookie.com/embed/"), attrs
        assert tag not in {"object", "embed", "svg", "math", "base", "form"} or (
            tag == "form" and attrs.get("action") == "/search/"
        ), (tag, attrs)
    for attrs, text in parser.scripts:
        if attrs.get("type") == "application/ld+json":
            assert "<" not in text
            json.loads(text)
        else:
            assert attrs == {"src": "/static/js/site.js", "defer": None}, attrs
    assert "<script>alert" not in html
    assert not re.search(r"(?i)(href|src)\s*=\s*[\"']?\s*(javascript|data|vbscript):", html)


@pytest.fixture
def evil(db):
    make_person(
        "evilguest",
        f"Eve {SCRIPT}",
        picture=JS,
        web=JS,
        github='"><script>alert(1)</script>',
        twitter="javascript://x.com/%0aalert(1)",
        linkedin='x" onmouseover="alert(1)',
        bio_short=IMG,
        body=f"Bio {SCRIPT} {IMG} [x]({JS}) <a href='{JS}'>y</a>",
    )
    # Braces too: the transcript's markup is written with format strings.
    make_person("alexeygrigorev", "Alexey {label} {0}", is_host=True, web="data:text/html,<script>alert(1)</script>")
    body = (
        f'\n\nProse {SCRIPT} and {IMG} and [bad]({JS}) and <a href="{JS}" onclick="alert(1)">x</a>.\n\n'
        f'Links:\n\n* [Click]({JS}){{:target="_blank"}}\n* [Fine](https://example.com/){{:target="_blank"}}\n'
    )
    return make_episode(
        SLUG,
        body=body,
        title=f"Evil {SCRIPT} </script><!-- title",
        short=IMG,
        guests=["evilguest"],
        ids={"youtube": '"><script>alert(1)</script>'},
        links={
            "youtube": JS,
            "spotify": "JaVaScRiPt:alert(1)",
            "apple": "data:text/html,<script>alert(1)</script>",
            "anchor": " java\tscript:alert(1)",
        },
        description=f"Description {SCRIPT}",
        intro=f"Intro {IMG} [x]({JS}) {SCRIPT}",
        image=JS,
        transcript=[
            {"header": f"Header {SCRIPT}"},
            {"line": f"Turn {SCRIPT} {IMG} {JS} payload", "sec": 5, "time": "0:05", "who": f"Who{SCRIPT}"},
            {"line": '"><svg onload=alert(1)> payload', "sec": 9, "time": '"><b onclick=alert(1)>', "who": "Alexey"},
            {"line": "Braces {text} {0} stay.", "sec": 12, "time": "0:12", "who": "{who}"},
        ],
    )


def test_episode_page_is_inert(client, evil):
    html = client.get(reverse("episodes:episode", args=[SLUG])).content.decode()
    assert_inert(html)
    assert "Turn &lt;script&gt;" in html, "the words are shown, escaped"
    assert '<a href="https://example.com/" target="_blank" rel="noopener noreferrer">Fine</a>' in html
    assert ">Click</a>" in html and not re.search(r"<a [^>]*href=[^>]*>Click</a>", html), "kept as text, no link"
    assert "<iframe" not in html, "an invalid video id gives no player"
    assert '<a href="/people/alexeygrigorev/" title="Alexey {label} {0}">Alexey</a>' in html
    assert '<p class="who">{who}</p>' in html and "Braces {text} {0} stay." in html


def test_json_ld_holds_the_title_safely_and_only_safe_addresses(client, evil):
    html = client.get(reverse("episodes:episode", args=[SLUG])).content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(block)
    assert data["name"] == f"Evil {SCRIPT} </script><!-- title"
    addresses = re.findall(r'"(?:url|embedUrl|image|thumbnailUrl)": "([^"]*)"', json.dumps(data))
    assert addresses and all(a.startswith("http://testserver/") for a in addresses), addresses


def test_index_person_and_search_pages_are_inert(client, evil):
    for url in [
        "/",
        reverse("episodes:person", args=["evilguest"]),
        reverse("episodes:person", args=["alexeygrigorev"]),
        "/search/?q=payload",
        "/search/?q=" + SCRIPT,
        "/search/?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.content.decode())
    hits = client.get("/search/?q=payload").content.decode()
    assert hits.count('<li class="hit">') == 2
    assert "&lt;script&gt;" in hits


def test_feeds_do_not_carry_markup_where_it_could_run(client, evil):
    vtt = client.get(reverse("episodes:transcript_vtt", args=[SLUG])).content.decode()
    assert "<script" not in vtt and "<svg" not in vtt and "<img" not in vtt
    for name in ["transcript_json", "transcript_srt", "chapters"]:
        response = client.get(reverse(f"episodes:{name}", args=[SLUG]))
        assert response["X-Content-Type-Options"] == "nosniff"
        assert not response["Content-Type"].startswith("text/html")


def test_staff_preview_is_inert_too(admin_client, evil):
    Episode.objects.filter(slug=SLUG).update(status=Episode.Status.DRAFT)
    assert_inert(admin_client.get(reverse("episodes:episode", args=[SLUG])).content.decode())
