"""Where a reader goes next from an episode: the one before and after it in its season, and related ones.

Everything is read with one query, so that the page's ETag (which must change when a neighbour's title
does) costs one query more, not one per neighbour.
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, OuterRef, Q, Subquery, TextField, Value, When
from django.db.models.functions import Coalesce

from .. import sync
from ..models import Episode, EpisodeGuest, Person

RELATED = 3
# Candidates by shared guests or topics, ranked by the database: more than shown, as some only mention a
# topic in their text without listing it, and the season's neighbours, which the page shows apart, may be
# among them.
RELATED_POOL = 3 * RELATED
# Each listed topic is a substring test on every published episode's front matter: a file listing
# hundreds of topics must not make the page slow.
TOPICS_LOOKED_UP = 12
FIELDS = ("pk", "slug", "title", "short", "season", "number", "version")


@dataclass(frozen=True)
class Neighbour:
    pk: int
    slug: str
    title: str
    short: str
    season: int | None
    number: int | None
    version: int

    @property
    def name(self) -> str:
        return self.title or self.short or self.slug

    @property
    def badge(self) -> str:
        """Return S10E3 (or S10, E3) as the lists show it; '' without a season or a number."""
        season = "" if self.season is None else f"S{self.season}"
        number = "" if self.number is None else f"E{self.number}"
        return season + number


@dataclass
class Neighbours:
    previous: Neighbour | None = None
    next: Neighbour | None = None
    related: list[Neighbour] = field(default_factory=list)

    def validator(self) -> list:
        """Return what of the neighbours the page shows, for the ETag."""
        shown = [self.previous, self.next, *self.related]
        return [None if n is None else (n.pk, n.slug, n.version, n.title, n.short, n.season, n.number) for n in shown]


def episode_topics(extra: dict) -> list[str]:
    """Return the ``topics`` front matter key: its non-empty strings, in order, each once."""
    topics = extra.get("topics")
    if not isinstance(topics, list):
        return []
    return list(dict.fromkeys(t.strip() for t in topics if isinstance(t, str) and t.strip()))


def _season_mates(episode: Episode):
    same = Q(season__isnull=True) if episode.season is None else Q(season=episode.season)
    return Episode.objects.published().exclude(pk=episode.pk).filter(same)


def _before_and_after(episode: Episode) -> tuple[Q, Q]:
    """Return who comes before and after ``episode`` in its season: by number (unnumbered last), then slug."""
    n, slug = episode.number, episode.slug
    if n is None:
        return Q(number__isnull=False) | Q(number__isnull=True, slug__lt=slug), Q(number__isnull=True, slug__gt=slug)
    before = Q(number__lt=n) | Q(number=n, slug__lt=slug)
    return before, Q(number__gt=n) | Q(number=n, slug__gt=slug) | Q(number__isnull=True)


def _topic_mention(topics: list[str]) -> Q | None:
    """Return a filter for front matter that mentions one of ``topics``: a cheap hint, confirmed after parsing."""
    mentions = [Q(extra__icontains=topic) for topic in topics[:TOPICS_LOOKED_UP]]
    return functools.reduce(operator.or_, mentions) if mentions else None


def _shared_guests(guests: list[Person]):
    if not guests:
        return Value(0)
    rows = EpisodeGuest.objects.filter(episode=OuterRef("pk"), person__in=[p.pk for p in guests]).order_by()
    counts = rows.values("episode").annotate(n=Count("person", distinct=True)).values("n")
    return Coalesce(Subquery(counts[:1]), 0)


def _newest_first():
    return [F("season").desc(nulls_last=True), F("number").desc(nulls_last=True), "slug"]


def episode_neighbours(episode: Episode, *, guests: list[Person], topics: list[str]) -> Neighbours:
    """Return the published episodes before and after ``episode`` in its season, and up to three related ones.

    Related means sharing guests (the more the closer), then sharing topics, then the same season; ties
    go to the newest. The season's neighbours are left out of the related ones, as the page shows them.
    """
    before, after = _before_and_after(episode)
    mates = _season_mates(episode)
    previous = mates.filter(before).order_by(F("number").desc(nulls_first=True), "-slug").values("pk")[:1]
    following = mates.filter(after).order_by(F("number").asc(nulls_last=True), "slug").values("pk")[:1]

    mention = _topic_mention(topics)
    same_season = Q(season__isnull=True) if episode.season is None else Q(season=episode.season)
    scores = {
        "shared_guests": _shared_guests(guests),
        "topic_hint": Value(0) if mention is None else Case(When(mention, then=1), default=0),
        "same_season": Case(When(same_season, then=1), default=0),
    }
    published = Episode.objects.published().exclude(pk=episode.pk)
    by_people_and_topics = (
        published.annotate(**scores)
        .filter(Q(shared_guests__gt=0) | Q(topic_hint=1))
        .order_by("-shared_guests", "-topic_hint", "-same_season", *_newest_first())
        .values("pk")[:RELATED_POOL]
    )
    # Apart, so that many mere mentions of a common word ("data") cannot crowd the season out of the pool.
    by_season = mates.order_by(*_newest_first()).values("pk")[: RELATED + 2]
    role = Case(
        When(pk__in=previous, then=Value("previous")), When(pk__in=following, then=Value("next")), default=Value("")
    )
    # Only candidates that mention a topic bring their front matter, to confirm it lists the topic.
    front = (
        Value("")
        if mention is None
        else Case(When(mention, then=F("extra")), default=Value(""), output_field=TextField())
    )
    rows = (
        published.filter(
            Q(pk__in=previous) | Q(pk__in=following) | Q(pk__in=by_people_and_topics) | Q(pk__in=by_season)
        )
        .annotate(**scores, role=role, front=front)
        .values_list(*FIELDS, "role", "shared_guests", "same_season", "front")
    )
    result = Neighbours()
    candidates = []
    wanted = {t.casefold() for t in topics}
    for *values, role, shared_guests, same, front_text in rows:
        neighbour = Neighbour(*values)
        if role:
            setattr(result, role, neighbour)
            continue
        shared_topics = (
            len(wanted & {t.casefold() for t in episode_topics(sync.load_extra(front_text))}) if front_text else 0
        )
        if shared_guests or shared_topics or same:
            rank = (-shared_guests, -shared_topics, -same, *_newest_key(neighbour))
            candidates.append((rank, neighbour))
    result.related = [n for _, n in sorted(candidates, key=lambda c: c[0])[:RELATED]]
    return result


def _newest_key(n: Neighbour) -> tuple:
    return (n.season is None, -(n.season or 0), n.number is None, -(n.number or 0), n.slug)
