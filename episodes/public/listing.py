"""The episode lists: the index and each season, all episodes, a person's episodes, a page at a time.

Whatever the number of episodes, a list page reads the same few rows: the seasons with their sizes (one
grouped query over an index), the page's episodes and their guests, and the list's size for the pager.
Every episode stays reachable by plain links: the season list on every page, and each list's pages.

The seasons, each list page's validator and each person's page's are made of the episodes' rows, their guests,
their speakers' ties and the people only: a process keeps them under the catalogue stamp (see
:mod:`episodes.change_stamps`), so that between two changes such a page costs the stamp's query and the page
kept by the public page cache.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.urls import reverse

from .. import change_stamps
from ..models import Episode, EpisodeGuest, Person, Speaker
from .pages import etag_of

EPISODES_PER_PAGE = 30
LAST = "last"


@dataclass(frozen=True)
class SeasonLink:
    number: int
    episodes: int
    url: str


class Seasons(list):
    """The seasons with published episodes, newest first (:class:`SeasonLink`), and every list's size."""

    def __init__(self, links: list[SeasonLink], sizes: dict[int | None, int]):
        super().__init__(links)
        self.sizes = sizes

    def size(self, season: int | None) -> int:
        """Return how many published episodes ``season`` has; all of them for None."""
        return sum(self.sizes.values()) if season is None else self.sizes.get(season, 0)


_kept = change_stamps.Kept(most=1_000)


def catalogue_stamps() -> tuple[int, ...] | None:
    """Return the stamps what the lists show is kept under (one query; None inside a transaction)."""
    return change_stamps.read(change_stamps.CATALOGUE)


def season_links(stamps: tuple[int, ...] | None = None) -> Seasons:
    """Return every season with published episodes, newest first, and how many each has (one query, none
    while they are kept under ``stamps``, from :func:`catalogue_stamps`).

    Episodes without a season are counted too, so that no list needs a query of its own for its size.
    """
    return _kept.make("seasons", stamps, _season_links)


def _season_links() -> Seasons:
    rows = Episode.objects.published().order_by().values_list("season").annotate(episodes=Count("pk"))
    sizes = dict(rows)
    numbers = sorted((number for number in sizes if number is not None), reverse=True)
    return Seasons([SeasonLink(n, sizes[n], reverse("episodes:season", args=[n])) for n in numbers], sizes)


def season_episodes(season: int | None):
    """Return the published episodes of ``season`` (all of them for None), newest first, for a list."""
    episodes = Episode.objects.published()
    if season is not None:
        episodes = episodes.filter(season=season)
    return episodes.for_lists().with_guests().newest_first()


def person_episodes(person: Person):
    """Return the published episodes ``person`` appears in, newest first.

    A host speaks in every episode; anyone else in those they are a guest of, or speak in by an editor's tie.
    """
    episodes = Episode.objects.published().for_lists()
    if not person.is_host:
        # Two indexed lookups of this person's rows, not a join of every episode with its guests and ties.
        guest = EpisodeGuest.objects.filter(person=person).values("episode")
        tied = Speaker.objects.filter(person=person).values("episode")
        episodes = episodes.filter(Q(pk__in=guest) | Q(pk__in=tied))
    return episodes.newest_first()


def page_of(queryset, number, *, per_page: int | None = None, strict: bool = True, count: int | None = None) -> Page:
    """Return page ``number`` (a string from the address; "last" for the last) of ``queryset``.

    ``strict`` answers a page that does not exist with 404, as a list's address should; otherwise the
    nearest page is given, as for a search. ``count``: the list's size when the caller knows it (no query).
    """
    paginator = Paginator(queryset, per_page or EPISODES_PER_PAGE)
    if count is not None:
        paginator.count = count  # the cached property's value, known already
    if number == LAST:
        number = paginator.num_pages
    if not strict:
        return paginator.get_page(number)
    try:
        return paginator.page(number or 1)
    except InvalidPage:
        raise Http404("No such page.") from None


@dataclass(frozen=True)
class Pager:
    """Links to the pages before and after and to a few by number, keeping the list's other parameters."""

    page: Page
    previous_url: str
    next_url: str
    numbers: list[tuple[str, str, bool]]  # (label, address, is this page): no address for a gap

    @property
    def number(self) -> int:
        return self.page.number

    @property
    def num_pages(self) -> int:
        return self.page.paginator.num_pages


def pager(page: Page, path: str, **params) -> Pager:
    """Return the pager of ``page`` for a list at ``path``; the first page's address has no page number.

    The numbered links are the first and last pages and two on each side of this one: as many on a
    list of a hundred pages as on one of ten.
    """

    def url(number: int) -> str:
        query = urlencode({**params, **({"page": number} if number > 1 else {})})
        return f"{path}?{query}" if query else path

    numbers = [
        (str(n), url(n) if n != Paginator.ELLIPSIS else "", n == page.number)
        for n in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    ]
    return Pager(
        page,
        url(page.previous_page_number()) if page.has_previous() else "",
        url(page.next_page_number()) if page.has_next() else "",
        numbers,
    )


def list_page_etag(key, stamps: tuple[int, ...] | None, page: Callable[[], Page], seasons: Seasons) -> str:
    """Return the validator of the list page ``key`` (its season and page number), kept under ``stamps``; else
    made from ``page()``, which raises Http404 for a page that does not exist (never kept)."""
    return _kept.make(("list", key), stamps, lambda: list_etag(page(), seasons))


def person_page_etag(key, stamps: tuple[int, ...] | None, made: Callable[[], tuple[Person, Page]]) -> str:
    """Return the validator of a person's page ``key`` (their key and the page number), kept under ``stamps``;
    else made from ``made()``: the person and the page of their episodes (Http404 for neither, never kept)."""

    def etag() -> str:
        person, page = made()
        fields = [getattr(person, field.attname) for field in Person._meta.concrete_fields]
        return etag_of(fields, *_page_parts(page), (page.number, page.paginator.count))

    return _kept.make(("person", key), stamps, etag)


def list_etag(page: Page, seasons: list[SeasonLink]) -> str:
    """Return a weak validator of a list page: its episodes' versions, their guests' shown fields, the seasons."""
    counts = (page.number, page.paginator.count, [(s.number, s.episodes) for s in seasons])
    return etag_of(*_page_parts(page), counts)


def _page_parts(page: Page) -> tuple[list, list]:
    """Return what a page of episodes shows of its rows: each one's version (any edit gives a new one), and its
    guests' shown fields."""
    episodes = [(e.pk, e.created_at.isoformat(), e.version) for e in page]
    guests = [(g.person.pk, g.person.key, g.person.name, g.person.picture) for e in page for g in e.guest_rows.all()]
    return episodes, guests
