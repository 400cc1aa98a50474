"""The structured data (schema.org JSON-LD) of episode and person pages, parsed as search engines read it."""

import json
import re

import pytest
from django.urls import reverse

from episodes.public.structured import clips, iso_duration
from episodes.tests.support.factories import make_episode, make_person

VIDEO = "abcdefghijk"
CLIPS = [
    {
        "name": "Podcast Introduction",
        "startOffset": 0,
        "url": f"https://www.youtube.com/watch?v={VIDEO}&t=0",
        "endOffset": 108,
    },
    {"name": "Career </script><script>alert(1)</script>", "startOffset": 108, "endOffset": 165},
    {"name": "", "startOffset": 5},
    {"name": "No start"},
    {"name": "Bad address", "startOffset": 200.5, "url": "javascript:alert(1)"},
    "not a clip",
]


def json_ld(html: str) -> list[dict]:
    return [
        json.loads(block) for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    ]


@pytest.fixture
def guest(db):
    make_person("alexeygrigorev", "Alexey Grigorev", is_host=True)
    return make_person(
        "janedoe",
        "Jane Doe",
        picture="images/authors/janedoe.jpg",
        bio_short="Data <b>engineer</b>.",
        linkedin="jdoe",
        twitter="@jdoe",
        github="jdoe",
        web="https://jane.example/",
    )


@pytest.fixture
def episode_data(client, guest):
    make_episode(
        "ep",
        title="A </script> title",
        description="What it is about.",
        dateadded="2022-04-16",
        duration="PT01H02M03S",
        quotableClips=CLIPS,
        links={
            "youtube": f"https://www.youtube.com/watch?v={VIDEO}",
            "spotify": "https://open.spotify.com/episode/4rLQ5ulsYR9LqXxbFe2MlN?si=x",
        },
    )
    html = client.get(reverse("episodes:episode", args=["ep"])).content.decode()
    assert "</script><script>" not in html
    return json_ld(html)


def test_podcast_episode(episode_data):
    data, crumbs = episode_data
    assert data["@context"] == "https://schema.org" and data["@type"] == "PodcastEpisode"
    assert data["name"] == "A </script> title"
    assert data["url"] == "http://testserver/episodes/ep/"
    assert data["partOfSeries"] == {
        "@type": "PodcastSeries",
        "name": "DataTalks.Club Podcast",
        "url": "http://testserver/",
    }
    assert data["partOfSeason"] == {"@type": "PodcastSeason", "seasonNumber": 1}
    assert data["episodeNumber"] == 2
    assert data["datePublished"] == "2022-04-16"
    assert data["duration"] == "PT1H2M3S"
    assert data["description"] == "What it is about."


def test_guests_are_people_with_their_profiles(episode_data):
    (guest,) = episode_data[0]["actor"]
    assert guest == {
        "@type": "Person",
        "name": "Jane Doe",
        "url": "http://testserver/people/janedoe/",
        "image": "http://testserver/media/images/authors/janedoe.jpg",
        "description": "Data engineer.",
        "sameAs": [
            "https://jane.example/",
            "https://github.com/jdoe",
            "https://www.linkedin.com/in/jdoe/",
            "https://x.com/jdoe",
        ],
    }


def test_clips_from_quotable_clips(episode_data):
    expected = [
        {
            "@type": "Clip",
            "name": "Podcast Introduction",
            "startOffset": 0,
            "endOffset": 108,
            "url": f"https://www.youtube.com/watch?v={VIDEO}&t=0",
        },
        {
            "@type": "Clip",
            "name": "Career </script><script>alert(1)</script>",
            "startOffset": 108,
            "endOffset": 165,
            "url": f"https://www.youtube.com/watch?v={VIDEO}&t=108",
        },
        # An unsafe address gives way to the video at the clip's start.
        {
            "@type": "Clip",
            "name": "Bad address",
            "startOffset": 200.5,
            "url": f"https://www.youtube.com/watch?v={VIDEO}&t=200",
        },
    ]
    assert episode_data[0]["hasPart"] == expected
    assert episode_data[0]["video"]["hasPart"] == expected


