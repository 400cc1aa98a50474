"""How readers and machines find the episodes: old addresses, the RSS feed, the sitemap, robots.txt, compression."""

import gzip
import re
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime
from html import unescape
from urllib.parse import quote, urlsplit

import pytest
from django.core.cache import cache, caches
from django.db.models import F
from django.urls import reverse

from episodes.models import Episode, Person
from episodes.public import old_episode_slugs, pages, syndication
from episodes.public.syndication import FEED_ITEMS
from episodes.tests.support.factories import make_episode, make_person

NS = {"podcast": "https://podcastindex.org/namespace/1.0", "atom": "http://www.w3.org/2005/Atom"}
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def people(db):
    make_person("janedoe", "Jane Doe", picture="images/authors/janedoe.jpg", linkedin="jdoe")
    return make_person("alexeygrigorev", "Alexey Grigorev", is_host=True)


# -- old addresses ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "old",
    ["/podcast/{}.html", "/podcast/{}", "/podcast/{}/", "/podcast/{}.html/"],
    ids=["html", "bare", "slash", "both"],
)
@pytest.mark.parametrize("slug", ["s10e03-mlops-architect", "v1.2@home_edition"])
def test_every_old_address_form_redirects_for_good_to_the_episode(client, people, old, slug):
    make_episode(slug)
    response = client.get(old.format(slug))
    assert response.status_code == 301
    assert response["Location"] == f"/episodes/{slug}/"
    assert client.get(response["Location"]).status_code == 200


def test_old_address_keeps_the_query_string(client, people):
    make_episode("ep")
    response = client.get("/podcast/ep.html?utm_source=newsletter&t=5")
    assert response["Location"] == "/episodes/ep/?utm_source=newsletter&t=5"


def test_a_slug_ending_in_html_is_found_either_way(client, people):
    make_episode("notes.html")
    assert client.get("/podcast/notes.html.html")["Location"] == "/episodes/notes.html/"
    assert client.get("/podcast/notes.html")["Location"] == "/episodes/notes.html/"


def test_old_addresses_of_drafts_and_unknown_episodes_are_404(client, people):
    make_episode("secret")
    Episode.objects.filter(slug="secret").update(status=Episode.Status.DRAFT)
    for url in ["/podcast/secret.html", "/podcast/nothing.html", "/podcast/a/b.html", "/podcast/.html"]:
        assert client.get(url).status_code == 404, url


def test_old_address_of_a_renamed_episode_leads_to_its_new_page(client, people):
    from episodes.models import EpisodeRedirect

    renamed = make_episode("new-name")
    EpisodeRedirect.objects.create(old="old-name", target=renamed)
    # A name taken again by another episode is that episode's.
    EpisodeRedirect.objects.create(old="taken", target=renamed)
    make_episode("taken")
    assert client.get("/podcast/old-name.html?x=1")["Location"] == "/episodes/new-name/?x=1"
    assert client.get("/podcast/taken.html")["Location"] == "/episodes/taken/"
    Episode.objects.filter(pk=renamed.pk).update(status=Episode.Status.DRAFT)
    assert client.get("/podcast/old-name.html").status_code == 404


def test_old_index_addresses_redirect_to_the_index(client, db):
    for url in ["/podcast.html", "/podcast/"]:
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (301, "/"), url


def test_old_address_tails():
    assert old_episode_slugs("ep.html") == ["ep", "ep.html"]
    assert old_episode_slugs("ep/") == ["ep"]
    assert old_episode_slugs("ep.html/") == ["ep", "ep.html"]
    assert old_episode_slugs("a/b") == []
    assert old_episode_slugs("/") == []
    assert old_episode_slugs("ella(wati)sahnan.html") == ["ella(wati)sahnan", "ella(wati)sahnan.html"]


def test_old_address_lookup_is_one_query(client, people, django_assert_num_queries):
    make_episode("ep")
    with django_assert_num_queries(1):
        assert client.get("/podcast/ep.html").status_code == 301


# -- the RSS feed --------------------------------------------------------------------------------------------


def rss(client, **headers):
    response = client.get(reverse("episodes:rss"), headers=headers)
    assert response.status_code == 200
    return response, ET.fromstring(response.content)  # noqa: S314 - our own output


