"""Public pages, feeds and old addresses: thin adapters around :mod:`episodes.public` and :mod:`episodes.search`.

A published episode's page and files, the index, the RSS feed and the sitemap carry an ETag and answer a
current copy with 304 before anything is rendered. Drafts are shown to staff only, never cached and never
indexed. Public responses are compressed: they hold no secret (no CSRF token, nothing personal), so
compression cannot leak one (BREACH).
"""

from __future__ import annotations

import functools
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.middleware.gzip import re_accepts_gzip as ACCEPTS_GZIP
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.text import compress_string
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

from . import public
from . import search as transcript_search
from .models import EpisodeRedirect, Person, PersonRedirect
from .public import listing


def follows_renames(view):
    """Answer the old address of a renamed episode or person with a permanent redirect to its new one.

    Looked up only when the address finds nothing, so a live page costs no extra query.
    """

    @functools.wraps(view)
    def wrapper(request, **kwargs):
        try:
            return view(request, **kwargs)
        except Http404:
            if "slug" in kwargs:
                target = EpisodeRedirect.objects.target(kwargs["slug"])
                new = {"slug": target.slug} if target else None
            else:
                target = PersonRedirect.objects.target(kwargs.get("key", ""))
                new = {"key": target.key} if target else None
            if new is None:
                raise
            match = request.resolver_match
            return _permanent_redirect(
                request, reverse(f"{match.namespace}:{match.url_name}", kwargs={**match.kwargs, **new})
            )

    return wrapper


def _head(request, slug: str, *, neighbours: bool = True) -> public.EpisodeHead:
    head = public.find_head(slug, user=request.user, neighbours=neighbours)
    if head is None:
        raise Http404("No episode at this address.")
    return head


def _origin(request) -> str:
    """Return the scheme and the full host (with its port) the request came to, as absolute addresses start.

    ``request.scheme`` is https behind a proxy that says so (``SECURE_PROXY_SSL_HEADER``).
    """
    return f"{request.scheme}://{request.get_host()}"


def _origin_etag(request, etag: str) -> str:
    """Return ``etag`` (what the rows make) for the origin asked: a page's absolute addresses (canonical
    link, JSON-LD, feed links) differ by scheme and host, so one tag must never stand for two bodies."""
    digest = hashlib.blake2b(f"{etag}\n{_origin(request)}".encode(), digest_size=16).hexdigest()
    return f'W/"{digest}"'


def _public(request, etag: str, build, *, cors: bool = False) -> HttpResponse:
    """Return 304 when the client's copy is current, else what ``build()`` makes (kept under ``etag``)."""
    etag = _origin_etag(request, etag)
    response = get_conditional_response(request, etag=etag) or _cached(request, etag, build)
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=settings.PUBLIC_PAGES_MAX_AGE)
    if cors:
        # Podcast apps running in browsers fetch transcripts, chapters and feeds from other origins.
        response["Access-Control-Allow-Origin"] = "*"
    return response


def _respond(request, head: public.EpisodeHead, build, *, cors: bool = False) -> HttpResponse:
    """Answer for an episode: as :func:`_public` when it is published, else uncached and unindexed."""
    if head.is_public:
        return _public(request, head.etag, build, cors=cors)
    response = build()
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex"
    return response


def _cached(request, etag: str, build) -> HttpResponse:
    """Return the response for ``etag`` as built before, or build and keep it; compressed once, if asked.

    The ETag covers everything a public page shows, so a copy kept under it is never stale; rendering a
    long transcript costs several times more than the few queries that compute the tag, and compressing
    it again on every request would cost as much.
    """
    # The origin and the path, not the query: anyone can vary a query string, and no page here depends on
    # one unless its ETag does (the sitemap's page number); an https reader behind the proxy must never get
    # the http page's addresses. Hashed: a page address may hold any character a file name can, and cache
    # keys must be short and plain.
    where = hashlib.blake2b(f"{_origin(request)}\n{request.path}".encode(), digest_size=16).hexdigest()
    key = f"public-page:{where}:{etag}"
    kept = cache.get(key)
    changed = kept is None
    if kept is None:
        response = build()
        if response.status_code != 200 or response.streaming:
            return response
        kept = {"content": response.content, "headers": dict(response.headers)}
    wants_gzip = ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", ""))
    if wants_gzip and "gzip" not in kept:
        packed = compress_string(kept["content"])
        # As GZipMiddleware: short responses do not gain from it.
        kept["gzip"] = packed if len(kept["content"]) >= 200 and len(packed) < len(kept["content"]) else None
        changed = True
    if changed:
        cache.set(key, kept, settings.PUBLIC_PAGE_CACHE_SECONDS)
    if wants_gzip and kept["gzip"] is not None:
        response = HttpResponse(kept["gzip"], headers=kept["headers"])
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(kept["content"], headers=kept["headers"])
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


@require_safe
@gzip_page
def index(request):
    """Show the newest season's first page (all episodes' when none has a season)."""
    stamps, seasons = _seasons()
    return _episode_list(request, seasons[0].number if seasons else None, seasons, stamps, is_index=True)


@require_safe
@gzip_page
def season(request, number: int):
    stamps, seasons = _seasons()
    if not any(s.number == number for s in seasons):
        raise Http404("No published episode has this season.")
    return _episode_list(request, number, seasons, stamps)


@require_safe
@gzip_page
def all_episodes(request):
    stamps, seasons = _seasons()
    return _episode_list(request, None, seasons, stamps)


