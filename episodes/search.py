"""Full-text search through the transcripts of published episodes, ranked, a page at a time.

What a listener types is read the same way on both databases: words and "quoted phrases" must occur,
``-word`` or ``-"a phrase"`` must not; a search without a word to look for finds nothing, and says so.

The cost of a search does not grow with how many turns match: the first ``MAX_CANDIDATES`` matching
turns (in the order of their ids, which the indexes give at no cost) are the candidates, only they are
ranked, and only the page shown is marked up. A search that matches more says so and shows the best of
those. A time limit (``PUBLIC_SEARCH_TIMEOUT_MS``) stops any search the indexes cannot answer quickly.

SQLite: an FTS5 index over ``episodes_transcriptitem.text`` (external content, Porter stemming), kept in
step by triggers for updates and deletes and by the code that inserts items (see search_index); ranked by
``bm25`` and marked by ``snippet``.

PostgreSQL: each turn's ``to_tsvector('english', text)``, stored in a generated column with a GIN index,
matched against the words' ``phraseto_tsquery``; ranked with ``ts_rank`` and marked with ``ts_headline``.

Both backends mark matched words with private-use characters that no transcript holds, and the words
are escaped before the marks become ``<mark>`` elements.
"""

from __future__ import annotations

import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Page
from django.db import OperationalError, models, transaction
from django.db import connection as default_connection
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import change_stamps, search_index
from .format import frontmatter as fm
from .format.video import youtube_id, youtube_link
from .models import Episode, PlatformRef, TranscriptItem
from .public.listing import page_of

PER_PAGE = 20
MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
MAX_CANDIDATES = 500
# A phrase of common words ("a the") is looked for in this many turns having all its words, at most:
# PostgreSQL's index knows which words a turn has, not where, so each is checked in the turn's text;
# FTS5 follows the words' positions in every turn that has them all.
MAX_EXAMINED = 1000
MARK_START, MARK_END = "\ue000", "\ue001"
SNIPPET_WORDS = 32
SNIPPET_CHARS = 300
POSTGRES_CONFIG = search_index.POSTGRES_CONFIG

ERR_ONLY_EXCLUDED = "Nothing found: words after “-” are only left out of what is found; add a word to look for."
ERR_TOO_COMMON = "Nothing found: the words to look for are too common to search for; add a rarer one."
ERR_TIMED_OUT = "This search took too long and was stopped; try other or fewer words."
NARROW = "Add a word to narrow the search."

# The index itself lives in search_index, which the import and the editing services also use.
FTS_TABLE, ITEM_TABLE, POSTGRES_INDEX = search_index.FTS_TABLE, search_index.ITEM_TABLE, search_index.POSTGRES_INDEX
SQLITE_TRIGGERS = search_index.SQLITE_TRIGGERS
install_index, remove_index, index_installed = (
    search_index.install_index,
    search_index.remove_index,
    search_index.index_installed,
)


class SearchError(Exception):
    """A search that finds nothing for a reason the listener should know; the message is for them."""


class SearchTimedOut(SearchError):
    """The search ran past its time limit and was stopped."""


# -- what was typed ---------------------------------------------------------------------------------------


@dataclass
class Terms:
    """The phrases (one or more words each) that must occur, and those that must not."""

    wanted: list[str] = field(default_factory=list)
    unwanted: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.wanted or self.unwanted)


def clean_query(query: str) -> str:
    """Return the query as searched: no NUL characters (PostgreSQL text cannot hold them), bounded length."""
    return query.replace("\x00", "").strip()[:MAX_QUERY_LENGTH]


def parse_query(query: str) -> Terms:
    """Read what a listener typed: words and "quoted phrases", each excluded by a "-" in front of it.

    Only word characters are kept, so no input can use either database's own query syntax.
    """
    terms = Terms()
    for minus, phrase, word in re.findall(r'(?:(?<!\S)(-))?(?:"([^"]*)"|(\w+))', clean_query(query)):
        words = re.findall(r"\w+", phrase or word)
        if words and len(terms.wanted) + len(terms.unwanted) < MAX_TERMS:
            (terms.unwanted if minus else terms.wanted).append(" ".join(words))
    return terms


