"""The episode lists: the index and season pages, all episodes, people's episodes, paging, crawling, queries."""

import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from episodes.models import Episode, Person, Speaker
from episodes.public import listing
from episodes.tests.support.factories import make_episode, make_person


@pytest.fixture
def people(db):
    make_person("janedoe", "Jane Doe")
    return make_person("alexeygrigorev", "Alexey Grigorev", is_host=True)


def html_of(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def titles(html: str) -> list[str]:
    return [unescape(m) for m in re.findall(r'class="episode-item__title">([^<]+)<', html)]


def headings(html: str) -> list[str]:
    return [unescape(m) for m in re.findall(r'class="season__title">([^<]+)<', html)]


@pytest.fixture
def seasons(people):
    """Two published seasons, an episode without one, and a draft in a season of its own."""
    make_episode("s10", season=10, episode=3, title="Newest")
    make_episode("s2", season=2, episode=7, title="An older one", short="Old times")
    make_episode("special", title="A special")
    Episode.objects.filter(slug="special").update(season=None, number=None)
    make_episode("hidden", season=11, title="Not yet")
    Episode.objects.filter(slug="hidden").update(status=Episode.Status.DRAFT)


def test_index_shows_the_newest_season_and_links_to_every_season(client, seasons):
    html = html_of(client, "/")
    assert headings(html) == ["Season 10"]
    assert titles(html) == ["Newest"]
    assert '<a href="/seasons/10/" aria-current="page" title="1 episode">Season 10</a>' in html
    assert 'href="/seasons/2/"' in html and 'href="/episodes/"' in html
    assert "/seasons/11/" not in html and "Not yet" not in html
    assert '<a href="/people/janedoe/">Jane Doe</a>' in html


def test_season_page_lists_its_episodes_only(client, seasons):
    html = html_of(client, reverse("episodes:season", args=[2]))
    assert titles(html) == ["An older one"]
    assert "S2E7" in html and "Old times" in html
    assert '<h1 class="page-title">Season 2</h1>' in html
    assert '<a href="/seasons/2/" aria-current="page"' in html
    for season in ("11", "3", "-1", "99999999999", "2147483648"):
        assert client.get(f"/seasons/{season}/").status_code == 404, season


def test_all_episodes_groups_by_season_newest_first_without_a_season_last(client, seasons):
    html = html_of(client, reverse("episodes:all_episodes"))
    assert headings(html) == ["Season 10", "Season 2", "Other episodes"]
    assert titles(html) == ["Newest", "An older one", "A special"]
    assert '<a href="/episodes/" aria-current="page">All episodes</a>' in html


def test_without_seasons_the_index_lists_all_episodes(client, people):
    make_episode("plain", title="Plain")
    Episode.objects.update(season=None)
    html = html_of(client, "/")
    assert titles(html) == ["Plain"] and headings(html) == ["Other episodes"]
    assert 'class="season-nav"' not in html


def test_lists_and_search_name_an_untitled_episode_as_its_page_does(client, people):
    make_episode("untitled", title="", short="Short title", transcript=[{"line": "Kafka talk.", "who": "Jane"}])
    make_episode("bare", title="", short="")
    Episode.objects.update(season=None)
    assert sorted(titles(html_of(client, "/"))) == ["Short title", "bare"]
    assert '<p class="episode-item__short">' not in html_of(client, "/")
    search = html_of(client, reverse("episodes:search"), q="kafka")
    assert '<a class="hit__episode" href="/episodes/untitled/#t0">Short title</a>' in search


def test_no_episodes_yet(client, db):
    assert "No episodes are published yet." in html_of(client, "/")


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(listing, "EPISODES_PER_PAGE", 2)


def test_lists_come_a_page_at_a_time(client, people, small_pages):
    for n in range(1, 6):
        make_episode(f"ep-{n}", season=3, episode=n, title=f"Episode {n}")
    url = reverse("episodes:season", args=[3])
    first = html_of(client, url)
    assert titles(first) == ["Episode 5", "Episode 4"]
    assert '<a rel="next" href="/seasons/3/?page=2">' in first
    assert '<link rel="next" href="/seasons/3/?page=2">' in first
    second = html_of(client, url, page="2")
    assert titles(second) == ["Episode 3", "Episode 2"]
    assert '<a rel="prev" href="/seasons/3/">' in second
    assert '<span aria-current="page">2</span>' in second
    assert titles(html_of(client, url, page="last")) == ["Episode 1"]
    for page in ("4", "0", "x", "99999999999999999999"):
        assert client.get(url, {"page": page}).status_code == 404, page
    # The index is the newest season's first page; its pager goes on in the season.
    index = html_of(client, "/")
    assert titles(index) == ["Episode 5", "Episode 4"]
    assert '<a rel="next" href="/seasons/3/?page=2">' in index


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a" and dict(attrs).get("href"):
            self.hrefs.append(dict(attrs)["href"])


def test_every_published_episode_is_reachable_by_links_from_the_index(client, people, small_pages):
    for n in range(9):
        make_episode(f"ep-{n}", season=n % 3, episode=n, title=f"Episode {n}")
    make_episode("no-season", title="No season")
    Episode.objects.filter(slug="no-season").update(season=None)
    make_episode("draft", season=1, title="Draft")
    Episode.objects.filter(slug="draft").update(status=Episode.Status.DRAFT)
    lists, episodes, todo = set(), set(), ["/"]
    while todo:
        url = todo.pop()
        if url in lists:
            continue
        lists.add(url)
        parser = Links()
        parser.feed(html_of(client, url))
        for href in parser.hrefs:
            href = urljoin(url, href)
            path = urlparse(href).path
            if path.startswith("/episodes/") and path != "/episodes/":
                episodes.add(path.split("/")[2])
            elif path == "/" or path.startswith(("/seasons/", "/episodes/")):
                todo.append(href)
    assert episodes == set(Episode.objects.published().values_list("slug", flat=True))
    assert "draft" not in episodes


# -- people ----------------------------------------------------------------------------------------------


def test_a_host_lists_every_published_episode_a_page_at_a_time(client, people, small_pages):
    for n in range(1, 4):
        make_episode(f"ep-{n}", season=1, episode=n, title=f"Episode {n}", guests=["janedoe"])
    make_episode("draft", title="Draft")
    Episode.objects.filter(slug="draft").update(status=Episode.Status.DRAFT)
    url = reverse("episodes:person", args=["alexeygrigorev"])
    first = html_of(client, url)
    assert titles(first) == ["Episode 3", "Episode 2"]
    assert "Episodes (3)" in first
    assert '<a rel="next" href="/people/alexeygrigorev/?page=2">' in first
    assert titles(html_of(client, url, page="2")) == ["Episode 1"]
    assert client.get(url, {"page": "3"}).status_code == 404


def test_a_guest_lists_the_episodes_they_are_a_guest_of_or_tied_to(client, people):
    make_episode("guest", season=1, episode=1, title="As a guest", guests=["janedoe"])
    tied = make_episode("tied", season=1, episode=2, title="Tied", guests=[])
    make_episode("other", season=1, episode=3, title="Someone else", guests=["someoneelse"])
    Speaker.objects.create(episode=tied, label="Jane", person=Person.objects.get(key="janedoe"))
    assert titles(html_of(client, reverse("episodes:person", args=["janedoe"]))) == ["Tied", "As a guest"]


# -- cost -----------------------------------------------------------------------------------------------------


def add_episodes(start: int, stop: int) -> None:
    for n in range(start, stop):
        make_episode(f"ep-{n}", season=1 + n % 4, episode=n, title=f"Episode {n}", guests=["janedoe", f"guest{n}"])


LIST_URLS = ["/", "/seasons/1/", "/seasons/2/?page=last", "/episodes/", "/people/alexeygrigorev/", "/people/janedoe/"]


def test_list_pages_read_as_many_queries_for_30_episodes_as_for_3(
    client, people, small_pages, django_assert_max_num_queries, django_assert_num_queries
):
    add_episodes(0, 3)
    counts = {}
    for url in LIST_URLS:
        # A person's list: the person, the list's size, its page of episodes, their guests. A season's or
        # all episodes: the seasons with their sizes (the list's size among them), the page, the guests.
        with django_assert_max_num_queries(4 if url.startswith("/people/") else 3) as captured:
            assert client.get(url).status_code == 200, url
        counts[url] = len(captured)
    add_episodes(3, 30)
    for url in LIST_URLS:
        with django_assert_num_queries(counts[url]):
            assert client.get(url).status_code == 200, url


def test_list_pages_answer_conditional_requests_and_change_with_what_they_show(client, people):
    episode = make_episode("ep-a", title="First title")
    response = client.get("/")
    assert client.get("/", headers={"if-none-match": response["ETag"]}).status_code == 304
    guest = episode.guests.first()
    Person.objects.filter(pk=guest.pk).update(name="Renamed Guest")
    renamed = client.get("/", headers={"if-none-match": response["ETag"]})
    assert renamed.status_code == 200 and "Renamed Guest" in renamed.content.decode()
    make_episode("ep-b", season=2, title="A new season")
    newer = client.get("/", headers={"if-none-match": renamed["ETag"]})
    assert newer.status_code == 200 and titles(newer.content.decode()) == ["A new season"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plans; PostgreSQL sorts narrow rows")
def test_list_pages_read_an_index_in_order_instead_of_sorting_every_episode(client, people, small_pages):
    add_episodes(0, 8)
    for url in LIST_URLS[:5]:
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        (page,) = [q["sql"] for q in captured.captured_queries if re.search(r" LIMIT 2( OFFSET \d+)?$", q["sql"])]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + page)
            plan = [row[-1] for row in cursor.fetchall()]
        assert not [step for step in plan if "TEMP B-TREE" in step], (url, plan)


def test_the_pager_of_a_person_with_any_file_name_leads_to_their_next_page(client, people, small_pages):
    make_person("ella(wati) sahnan?#%", "Ella", is_host=True)
    for n in range(1, 4):
        make_episode(f"ep-{n}", season=1, episode=n, title=f"Episode {n}")
    first = html_of(client, reverse("episodes:person", args=["ella(wati) sahnan?#%"]))
    (next_url,) = re.findall(r'<a rel="next" href="([^"]+)">', first)
    assert titles(html_of(client, unescape(next_url))) == ["Episode 1"]
