"""The editor's forms, one module a job: the episode form, its small lists, the transcript fields, the intake."""

from .episode import COLUMN_KEYS, EXTRA_FIELDS, EpisodeForm, typed_keys
from .intake import NewEpisodeTranscriptForm, TranscriptUploadForm
from .lists import BodyLinkForm, GuestForm, ListFormSet, PlatformRefForm
from .transcript import ITEM_FIELDS, item_field_name, posted_text, transcript_edits, transcript_field

__all__ = [
    "COLUMN_KEYS",
    "EXTRA_FIELDS",
    "ITEM_FIELDS",
    "BodyLinkForm",
    "EpisodeForm",
    "GuestForm",
    "ListFormSet",
    "NewEpisodeTranscriptForm",
    "PlatformRefForm",
    "TranscriptUploadForm",
    "item_field_name",
    "posted_text",
    "transcript_edits",
    "transcript_field",
    "typed_keys",
]
