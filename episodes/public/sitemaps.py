"""The sitemap: the index, every published episode and every public person.

The rows are read first (two queries, plain values) so that the sitemap's ETag is known before it is written;
a process keeps them under the catalogue stamp (see :mod:`episodes.change_stamps`): one query between changes.
It is written as ``django.contrib.sitemaps`` writes it, byte for byte (its classes below are what the tests
compare with), but without its template: the template engine took 30 of the 54 ms a 650-address sitemap
cost, and a pull that changes the site rewrites the sitemap after each of its commits.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass
from functools import cached_property
from html import escape
from urllib.parse import quote

from django.contrib.sitemaps import Sitemap
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import RFC3986_SUBDELIMS

from .. import change_stamps
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

    @cached_property
    def etag(self) -> str:
        return etag_of([(e.pk, e.slug, e.version, e.changed.isoformat()) for e in self.episodes], self.people)

    def sitemaps(self) -> dict[str, Sitemap]:
        return {"pages": PagesSitemap(self), "episodes": EpisodeSitemap(self), "people": PersonSitemap(self)}


_kept = change_stamps.Kept(most=1)


def sitemap_entries() -> SitemapEntries:
    """Return the published episodes and the public people's keys: kept under the catalogue stamp (one query
    while it holds), else read in two queries, plain values."""
    return _kept.make("entries", change_stamps.read(change_stamps.CATALOGUE), _sitemap_entries)


def _sitemap_entries() -> SitemapEntries:
    rows = Episode.objects.published().newest_first()
    rows = rows.values_list("pk", "slug", "version", "site_changed_at", "edited_at", "synced_at", "created_at")
    episodes = [SitemapEpisode(pk, slug, version, changed_at(*times)) for pk, slug, version, *times in rows]
    people = list(Person.objects.public().order_by("key").values_list("key", flat=True))
    return SitemapEntries(episodes, people)


class _EntriesSitemap(Sitemap):
    def __init__(self, entries: SitemapEntries):
        self.entries = entries

    def paths(self, items) -> list[str]:
        """Return the address of each of ``items``, as :meth:`location` gives them one by one."""
        return [self.location(item) for item in items]


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

    def paths(self, items) -> list[str]:
        return _paths("episodes:episode", [episode.slug for episode in items])

    def lastmod(self, episode):
        return episode.changed


class PersonSitemap(_EntriesSitemap):
    priority = 0.5

    def items(self):
        return self.entries.people

    def location(self, key):
        return reverse("episodes:person", args=[key])

    def paths(self, items) -> list[str]:
        return _paths("episodes:person", list(items))


# -- writing it ------------------------------------------------------------------------------------------------

SITEMAP_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
)
SITEMAP_TAIL = "\n</urlset>\n"
# What reverse() leaves unquoted in a path (RFC 3986's pchar).
PATH_SAFE = RFC3986_SUBDELIMS + "/~:@"


def sitemap_xml(entries: SitemapEntries, *, origin: str, page: str | int = 1) -> str:
    """Return page ``page`` (``?p=``) of the sitemap of ``entries`` for the site at ``origin`` (scheme://host).

    As ``django.contrib.sitemaps.views.sitemap`` with :meth:`SitemapEntries.sitemaps`, whose parts say what
    is listed and how: each part paginated by its ``limit``, a page that is no number or that a part does
    not have is 404. Only the addresses are made otherwise (:meth:`_EntriesSitemap.paths`).
    """
    urls = []
    for part in entries.sitemaps().values():
        try:
            items = part.paginator.page(page).object_list
        except EmptyPage:
            raise Http404(f"Page {page} empty") from None
        except PageNotAnInteger:
            raise Http404(f"No page '{page}'") from None
        for path, item in zip(part.paths(items), items, strict=True):
            lastmod, changefreq = _get(part, "lastmod", item), _get(part, "changefreq", item)
            urls.append(_url(origin + path, lastmod, changefreq, part.priority))
    return SITEMAP_HEAD + "".join(urls) + SITEMAP_TAIL


def _get(part: Sitemap, name: str, item):
    """Return a part's ``name`` for ``item`` as the framework reads it: a method, a value, or None."""
    value = getattr(part, name, None)
    return value(item) if callable(value) else value


def _url(location: str, lastmod, changefreq: str | None, priority: float) -> str:
    parts = [f"<url><loc>{escape(location)}</loc>"]
    if lastmod:
        day = timezone.localtime(lastmod) if timezone.is_aware(lastmod) else lastmod
        parts.append(f"<lastmod>{day.year:04d}-{day.month:02d}-{day.day:02d}</lastmod>")
    if changefreq:
        parts.append(f"<changefreq>{changefreq}</changefreq>")
    parts.append(f"<priority>{priority}</priority></url>")
    return "".join(parts)


def _paths(name: str, keys: list[str]) -> list[str]:
    """Return reverse(``name``, args=[key]) of each key: the address is reversed once, each key quoted into it
    as reverse() quotes it (a reverse() for each of hundreds of addresses cost more than the rest of the page)."""
    marker = "key"
    address = reverse(name, args=[marker])
    at = address.rindex(marker)
    before, after = address[:at], address[at + len(marker) :]
    return [before + quote(key, safe=PATH_SAFE) + after for key in keys]
