"""The RSS 2.0 feed of published episodes, with the Podcasting 2.0 transcript, chapters and person tags.

Namespace: https://podcastindex.org/namespace/1.0 (``podcast:transcript``, ``podcast:chapters``,
``podcast:person``). The entries are read first, so that their ETag is known before anything is written.
Each item is kept as written (the ``feed-items`` cache) under a validator of what it shows, so that a feed
one episode changed in writes that item only: writing a hundred items cost two thirds of the feed's time,
and a busy site's saves and pulls change the feed several times a second.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cached_property
from io import StringIO

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.cache import caches
from django.db.models import BigIntegerField, OuterRef, Subquery, Value
from django.urls import reverse
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.xmlutils import SimplerXMLGenerator

from .. import change_stamps
from ..documents.database import parsed_extra
from ..format import frontmatter as fm
from ..format import markup
from ..format.episode_keys import episode_description, front_date, public_title
from ..models import LONG_PERSON_FIELDS, Episode, EpisodeGuest, Person, TranscriptItem
from .pages import etag_of, feed_links, image_url

PODCAST_NAMESPACE = "https://podcastindex.org/namespace/1.0"
# Podcast apps read the newest episodes; a feed of every episode ever would grow without bound.
FEED_ITEMS = 100
PERSON_FIELDS = [field.removeprefix("person__") for field in LONG_PERSON_FIELDS]
ITEMS_CACHE = "feed-items"


@dataclass
class FeedEntry:
    # None when the item is kept: its row is not read.
    episode: Episode | None
    guests: list[Person]
    has_turns: bool
    has_chapters: bool
    # The item's cache key for the feed being written, and its (XML, publication date) when kept.
    key: str = ""
    kept: tuple[str, datetime.datetime] | None = None

    @cached_property
    def extra(self) -> dict:
        return parsed_extra(self.episode.extra)


@dataclass
class FeedEntries:
    entries: list[FeedEntry]
    hosts: list[Person]


# (pk, key, name, picture): what an item shows of a person.
PERSON_SHOWN = ("pk", "key", "name", "picture")


@dataclass
class FeedHead:
    """What the feed shows, read light: its ETag, and each item's validator before any item is read.

    ``episodes``: (pk, created_at, site_added_at, version, slug) of the newest published episodes, in the
    feed's order. An episode's own rows (its transcript included) bump its version.
    """

    episodes: list[tuple]
    guests: dict[int, list[tuple]]
    hosts: list[tuple]

    @cached_property
    def etag(self) -> str:
        return etag_of(self.episodes, sorted(self.guests.items()), self.hosts)

    def item_key(self, origin: str, row: tuple) -> str:
        """Return the cache key of the item of ``row`` as written for readers at ``origin``."""
        return etag_of(origin, row, self.guests.get(row[0], []), self.hosts)


_kept = change_stamps.Kept(most=1)


def feed_head() -> FeedHead:
    """Return the newest published episodes' versions, their guests and the hosts: kept under the catalogue
    stamp (one query while it holds), else read in two light queries.

    Podcast apps ask for the feed again and again; most of them get a 304 from this alone.
    """
    return _kept.make("head", change_stamps.read(change_stamps.CATALOGUE), _feed_head)


def _feed_head() -> FeedHead:
    fields = ("pk", "created_at", "site_added_at", "version", "slug")
    rows = list(Episode.objects.published().newest_first().values_list(*fields)[:FEED_ITEMS])
    shown = [f"person__{name}" for name in PERSON_SHOWN]
    guests = (
        EpisodeGuest.objects.filter(episode__in=[row[0] for row in rows])
        .order_by()
        .values_list("episode", "position", *shown)
    )
    hosts = (
        Person.objects.filter(is_host=True)
        .order_by()
        .annotate(episode=Value(None, BigIntegerField()), position=Value(0))
    )
    people: dict[int | None, list[tuple]] = {}
    for episode, _, *person in sorted(
        guests.union(hosts.values_list("episode", "position", *PERSON_SHOWN), all=True),
        key=lambda r: (r[0] is not None, r[0] or 0, r[1], r[2]),
    ):
        people.setdefault(episode, []).append(tuple(person))
    return FeedHead(rows, people, people.pop(None, []))


def feed_entries(pks: list[int]) -> list[FeedEntry]:
    """Read the published episodes ``pks`` whose items must be written, with their guests: two queries."""
    items = TranscriptItem.objects.filter(episode=OuterRef("pk"))
    episodes = (
        Episode.objects.published()
        .filter(pk__in=pks)
        .for_lists()
        .with_guests()
        .annotate(
            # The first such item's id, not EXISTS: PostgreSQL turned EXISTS into a join over every
            # transcript item of the site (190 ms at 20 times the corpus); a subquery with a limit is
            # run per episode, along its items' index, and stops at the first.
            first_turn=Subquery(items.filter(kind=TranscriptItem.Kind.TURN).values("pk")[:1]),
            first_header=Subquery(items.filter(kind=TranscriptItem.Kind.HEADER).values("pk")[:1]),
        )
    )
    return [
        FeedEntry(e, [row.person for row in e.guest_rows.all()], e.first_turn is not None, e.first_header is not None)
        for e in episodes
    ]


def feed_hosts() -> list[Person]:
    return list(Person.objects.filter(is_host=True).defer(*PERSON_FIELDS))


class TextOnlyXMLGenerator(SimplerXMLGenerator):
    """Django's XML writer, writing a space for each character XML cannot carry instead of failing.

    Such text is refused on the way in, but a row stored before that (a title with the U+000B Word's
    Shift+Enter pastes) made the whole feed fail for every reader.
    """

    def characters(self, content):
        super().characters(fm.as_text(content) if content else content)

    def startElement(self, name, attrs):  # noqa: N802 - the SAX name
        super().startElement(name, {key: fm.as_text(value) for key, value in attrs.items()} if attrs else attrs)


class PodcastRss(Rss201rev2Feed):
    """RSS 2.0 with the Podcasting 2.0 namespace: people on the channel, files and people on each item."""

    def write(self, outfile, encoding):
        # RssFeed.write, with the writer that never fails on stored text.
        self.encoding = encoding
        handler = TextOnlyXMLGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        self.add_stylesheets(handler)
        handler.startElement("rss", self.rss_attributes())
        handler.startElement("channel", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        self.endChannelElement(handler)
        handler.endElement("rss")

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:podcast": PODCAST_NAMESPACE}

    def write_items(self, handler):
        """Write every entry in order: its kept XML, or the item built for it this time (then kept)."""
        built = iter(self.items)
        for entry in self.feed["entries"]:
            if entry.kept is None:
                item = next(built)
                written = StringIO()
                item_handler = TextOnlyXMLGenerator(written, self.encoding, short_empty_elements=True)
                item_handler.startElement("item", self.item_attributes(item))
                self.add_item_elements(item_handler, item)
                item_handler.endElement("item")
                entry.kept = (written.getvalue(), item["pubdate"])
                caches[ITEMS_CACHE].set(entry.key, entry.kept)
            # Already XML: written as it is (the writer escapes characters(), not this).
            handler.ignorableWhitespace(entry.kept[0])

    def latest_post_date(self):
        """Return the newest publication date among all the entries, kept ones included."""
        dates = [entry.kept[1] for entry in self.feed["entries"] if entry.kept and entry.kept[1]]
        dates += [item["pubdate"] for item in self.items if item["pubdate"]]
        return max(dates) if dates else super().latest_post_date()

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        for person in self.feed["people"]:
            _person(handler, person)

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for feed in item["files"]:
            if feed.is_chapters:
                handler.addQuickElement("podcast:chapters", None, {"url": feed.url, "type": feed.type})
            else:
                attrs = {"url": feed.url, "type": feed.type, **({"rel": feed.rel} if feed.rel else {})}
                handler.addQuickElement("podcast:transcript", None, attrs)
        for person in item["people"]:
            _person(handler, person)


def _person(handler, person: dict) -> None:
    attrs = {key: person[key] for key in ("role", "href", "img") if person.get(key)}
    handler.addQuickElement("podcast:person", person["name"], attrs)


class EpisodeFeed(Feed):
    """The published episodes, newest first; each links its page, transcripts and chapters."""

    feed_type = PodcastRss
    language = "en"

    def __init__(self, head: FeedHead):
        super().__init__()
        self.head = head
        self.entries = FeedEntries([], [])
        self.request = None

    def __call__(self, request, *args, **kwargs):
        """Write the feed: its kept items as they are, the others read (only those) and written."""
        self.request = request
        origin = request.build_absolute_uri("/")
        keys = [self.head.item_key(origin, row) for row in self.head.episodes]
        kept = caches[ITEMS_CACHE].get_many(keys)
        missing = [row[0] for row, key in zip(self.head.episodes, keys, strict=True) if key not in kept]
        read = {entry.episode.pk: entry for entry in feed_entries(missing)} if missing else {}
        entries = []
        for row, key in zip(self.head.episodes, keys, strict=True):
            # An episode unpublished since the head was read has no row and no item: the next ETag differs.
            entry = FeedEntry(None, [], False, False, kept=kept[key]) if key in kept else read.get(row[0])
            if entry is not None:
                entry.key = key
                entries.append(entry)
        self.entries = FeedEntries(entries, feed_hosts())
        return super().__call__(request, *args, **kwargs)

    def title(self):
        return settings.PODCAST_TITLE

    def link(self):
        return reverse("episodes:index")

    def feed_url(self):
        return reverse("episodes:rss")

    def description(self):
        return f"All episodes of {settings.PODCAST_TITLE}, with full transcripts and chapters."

    def items(self):
        """Return the entries whose item must be written this time (see :meth:`PodcastRss.write_items`)."""
        return [entry for entry in self.entries.entries if entry.kept is None]

    def feed_extra_kwargs(self, obj):
        return {"people": [self._person(p, "host") for p in self.entries.hosts], "entries": self.entries.entries}

    def item_title(self, entry: FeedEntry):
        return public_title(entry.episode)

    def item_link(self, entry: FeedEntry):
        return reverse("episodes:episode", args=[entry.episode.slug])

    def item_description(self, entry: FeedEntry):
        return markup.plain_text(episode_description(entry.episode, entry.extra), limit=4000)

    def item_pubdate(self, entry: FeedEntry):
        """Return the ``dateadded`` front matter key at midnight UTC; else the date of the commit that added the
        file to the site; else when the episode came into the CMS."""
        date = front_date(entry.extra.get("dateadded"))
        if date is None:
            return entry.episode.site_added_at or entry.episode.created_at
        return datetime.datetime.combine(date, datetime.time(), tzinfo=datetime.UTC)

    def item_extra_kwargs(self, entry: FeedEntry):
        files = [
            f for f in feed_links(entry.episode.slug) if (entry.has_chapters if f.is_chapters else entry.has_turns)
        ]
        files = [f._replace(url=self.request.build_absolute_uri(f.url)) for f in files]
        hosts = [p for p in self.entries.hosts if p not in entry.guests]
        people = [self._person(p, "guest") for p in entry.guests] + [self._person(p, "host") for p in hosts]
        return {"files": files, "people": people}

    def _person(self, person: Person, role: str) -> dict:
        picture = image_url(person.picture)
        return {
            "name": person.name or person.key,
            "role": role,
            "href": self.request.build_absolute_uri(reverse("episodes:person", args=[person.key])),
            "img": self.request.build_absolute_uri(picture) if picture else "",
        }