def test_feed_is_rss_2_with_the_podcasting_namespace(client, people):
    make_episode(
        "ep-one",
        title="First <b>& bold</b>",
        description="What it is about.",
        dateadded="2022-04-16",
        guests=["janedoe"],
    )
    response, root = rss(client)
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel.findtext("title") == "DataTalks.Club Podcast"
    assert channel.findtext("link") == "http://testserver/"
    assert channel.findtext("description")
    assert channel.find("atom:link", NS).get("href") == "http://testserver/feed.xml"
    hosts = channel.findall("podcast:person", NS)
    assert [(p.text, p.get("role"), p.get("href")) for p in hosts] == [
        ("Alexey Grigorev", "host", "http://testserver/people/alexeygrigorev/")
    ]
    (item,) = channel.findall("item")
    assert item.findtext("title") == "First <b>& bold</b>"
    assert item.findtext("link") == "http://testserver/episodes/ep-one/"
    assert item.findtext("guid") == "http://testserver/episodes/ep-one/"
    assert item.findtext("description") == "What it is about."
    assert parsedate_to_datetime(item.findtext("pubDate")).date().isoformat() == "2022-04-16"
    transcripts = [(t.get("url"), t.get("type"), t.get("rel")) for t in item.findall("podcast:transcript", NS)]
    base = "http://testserver/episodes/ep-one/"
    assert transcripts == [
        (base + "transcript.json", "application/json", None),
        (base + "transcript.vtt", "text/vtt", "captions"),
        (base + "transcript.srt", "application/x-subrip", "captions"),
    ]
    chapters = item.find("podcast:chapters", NS)
    assert (chapters.get("url"), chapters.get("type")) == (base + "chapters.json", "application/json+chapters")
    people = [(p.text, p.get("role"), p.get("href"), p.get("img")) for p in item.findall("podcast:person", NS)]
    assert people == [
        (
            "Jane Doe",
            "guest",
            "http://testserver/people/janedoe/",
            "http://testserver/media/images/authors/janedoe.jpg",
        ),
        ("Alexey Grigorev", "host", "http://testserver/people/alexeygrigorev/", None),
    ]
    # Every file the feed names is served.
    for element in [*item.findall("podcast:transcript", NS), chapters]:
        assert client.get(element.get("url").removeprefix("http://testserver")).status_code == 200


def test_feed_stays_readable_with_text_stored_before_control_characters_were_refused(client, people):
    # A U+000B (Word's Shift+Enter) in a title or a person's name made /feed.xml answer 500 for every reader.
    make_episode("ep", title="Line", guests=["janedoe"])
    Episode.objects.filter(slug="ep").update(title="Line\x0bbreak\x0c")
    Person.objects.filter(key="janedoe").update(name="Jane\x0bDoe")
    Person.objects.filter(key="alexeygrigorev").update(name="Alexey\x1bGrigorev")
    _, root = rss(client)
    (item,) = root.iter("item")
    assert item.findtext("title") == "Line break "
    assert [p.text for p in item.findall("podcast:person", NS)] == ["Jane Doe", "Alexey Grigorev"]


def test_feed_lists_published_episodes_newest_first_without_drafts(client, people):
    make_episode("old", season=1, episode=1, title="Old")
    make_episode("new", season=2, episode=1, title="New")
    make_episode("draft", season=3, episode=1, title="Draft")
    Episode.objects.filter(slug="draft").update(status=Episode.Status.DRAFT)
    _, root = rss(client)
    assert [i.findtext("title") for i in root.iter("item")] == ["New", "Old"]


def test_feed_names_no_empty_files(client, people):
    make_episode("bare", transcript=[])
    make_episode("no-sections", transcript=[{"line": "Hi.", "sec": 1, "time": "0:01", "who": "Alexey"}])
    _, root = rss(client)
    items = {i.findtext("title") + i.findtext("link"): i for i in root.iter("item")}
    bare = next(i for k, i in items.items() if k.endswith("/bare/"))
    assert bare.findall("podcast:transcript", NS) == [] and bare.find("podcast:chapters", NS) is None
    plain = next(i for k, i in items.items() if k.endswith("/no-sections/"))
    assert len(plain.findall("podcast:transcript", NS)) == 3 and plain.find("podcast:chapters", NS) is None


def test_feed_without_dateadded_uses_when_the_episode_came_in(client, people):
    episode = make_episode("undated")
    _, root = rss(client)
    assert parsedate_to_datetime(root.find("channel/item").findtext("pubDate")) == episode.created_at.replace(
        microsecond=0
    )