def sqlite_match(query: str) -> str:
    """Return the FTS5 query for what a listener typed ("" when there is no word to look for)."""
    terms = parse_query(query)
    return fts5_query(terms) if terms.wanted else ""


def fts5_query(terms: Terms) -> str:
    """Return the FTS5 query for ``terms`` (which has a wanted phrase); each phrase is quoted."""
    match = " AND ".join(f'"{phrase}"' for phrase in terms.wanted)
    if terms.unwanted:
        match = f"({match}) NOT (" + " OR ".join(f'"{phrase}"' for phrase in terms.unwanted) + ")"
    return match


def postgres_tsquery(terms: Terms) -> tuple[str, list]:
    """Return the SQL of the tsquery for ``terms``, and its parameters."""
    parts = [("", phrase) for phrase in terms.wanted] + [("!! ", phrase) for phrase in terms.unwanted]
    sql = " && ".join(f"{negation}phraseto_tsquery(%s::regconfig, %s)" for negation, _ in parts)
    return f"({sql})", [value for _, phrase in parts for value in (POSTGRES_CONFIG, phrase)]


# -- candidates and ranking -----------------------------------------------------------------------------------


class _Results:
    """The ranked matches of a query, counted and sliced as Paginator expects.

    ``count()`` reads the candidates' ids (at most MAX_CANDIDATES, and whether there were more); a slice
    ranks only those and marks only the turns of the slice.
    """

    def __init__(self, terms: Terms):
        self.ids: list[int] | None = None
        self.capped = False  # more turns match than the candidates
        self.partial = False  # not every turn that may match was looked at (a phrase of common words)
        # With a phrase, what is looked for first: its words, and no unwanted word (but not its phrases).
        self.words = None
        if any(" " in phrase for phrase in terms.wanted + terms.unwanted):
            words = [word for phrase in terms.wanted for word in phrase.split()]
            self.words = Terms(words, [phrase for phrase in terms.unwanted if " " not in phrase])

    def count(self) -> int:
        if self.ids is None:
            ids = self.candidates()
            self.ids, self.capped = ids[:MAX_CANDIDATES], len(ids) > MAX_CANDIDATES
        return len(self.ids)

    def __getitem__(self, window: slice) -> list[tuple[int, float, str]]:
        if not self.count():
            return []
        return self.ranked(window.stop - window.start, window.start)

    def _fetch(self, sql: str, params: list) -> list[tuple]:
        with default_connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


_PUBLIC_TURN = f"item.kind = '{TranscriptItem.Kind.TURN}' AND episode.status = '{Episode.Status.PUBLISHED}'"
_EPISODE = f"JOIN {Episode._meta.db_table} AS episode ON episode.id = item.episode_id"


class _SqliteResults(_Results):
    # FTS5 gives its matches in rowid order, so the first candidates cost no more than their number.
    SQL = (
        f" FROM {FTS_TABLE} JOIN {ITEM_TABLE} AS item ON item.id = {FTS_TABLE}.rowid {_EPISODE}"
        f" WHERE {FTS_TABLE} MATCH %s AND {_PUBLIC_TURN}"
    )

    def __init__(self, terms: Terms):
        super().__init__(terms)
        self.match = fts5_query(terms)

    def candidates(self) -> list[int]:
        sql, params = f"SELECT item.id {self.SQL}", [self.match]
        if self.words is not None:
            # Only the turns up to the MAX_EXAMINED-th that has all the words.
            order = f" ORDER BY {FTS_TABLE}.rowid LIMIT 2 OFFSET %s"
            examined = self._fetch(sql + order, [fts5_query(self.words), MAX_EXAMINED - 1])
            if len(examined) == 2:
                self.partial = True
                sql, params = sql + f" AND {FTS_TABLE}.rowid <= %s", [*params, examined[0][0]]
        sql += f" ORDER BY {FTS_TABLE}.rowid LIMIT %s"
        return [pk for (pk,) in self._fetch(sql, [*params, MAX_CANDIDATES + 1])]

    def ranked(self, limit: int, offset: int) -> list[tuple[int, float, str]]:
        # The candidates are the matches up to the last one's id: bm25 ranks no other row.
        select = f"SELECT item.id, bm25({FTS_TABLE}), snippet({FTS_TABLE}, 0, %s, %s, '…', %s)"
        where = f" AND {FTS_TABLE}.rowid <= %s ORDER BY bm25({FTS_TABLE}), item.id LIMIT %s OFFSET %s"
        params = [MARK_START, MARK_END, SNIPPET_WORDS, self.match, self.ids[-1], limit, offset]
        return self._fetch(select + self.SQL + where, params)


