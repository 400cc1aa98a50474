"""Full-text search through the transcripts of published episodes, ranked, a page at a time.

SQLite: an FTS5 index over ``episodes_transcriptitem.text`` (external content, Porter stemming), kept in
step by triggers for updates and deletes and by the code that inserts items (see search_index).

PostgreSQL: ``to_tsvector('english', text)`` matched against ``websearch_to_tsquery``, ranked with
``ts_rank`` and marked with ``ts_headline``; a GIN index on the same expression serves it.

Both backends mark matched words with private-use characters that no transcript holds, and the words
are escaped before the marks become ``<mark>`` elements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.core.paginator import Page, Paginator
from django.db import connection as default_connection
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import frontmatter as fm
from . import search_index
from .models import Episode, PlatformRef, TranscriptItem
from .public import youtube_id, youtube_link

PER_PAGE = 20
MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
MARK_START, MARK_END = "\ue000", "\ue001"
SNIPPET_WORDS = 32
SNIPPET_CHARS = 300
POSTGRES_CONFIG = "english"

# The index itself lives in search_index, which the import and the editing services also use.
FTS_TABLE, ITEM_TABLE, POSTGRES_INDEX = search_index.FTS_TABLE, search_index.ITEM_TABLE, search_index.POSTGRES_INDEX
SQLITE_TRIGGERS = search_index.SQLITE_TRIGGERS
install_index, remove_index, index_installed = (
    search_index.install_index,
    search_index.remove_index,
    search_index.index_installed,
)


# -- queries ------------------------------------------------------------------------------------------------


def sqlite_match(query: str) -> str:
    """Return an FTS5 query for what a listener typed: every word, or "quoted phrase", must occur.

    Each term is quoted and holds only word characters, so no input can use FTS5's own syntax.
    """
    terms = []
    for phrase, word in re.findall(r'"([^"]*)"|(\w+)', query):
        words = re.findall(r"\w+", phrase or word)
        if words:
            terms.append('"' + " ".join(words) + '"')
    return " AND ".join(terms[:MAX_TERMS])


class _SqliteResults:
    """The ranked matches of an FTS5 query, counted and sliced in SQL, as Paginator expects."""

    SQL = f"""
        FROM {FTS_TABLE}
        JOIN {ITEM_TABLE} AS item ON item.id = {FTS_TABLE}.rowid
        JOIN {Episode._meta.db_table} AS episode ON episode.id = item.episode_id
        WHERE {FTS_TABLE} MATCH %s AND item.kind = %s AND episode.status = %s"""

    def __init__(self, match: str):
        self.params = [match, TranscriptItem.Kind.TURN, Episode.Status.PUBLISHED]

    def count(self) -> int:
        with default_connection.cursor() as cursor:
            cursor.execute("SELECT count(*)" + self.SQL, self.params)
            return cursor.fetchone()[0]

    def __getitem__(self, window: slice) -> list[tuple[int, float, str]]:
        select = f"SELECT item.id, bm25({FTS_TABLE}), snippet({FTS_TABLE}, 0, %s, %s, '…', %s)"
        order = f" ORDER BY bm25({FTS_TABLE}), item.id LIMIT %s OFFSET %s"
        params = [MARK_START, MARK_END, SNIPPET_WORDS, *self.params, window.stop - window.start, window.start]
        with default_connection.cursor() as cursor:
            cursor.execute(select + self.SQL + order, params)
            return cursor.fetchall()


def postgres_document() -> SearchVector:
    """Return the words of a transcript item as PostgreSQL indexes them (see POSTGRES_INDEX_SQL)."""
    return SearchVector("text", config=POSTGRES_CONFIG)


def _postgres_results(query: str):
    search_query = SearchQuery(query, config=POSTGRES_CONFIG, search_type="websearch")
    vector = postgres_document()
    marks = {"config": POSTGRES_CONFIG, "start_sel": MARK_START, "stop_sel": MARK_END}
    # A short turn is shown whole; a long one as the fragments around its matches.
    whole = SearchHeadline("text", search_query, highlight_all=True, **marks)
    fragments = SearchHeadline(
        "text",
        search_query,
        max_words=SNIPPET_WORDS,
        min_words=SNIPPET_WORDS // 2,
        short_word=0,
        max_fragments=2,
        fragment_delimiter=" … ",
        **marks,
    )
    snippet = models.Case(
        models.When(LessThanOrEqual(Length("text"), SNIPPET_CHARS), then=whole),
        default=fragments,
        output_field=models.TextField(),
    )
    return (
        TranscriptItem.objects.public_turns()
        .annotate(document=vector)
        .filter(document=search_query)
        .annotate(rank=SearchRank(vector, search_query), snippet=snippet)
        .order_by("-rank", "id")
        .values_list("id", "rank", "snippet")
    )


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


def search_transcripts(query: str, *, page=1, per_page: int = PER_PAGE) -> Page | None:
    """Return one page of the turns of published episodes that match ``query``, best first; None for no query.

    The page's ``object_list`` holds :class:`Hit` values.
    """
    query = query.strip()[:MAX_QUERY_LENGTH]
    if default_connection.vendor == "postgresql":
        results = _postgres_results(query) if query else None
    else:
        match = sqlite_match(query)
        results = _SqliteResults(match) if match else None
    if results is None:
        return None
    found = Paginator(results, per_page).get_page(page)
    found.object_list = _hits(list(found.object_list))
    return found