def test_feed_is_bounded(client, people):
    for n in range(FEED_ITEMS + 2):
        Episode.objects.create(slug=f"ep-{n}", title=f"Episode {n}", season=1, number=n)
    _, root = rss(client)
    assert len(root.findall("channel/item")) == FEED_ITEMS


def test_feed_query_count_does_not_grow_with_episodes_and_answers_304(client, people, django_assert_num_queries):
    for n in range(3):
        make_episode(f"ep-{n}", episode=n)
    # The validator: the episodes' versions, the people named. The items not kept: episodes, guests; the hosts.
    with django_assert_num_queries(5):
        first = client.get(reverse("episodes:rss"))
    for n in range(3, 8):
        make_episode(f"ep-{n}", episode=n, guests=["janedoe", f"guest{n}"])
    with django_assert_num_queries(5):
        second = client.get(reverse("episodes:rss"))
    assert second["ETag"] != first["ETag"]
    with django_assert_num_queries(2):
        assert client.get(reverse("episodes:rss"), headers={"if-none-match": second["ETag"]}).status_code == 304
    with django_assert_num_queries(2):
        assert client.get(reverse("episodes:rss")).content == second.content
    # The feed's copy gone but every item kept: the head and the hosts, no episode read.
    cache.clear()
    with django_assert_num_queries(3):
        assert client.get(reverse("episodes:rss")).content == second.content


def test_feed_etag_changes_with_a_guest_a_host_or_an_episode(client, people):
    episode = make_episode("ep", guests=["janedoe"])
    tags = [client.get(reverse("episodes:rss"))["ETag"]]
    Person.objects.filter(key="janedoe").update(name="Jane D.")
    tags.append(client.get(reverse("episodes:rss"))["ETag"])
    Person.objects.filter(key="alexeygrigorev").update(picture="images/authors/alexey.jpg")
    tags.append(client.get(reverse("episodes:rss"))["ETag"])
    Episode.objects.filter(pk=episode.pk).update(title="Renamed", version=episode.version + 1)
    response = client.get(reverse("episodes:rss"))
    tags.append(response["ETag"])
    assert len(set(tags)) == 4
    assert "Renamed" in response.content.decode() and "Jane D." in response.content.decode()


def test_feed_writes_only_the_items_that_changed_and_reads_as_if_written_whole(client, people, monkeypatch):
    # Writing a hundred items cost two thirds of the feed's time, and each save or pulled file changes it.
    for n in range(3):
        make_episode(f"ep-{n}", episode=n, guests=["janedoe"], dateadded=f"2024-0{n + 1}-01")
    written = []
    write_item = syndication.PodcastRss.add_item_elements
    monkeypatch.setattr(
        syndication.PodcastRss,
        "add_item_elements",
        lambda self, handler, item: written.append(item["title"]) or write_item(self, handler, item),
    )

    def whole() -> bytes:
        """Return the feed written with no item kept."""
        caches[syndication.ITEMS_CACHE].clear()
        cache.clear()
        return client.get(reverse("episodes:rss")).content

    first = rss(client)[0].content
    assert len(written) == 3
    written.clear()
    cache.clear()  # the page's copy: the feed is written again, its items are not
    assert rss(client)[0].content == first and written == []
    Episode.objects.filter(slug="ep-1").update(title="Renamed", version=F("version") + 1)
    changed = rss(client)[0].content
    assert written == ["Renamed"]
    # The same bytes as a feed written whole (the channel's newest date included).
    assert changed == whole() and b"Renamed" in changed
    written.clear()
    Person.objects.filter(key="janedoe").update(name="Jane D.")
    renamed_guest = rss(client)[0].content
    assert len(written) == 3  # the guest is on every item
    assert renamed_guest == whole() and b"Jane D." in renamed_guest
    # Another origin writes its own items: an https reader never gets an http item's addresses.
    secure = client.get(reverse("episodes:rss"), secure=True).content.decode()
    assert "http://testserver/" not in secure and "https://testserver/episodes/ep-1/" in secure


def test_every_page_links_the_feed(client, people):
    make_episode("ep")
    link = '<link rel="alternate" type="application/rss+xml" href="/feed.xml"'
    for url in ["/", "/episodes/ep/", "/people/janedoe/", "/search/?q=hello"]:
        assert link in client.get(url).content.decode(), url


# -- the sitemap and robots.txt ---------------------------------------------------------------------------------


