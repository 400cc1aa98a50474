"""Editing operations on episodes: one function per job, keyword-only arguments.

Each operation locks the episode, checks the version the editor saw (when given), changes only the rows it
must, and records the change with a summary (see :func:`editing.editing`). Reads (speaker lists, warnings,
the rules' findings, revisions) are in :mod:`episodes.selectors`, which services call and which never writes.
"""

from .editing import Edit, Locked, ServiceError, StaleEpisode, editing, locking
from .episode import Row, episode_create, episode_save
from .intake import (
    IntakeError,
    IntakeResult,
    StrictRefusal,
    chapters_apply,
    chapters_read,
    chapters_text,
    clips_outdated,
    clips_rebuild,
    transcript_import,
    transcript_read,
    youtube_chapters,
)
from .merging import Clash, MergeConflict, MergeRaced, operation_merge
from .revisions import diff as text_diff
from .revisions import episode_rebase, episode_revert, revision_name
from .speakers import LabelTaken, speaker_merge, speaker_rename, speaker_tie, speakers_swap, turns_assign
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
from .warnings import refresh_counts

__all__ = [
    "Clash",
    "MergeConflict",
    "MergeRaced",
    "operation_merge",
    "Edit",
    "LabelTaken",
    "IntakeError",
    "IntakeResult",
    "StrictRefusal",
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
    "revision_name",
    "text_diff",
    "ItemEdit",
    "ServiceError",
    "StaleEpisode",
    "editing",
    "Locked",
    "locking",
    "header_move",
    "items_delete",
    "refresh_counts",
    "section_add",
    "section_delete",
    "section_move",
    "section_rename",
    "speaker_merge",
    "speaker_rename",
    "speaker_tie",
    "speakers_swap",
    "transcript_save",
    "turn_insert",
    "turns_assign",
]
