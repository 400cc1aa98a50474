"""Editing operations on episodes: one function per job, keyword-only arguments.

Each operation locks the episode, checks the version the editor saw (when given), changes only the rows it
must, and records the change with a summary (see common.editing).
"""

from .common import Change, ServiceError, StaleEpisode, editing
from .episode import Row, episode_create, episode_save
from .intake import (
    IntakeError,
    IntakeResult,
    chapters_apply,
    chapters_read,
    chapters_text,
    clips_outdated,
    clips_rebuild,
    transcript_import,
    transcript_read,
    youtube_chapters,
)
from .revisions import diff as text_diff
from .revisions import (
    episode_rebase,
    episode_revert,
    original_import,
    revision_name,
    snapshot,
    stale_revisions,
    transcript_seen,
)
from .revisions import record as record_revision
from .speakers import (
    SpeakerSummary,
    episode_people,
    label_matches,
    speaker_candidates,
    speaker_merge,
    speaker_people,
    speaker_rename,
    speaker_summaries,
    speaker_tie,
    speaker_ties,
    speakers_match,
    speakers_swap,
    turns_assign,
)
from .transcript import (
    ItemEdit,
    header_move,
    items_delete,
    section_add,
    section_delete,
    section_move,
    section_rename,
    transcript_save,
    turn_insert,
)
from .warnings import Warning, episode_warnings, refresh_counts

__all__ = [
    "Change",
    "IntakeError",
    "IntakeResult",
    "chapters_apply",
    "chapters_read",
    "chapters_text",
    "clips_rebuild",
    "transcript_import",
    "transcript_read",
    "clips_outdated",
    "youtube_chapters",
    "Row",
    "episode_create",
    "episode_rebase",
    "episode_save",
    "episode_revert",
    "record_revision",
    "original_import",
    "revision_name",
    "snapshot",
    "stale_revisions",
    "text_diff",
    "transcript_seen",
    "ItemEdit",
    "ServiceError",
    "SpeakerSummary",
    "StaleEpisode",
    "Warning",
    "editing",
    "episode_warnings",
    "header_move",
    "items_delete",
    "label_matches",
    "refresh_counts",
    "section_add",
    "section_delete",
    "section_move",
    "section_rename",
    "episode_people",
    "speaker_candidates",
    "speaker_merge",
    "speaker_people",
    "speaker_rename",
    "speaker_summaries",
    "speaker_tie",
    "speaker_ties",
    "speakers_match",
    "speakers_swap",
    "transcript_save",
    "turn_insert",
    "turns_assign",
]
