"""The sitemap (``django.contrib.sitemaps``): the index, every published episode and every public person.

The rows are read first (two queries) so that the sitemap's ETag is known before it is written.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from ..models import Episode, Person
from .pages import etag_of

EPISODE_FIELDS = ("pk", "slug", "version", "created_at", "edited_at", "synced_at")


def changed_at(episode: Episode):
    """Return when the episode's content last changed: an edit, an import that changed it, or its creation."""
    return max(when for when in (episode.edited_at, episode.synced_at, episode.created_at) if when)


@dataclass
class SitemapEntries:
    episodes: list[Episode]
    people: list[Person]

    @property
    def etag(self) -> str:
        episodes = [(e.pk, e.slug, e.version, changed_at(e).isoformat()) for e in self.episodes]
        return etag_of(episodes, [(p.pk, p.key) for p in self.people])

    def sitemaps(self) -> dict[str, Sitemap]:
        return {"pages": PagesSitemap(self), "episodes": EpisodeSitemap(self), "people": PersonSitemap(self)}


def sitemap_entries() -> SitemapEntries:
    """Read the published episodes and the public people: two queries."""
    episodes = list(Episode.objects.published().only(*EPISODE_FIELDS).newest_first())
    people = list(Person.objects.public().only("pk", "key").order_by("key"))
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
        return max((changed_at(e) for e in self.entries.episodes), default=None)


class EpisodeSitemap(_EntriesSitemap):
    priority = 0.8

    def items(self):
        return self.entries.episodes

    def location(self, episode):
        return reverse("episodes:episode", args=[episode.slug])

    def lastmod(self, episode):
        return changed_at(episode)


class PersonSitemap(_EntriesSitemap):
    priority = 0.5

    def items(self):
        return self.entries.people

    def location(self, person):
        return reverse("episodes:person", args=[person.key])
