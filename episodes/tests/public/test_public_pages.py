"""The public pages and feeds through the test client: content, visibility, query counts, caching, headers."""

import json
import re

import pytest
from django.urls import reverse

from episodes.models import Episode, Person, Speaker
from episodes.results import CREATED, UPDATED
from episodes.tests.public.test_public_discovery import rss
from episodes.tests.support.factories import import_text, make_episode, make_person, repeated_transcript_text
from episodes.tests.support.podcasting import check_chapters, check_json_transcript, check_srt, check_vtt

SLUG = "s10e03-mlops-architect"
VIDEO = "p1gVaS4Zx5M"


@pytest.fixture
def people(db):
    danny = make_person(
        "dannyleybzon",
        "Danny Leybzon",
        picture="images/authors/dannyleybzon.jpg",
        bio_short="MLOps architect at WhyLabs.",
        body="Danny is an *MLOps architect*.",
        linkedin="dleybz",
        github="dleybz",
        twitter="dleybz",
        web="https://example.com/danny",
    )
    alexey = make_person("alexeygrigorev", "Alexey Grigorev", is_host=True)
    return danny, alexey


@pytest.fixture
def episode(people, seed_text):
    assert import_text(seed_text).status == CREATED
    return Episode.objects.get(slug=SLUG)


def page_url(slug=SLUG):
    return reverse("episodes:episode", args=[slug])


def feed_url(name, slug=SLUG):
    return reverse(f"episodes:{name}", args=[slug])


def text_of(response) -> str:
    return response.content.decode()


# -- addresses ------------------------------------------------------------------------------------------


def test_addresses_other_tools_rely_on():
    assert reverse("episodes:index") == "/"
    assert page_url("a.b@c_d-e") == "/episodes/a.b@c_d-e/"
    assert feed_url("transcript_json") == f"/episodes/{SLUG}/transcript.json"
    assert feed_url("transcript_vtt") == f"/episodes/{SLUG}/transcript.vtt"
    assert feed_url("transcript_srt") == f"/episodes/{SLUG}/transcript.srt"
    assert feed_url("chapters") == f"/episodes/{SLUG}/chapters.json"
    assert reverse("episodes:person", args=["janedoe"]) == "/people/janedoe/"
    assert reverse("episodes:search") == "/search/"


def test_slugs_with_dots_and_at_signs(client, db):
    make_episode("v1.2@home_edition")
    assert client.get("/episodes/v1.2@home_edition/").status_code == 200


# -- the index ------------------------------------------------------------------------------------------


def test_index_changes_when_an_episode_or_a_guest_changes(client, people):
    episode = make_episode("ep-a", title="First title")
    assert "First title" in client.get("/").content.decode()
    Episode.objects.filter(pk=episode.pk).update(title="Second title", version=episode.version + 1)
    assert "Second title" in client.get("/").content.decode()
    guest = episode.guests.first()
    Person.objects.filter(pk=guest.pk).update(name="Renamed Guest")
    assert "Renamed Guest" in client.get("/").content.decode()


# -- the episode page ----------------------------------------------------------------------------------


def test_episode_page_shows_title_numbers_guests_video_and_platforms(client, episode):
    html = text_of(client.get(page_url()))
    assert '<h1 class="episode-title">MLOps Architect</h1>' in html
    assert "Season 10, Episode 3" in html
    # A poster that links to the video; the player itself loads only when the reader asks for it.
    assert f'<div class="video" id="video" data-video-id="{VIDEO}"' in html
    assert f'<a class="video__poster" href="https://www.youtube.com/watch?v={VIDEO}"' in html
    assert f'<img src="/media/images/podcast/{SLUG}.jpg" alt=""' in html
    assert "<iframe" not in html and "youtube.com/embed" not in html
    for name in ("YouTube", "Spotify", "Apple Podcasts", "Anchor"):
        assert f">{name}</a>" in html
    assert 'href="https://open.spotify.com/episode/5gz5lnS7onwRUtbcmpOSuU?si=8cbe799f284c4623"' in html
    # The guest: picture, name, bio, links.
    assert '<img src="/media/images/authors/dannyleybzon.jpg"' in html
    assert '<a href="/people/dannyleybzon/">Danny Leybzon</a>' in html
    assert "MLOps architect at WhyLabs." in html
    assert "<em>MLOps architect</em>" in html
    for link in (
        "https://www.linkedin.com/in/dleybz/",
        "https://github.com/dleybz",
        "https://x.com/dleybz",
        "https://example.com/danny",
    ):
        assert f'href="{link}"' in html