POSTGRES_DOCUMENT = f"item.{search_index.POSTGRES_COLUMN}"
_HEADLINE_MARKS = f'StartSel="{MARK_START}", StopSel="{MARK_END}"'
# A short turn is shown whole; a long one as the fragments around its matches.
_HEADLINE_WHOLE = _HEADLINE_MARKS + ", HighlightAll=true"
_HEADLINE_FRAGMENTS = _HEADLINE_MARKS + (
    f', MaxWords={SNIPPET_WORDS}, MinWords={SNIPPET_WORDS // 2}, ShortWord=0, MaxFragments=2, FragmentDelimiter=" … "'
)


class _PostgresResults(_Results):
    """The candidates are ranked as they are found (``ts_rank`` of the row the match has just read); a slice is
    then marked up alone: ranking in a query of its own read each of the 500 candidates again by id."""

    def __init__(self, terms: Terms):
        super().__init__(terms)
        self.query, self.query_params = postgres_tsquery(terms)
        self.ranks: dict[int, float] = {}

    def candidates(self) -> list[int]:
        # A query whose every word is a stop word ("the") but that excludes some ("-xyzzy") would match
        # nearly every turn without the index: querytree() tells that it has nothing the index can find.
        ((tree,),) = self._fetch(f"SELECT querytree({self.query})", self.query_params)
        if tree == "T":
            raise SearchError(ERR_TOO_COMMON)
        if not tree:
            return []  # only stop words: nothing to find
        rank = f"ts_rank({POSTGRES_DOCUMENT}, {self.query})"
        if self.words is None:
            rows = self._matching(self.query, self.query_params, MAX_CANDIDATES + 1, ranked=True)
        else:
            # The index answers the words exactly; only the turns that have them all are checked for the phrase.
            examined = [pk for pk, _ in self._matching(*postgres_tsquery(self.words), MAX_EXAMINED + 1)]
            self.partial = len(examined) > MAX_EXAMINED
            sql = (
                f"SELECT item.id, {rank} FROM {ITEM_TABLE} AS item"  # noqa: S608 - constants only
                f" WHERE item.id = ANY(%s) AND {POSTGRES_DOCUMENT} @@ {self.query} ORDER BY item.id LIMIT %s"
            )
            params = [*self.query_params, examined[:MAX_EXAMINED], *self.query_params, MAX_CANDIDATES + 1]
            rows = self._fetch(sql, params)
        self.ranks = dict(rows[:MAX_CANDIDATES])
        return [pk for pk, _ in rows]

    def _matching(self, query: str, params: list, limit: int, *, ranked: bool = False) -> list[tuple[int, float]]:
        """Return (id, rank) of up to ``limit`` public turns that match ``query``, as the text index finds them;
        the rank is ``ts_rank`` of ``query`` when ``ranked``, else 0."""
        # OFFSET 0 keeps the match a query of its own, which PostgreSQL answers through the text index
        # whatever it thinks of the episodes: with no statistics yet (just after an import) it would
        # otherwise go through each episode's items, computing every turn's words.
        rank = f"ts_rank({POSTGRES_DOCUMENT}, {query})" if ranked else "0"
        sql = (
            f"SELECT item.id, {rank} FROM (SELECT id, episode_id, {search_index.POSTGRES_COLUMN}"  # noqa: S608
            f" FROM {ITEM_TABLE} AS item WHERE item.kind = '{TranscriptItem.Kind.TURN}'"
            f" AND {POSTGRES_DOCUMENT} @@ {query}"
            f" OFFSET 0) AS item {_EPISODE} WHERE episode.status = '{Episode.Status.PUBLISHED}' LIMIT %s"
        )
        return self._fetch(sql, [*(params if ranked else []), *params, limit])

    def ranked(self, limit: int, offset: int) -> list[tuple[int, float, str]]:
        # Best first, ties by id: the page's turns only are read again, to be marked up (ts_headline is the dear part).
        order = sorted(self.ids, key=lambda pk: (-self.ranks[pk], pk))[offset : offset + limit]
        headline = f"ts_headline('{POSTGRES_CONFIG}'::regconfig, item.text, {self.query}, %s)"
        sql = (
            f"SELECT item.id, CASE WHEN length(item.text) <= %s THEN {headline} ELSE {headline} END"  # noqa: S608
            f" FROM {ITEM_TABLE} AS item WHERE item.id = ANY(%s)"
        )
        params = [SNIPPET_CHARS, *self.query_params, _HEADLINE_WHOLE, *self.query_params, _HEADLINE_FRAGMENTS, order]
        marked = dict(self._fetch(sql, params))
        return [(pk, self.ranks[pk], marked[pk]) for pk in order if pk in marked]


