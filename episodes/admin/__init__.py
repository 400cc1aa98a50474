"""The editor: episodes, people and transcript spreadsheets in the Django admin."""

from django.contrib import admin

from .episode import EpisodeAdmin
from .health import HealthAdmin
from .jobs import JobAdmin
from .people import PersonAdmin
from .publish import PublishAdmin
from .suggestions import SuggestionAdmin
from .topics import TopicAdmin
from .transcript import TranscriptItemAdmin

admin.site.site_header = "Podcast editor"
admin.site.site_title = "Podcast editor"
admin.site.index_title = "Episodes and people"

__all__ = [
    "EpisodeAdmin",
    "HealthAdmin",
    "JobAdmin",
    "PersonAdmin",
    "PublishAdmin",
    "SuggestionAdmin",
    "TopicAdmin",
    "TranscriptItemAdmin",
]