def test_contents_lists_sections_with_times_linking_to_anchors_and_video(client, episode):
    html = text_of(client.get(page_url()))
    toc = html[html.index('<nav class="toc"') : html.index("</nav>")]
    assert '<a href="#dannys-background">Danny’s background</a>' in toc
    assert f'href="https://www.youtube.com/watch?v={VIDEO}&amp;t=192"' in toc
    assert ">3:12</a>" in toc
    assert len(re.findall(r'<li><a href="#', toc)) == episode.items.filter(kind="header").count()
    assert '<section class="chapter" id="dannys-background">' in html


def test_turns_show_speakers_and_times_linking_into_the_video(client, episode):
    html = text_of(client.get(page_url()))
    first = episode.items.filter(kind="turn").order_by("position").first()
    turn = re.search(rf'<p class="turn" id="t{first.position}">(.*?)</p>', html, re.S).group(1)
    assert f'<a class="ts" href="https://www.youtube.com/watch?v={VIDEO}&amp;t=116"' in turn
    assert ">1:56</a>" in turn
    assert "This week, we&#x27;ll talk about being an MLOps architect." in turn
    # Alexey is a host and Danny a guest: both labels link to their people pages.
    assert '<a href="/people/alexeygrigorev/" title="Alexey Grigorev">Alexey</a>' in html
    assert '<a href="/people/dannyleybzon/" title="Danny Leybzon">Danny</a>' in html


def test_turn_without_time_belongs_to_the_turn_before(client, people):
    make_episode("untimed")
    html = text_of(client.get(page_url("untimed")))
    tell = re.search(r'<p class="turn" id="t4">(.*?)</p>', html, re.S).group(1)
    sure = re.search(r'<p class="turn" id="t5">(.*?)</p>', html, re.S).group(1)
    assert "t=20" in tell and sure == "Sure."


def test_unknown_speaker_is_shown_without_link(client, people):
    make_episode("strangers", transcript=[{"line": "Hello.", "sec": 1, "time": "0:01", "who": "Zed"}])
    assert '<p class="who">Zed</p>' in text_of(client.get(page_url("strangers")))


def test_editor_tie_decides_who_a_label_is(client, episode, people):
    danny, alexey = people
    Speaker.objects.create(episode=episode, label="Danny", person=alexey)
    html = text_of(client.get(page_url()))
    assert '<a href="/people/alexeygrigorev/" title="Alexey Grigorev">Danny</a>' in html


def test_ties_to_someone_not_in_the_episode_and_to_nobody_come_with_the_episode(
    client, episode, people, django_assert_max_num_queries
):
    # The ties are read with the episode; only a person tied who is neither a guest nor a host is read apart.
    Speaker.objects.create(episode=episode, label="Danny", person=make_person("outsider", "Out Sider"))
    Speaker.objects.create(episode=episode, label="Alexey", person=None)
    with django_assert_max_num_queries(8):
        html = text_of(client.get(page_url()))
    assert '<a href="/people/outsider/" title="Out Sider">Danny</a>' in html
    assert '<p class="who">Alexey</p>' in html
    vtt = client.get(feed_url("transcript_vtt")).content.decode()
    assert "<v Out Sider>" in vtt and "<v Alexey>" in vtt


def test_body_links_are_rendered_from_markdown(client, episode):
    html = text_of(client.get(page_url()))
    body = html[html.index('<section class="body') :]
    assert '<a href="https://mattturck.com/data2021/" target="_blank" rel="noopener noreferrer">Matt Turck</a>' in body
    assert "{:target" not in html


def test_intro_description_and_date_from_front_matter(client, people):
    make_episode(
        "described",
        description="A <b>short</b> description.",
        intro="An intro.<br><br>With *emphasis*.",
        dateadded="2021-02-26",
    )
    html = text_of(client.get(page_url("described")))
    assert '<meta name="description" content="A short description.">' in html
    assert "An intro.<br><br>With <em>emphasis</em>." in html


@pytest.mark.parametrize(
    ("keys", "described"),
    [
        ({"description": "  ", "intro": "The intro."}, "The intro."),
        ({"description": 7, "intro": ""}, "Short title"),
        ({"short": ""}, "The title"),
    ],
)
def test_the_page_and_the_feed_describe_an_episode_alike(client, people, keys, described):
    make_episode("described", **{"title": "The title", "short": "Short title", **keys})
    html = text_of(client.get(page_url("described")))
    assert re.search(r'<meta name="description" content="([^"]*)">', html)[1] == described
    _, root = rss(client)
    assert root.find("channel/item").findtext("description") == described