@contextmanager
def time_limit(seconds: float):
    """Stop the database's work inside the block after ``seconds``: raise SearchTimedOut.

    PostgreSQL: ``statement_timeout`` for this transaction (restored after). SQLite: a progress handler
    that interrupts the running statement once the time is up.
    """
    connection = default_connection
    try:
        if connection.vendor == "postgresql":
            # The setting is the transaction's own: it ends with a transaction this block opens, and must be
            # put back only inside a caller's (a round trip fewer on every search).
            nested = connection.in_atomic_block
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "SELECT current_setting('statement_timeout'), set_config('statement_timeout', %s, true)",
                    [f"{max(int(seconds * 1000), 1)}ms"],
                )
                ((before, _),) = cursor.fetchall()
                yield
                if nested:
                    cursor.execute("SELECT set_config('statement_timeout', %s, true)", [before])
        elif connection.vendor == "sqlite":
            connection.ensure_connection()
            deadline = time.monotonic() + seconds
            connection.connection.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
            try:
                yield
            finally:
                connection.connection.set_progress_handler(None, 0)
        else:
            yield
    except OperationalError as exc:
        cause = exc.__cause__
        # PostgreSQL's query_canceled (57014), SQLite's "interrupted".
        if getattr(cause, "sqlstate", None) == "57014" or str(cause) == "interrupted":
            raise SearchTimedOut(ERR_TIMED_OUT) from exc
        raise


# -- hits -----------------------------------------------------------------------------------------------------


@dataclass
class Hit:
    item: TranscriptItem
    episode: Episode
    sec: int | None
    snippet: SafeString
    rank: float
    video_id: str

    @property
    def time(self) -> str:
        return fm.seconds_to_time(self.sec) if self.sec is not None else ""

    @property
    def video_url(self) -> str:
        return youtube_link(self.video_id, self.sec) if self.sec is not None else ""

    @property
    def page_url(self) -> str:
        return reverse("episodes:episode", args=[self.episode.slug]) + f"#t{self.item.position}"


def highlight(marked: str) -> SafeString:
    """Return text whose matches are between MARK_START and MARK_END as escaped HTML with <mark> elements."""
    html = escape(marked).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return mark_safe(html)  # noqa: S308 - escaped above; the marks are our own


def _hits(rows: list[tuple[int, float, str]]) -> list[Hit]:
    """Read the items of one page of ``rows`` (id, rank, marked snippet) with their episodes: two queries."""
    # A turn without a time starts with the timed turn before it.
    timed_before = TranscriptItem.objects.filter(
        episode=models.OuterRef("episode"), position__lte=models.OuterRef("position"), sec__isnull=False
    ).order_by("-position")
    refs = PlatformRef.objects.order_by("mapping", "position")
    items = (
        TranscriptItem.objects.filter(pk__in=[row[0] for row in rows])
        .select_related("episode")
        .defer("episode__source_text", "episode__body", "episode__body_after", "episode__extra")
        .prefetch_related(models.Prefetch("episode__platform_refs", queryset=refs))
        .annotate(start=models.Subquery(timed_before.values("sec")[:1]))
        .in_bulk()
    )
    hits = []
    for pk, rank, snippet in rows:
        item = items.get(pk)
        if item is None:  # deleted since the page was counted
            continue
        video = youtube_id([(r.mapping, r.platform, r.value) for r in item.episode.platform_refs.all()])
        hits.append(Hit(item, item.episode, item.start, highlight(snippet or ""), rank, video))
    return hits


