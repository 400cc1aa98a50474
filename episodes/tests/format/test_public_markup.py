"""Safe output on its own: addresses, markdown, images and JSON inside a script element."""

import json

import pytest

from episodes.format import markup
from episodes.public.pages import image_url


@pytest.mark.parametrize(
    "url",
    ["https://example.com/", "http://example.com/a?b=c&d=e#f", "HTTPS://EXAMPLE.COM", "https://例え.jp/パス"],
)
def test_safe_url_keeps_http_addresses(url):
    assert markup.safe_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "mailto:someone@example.com",
        "//evil.example/",
        "/relative/path",
        "https:\\\\evil.example",
        "https://",
        "http://[::1",
        "",
        None,
        42,
    ],
)
def test_safe_url_refuses_everything_else(url):
    assert markup.safe_url(url) == ""


def test_profile_url_builds_from_handles_and_keeps_only_safe_addresses():
    assert markup.profile_url("https://github.com/", "dleybz") == "https://github.com/dleybz"
    assert markup.profile_url("https://x.com/", "@Al_Grigor") == "https://x.com/Al_Grigor"
    assert markup.profile_url("https://www.linkedin.com/in/", "johannesh%C3%B6tter", suffix="/") == (
        "https://www.linkedin.com/in/johannesh%C3%B6tter/"
    )
    assert markup.profile_url("https://github.com/", "https://github.com/someone") == "https://github.com/someone"
    assert markup.profile_url("https://github.com/", "javascript://x.com/%0aalert(1)") == ""
    assert markup.profile_url("https://github.com/", "a b\"<'") == "https://github.com/a%20b%22%3C%27"
    assert markup.profile_url("https://github.com/", "  ") == ""


def test_image_url_serves_relative_paths_from_the_images_location():
    base = "/media/"
    assert markup.image_url("images/authors/x.jpg", base=base) == "/media/images/authors/x.jpg"
    assert markup.image_url("/images/authors/x.jpg", base=base) == "/media/images/authors/x.jpg"
    for path in ["https://tracker.example/x.gif", "//tracker.example/x.gif", "javascript:alert(1)", "../../etc/passwd"]:
        assert markup.image_url(path, base=base) == "", path
    base = "https://cdn.example/site/"
    assert markup.image_url("images/x.jpg", base=base) == "https://cdn.example/site/images/x.jpg"
    assert (
        markup.image_url("https://cdn.example/site/images/x.jpg", base=base) == "https://cdn.example/site/images/x.jpg"
    )
    assert markup.image_url("https://cdn.example.evil/x.jpg", base=base) == ""


def test_the_pages_serve_images_from_the_images_setting(settings):
    settings.PODCAST_IMAGES_URL = "/media/"
    assert image_url("images/authors/x.jpg") == "/media/images/authors/x.jpg"
    assert image_url("https://tracker.example/x.gif") == ""
    settings.PODCAST_IMAGES_URL = "https://cdn.example/site/"
    assert image_url("images/x.jpg") == "https://cdn.example/site/images/x.jpg"


def test_markdown_renders_links_with_new_tab_attribute():
    html = markup.render_markdown('Links:\n\n* [Site](https://example.com/){:target="_blank"}\n* <https://x.org>\n')
    assert html == (
        "<p>Links:</p>\n<ul>\n"
        '<li><a href="https://example.com/" target="_blank" rel="noopener noreferrer">Site</a></li>\n'
        '<li><a href="https://x.org" rel="noopener noreferrer">https://x.org</a></li>\n</ul>'
    )


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "[click](JAVASCRIPT:alert(1))",
        "[click](java&#x09;script:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        '<svg onload="alert(1)"></svg>',
        '<iframe src="https://evil.example"></iframe>',
        "<style>body{display:none}</style>",
        '[x](https://ok.example){: onclick="alert(1)" }',
        '[x](https://ok.example){: target="_top" }',
        '<p style="background:url(javascript:alert(1))">x</p>',
    ],
)
def test_markdown_output_is_sanitised(text):
    html = markup.render_markdown(text).lower()
    for bad in ("<script", "onerror", "onload", "onclick", "javascript:", "data:", "<iframe", "<svg", "<style"):
        assert bad not in html
    assert "style=" not in html
    assert "_top" not in html


def test_empty_markdown():
    assert markup.render_markdown("") == "" and markup.render_markdown("  \n") == ""


def test_plain_text_strips_markup_and_cuts_at_a_word():
    assert markup.plain_text("Hello <b>there</b>,\n  world") == "Hello there, world"
    assert markup.plain_text("one two three four", limit=10) == "one two…"


def test_json_script_cannot_end_the_element():
    data = {"name": "</script><script>alert(1)</script>", "x": "<!-- & -->"}
    html = markup.json_script(data)
    assert html.startswith('<script type="application/ld+json">') and html.endswith("</script>")
    inner = html[len('<script type="application/ld+json">') : -len("</script>")]
    assert "<" not in inner and ">" not in inner and "&" not in inner
    assert json.loads(inner) == data