def test_video_with_the_transcript_and_audio(episode_data):
    data = episode_data[0]
    video, audio = data["video"], data["audio"]
    assert video["@type"] == "VideoObject"
    assert video["embedUrl"] == f"https://www.youtube-nocookie.com/embed/{VIDEO}"
    assert video["url"] == f"https://www.youtube.com/watch?v={VIDEO}"
    assert video["thumbnailUrl"] == "http://testserver/media/images/podcast/test.jpg"
    assert (video["uploadDate"], video["duration"], video["name"]) == ("2022-04-16", "PT1H2M3S", "A </script> title")
    assert video["transcript"].splitlines() == [
        "Alexey Grigorev: Hello and welcome.",
        "Jane Doe: Thanks for having me.",
        "Alexey Grigorev: Tell us about you.",
        "Jane Doe: Sure.",
    ]
    assert audio["@type"] == "AudioObject"
    assert audio["url"] == "https://open.spotify.com/episode/4rLQ5ulsYR9LqXxbFe2MlN?si=x"
    assert audio["embedUrl"] == "https://open.spotify.com/embed/episode/4rLQ5ulsYR9LqXxbFe2MlN"
    assert audio["duration"] == "PT1H2M3S"
    assert "transcript" not in audio, "the transcript is carried once"


def test_breadcrumbs(episode_data):
    crumbs = episode_data[1]
    assert crumbs["@type"] == "BreadcrumbList"
    assert crumbs["itemListElement"] == [
        {"@type": "ListItem", "position": 1, "name": "DataTalks.Club Podcast", "item": "http://testserver/"},
        {"@type": "ListItem", "position": 2, "name": "A </script> title", "item": "http://testserver/episodes/ep/"},
    ]


def test_audio_only_episode_carries_the_transcript_on_its_audio(client, guest):
    make_episode("audio", ids={}, links={"anchor": "https://anchor.fm/x/episodes/y"})
    (data, _) = json_ld(client.get("/episodes/audio/").content.decode())
    assert "video" not in data
    assert data["audio"]["url"] == "https://anchor.fm/x/episodes/y"
    assert "embedUrl" not in data["audio"]
    assert data["audio"]["transcript"].startswith("Alexey Grigorev: Hello and welcome.")


def test_episode_without_media_dates_or_clips(client, guest):
    make_episode("bare", ids={}, links={}, transcript=[], guests=[])
    (data, _) = json_ld(client.get("/episodes/bare/").content.decode())
    for key in ("video", "audio", "hasPart", "duration", "datePublished", "actor"):
        assert key not in data, key


def test_clip_builder_keeps_only_what_it_can():
    assert clips({"quotableClips": "not a list"}, video_id=VIDEO) == []
    assert clips({}, video_id="") == []
    assert clips({"quotableClips": [{"name": "x", "startOffset": True}]}, video_id="") == []
    assert clips({"quotableClips": [{"name": "x", "startOffset": 5, "endOffset": 2}]}, video_id="") == [
        {"@type": "Clip", "name": "x", "startOffset": 5}
    ]


def test_iso_duration():
    assert [iso_duration(s) for s in (0, 9, 60, 3723, 5097)] == ["PT0S", "PT9S", "PT1M", "PT1H2M3S", "PT1H24M57S"]


def test_person_page_has_the_same_person_data(client, guest):
    make_episode("ep")
    person, crumbs = json_ld(client.get(reverse("episodes:person", args=["janedoe"])).content.decode())
    assert person["@context"] == "https://schema.org" and person["@type"] == "Person"
    assert person["sameAs"] == [
        "https://jane.example/",
        "https://github.com/jdoe",
        "https://www.linkedin.com/in/jdoe/",
        "https://x.com/jdoe",
    ]
    assert (person["name"], person["url"], person["image"]) == (
        "Jane Doe",
        "http://testserver/people/janedoe/",
        "http://testserver/media/images/authors/janedoe.jpg",
    )
    assert [i["item"] for i in crumbs["itemListElement"]] == ["http://testserver/", "http://testserver/people/janedoe/"]


def test_person_without_profiles_or_picture(client, db):
    make_person("plain", "Plain Person")
    person, _ = json_ld(client.get(reverse("episodes:person", args=["plain"])).content.decode())
    assert person == {
        "@context": "https://schema.org",
        "@type": "Person",
        "name": "Plain Person",
        "url": "http://testserver/people/plain/",
    }