def summary(page: Page, query: str) -> str:
    """Return what a page of results says about them: how many, which page, and whether there may be more."""
    count, pages = page.paginator.count, page.paginator.num_pages
    where = f", page {page.number} of {pages}" if pages > 1 else ""
    if page.capped:
        return f"More than {count} matching turns: the best of the first {count} found{where}. {NARROW}"
    if page.partial:
        found = f"{count} matching turn{pluralize(count)}" if count else "No matching turn"
        return f"{found} among the first {MAX_EXAMINED} turns with all these words{where}; there may be more. {NARROW}"
    if count:
        return f"{count} matching turn{pluralize(count)}{where}"
    return f"Nothing found for “{query}”."


def search_transcripts(query: str, *, page=1, per_page: int = PER_PAGE) -> Page | None:
    """Return one page of the turns of published episodes that match ``query``, best first; None for no query.

    The page's ``object_list`` holds :class:`Hit` values; ``page.capped`` tells that more turns match
    than were ranked, ``page.partial`` that not every turn was looked at (on PostgreSQL, for a phrase of
    common words). Raise SearchError for a query with nothing to look for, or that ran out of time.
    A page found before is given again while the change stamps hold (see :func:`_kept_page`).
    """
    terms = parse_query(query)
    if not terms:
        return None
    if not terms.wanted:
        raise SearchError(ERR_ONLY_EXCLUDED)
    key, stamps = (query, str(page), per_page), _stamps()
    kept = _kept.get(key, stamps)
    if kept is not None:
        return _kept_page(kept, page, per_page)
    results = _PostgresResults(terms) if default_connection.vendor == "postgresql" else _SqliteResults(terms)
    with time_limit(settings.PUBLIC_SEARCH_TIMEOUT_MS / 1000):
        found = page_of(results, page, per_page=per_page, strict=False)
        rows = list(found.object_list)
        found.object_list = _hits(rows)
    found.capped, found.partial = results.capped, results.partial
    _kept.put(key, stamps, _KeptSearch(found.paginator.count, found.capped, found.partial, rows))
    return found


# -- kept between requests --------------------------------------------------------------------------------


# A process keeps the pages it found (their turns' ids, ranks and marked text), under the change stamps read
# before finding them: what a search finds depends only on the turns' text and on which episodes are
# published (see episodes.change_stamps). Titles and the like are read again with the page's turns.
@dataclass(frozen=True)
class _KeptSearch:
    count: int
    capped: bool
    partial: bool
    rows: list[tuple[int, float, str]]  # the page's (id, rank, marked text)


class _KeptResults:
    """A kept page's results as the paginator reads them: their number, and the page's rows."""

    def __init__(self, kept: _KeptSearch):
        self.kept = kept

    def count(self) -> int:
        return self.kept.count

    def __getitem__(self, window: slice) -> list[tuple[int, float, str]]:
        return self.kept.rows


_kept = change_stamps.Kept(most=1_000)


def _stamps() -> tuple[int, int] | None:
    """Return the change stamps (text, structure) as they are now: one query; None inside a transaction (its
    own changes may not be counted yet: PostgreSQL raises them at commit) or without them."""
    return change_stamps.read(change_stamps.TEXT, change_stamps.STRUCTURE)


def _kept_page(kept: _KeptSearch, page, per_page: int) -> Page:
    """Return the page kept, its turns and their episodes read again (two queries, no search)."""
    found = page_of(_KeptResults(kept), page, per_page=per_page, strict=False)
    found.object_list = _hits(list(found.object_list))
    found.capped, found.partial = kept.capped, kept.partial
    return found
