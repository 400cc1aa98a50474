"""What the public pages and the transcript feeds show: pure timeline and format builders, page view-models."""

from ..documents.database import parsed_extra
from .addresses import episode_at_old_address, old_episode_slugs
from .formats import Segment, chapters_json, segments, transcript_json, transcript_srt, transcript_vtt
from .front import episode_topics
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
    json_scripts,
    person_card,
    platform_links,
    seasons,
)
from .sitemaps import SitemapEntries, sitemap_entries
from .structured import person_page_json_ld
from .syndication import EpisodeFeed, FeedEntries, feed_entries, feed_etag
from .timeline import Section, Turn, speaker_groups, timeline, to_seconds, youtube_id, youtube_link

__all__ = [
    "EpisodeFeed",
    "EpisodeHead",
    "FeedEntries",
    "Neighbour",
    "Neighbours",
    "PersonCard",
    "Section",
    "Segment",
    "SitemapEntries",
    "Turn",
    "chapters_json",
    "episode_at_old_address",
    "episode_head",
    "episode_neighbours",
    "episode_page",
    "episode_topics",
    "etag_of",
    "feed_entries",
    "feed_etag",
    "feed_file",
    "feed_segments",
    "find_episode",
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
    "speaker_groups",
    "timeline",
    "to_seconds",
    "transcript_json",
    "transcript_srt",
    "transcript_vtt",
    "youtube_id",
    "youtube_link",
]
