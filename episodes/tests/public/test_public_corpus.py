"""The public pages, feed and sitemap over every real episode of ../shared/corpus (skipped where it is absent)."""

import json
import re
import xml.etree.ElementTree as ET

import pytest

from episodes.format import frontmatter as fm
from episodes.models import Episode
from episodes.tests.support.factories import SHARED, import_text, needs_shared

pytestmark = [pytest.mark.django_db, needs_shared]

CORPUS = SHARED / "corpus"
NS = {"podcast": "https://podcastindex.org/namespace/1.0"}


@pytest.fixture
def corpus(db):
    for profile in sorted((CORPUS / "people").glob("*.md")):
        import_text(profile.read_text(encoding="utf-8"), slug=profile.stem, person=True)
    files = {}
    for path in sorted((CORPUS / "episodes").glob("[!_]*.md")):
        text = path.read_text(encoding="utf-8")
        assert import_text(text, slug=path.stem).status == "created", path
        files[path.stem] = fm.parse(text).front
    return files


def test_every_real_episode_page_feed_entry_and_sitemap_entry(client, corpus, django_assert_max_num_queries):
    with_related = 0
    for slug, front in corpus.items():
        with django_assert_max_num_queries(10):
            response = client.get(f"/episodes/{slug}/")
        assert response.status_code == 200, slug
        html = response.content.decode()
        data, crumbs = [
            json.loads(b) for b in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        ]
        assert data["@type"] == "PodcastEpisode" and crumbs["@type"] == "BreadcrumbList", slug
        clips = front.get("quotableClips") or []
        assert len(data.get("hasPart", [])) == len(clips), slug
        for clip, part in zip(clips, data.get("hasPart", []), strict=True):
            assert (part["name"], part["startOffset"]) == (clip["name"].strip(), clip["startOffset"]), slug
        if "duration" in front:
            assert re.fullmatch(r"PT(\d+H)?(\d+M)?(\d+S)?", data["duration"]), slug
        media = data.get("video") or data.get("audio")
        assert media and media["transcript"].count("\n") + 1 == sum(
            1 for item in front["transcript"] if "line" in item and str(item["line"]).strip()
        ), slug
        related = re.search(r'<ul class="more__related".*?</ul>', html, re.S)
        for other in re.findall(r'href="/episodes/([^/"]+)/"', related.group(0) if related else ""):
            assert relation(front, corpus[other]), (slug, other)
        with_related += bool(related)
    assert with_related > len(corpus) / 2
    # Importing the corpus takes seconds: the same test reads the feed and the sitemap.
    feed_and_sitemap_list_every_episode(client, corpus)


def relation(front: dict, other: dict) -> bool:
    """Tell whether two episodes share a guest, a topic (in any case) or a season."""
    topics = {t.casefold() for t in front.get("topics") or []} & {t.casefold() for t in other.get("topics") or []}
    return bool(set(front.get("guests") or []) & set(other.get("guests") or []) or topics) or (
        front.get("season") == other.get("season")
    )


def feed_and_sitemap_list_every_episode(client, corpus):
    root = ET.fromstring(client.get("/feed.xml").content)  # noqa: S314 - our own output
    items = root.findall("channel/item")
    assert len(items) == len(corpus)
    for item in items:
        assert item.findtext("pubDate") and item.findtext("description"), item.findtext("link")
        assert len(item.findall("podcast:transcript", NS)) == 3
    sitemap = client.get("/sitemap.xml").content.decode()
    for slug in corpus:
        assert f"/episodes/{slug}/</loc>" in sitemap
    assert Episode.objects.count() == len(corpus)
