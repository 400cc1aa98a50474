"""An episode's YouTube video: its id in the many shapes of link, and links to a time in it. No Django models."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from . import frontmatter as fm
from . import markup
from .chapters import clip_url

YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")


def video_id_in_url(url: str) -> str | None:
    """Return the video id of a youtube.com/watch?v=, youtu.be/ or /embed/ URL."""
    parsed = urlparse(url)
    host = parsed.netloc.lower().removeprefix("www.").removeprefix("m.")
    if host == "youtu.be":
        return parsed.path.strip("/") or None
    if host.endswith("youtube.com") or host.endswith("youtube-nocookie.com"):
        if parsed.path == "/watch":
            return (parse_qs(parsed.query).get("v") or [None])[0]
        for prefix in ("/embed/", "/live/", "/shorts/", "/v/"):
            if parsed.path.startswith(prefix):
                return parsed.path[len(prefix) :].strip("/") or None
    return None


def youtube_link(video_id: str, sec: int) -> str:
    return f"https://www.youtube.com/watch?v={video_id}&t={sec}" if video_id else ""


def youtube_id(refs: list[tuple[str, str, str]]) -> str:
    """Return the episode's YouTube video id from its ``ids``, else from its YouTube link; '' if none is valid."""
    values = {(mapping, platform): value for mapping, platform, value in refs}
    candidate = values.get(("ids", "youtube"), "")
    if YOUTUBE_ID.match(candidate):
        return candidate
    found = video_id_in_url(markup.safe_url(values.get(("links", "youtube"), ""))) or ""
    return found if YOUTUBE_ID.match(found) else ""


def youtube_url(refs: list[tuple[str, str, str]]) -> str:
    """Return the link clips are made from, by the site's rule: the YouTube link (``links.youtube``) when it is
    a web address, else one made from the YouTube id (``ids.youtube``); '' when the episode has neither."""
    values = {(mapping, platform): value for mapping, platform, value in refs}
    link = values.get(("links", "youtube"), "")
    if link.startswith(("http://", "https://")):
        return link
    video = values.get(("ids", "youtube"), "")
    return f"https://www.youtube.com/watch?v={video}" if video else ""


def clips_on_video(clips, link: str) -> list | None:
    """Return ``clips`` with each clip that has no url, or one to another video than ``link``'s, given the url
    the site's rule makes (``link`` at the clip's start); None when no clip changes or there is no link.

    A clip's url to the same video is its own, whatever its ``t=`` says (a warning tells when it is off).
    """
    if not link or not isinstance(clips, list):
        return None
    video = video_id_in_url(link)
    result, changed = [], False
    for clip in clips:
        if isinstance(clip, dict) and fm.is_int(clip.get("startOffset")):
            url = clip.get("url")
            if not isinstance(url, str) or not url or video_id_in_url(url) != video:
                clip, changed = _with_url(clip, clip_url(link, clip["startOffset"])), True
        result.append(clip)
    return result if changed else None


def _with_url(clip: dict, url: str) -> dict:
    """Return ``clip`` with ``url``: in its place, or (a new key) after ``startOffset``, as the site writes it."""
    if "url" in clip:
        return {**clip, "url": url}
    result = {}
    for key, value in clip.items():
        result[key] = value
        if key == "startOffset":
            result["url"] = url
    return result
