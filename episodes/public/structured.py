"""The schema.org structured data (JSON-LD) of the public pages: episodes, their media and clips, people.

Builders return plain dicts; :func:`episodes.format.markup.json_script` writes them into a page so that no value
can end the ``<script>`` element. Every address in them is an absolute http(s) one.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.urls import reverse

from ..format import markup
from ..format.video import youtube_link
from .formats import Segment

AUDIO_PLATFORMS = ("spotify", "apple", "anchor")
SPOTIFY_EPISODE = re.compile(r"^https://open\.spotify\.com/episode/([A-Za-z0-9]{22})(?:[?#/]|$)")


def iso_duration(seconds: int) -> str:
    """Return ``seconds`` as an ISO 8601 duration: PT1H24M57S, PT49M9S, PT0S."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours}H" if hours else "", f"{minutes}M" if minutes else "", f"{secs}S" if secs else ""]
    return "PT" + ("".join(parts) or "0S")


def person_json_ld(card, *, absolute) -> dict:
    """Return a schema.org Person: name, page, picture, one-line bio and profiles (``sameAs``)."""
    data = {"@type": "Person", "name": card.name, "url": absolute(card.url)}
    if card.picture:
        data["image"] = absolute(card.picture)
    short = markup.plain_text(card.person.bio_short)
    if short:
        data["description"] = short
    if card.links:
        data["sameAs"] = [url for _, url in card.links]
    return data


def person_page_json_ld(card, *, absolute) -> list[dict]:
    """Return the structured data of a person's page: the Person and the way back to the index."""
    person = {"@context": "https://schema.org", **person_json_ld(card, absolute=absolute)}
    return [person, breadcrumbs([(settings.PODCAST_TITLE, reverse("episodes:index")), (card.name, card.url)], absolute)]


def breadcrumbs(trail: list[tuple[str, str]], absolute) -> dict:
    """Return a BreadcrumbList of (name, path) pairs, the site's index first."""
    items = [
        {"@type": "ListItem", "position": n, "name": name, "item": absolute(path)}
        for n, (name, path) in enumerate(trail, 1)
    ]
    return {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": items}


def _offset(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def clips(extra: dict, *, video_id: str) -> list[dict]:
    """Return the ``quotableClips`` front matter key as schema.org Clips; entries without a name or start are left out.

    A clip's address is its own when that is a safe http(s) one, else the video at the clip's start.
    """
    entries = extra.get("quotableClips")
    result = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        name, start, end = entry.get("name"), entry.get("startOffset"), entry.get("endOffset")
        if not isinstance(name, str) or not name.strip() or not _offset(start):
            continue
        clip = {"@type": "Clip", "name": name.strip(), "startOffset": start}
        if _offset(end) and end >= start:
            clip["endOffset"] = end
        url = markup.safe_url(entry.get("url")) or youtube_link(video_id, int(start))
        if url:
            clip["url"] = url
        result.append(clip)
    return result


def transcript_text(items: list[Segment]) -> str:
    """Return the transcript as plain text: one "Speaker: words" line per turn."""
    return "\n".join(f"{s.speaker}: {s.body}" if s.speaker else s.body for s in items)


def _audio(links: dict[str, str], common: dict) -> dict | None:
    """Return the AudioObject of the episode's first audio platform link, or None without one."""
    for platform in AUDIO_PLATFORMS:
        url = links.get(platform)
        if url:
            audio = {"@type": "AudioObject", **common, "url": url}
            spotify = SPOTIFY_EPISODE.match(links.get("spotify", ""))
            if spotify:
                audio["embedUrl"] = f"https://open.spotify.com/embed/episode/{spotify.group(1)}"
            return audio
    return None


def episode_json_ld(page: dict, *, absolute) -> list[dict]:
    """Return the structured data of an episode page: the PodcastEpisode and its breadcrumbs.

    ``page`` holds what the page shows: episode, title, description, date, guests (cards), video_id,
    platform_urls (platform to safe address), image_url, path, page_url (its absolute form), duration
    (seconds or None), clips and segments.
    """
    episode, title, video_id = page["episode"], page["title"], page["video_id"]
    data = {
        "@context": "https://schema.org",
        "@type": "PodcastEpisode",
        "name": title,
        "url": page["page_url"],
        "partOfSeries": {
            "@type": "PodcastSeries",
            "name": settings.PODCAST_TITLE,
            "url": absolute(reverse("episodes:index")),
        },
    }
    if page["description"]:
        data["description"] = page["description"]
    if episode.number is not None:
        data["episodeNumber"] = episode.number
    if episode.season is not None:
        data["partOfSeason"] = {"@type": "PodcastSeason", "seasonNumber": episode.season}
    if page["date"]:
        data["datePublished"] = page["date"].isoformat()
    if page["duration"]:
        data["duration"] = iso_duration(page["duration"])
    if page["image_url"]:
        data["image"] = page["image_url"]
    if page["guests"]:
        data["actor"] = [person_json_ld(card, absolute=absolute) for card in page["guests"]]
    if page["clips"]:
        data["hasPart"] = page["clips"]

    common = {"name": title, "description": page["description"] or title}
    for key in ("datePublished", "duration"):
        if key in data:
            common["uploadDate" if key == "datePublished" else key] = data[key]
    transcript = transcript_text(page["segments"])
    if video_id:
        video = {
            "@type": "VideoObject",
            **common,
            "url": f"https://www.youtube.com/watch?v={video_id}",
            "embedUrl": f"https://www.youtube-nocookie.com/embed/{video_id}",
            "thumbnailUrl": page["image_url"] or f"https://i.ytimg.com/vi/{video_id}/hqdefault.jpg",
        }
        if page["clips"]:
            # Google reads "key moments" from the clips of a video.
            video["hasPart"] = page["clips"]
        if transcript:
            video["transcript"] = transcript
            transcript = ""
        data["video"] = video
    audio = _audio(page["platform_urls"], common)
    if audio:
        if transcript:
            audio["transcript"] = transcript
        data["audio"] = audio
    trail = [(settings.PODCAST_TITLE, reverse("episodes:index")), (title, page["path"])]
    return [data, breadcrumbs(trail, absolute)]