def _seasons() -> tuple[tuple[int, ...] | None, listing.Seasons]:
    """Return the catalogue stamps (read first) and the seasons kept under them."""
    stamps = listing.catalogue_stamps()
    return stamps, listing.season_links(stamps)


def _episode_list(
    request, season: int | None, seasons: listing.Seasons, stamps, *, is_index: bool = False
) -> HttpResponse:
    """Answer one page of a season's episodes (all episodes for None), with an ETag of what it shows: kept under
    the catalogue ``stamps`` with the page, so that the page's rows are read only to write it."""
    number = None if is_index else request.GET.get("page")
    path = reverse("episodes:season", args=[season]) if season is not None else reverse("episodes:all_episodes")

    @functools.cache
    def page():
        return listing.page_of(listing.season_episodes(season), number, count=seasons.size(season))

    def build():
        context = {
            "is_index": is_index,
            "season": season,
            "seasons": seasons,
            "page": page(),
            "groups": public.seasons(page()) if season is None else [(season, page())],
            "pager": listing.pager(page(), path),
        }
        return render(request, "episodes/episode_list.html", context)

    return _public(request, listing.list_page_etag((season, is_index, number), stamps, page, seasons), build)


@require_safe
@gzip_page
@follows_renames
def episode_detail(request, slug: str):
    head = _head(request, slug)

    def page():
        context = public.episode_page(head, absolute=request.build_absolute_uri)
        return render(request, "episodes/episode_detail.html", {**context, "is_draft": not head.is_public})

    return _respond(request, head, page)


@require_safe
@gzip_page
@follows_renames
def feed(request, slug: str, kind: str):
    """Serve one of the episode's transcript or chapter files (``kind`` comes from the URL pattern)."""
    head = _head(request, slug, neighbours=False)
    return _respond(request, head, lambda: HttpResponse(*public.feed_file(head, kind)), cors=True)


@require_safe
@gzip_page
def rss(request):
    """Serve the RSS 2.0 feed of the newest published episodes, with their Podcasting 2.0 files and people."""
    head = public.feed_head()
    return _public(request, head.etag, lambda: public.EpisodeFeed(head)(request), cors=True)


@require_safe
@gzip_page
def sitemap(request):
    entries = public.sitemap_entries()

    def build():
        origin = f"{request.scheme}://{request.get_host()}"
        response = HttpResponse(public.sitemap_xml(entries, origin=origin, page=request.GET.get("p", 1)))
        response["Content-Type"] = "application/xml"
        # As django.contrib.sitemaps says it: the sitemap is for crawlers, not a page to list.
        response["X-Robots-Tag"] = "noindex, noodp, noarchive"
        return response

    # Past 50,000 addresses the sitemap has pages (?p=2), each its own representation.
    return _public(request, public.etag_of(entries.etag, request.GET.get("p", "")), build)


@require_safe
def robots(request):
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('admin:index')}",
        f"Disallow: {reverse('episodes:search')}",
        f"Sitemap: {request.build_absolute_uri(reverse('episodes:sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
def old_episode_address(request, tail: str):
    """Send an address of the old site (/podcast/<slug>.html, /podcast/<slug>, .../) to the episode, for good."""
    slug = public.episode_at_old_address(public.old_episode_slugs(tail))
    if slug is None:
        raise Http404("No episode at this address.")
    return _permanent_redirect(request, reverse("episodes:episode", args=[slug]))


@require_safe
def old_index_address(request):
    return _permanent_redirect(request, reverse("episodes:index"))


def _permanent_redirect(request, url: str) -> HttpResponsePermanentRedirect:
    """Redirect for good, keeping the query string (campaign tags and the like)."""
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)


@require_safe
@gzip_page
@follows_renames
def person_detail(request, key: str):
    """Answer a page of a person's episodes, with an ETag of what it shows: kept under the catalogue stamps with
    the page, so that the person and their episodes are read only to write it."""
    stamps, number = listing.catalogue_stamps(), request.GET.get("page")

    @functools.cache
    def made():
        person = get_object_or_404(Person.objects.public(), key=key)
        return person, listing.page_of(listing.person_episodes(person).with_guests(), number)

    def build():
        person, page = made()
        card = public.person_card(person)
        context = {
            "card": card,
            "episodes": page,
            "pager": listing.pager(page, reverse("episodes:person", args=[person.key])),
            "json_ld": public.json_scripts(public.person_page_json_ld(card, absolute=request.build_absolute_uri)),
        }
        return render(request, "episodes/person_detail.html", context)

    return _public(request, listing.person_page_etag((key, number), stamps, made), build)


@require_safe
@gzip_page
def search(request):
    query = transcript_search.clean_query(request.GET.get("q", ""))
    context, status = {"query": query, "page": None, "problem": ""}, 200
    try:
        context["page"] = page = transcript_search.search_transcripts(query, page=request.GET.get("page") or 1)
    except transcript_search.SearchError as exc:
        context["problem"] = str(exc)
        # A search stopped for taking too long is not an answer: no cache may keep it.
        status = 503 if isinstance(exc, transcript_search.SearchTimedOut) else 200
    else:
        if page is not None:
            context["pager"] = listing.pager(page, reverse("episodes:search"), q=query)
            context["summary"] = transcript_search.summary(page, query)
    return render(request, "episodes/search.html", context, status=status)