def test_episode_page_declares_alternates_json_ld_and_open_graph(client, episode):
    html = text_of(client.get(page_url()))
    for type_, name in [
        ("application/json", "transcript_json"),
        ("text/vtt", "transcript_vtt"),
        ("application/x-subrip", "transcript_srt"),
        ("application/json+chapters", "chapters"),
    ]:
        assert f'<link rel="alternate" type="{type_}" href="{feed_url(name)}"' in html
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(block)
    assert data["@context"] == "https://schema.org" and data["@type"] == "PodcastEpisode"
    assert data["name"] == "MLOps Architect"
    assert data["episodeNumber"] == 3
    assert data["partOfSeason"] == {"@type": "PodcastSeason", "seasonNumber": 10}
    assert data["partOfSeries"]["@type"] == "PodcastSeries"
    assert data["url"] == f"http://testserver/episodes/{SLUG}/"
    assert [(p["@type"], p["name"], p["url"]) for p in data["actor"]] == [
        ("Person", "Danny Leybzon", "http://testserver/people/dannyleybzon/")
    ]
    assert data["video"]["embedUrl"] == f"https://www.youtube-nocookie.com/embed/{VIDEO}"
    assert '<meta property="og:title" content="MLOps Architect">' in html
    assert f'<meta property="og:url" content="http://testserver/episodes/{SLUG}/">' in html
    assert f'<meta property="og:image" content="http://testserver/media/images/podcast/{SLUG}.jpg">' in html


def test_json_ld_date_published(client, people):
    make_episode("dated", dateadded="2021-02-26")
    html = text_of(client.get(page_url("dated")))
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["datePublished"] == "2021-02-26"
    assert '<time datetime="2021-02-26">26 February 2021</time>' in html


def test_episode_without_video_or_transcript(client, people):
    make_episode("bare", ids={}, links={}, transcript=[])
    html = text_of(client.get(page_url("bare")))
    assert "<iframe" not in html
    assert "This episode has no transcript yet." in html


# -- visibility ------------------------------------------------------------------------------------------


def test_unknown_slug_is_404(client, db):
    assert client.get(page_url("nothing-here")).status_code == 404
    assert client.get(feed_url("transcript_json", "nothing-here")).status_code == 404


@pytest.fixture
def draft(episode):
    Episode.objects.filter(pk=episode.pk).update(status=Episode.Status.DRAFT)
    return episode


@pytest.mark.parametrize("name", ["episode", "transcript_json", "transcript_vtt", "transcript_srt", "chapters"])
def test_drafts_are_404_to_the_public(client, draft, name):
    assert client.get(reverse(f"episodes:{name}", args=[SLUG])).status_code == 404


def test_drafts_are_not_listed_or_searchable(client, draft):
    assert "MLOps Architect" not in text_of(client.get("/"))
    assert '<li class="hit">' not in text_of(client.get("/search/?q=paralegal"))


def test_staff_preview_drafts_uncached_and_unindexed(admin_client, draft):
    response = admin_client.get(page_url())
    assert response.status_code == 200
    assert "Draft preview" in text_of(response)
    assert '<meta name="robots" content="noindex, nofollow">' in text_of(response)
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"
    assert "ETag" not in response
    assert admin_client.get(feed_url("transcript_json")).status_code == 200


def test_non_staff_user_cannot_preview(client, draft, django_user_model):
    client.force_login(django_user_model.objects.create_user("reader", password="x"))
    assert client.get(page_url()).status_code == 404


def test_only_get_and_head(client, episode):
    assert client.head(page_url()).status_code == 200
    assert client.post(page_url()).status_code == 405


# -- fast ----------------------------------------------------------------------------------------------------


def test_episode_page_runs_at_most_ten_queries_whatever_the_transcript_length(
    client, people, seed_text, django_assert_max_num_queries, django_assert_num_queries
):
    import_text(seed_text)
    import_text(repeated_transcript_text(seed_text, 20), slug="long-episode")
    long = Episode.objects.get(slug="long-episode")
    assert long.items.count() == 20 * Episode.objects.get(slug=SLUG).items.count()
    with django_assert_max_num_queries(10) as seed_queries:
        assert client.get(page_url()).status_code == 200
    with django_assert_num_queries(len(seed_queries)):
        response = client.get(page_url("long-episode"))
    assert text_of(response).count('<p class="turn"') == long.items.filter(kind="turn").count()


