"""An episode's YouTube video: its id in the many shapes of link, and links to a time in it. No Django models."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from . import markup

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
