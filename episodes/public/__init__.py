"""What the public pages and the transcript feeds show: the format builders and the page view-models (the
timeline they are built from is on the floor, :mod:`episodes.format.timeline`). Imports no services."""

from ..documents.database import parsed_extra
from .addresses import episode_at_old_address, old_episode_slugs
from .formats import Segment, chapters_json, segments, transcript_json, transcript_srt, transcript_vtt
from .listing import person_episodes
from .neighbours import Neighbour, Neighbours, episode_neighbours
from .pages import (
    EpisodeHead,
    PersonCard,
    episode_head,
    episode_page,
    etag_of,
    feed_file,
    feed_segments,
    find_episode,
    find_head,
    json_scripts,
    person_card,
    platform_links,
    seasons,
)
from .sitemaps import SitemapEntries, sitemap_entries, sitemap_xml
from .structured import person_page_json_ld
from .syndication import EpisodeFeed, FeedHead, feed_head

__all__ = [
    "EpisodeFeed",
    "EpisodeHead",
    "FeedHead",
    "Neighbour",
    "Neighbours",
    "PersonCard",
    "Segment",
    "SitemapEntries",
    "chapters_json",
    "episode_at_old_address",
    "episode_head",
    "episode_neighbours",
    "episode_page",
    "etag_of",
    "feed_head",
    "feed_file",
    "feed_segments",
    "find_episode",
    "find_head",
    "json_scripts",
    "old_episode_slugs",
    "person_card",
    "person_episodes",
    "parsed_extra",
    "person_page_json_ld",
    "platform_links",
    "seasons",
    "segments",
    "sitemap_entries",
    "sitemap_xml",
    "transcript_json",
    "transcript_srt",
    "transcript_vtt",
]