def test_staff_preview_stays_within_ten_queries(admin_client, draft, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        assert admin_client.get(page_url()).status_code == 200


def test_conditional_request_answers_304_without_reading_the_transcript(client, episode, django_assert_max_num_queries):
    first = client.get(page_url())
    etag = first["ETag"]
    assert etag.startswith('W/"')
    assert "public" in first["Cache-Control"]
    # The episode with its speaker ties, its guests and the hosts; its neighbours: no rendering.
    with django_assert_max_num_queries(2) as queries:
        again = client.get(page_url(), headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    assert not any("episodes_transcriptitem" in q["sql"] for q in queries.captured_queries)
    assert client.get(page_url(), headers={"if-none-match": 'W/"other"'}).status_code == 200


@pytest.mark.parametrize("name", ["transcript_json", "transcript_vtt", "transcript_srt", "chapters"])
def test_feeds_answer_conditional_requests_too(client, episode, name, django_assert_max_num_queries):
    etag = client.get(feed_url(name))["ETag"]
    # The episode with its speaker ties, its guests and the hosts: a file shows no other episode, so its
    # tag does not read the neighbours (the dearest of the page's queries).
    with django_assert_max_num_queries(1) as queries:
        assert client.get(feed_url(name), headers={"if-none-match": etag}).status_code == 304
    assert not any("WITH mates" in q["sql"] for q in queries.captured_queries)
    # Another episode of the season (a neighbour on the page) changes the page's tag, not the file's.
    page_etag = etag_of(client)
    make_episode("s10e04-next", season=10, episode=4, title="The next one")
    assert etag_of(client) != page_etag
    assert client.get(feed_url(name), headers={"if-none-match": etag}).status_code == 304


def etag_of(client) -> str:
    return client.get(page_url())["ETag"]


def test_etag_changes_with_the_episode(client, episode, seed_text):
    before = etag_of(client)
    assert import_text(seed_text.replace("MLOps Architect\ntranscript", "MLOps Architects\ntranscript")).status == (
        UPDATED
    )
    assert etag_of(client) != before


def test_etag_changes_with_a_guest_or_a_host(client, episode, people):
    danny, alexey = people
    before = etag_of(client)
    Person.objects.filter(pk=danny.pk).update(bio_short="Now somewhere else.")
    after_guest = etag_of(client)
    assert after_guest != before
    Person.objects.filter(pk=alexey.pk).update(name="Alexey G.")
    assert etag_of(client) != after_guest


def test_etag_changes_with_a_new_host_or_a_speaker_tie(client, episode, people):
    before = etag_of(client)
    make_person("cohost", "Co Host", is_host=True)
    with_host = etag_of(client)
    assert with_host != before
    Speaker.objects.create(episode=episode, label="Danny", person=None)
    assert etag_of(client) != with_host


def test_etag_is_stable(client, episode):
    assert etag_of(client) == etag_of(client)


# -- feeds ---------------------------------------------------------------------------------------------------


def test_transcript_json(client, episode):
    response = client.get(feed_url("transcript_json"))
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    data = check_json_transcript(text_of(response))
    turns = episode.items.filter(kind="turn").exclude(text="")
    assert len(data["segments"]) == turns.count()
    first, second = data["segments"][:2]
    assert first == {
        "speaker": "Alexey Grigorev",
        "startTime": 116,
        "endTime": 116,
        "body": first["body"],
    }
    assert second["startTime"] == 116 and second["endTime"] == 178
    assert all(a["endTime"] == b["startTime"] for a, b in zip(data["segments"], data["segments"][1:], strict=False))


def test_transcript_vtt_and_srt(client, episode):
    vtt = client.get(feed_url("transcript_vtt"))
    assert vtt["Content-Type"] == "text/vtt; charset=utf-8"
    cues = check_vtt(text_of(vtt))
    assert cues[0][:2] == (116, 178)
    assert cues[0][2][0].startswith("<v Alexey Grigorev>This week")
    srt = client.get(feed_url("transcript_srt"))
    assert srt["Content-Type"] == "application/x-subrip; charset=utf-8"
    assert len(check_srt(text_of(srt))) == len(cues)


def test_chapters_json(client, episode):
    response = client.get(feed_url("chapters"))
    assert response["Content-Type"] == "application/json+chapters"
    data = check_chapters(text_of(response))
    assert len(data["chapters"]) == episode.items.filter(kind="header").count()
    assert data["chapters"][0] == {"startTime": 192, "title": "Danny’s background"}


# -- people ----------------------------------------------------------------------------------------------------


def test_person_page_shows_picture_bio_links_and_published_episodes(client, episode, people):
    make_episode("unpublished", guests=["dannyleybzon"], title="Secret draft")
    Episode.objects.filter(slug="unpublished").update(status=Episode.Status.DRAFT)
    html = text_of(client.get(reverse("episodes:person", args=["dannyleybzon"])))
    assert '<h1 class="page-title">Danny Leybzon</h1>' in html
    assert '<img src="/media/images/authors/dannyleybzon.jpg"' in html
    assert "<em>MLOps architect</em>" in html
    assert 'href="https://www.linkedin.com/in/dleybz/"' in html
    assert f'href="{page_url()}"' in html
    assert "Secret draft" not in html


def test_person_page_lists_episodes_where_a_tie_names_them(client, episode, people):
    Speaker.objects.create(episode=episode, label="Alexey", person=people[1])
    html = text_of(client.get(reverse("episodes:person", args=["alexeygrigorev"])))
    assert f'href="{page_url()}"' in html


def test_people_known_only_from_drafts_are_404(client, people):
    make_episode("draft-only", guests=["nobodyyet"])
    Episode.objects.filter(slug="draft-only").update(status=Episode.Status.DRAFT)
    assert client.get(reverse("episodes:person", args=["nobodyyet"])).status_code == 404
    assert client.get(reverse("episodes:person", args=["nobody-at-all"])).status_code == 404


def test_guest_without_profile_has_a_page_once_published(client, people):
    make_episode("published", guests=["newguest"])
    assert client.get(reverse("episodes:person", args=["newguest"])).status_code == 200


# -- headers ---------------------------------------------------------------------------------------------------


def test_security_headers(client, episode):
    response = client.get(page_url())
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    csp = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert csp["frame-src"] == "https://www.youtube-nocookie.com"
    assert csp["frame-ancestors"] == "'none'"
    # The IFrame API, which the page loads only when the reader presses play.
    assert csp["script-src"] == "'self' https://www.youtube.com" and csp["style-src"] == "'self'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_no_third_party_assets_but_the_embed(client, episode):
    html = text_of(client.get(page_url()))
    sources = re.findall(r'<(?:script|link|img|iframe)\b[^>]*?\b(?:src|href)="([^"]*)"', html)
    external = {s for s in sources if s.startswith(("http:", "https:", "//"))}
    # Canonical and Open Graph addresses are ours; the player is loaded by the script on the reader's request.
    assert {s for s in external if "testserver" not in s} == set()


def test_admin_keeps_its_inline_scripts(admin_client):
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response
    assert response["X-Frame-Options"] == "DENY"


def test_episode_page_is_kept_and_renewed_after_an_edit(client, episode, django_assert_max_num_queries):
    from episodes import services

    first = client.get(page_url())
    with django_assert_max_num_queries(5):
        assert client.get(page_url()).content == first.content
    services.speaker_rename(episode=episode, old="Danny", new="Daniel")
    renewed = client.get(page_url())
    assert renewed["ETag"] != first["ETag"] and "Daniel" in renewed.content.decode()


# -- kept pages and their origin ------------------------------------------------------------------------------


def canonical(response) -> str:
    return re.search(r'<link rel="canonical" href="([^"]+)">', text_of(response)).group(1)


def test_https_readers_behind_the_proxy_never_get_the_http_page(client, episode, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client.defaults["HTTP_HOST"] = "testserver"  # as a proxy passes it on
    plain = client.get(page_url())
    secure = client.get(page_url(), headers={"x-forwarded-proto": "https"})
    assert canonical(plain) == f"http://testserver{page_url()}"
    assert canonical(secure) == f"https://testserver{page_url()}"
    assert plain["ETag"] != secure["ETag"]
    # The other way round, and the http copy's tag does not validate the https page.
    again = client.get(page_url(), headers={"x-forwarded-proto": "https", "if-none-match": plain["ETag"]})
    assert again.status_code == 200 and canonical(again).startswith("https://")
    feed = client.get(reverse("episodes:rss"), headers={"x-forwarded-proto": "https"})
    assert f"https://testserver{page_url()}" in text_of(feed)
    assert f"http://testserver{page_url()}" in text_of(client.get(reverse("episodes:rss")))


def test_a_host_with_another_port_has_its_own_etag_and_body(client, episode, settings):
    settings.ALLOWED_HOSTS = ["localhost"]
    one = client.get(page_url(), HTTP_HOST="localhost:8000")
    other = client.get(page_url(), HTTP_HOST="localhost:9000", headers={"if-none-match": one["ETag"]})
    assert other.status_code == 200 and one["ETag"] != other["ETag"]
    assert canonical(one) == f"http://localhost:8000{page_url()}"
    assert canonical(other) == f"http://localhost:9000{page_url()}"
    assert client.get(page_url(), HTTP_HOST="localhost:8000", headers={"if-none-match": one["ETag"]}).status_code == 304
