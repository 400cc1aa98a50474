"""Clips that follow their sections and their video: a renamed section header renames the clip of the same
name; a new YouTube id or link gives the clips their urls by the site's rule."""

from __future__ import annotations

from ..documents import database
from ..format import chapters as ch
from ..format import video
from ..models import Episode, PlatformRef, TranscriptItem
from .editing import items


def header_renames(episode: Episode, new_titles: dict[int, str]) -> list[tuple[str, str, int]]:
    """Return (old, new, n) for headers about to get ``new_titles`` (by item id), from the titles they have now."""
    rows = items(episode).filter(kind=TranscriptItem.Kind.HEADER).order_by("position").values_list("pk", "text")
    seen: dict[str, int] = {}
    renames = []
    for pk, text in rows:
        n = seen[text] = seen.get(text, -1) + 1
        if pk in new_titles and new_titles[pk] != text:
            renames.append((text, new_titles[pk], n))
    return renames


def clips_follow_renames(episode: Episode, renames: list[tuple[str, str, int]]) -> bool:
    """Rename the clip of each renamed section (call inside ``editing``); tell whether a clip was renamed.

    ``renames`` are (old title, new title, n): the n-th header (from 0) titled ``old`` is now ``new``.
    """
    extra = extra_of(episode)
    clips = ch.renamed_clips(extra.get(ch.CLIPS_KEY), renames)
    if clips is None:
        return False
    save_extra(episode, {**extra, ch.CLIPS_KEY: clips})
    return True


def youtube_link(episode: Episode) -> str:
    """Return the link the episode's clips are made from (``links.youtube``, else one from ``ids.youtube``)."""
    refs = PlatformRef.objects.filter(episode=episode, platform="youtube")
    return video.youtube_url(list(refs.values_list("mapping", "platform", "value")))


def clips_follow_video(episode: Episode) -> bool:
    """Give each clip without a url, or with one to another video, the url of the episode's YouTube video at
    its start (call inside ``editing``, after the YouTube id or link changed); tell whether a clip changed."""
    extra = extra_of(episode)
    clips = video.clips_on_video(extra.get(ch.CLIPS_KEY), youtube_link(episode))
    if clips is None:
        return False
    save_extra(episode, {**extra, ch.CLIPS_KEY: clips})
    return True


def extra_of(episode: Episode) -> dict:
    """Return the episode's other keys (parsed once per read of it): copy before changing."""
    return database.episode_extra(episode)


def save_extra(episode: Episode, extra: dict) -> None:
    episode.extra = database.dump_extra(extra)
    episode.save(update_fields=["extra"])
