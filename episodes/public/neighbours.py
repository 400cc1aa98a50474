"""Where a reader goes next from an episode: the one before and after it in its season, and related ones.

Everything is read with one query, so that the page's ETag (which must change when a neighbour's title
does) costs one query more, not one per neighbour. A process keeps which episodes they were while the
structure stamp (see :mod:`episodes.change_stamps`) stays the same; what they show is then read with the
episode itself (:func:`with_kept_neighbours`), and the page's validator costs that one query.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from .. import change_stamps
from ..format.episode_keys import public_title
from ..format.topics import topic_key
from ..models import Episode, EpisodeGuest, EpisodeTopic, Person

RELATED = 3
# The database ranks candidates as the page does; the season's neighbours, which the page shows apart,
# may be among the first.
RELATED_POOL = RELATED + 2
# A file listing hundreds of topics must not make the page slow: its first ones are looked up.
TOPICS_LOOKED_UP = 12
# Related episodes come from those sharing a guest (found through the guests' index) and those among the
# newest ones sharing a topic (found through the topics' index), not from every episode: the page costs the
# same on a show with thousands of episodes.
RECENT = 250
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
        return public_title(self)

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

    def ids(self) -> tuple[int, ...]:
        """Return the ids of the episodes shown."""
        return tuple(n.pk for n in (self.previous, self.next, *self.related) if n is not None)

    def validator(self) -> list:
        """Return what of the neighbours the page shows, for the ETag."""
        shown = [self.previous, self.next, *self.related]
        return [None if n is None else (n.pk, n.slug, n.version, n.title, n.short, n.season, n.number) for n in shown]


# One written-out query: the ORM took thirty times the database's time to build this one (subqueries
# whose annotations it resolves again for each use), and the page's ETag needs it on every request.
# {placeholders} are filled with fragments below; values always go as parameters. Every part is an index
# lookup: no row's text is read but the few rows returned (the ids are picked first, then their rows read:
# an OR of subqueries would make PostgreSQL read every episode to test each).
# Candidates are scored by grouping the guest and topic rows that match, once, not by counting each
# candidate's rows again (a popular topic makes a hundred candidates: the counts cost most of the query).
NEIGHBOURS_SQL = """
WITH mates AS (
    SELECT id, slug, number FROM {episodes} WHERE status = %(published)s AND id <> %(pk)s AND {same_season}
), wanted AS (
    {wanted}
), recent AS (
    SELECT id FROM {episodes} WHERE status = %(published)s
    ORDER BY season DESC NULLS LAST, number DESC NULLS LAST, slug ASC LIMIT %(recent)s
), guest_hits AS (
    SELECT episode_id AS id, COUNT(DISTINCT person_id) AS shared FROM {guests} WHERE {guest_match} GROUP BY episode_id
), topic_hits AS (
    SELECT t.episode_id AS id, COUNT(*) AS shared FROM {topics} t
    WHERE t.key IN (SELECT key FROM wanted)
      AND t.episode_id IN (SELECT id FROM recent UNION SELECT id FROM guest_hits)
    GROUP BY t.episode_id
), candidates AS MATERIALIZED (
    SELECT id, SUM(guests) AS guests, SUM(topics) AS topics FROM (
        SELECT id, shared AS guests, 0 AS topics FROM guest_hits
        UNION ALL
        SELECT id, 0, shared FROM topic_hits
    ) hits GROUP BY id
), picked AS (
    SELECT %(pk)s AS id
    UNION SELECT id FROM (
        SELECT id FROM mates WHERE {before} ORDER BY number DESC NULLS FIRST, slug DESC LIMIT 1
    ) previous
    UNION SELECT id FROM (
        SELECT id FROM mates WHERE {after} ORDER BY number ASC NULLS LAST, slug ASC LIMIT 1
    ) following
    UNION SELECT id FROM (
        SELECT id FROM mates ORDER BY number DESC NULLS LAST, slug ASC LIMIT %(season_pool)s
    ) newest
    UNION SELECT id FROM (
        SELECT e.id FROM {episodes} e JOIN candidates c ON c.id = e.id
        WHERE e.status = %(published)s AND e.id <> %(pk)s
        ORDER BY c.guests DESC, c.topics DESC, CASE WHEN {same_season} THEN 1 ELSE 0 END DESC,
                 e.season DESC NULLS LAST, e.number DESC NULLS LAST, e.slug ASC
        LIMIT %(pool)s
    ) related
)
SELECT e.id, e.slug, e.title, e.short, e.season, e.number, e.version, {shared_guests}, {shared_topics}
FROM picked p JOIN {episodes} e ON e.id = p.id
ORDER BY e.number ASC NULLS LAST, e.slug ASC
"""


def _neighbour_rows(episode: Episode, guests: list[Person], topics: list[str] | None) -> list[tuple]:
    """Return (FIELDS..., shared guests, shared topics) of the episode and its candidates.

    Candidates: the season's episodes just before and after it, its newest season mates, and the published
    episodes sharing the most guests, then topics. In the season's order, by number (unnumbered last) then
    slug as the database collates them. ``topics`` None: the episode's own, as stored.
    """
    params: dict = {
        "pk": episode.pk,
        "published": Episode.Status.PUBLISHED,
        "season": episode.season,
        "number": episode.number,
        "slug": episode.slug,
        "season_pool": RELATED + 2,
        "pool": RELATED_POOL,
        "recent": RECENT,
        "looked_up": TOPICS_LOOKED_UP,
    }
    quote = connection.ops.quote_name
    guest_names = [f"%(guest{n})s" for n in range(len(guests))]
    params.update({f"guest{n}": person.pk for n, person in enumerate(guests)})
    if topics is None:
        wanted = f"SELECT key FROM {quote(EpisodeTopic._meta.db_table)} WHERE episode_id = %(pk)s"  # noqa: S608 - a table name
        wanted += " ORDER BY position LIMIT %(looked_up)s"
    else:
        keys = list(dict.fromkeys(topic_key(topic) for topic in topics))[:TOPICS_LOOKED_UP]
        params.update({f"topic{n}": key for n, key in enumerate(keys)})
        wanted = " UNION ALL ".join(f"SELECT %(topic{n})s AS key" for n in range(len(keys)))
        wanted = wanted or "SELECT 0 AS key WHERE 1 = 0"
    if episode.number is None:
        before, after = "(number IS NOT NULL OR slug < %(slug)s)", "(number IS NULL AND slug > %(slug)s)"
    else:
        before = "(number < %(number)s OR (number = %(number)s AND slug < %(slug)s))"
        after = "(number > %(number)s OR (number = %(number)s AND slug > %(slug)s) OR number IS NULL)"
    shared_guests = (
        f"(SELECT COUNT(DISTINCT g.person_id) FROM {quote(EpisodeGuest._meta.db_table)} g"  # noqa: S608 - names and placeholders only
        f" WHERE g.episode_id = e.id AND g.person_id IN ({', '.join(guest_names)}))"
    )
    shared_topics = (
        f"(SELECT COUNT(*) FROM {quote(EpisodeTopic._meta.db_table)} t"  # noqa: S608 - names only
        " WHERE t.episode_id = e.id AND t.key IN (SELECT key FROM wanted))"
    )
    sql = NEIGHBOURS_SQL.format(
        episodes=quote(Episode._meta.db_table),
        guests=quote(EpisodeGuest._meta.db_table),
        topics=quote(EpisodeTopic._meta.db_table),
        wanted=wanted,
        guest_match=f"person_id IN ({', '.join(guest_names)})" if guests else "1 = 0",
        same_season="season IS NULL" if episode.season is None else "season = %(season)s",
        before=before,
        after=after,
        shared_guests=shared_guests if guests else "0",
        shared_topics=shared_topics,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def episode_neighbours(episode: Episode, *, guests: list[Person], topics: list[str] | None = None) -> Neighbours:
    """Return the published episodes before and after ``episode`` in its season, and up to three related ones.

    Related means sharing guests (the more the closer), then sharing topics (``topics``, or the episode's
    own as stored when None), then the same season; ties go to the newest. The season's neighbours are
    left out of the related ones, as the page shows them. One query, or none for an episode read
    :func:`with_kept_neighbours` whose neighbours this process has kept under the current stamp.
    """
    if topics is None:
        kept = _kept_neighbours(episode)
        if kept is not None:
            return kept
    result = _found_neighbours(episode, guests, topics)
    if topics is None:
        _keep(episode, result)
    return result


def _found_neighbours(episode: Episode, guests: list[Person], topics: list[str] | None) -> Neighbours:
    season: list[Neighbour] = []
    found: list[tuple[Neighbour, int, int]] = []
    for *values, shared_guests, shared_topics in _neighbour_rows(episode, guests, topics):
        neighbour = Neighbour(*values)
        if neighbour.season == episode.season:
            season.append(neighbour)
        if neighbour.pk != episode.pk:
            found.append((neighbour, shared_guests, shared_topics))
    # The rows hold the season's true neighbours, so the ones next to the episode in their order are those.
    at = next(i for i, n in enumerate(season) if n.pk == episode.pk)
    result = Neighbours(season[at - 1] if at else None, season[at + 1] if at + 1 < len(season) else None)
    shown = {n.pk for n in (result.previous, result.next) if n}
    ranked = []
    for neighbour, shared_guests, shared_topics in found:
        same = int(neighbour.season == episode.season)
        if neighbour.pk not in shown and (shared_guests or shared_topics or same):
            ranked.append(((-shared_guests, -shared_topics, -same, *_newest_key(neighbour)), neighbour))
    result.related = [n for _, n in sorted(ranked, key=lambda r: r[0])[:RELATED]]
    return result


def _newest_key(n: Neighbour) -> tuple:
    return (n.season is None, -(n.season or 0), n.number is None, -(n.number or 0), n.slug)


# -- kept between requests --------------------------------------------------------------------------------

STAMP = "structure_stamp"  # the stamp, read with the episode
KEPT_ROWS = "kept_neighbour_rows"  # what the kept neighbours show now, read with the episode
_ROWS_SQL = {
    "postgresql": "COALESCE((SELECT json_agg(json_build_array({columns})) FROM {episodes} n WHERE n.id = ANY(%s)),"
    " '[]'::json)",
    "sqlite": "(SELECT json_group_array(json_array({columns})) FROM {episodes} n"
    " WHERE n.id IN (SELECT value FROM json_each(%s)))",
}


@dataclass(frozen=True)
class _Kept:
    pk: int
    previous: int | None
    next: int | None
    related: tuple[int, ...]

    @property
    def ids(self) -> list[int]:
        return [pk for pk in (self.previous, self.next, *self.related) if pk is not None]


# Each episode's neighbours by slug (a few ids an episode).
_kept = change_stamps.Kept(most=10_000)


def with_kept_neighbours(episodes: QuerySet, slug: str) -> QuerySet:
    """Return ``episodes`` with the structure stamp and, when this process has kept the neighbours of the
    episode ``slug``, what they show now (their rows by id): both read with the episode, no query of their own."""
    episodes = episodes.annotate(**{STAMP: RawSQL(change_stamps.STRUCTURE_SQL, ())})  # noqa: S611 - constants
    kept, sql = _kept.peek(slug), _ROWS_SQL.get(connection.vendor)
    if kept is None or sql is None:
        return episodes
    quote = connection.ops.quote_name
    fields = [Episode._meta.pk if name == "pk" else Episode._meta.get_field(name) for name in FIELDS]
    columns = ", ".join(f"n.{quote(field.column)}" for field in fields)
    sql = sql.format(columns=columns, episodes=quote(Episode._meta.db_table))
    ids = kept.ids if connection.vendor == "postgresql" else json.dumps(kept.ids)
    return episodes.annotate(**{KEPT_ROWS: RawSQL(sql, (ids,))})  # noqa: S611 - names only; the ids as a parameter


def _kept_neighbours(episode: Episode) -> Neighbours | None:
    kept, rows = _kept.get(episode.slug, getattr(episode, STAMP, None)), getattr(episode, KEPT_ROWS, None)
    if kept is None or rows is None or kept.pk != episode.pk:
        return None
    shown = {values[0]: Neighbour(*values) for values in (json.loads(rows) if isinstance(rows, str) else rows)}
    if any(pk not in shown for pk in kept.ids):
        return None  # not for a kept entry under the stamp read with these rows; never trusted blindly
    pick = shown.get
    return Neighbours(pick(kept.previous), pick(kept.next), [shown[pk] for pk in kept.related])


def _keep(episode: Episode, found: Neighbours) -> None:
    """Keep which episodes ``found`` holds under the stamp read with ``episode`` (before they were found: a
    change committed in between makes the entry older than what it holds, never newer)."""
    pk = lambda n: None if n is None else n.pk  # noqa: E731
    kept = _Kept(episode.pk, pk(found.previous), pk(found.next), tuple(map(pk, found.related)))
    _kept.put(episode.slug, getattr(episode, STAMP, None), kept)
