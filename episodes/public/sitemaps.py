"""The sitemap (``django.contrib.sitemaps``): the index, every published episode and every public person.

The rows are read first (two queries, plain values) so that the sitemap's ETag is known before it is written.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from ..models import Episode, Person
from .pages import etag_of

# An episode as the sitemap lists it: its address and when its content last changed.
SitemapEpisode = namedtuple("SitemapEpisode", "pk slug version changed")


def changed_at(site_changed_at, edited_at, synced_at, created_at):
    """Return when an episode's content last changed: the last commit that changed its file on the site or an
    edit in the CMS, whichever is later; for an episode the site's history does not know, an edit, an import
    that changed it, or its creation."""
    if site_changed_at:
        return max(when for when in (site_changed_at, edited_at) if when)
    return max(when for when in (edited_at, synced_at, created_at) if when)


@dataclass
class SitemapEntries:
    episodes: list[SitemapEpisode]
    people: list[str]

    @property
    def etag(self) -> str:
        return etag_of([(e.pk, e.slug, e.version, e.changed.isoformat()) for e in self.episodes], self.people)

    def sitemaps(self) -> dict[str, Sitemap]:
        return {"pages": PagesSitemap(self), "episodes": EpisodeSitemap(self), "people": PersonSitemap(self)}


def sitemap_entries() -> SitemapEntries:
    """Read the published episodes and the public people's keys: two queries, plain values."""
    rows = Episode.objects.published().newest_first()
    rows = rows.values_list("pk", "slug", "version", "site_changed_at", "edited_at", "synced_at", "created_at")
    episodes = [SitemapEpisode(pk, slug, version, changed_at(*times)) for pk, slug, version, *times in rows]
    people = list(Person.objects.public().order_by("key").values_list("key", flat=True))
    return SitemapEntries(episodes, people)


class _EntriesSitemap(Sitemap):
    def __init__(self, entries: SitemapEntries):
        self.entries = entries


class PagesSitemap(_EntriesSitemap):
    changefreq = "weekly"
    priority = 1.0

    def items(self):
        return ["episodes:index"]

    def location(self, name):
        return reverse(name)

    def lastmod(self, name):
        return max((e.changed for e in self.entries.episodes), default=None)


class EpisodeSitemap(_EntriesSitemap):
    priority = 0.8

    def items(self):
        return self.entries.episodes

    def location(self, episode):
        return reverse("episodes:episode", args=[episode.slug])

    def lastmod(self, episode):
        return episode.changed


class PersonSitemap(_EntriesSitemap):
    priority = 0.5

    def items(self):
        return self.entries.people

    def location(self, key):
        return reverse("episodes:person", args=[key])
