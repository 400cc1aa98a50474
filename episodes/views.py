"""Public pages and transcript feeds: thin adapters around :mod:`episodes.public` and :mod:`episodes.search`.

A published episode's page and feeds carry an ETag and answer a current copy with 304 before the
transcript is read. Drafts are shown to staff only, never cached and never indexed.
"""

from __future__ import annotations

import functools
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.http import require_safe

from . import public
from .models import Episode, EpisodeRedirect, Person, PersonRedirect
from .search import search_transcripts


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
            url = reverse(f"{match.namespace}:{match.url_name}", kwargs={**match.kwargs, **new})
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(url + (f"?{query}" if query else ""))

    return wrapper


def _head(request, slug: str) -> public.EpisodeHead:
    episode = public.find_episode(slug, user=request.user)
    if episode is None:
        raise Http404("No episode at this address.")
    return public.episode_head(episode)


def _respond(request, head: public.EpisodeHead, build, *, feed: bool = False) -> HttpResponse:
    """Return 304 when the client's copy of a published episode is current, else what ``build()`` makes."""
    if not head.is_public:
        response = build()
        patch_cache_control(response, private=True, no_store=True)
        response["X-Robots-Tag"] = "noindex"
        return response
    response = get_conditional_response(request, etag=head.etag) or _cached(request, head.etag, build)
    response["ETag"] = head.etag
    patch_cache_control(response, public=True, max_age=settings.PUBLIC_PAGES_MAX_AGE)
    if feed:
        # Podcast apps running in browsers fetch transcripts and chapters from other origins.
        response["Access-Control-Allow-Origin"] = "*"
    return response


def _cached(request, etag: str, build) -> HttpResponse:
    """Return the response for ``etag`` as built before, or build and keep it.

    The ETag covers everything a public page shows, so a copy kept under it is never stale; rendering a
    long transcript costs several times more than the few queries that compute the tag.
    """
    # Hashed: a page address may hold any character a file name can, and cache keys must be short and plain.
    where = hashlib.blake2b(f"{request.get_host()}\n{request.path}".encode(), digest_size=16).hexdigest()
    key = f"public-page:{where}:{etag}"
    kept = cache.get(key)
    if kept is not None:
        content, content_type = kept
        return HttpResponse(content, content_type=content_type)
    response = build()
    if response.status_code == 200 and not response.streaming:
        cache.set(key, (response.content, response["Content-Type"]), settings.PUBLIC_PAGE_CACHE_SECONDS)
    return response


@require_safe
def index(request):
    etag = public.index_etag()

    def page():
        episodes = Episode.objects.published().for_lists().with_guests().newest_first()
        return render(request, "episodes/episode_list.html", {"seasons": public.seasons(episodes)})

    response = get_conditional_response(request, etag=etag) or _cached(request, etag, page)
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=settings.PUBLIC_PAGES_MAX_AGE)
    return response


@require_safe
@follows_renames
def episode_detail(request, slug: str):
    head = _head(request, slug)

    def page():
        context = public.episode_page(head, absolute=request.build_absolute_uri)
        return render(request, "episodes/episode_detail.html", {**context, "is_draft": not head.is_public})

    return _respond(request, head, page)


@require_safe
@follows_renames
def feed(request, slug: str, kind: str):
    """Serve one of the episode's transcript or chapter files (``kind`` comes from the URL pattern)."""
    head = _head(request, slug)
    return _respond(request, head, lambda: HttpResponse(*public.feed_file(head, kind)), feed=True)


@require_safe
@follows_renames
def person_detail(request, key: str):
    person = get_object_or_404(Person.objects.public(), key=key)
    episodes = public.person_episodes(person).with_guests()
    return render(request, "episodes/person_detail.html", {"card": public.person_card(person), "episodes": episodes})


@require_safe
def search(request):
    query = request.GET.get("q", "").strip()
    page = search_transcripts(query, page=request.GET.get("page") or 1)
    return render(request, "episodes/search.html", {"query": query, "page": page})
