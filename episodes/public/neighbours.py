"""Where a reader goes next from an episode: the one before and after it in its season, and related ones.

Everything is read with one query, so that the page's ETag (which must change when a neighbour's title
does) costs one query more, not one per neighbour.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

from ..models import Episode, EpisodeGuest, Person
from ..sync import parsed_extra
from .front import episode_topics, public_title

RELATED = 3
# Candidates by shared guests or topics, ranked by the database: more than shown, as some only mention a
# topic in their text without listing it, and the season's neighbours, which the page shows apart, may be
# among them.
RELATED_POOL = 3 * RELATED
# Each listed topic is a substring test on a candidate's front matter: a file listing hundreds of topics
# must not make the page slow.
TOPICS_LOOKED_UP = 12
# Related episodes come from those sharing a guest (found through the guests' index) and the newest ones
# (found through the list order's index), not from every episode: the page costs the same on a show with
# thousands of episodes.
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

    def validator(self) -> list:
        """Return what of the neighbours the page shows, for the ETag."""
        shown = [self.previous, self.next, *self.related]
        return [None if n is None else (n.pk, n.slug, n.version, n.title, n.short, n.season, n.number) for n in shown]


# One written-out query: the ORM took thirty times the database's time to build this one (subqueries
# whose annotations it resolves again for each use), and the page's ETag needs it on every request.
# {placeholders} are filled with fragments below; values always go as parameters.
NEIGHBOURS_SQL = """
WITH mates AS (
    SELECT id, slug, number FROM {episodes} WHERE status = %(published)s AND id <> %(pk)s AND {same_season}
), candidates AS (
    SELECT episode_id AS id FROM {guests} WHERE {guest_match}
    UNION
    SELECT id FROM (
        SELECT id FROM {episodes} WHERE status = %(published)s
        ORDER BY season DESC NULLS LAST, number DESC NULLS LAST, slug ASC LIMIT %(recent)s
    ) recent
)
SELECT e.id, e.slug, e.title, e.short, e.season, e.number, e.version, {shared_guests}, {front}
FROM {episodes} e
WHERE e.id = %(pk)s
   OR e.id IN (SELECT id FROM mates WHERE {before} ORDER BY number DESC NULLS FIRST, slug DESC LIMIT 1)
   OR e.id IN (SELECT id FROM mates WHERE {after} ORDER BY number ASC NULLS LAST, slug ASC LIMIT 1)
   OR e.id IN (SELECT id FROM mates ORDER BY number DESC NULLS LAST, slug ASC LIMIT %(season_pool)s)
   OR e.id IN (
       SELECT e.id FROM {episodes} e JOIN candidates c ON c.id = e.id
       WHERE e.status = %(published)s AND e.id <> %(pk)s AND ({shared_guests} > 0 OR {mention})
       ORDER BY {related_order} CASE WHEN {same_season} THEN 1 ELSE 0 END DESC,
                e.season DESC NULLS LAST, e.number DESC NULLS LAST, e.slug ASC
       LIMIT %(pool)s
   )
ORDER BY e.number ASC NULLS LAST, e.slug ASC
"""


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _neighbour_rows(episode: Episode, guests: list[Person], topics: list[str]) -> list[tuple]:
    """Return (FIELDS..., shared guests, front matter if it mentions a topic) of the episode and its candidates.

    Candidates: the season's episodes just before and after it, its newest season mates, and the published
    episodes sharing the most guests or mentioning a topic. In the season's order, by number (unnumbered
    last) then slug as the database collates them.
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
    }
    guest_names = [f"%(guest{n})s" for n in range(len(guests))]
    params.update({f"guest{n}": person.pk for n, person in enumerate(guests)})
    topic_names = [f"%(topic{n})s" for n in range(len(topics[:TOPICS_LOOKED_UP]))]
    params.update({f"topic{n}": _like_pattern(topic) for n, topic in enumerate(topics[:TOPICS_LOOKED_UP])})
    # PostgreSQL's LIKE tells cases apart, SQLite's does not (for ASCII); LOWER() would copy every text.
    like = "ILIKE" if connection.vendor == "postgresql" else "LIKE"
    mention = " OR ".join(f"e.extra {like} {name} ESCAPE '\\'" for name in topic_names)
    if episode.number is None:
        before, after = "(number IS NOT NULL OR slug < %(slug)s)", "(number IS NULL AND slug > %(slug)s)"
    else:
        before = "(number < %(number)s OR (number = %(number)s AND slug < %(slug)s))"
        after = "(number > %(number)s OR (number = %(number)s AND slug > %(slug)s) OR number IS NULL)"
    shared_guests = (
        f"(SELECT COUNT(DISTINCT g.person_id) FROM {connection.ops.quote_name(EpisodeGuest._meta.db_table)} g"  # noqa: S608 - names and placeholders only
        f" WHERE g.episode_id = e.id AND g.person_id IN ({', '.join(guest_names)}))"
    )
    # Constant terms are left out of ORDER BY, where SQLite would take a number for a column's place.
    related_order = (f"{shared_guests} DESC," if guests else "") + (
        f"CASE WHEN ({mention}) THEN 1 ELSE 0 END DESC," if mention else ""
    )
    sql = NEIGHBOURS_SQL.format(
        episodes=connection.ops.quote_name(Episode._meta.db_table),
        guests=connection.ops.quote_name(EpisodeGuest._meta.db_table),
        guest_match=f"person_id IN ({', '.join(guest_names)})" if guests else "1 = 0",
        same_season="season IS NULL" if episode.season is None else "season = %(season)s",
        before=before,
        after=after,
        shared_guests=shared_guests if guests else "0",
        related_order=related_order,
        mention=f"({mention})" if mention else "1 = 0",
        front=f"CASE WHEN ({mention}) THEN e.extra ELSE '' END" if mention else "''",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def episode_neighbours(episode: Episode, *, guests: list[Person], topics: list[str]) -> Neighbours:
    """Return the published episodes before and after ``episode`` in its season, and up to three related ones.

    Related means sharing guests (the more the closer), then sharing topics, then the same season; ties
    go to the newest. The season's neighbours are left out of the related ones, as the page shows them.
    One query.
    """
    season: list[Neighbour] = []
    found: list[tuple[Neighbour, int, str]] = []
    for *values, shared_guests, front_text in _neighbour_rows(episode, guests, topics):
        neighbour = Neighbour(*values)
        if neighbour.season == episode.season:
            season.append(neighbour)
        if neighbour.pk != episode.pk:
            found.append((neighbour, shared_guests, front_text))
    # The rows hold the season's true neighbours, so the ones next to the episode in their order are those.
    at = next(i for i, n in enumerate(season) if n.pk == episode.pk)
    result = Neighbours(season[at - 1] if at else None, season[at + 1] if at + 1 < len(season) else None)
    shown = {n.pk for n in (result.previous, result.next) if n}
    ranked = []
    wanted = {t.casefold() for t in topics}
    for neighbour, shared_guests, front_text in found:
        listed = episode_topics(parsed_extra(front_text)) if front_text else []
        shared_topics = len(wanted & {t.casefold() for t in listed})
        same = int(neighbour.season == episode.season)
        if neighbour.pk not in shown and (shared_guests or shared_topics or same):
            ranked.append(((-shared_guests, -shared_topics, -same, *_newest_key(neighbour)), neighbour))
    result.related = [n for _, n in sorted(ranked, key=lambda r: r[0])[:RELATED]]
    return result


def _newest_key(n: Neighbour) -> tuple:
    return (n.season is None, -(n.season or 0), n.number is None, -(n.number or 0), n.slug)
