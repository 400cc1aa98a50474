"""What the public pages and the transcript feeds show: pure timeline and format builders, page view-models."""

from .formats import Segment, chapters_json, segments, transcript_json, transcript_srt, transcript_vtt
from .pages import (
    EpisodeHead,
    PersonCard,
    episode_head,
    episode_page,
    feed_file,
    feed_segments,
    find_episode,
    index_etag,
    person_card,
    person_episodes,
    platform_links,
    seasons,
)
from .timeline import ItemRow, Section, Turn, clock, speaker_groups, timeline, to_seconds, youtube_id, youtube_link

__all__ = [
    "EpisodeHead",
    "ItemRow",
    "PersonCard",
    "Section",
    "Segment",
    "Turn",
    "chapters_json",
    "clock",
    "episode_head",
    "episode_page",
    "feed_file",
    "feed_segments",
    "find_episode",
    "index_etag",
    "person_card",
    "person_episodes",
    "platform_links",
    "seasons",
    "segments",
    "speaker_groups",
    "timeline",
    "to_seconds",
    "transcript_json",
    "transcript_srt",
    "transcript_vtt",
    "youtube_id",
    "youtube_link",
]