def sitemap(client, **headers):
    response = client.get("/sitemap.xml", headers=headers)
    assert response.status_code == 200
    return response, ET.fromstring(response.content)  # noqa: S314 - our own output


def test_sitemap_lists_the_index_published_episodes_with_lastmod_and_public_people(client, people):
    episode = make_episode("ep", guests=["janedoe"])
    make_episode("draft", guests=["draftguest"])
    Episode.objects.filter(slug="draft").update(status=Episode.Status.DRAFT)
    _, root = sitemap(client)
    entries = {u.findtext("s:loc", namespaces=SITEMAP_NS): u for u in root.findall("s:url", SITEMAP_NS)}
    assert set(entries) == {
        "http://testserver/",
        "http://testserver/episodes/ep/",
        "http://testserver/people/janedoe/",
        "http://testserver/people/alexeygrigorev/",
    }
    lastmod = entries["http://testserver/episodes/ep/"].findtext("s:lastmod", namespaces=SITEMAP_NS)
    assert lastmod == episode.created_at.date().isoformat()
    for loc in entries:
        assert client.get(loc.removeprefix("http://testserver")).status_code == 200, loc


def test_sitemap_lastmod_follows_the_latest_change(client, people):
    import datetime

    episode = make_episode("ep")
    edited = datetime.datetime(2030, 5, 6, tzinfo=datetime.UTC)
    Episode.objects.filter(pk=episode.pk).update(edited_at=edited, version=episode.version + 1)
    _, root = sitemap(client)
    lastmods = {
        u.findtext("s:loc", namespaces=SITEMAP_NS): u.findtext("s:lastmod", namespaces=SITEMAP_NS)
        for u in root.findall("s:url", SITEMAP_NS)
    }
    assert lastmods["http://testserver/episodes/ep/"] == "2030-05-06"
    assert lastmods["http://testserver/"] == "2030-05-06"


def test_sitemap_is_two_queries_and_answers_304(client, people, django_assert_num_queries):
    for n in range(4):
        make_episode(f"ep-{n}", episode=n)
    with django_assert_num_queries(2):
        first = client.get("/sitemap.xml")
    with django_assert_num_queries(2):
        assert client.get("/sitemap.xml", headers={"if-none-match": first["ETag"]}).status_code == 304
    make_episode("ep-new", episode=9)
    assert client.get("/sitemap.xml")["ETag"] != first["ETag"]


@pytest.mark.parametrize("page", ["1", "2", "0", "x", "1.5"])
def test_sitemap_is_what_django_contrib_sitemaps_writes_byte_for_byte(client, people, rf, settings, page):
    from django.contrib.sitemaps.views import sitemap as contrib_sitemap
    from django.http import Http404

    from episodes.public import sitemap_entries

    for n, slug in enumerate(["ep", "v1.2@home_edition", "a&b'c", "écoute ça", "100%", "...", "x?y#z"]):
        make_episode(slug, episode=n)
    settings.ALLOWED_HOSTS = ["example.org"]
    make_person("o'neil&co", "O'Neil")
    make_episode("guest-ep", guests=["o'neil&co"], episode=20)
    response = client.get(f"/sitemap.xml?p={page}", headers={"host": "example.org:8443"})
    request = rf.get(f"/sitemap.xml?p={page}", headers={"host": "example.org:8443"})
    try:
        expected = contrib_sitemap(request, sitemap_entries().sitemaps())
    except Http404:
        assert response.status_code == 404
        return
    expected.render()
    assert response.status_code == 200
    assert response.content.decode() == expected.content.decode()
    assert response["Content-Type"] == expected["Content-Type"]
    assert response["X-Robots-Tag"] == expected["X-Robots-Tag"]


def test_robots_txt_points_to_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /admin/" in lines and "User-agent: *" in lines


# -- compression ------------------------------------------------------------------------------------------


def test_public_pages_feeds_and_json_are_compressed(client, people):
    # Long enough for each response to pass the 200 bytes below which compressing does not pay.
    sections = [{"header": f"Section number {n} of the episode"} for n in range(10)]
    turns = [{"line": f"Welcome to turn {n}.", "sec": n, "time": f"0:{n:02d}", "who": "Alexey"} for n in range(10)]
    make_episode("ep", transcript=[item for pair in zip(sections, turns, strict=True) for item in pair])
    urls = [
        "/",
        "/episodes/ep/",
        "/episodes/ep/transcript.json",
        "/episodes/ep/transcript.vtt",
        "/episodes/ep/chapters.json",
        "/people/janedoe/",
        "/search/?q=welcome",
        "/feed.xml",
        "/sitemap.xml",
    ]
    for url in urls:
        plain = client.get(url)
        packed = client.get(url, headers={"accept-encoding": "gzip"})
        assert packed["Content-Encoding"] == "gzip", url
        assert "Accept-Encoding" in packed["Vary"], url
        assert gzip.decompress(packed.content) == plain.content, url
        assert "Content-Encoding" not in plain, url


