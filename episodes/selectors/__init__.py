"""Reads of episodes: who may speak and who is who, the editor's warnings, the editorial rules' findings and the
archive's health, revisions. Selectors never write and never import services; services, the admin, the public
pages and the commands call them.
"""

from .checks import archive_health, episode_findings, findings_as_warnings
from .revisions import document_at, original_import, revisions_at, stale_revisions, transcript_seen
from .speakers import (
    SpeakerSummary,
    episode_people,
    label_matches,
    speaker_candidates,
    speaker_people,
    speaker_summaries,
    speaker_ties,
    speakers_match,
    with_people,
)
from .warnings import EditorWarning, episode_warnings

__all__ = [
    "EditorWarning",
    "SpeakerSummary",
    "archive_health",
    "episode_findings",
    "episode_people",
    "episode_warnings",
    "findings_as_warnings",
    "label_matches",
    "document_at",
    "original_import",
    "revisions_at",
    "speaker_candidates",
    "speaker_people",
    "speaker_summaries",
    "speaker_ties",
    "speakers_match",
    "stale_revisions",
    "transcript_seen",
    "with_people",
]