def test_pages_with_a_csrf_token_are_not_compressed(admin_client):
    for url in [reverse("admin:login"), reverse("admin:episodes_episode_add")]:
        response = admin_client.get(url, headers={"accept-encoding": "gzip"})
        assert response.status_code in (200, 302), url
        assert "Content-Encoding" not in response, url


def test_compressed_copy_answers_conditional_requests(client, people):
    make_episode("ep")
    first = client.get("/episodes/ep/", headers={"accept-encoding": "gzip"})
    again = client.get("/episodes/ep/", headers={"accept-encoding": "gzip", "if-none-match": first["ETag"]})
    assert again.status_code == 304


def test_a_page_is_compressed_once_and_kept(client, people, monkeypatch, django_assert_max_num_queries):
    from django.utils.text import compress_string

    from episodes import views

    make_episode("ep")
    compressed = []
    monkeypatch.setattr(views, "compress_string", lambda data: compressed.append(len(data)) or compress_string(data))
    first = client.get("/episodes/ep/", headers={"accept-encoding": "gzip"})
    with django_assert_max_num_queries(5):
        again = client.get("/episodes/ep/", headers={"accept-encoding": "gzip, deflate"})
    assert again.content == first.content and again["Content-Encoding"] == "gzip"
    assert len(compressed) == 1
    plain = client.get("/episodes/ep/")
    assert "Content-Encoding" not in plain and plain.content == gzip.decompress(first.content)
    assert "Accept-Encoding" in plain["Vary"]


NAMES = ["ella(wati)sahnan", "what? #1 & 50% ünïcode", "-dash.start"]


def test_any_file_name_is_reached_from_old_addresses_the_feed_the_sitemap_and_its_neighbours(client, people):
    for n, name in enumerate(NAMES):
        make_person(name, f"Guest {n}")
        make_episode(name, episode=n + 1, guests=[name])
    pages = {reverse("episodes:episode", args=[name]) for name in NAMES}
    for name in NAMES:
        for old in (f"/podcast/{quote(name)}.html", f"/podcast/{quote(name)}/"):
            response = client.get(old)
            assert response.status_code == 301 and response["Location"] == reverse("episodes:episode", args=[name])
        html = client.get(reverse("episodes:episode", args=[name])).content.decode()
        more = html[html.index('<nav class="more') :]
        links = {unescape(h) for h in re.findall(r'href="(/episodes/[^"]+)"', more)}
        assert links and links <= pages, (name, links)

    def path(url: str) -> str:
        return urlsplit(url).path

    _, root = rss(client)
    for item in root.iter("item"):
        assert path(item.findtext("link")) in pages
        urls = [e.get("url") for e in item.findall("podcast:transcript", NS)]
        urls += [e.get("href") for e in item.findall("podcast:person", NS)]
        for url in urls:
            assert client.get(path(url)).status_code == 200, url
    _, sitemap_root = sitemap(client)
    for loc in sitemap_root.iterfind("s:url/s:loc", SITEMAP_NS):
        assert client.get(path(loc.text)).status_code == 200, loc.text


@pytest.mark.parametrize(
    "url", ["/podcast/%00", "/podcast/%00.html", "/podcast/a%00b/", "/episodes/%00/", "/people/%00/", "/%00"]
)
def test_an_address_with_a_nul_character_is_404(client, people, url):
    # PostgreSQL cannot take a NUL in a query: /podcast/%00 was a 500 there (SQLite: 404).
    make_episode("ep")
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("slug", ["s10e03-mlops-architect", "odd name #1 & ü?%"])
def test_file_links_are_the_addresses_their_routes_give(slug):
    # Built from the episode page's address and each file's suffix: the same as reversing each route.
    links = pages.feed_links(slug)
    assert [link.url for link in links] == [reverse(name, args=[slug]) for _, _, _, name, *_ in pages.FEED_KINDS]
