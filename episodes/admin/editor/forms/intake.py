"""The forms of a raw transcript's intake: a file or pasted text, and optionally a chapter list."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from ....models import Episode, slug_validator
from .transcript import posted_text


class TranscriptUploadForm(forms.Form):
    """A raw transcript (a file, or pasted text) and optionally a chapter list, for an episode."""

    file = forms.FileField(
        required=False,
        label="Transcript file",
        help_text="Word (.docx), plain text, WebVTT (.vtt) or SRT (.srt), as editors receive them.",
        widget=forms.ClearableFileInput(attrs={"accept": ".docx,.txt,.vtt,.srt,text/plain"}),
    )
    text = forms.CharField(
        required=False,
        label="…or paste the transcript",
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text="Blocks of a time line, a speaker line and a text line; other lines are section headers.",
    )
    chapters_file = forms.FileField(required=False, label="Chapter list file")
    chapters = forms.CharField(
        required=False,
        label="…or paste the chapter list",
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text="One '00:01:20 Title' line per chapter, as in a YouTube description.",
    )
    replace = forms.BooleanField(required=False, label="Replace the transcript this episode has")
    strict = forms.BooleanField(
        required=False,
        label="Strict: refuse on any warning",
        help_text="Otherwise a time going backwards or one that cannot be read, a long speaker line or a speaker "
        "without text is kept as the file has it, with a warning at its line.",
    )

    def clean(self):
        data = super().clean()
        if not data.get("file") and not (data.get("text") or "").strip():
            raise ValidationError("Choose a transcript file or paste the transcript.", code="empty")
        return data

    def uploads(self) -> list:
        """Return the transcript and (if any) the chapter list as files to stage, the transcript first."""
        data = self.cleaned_data
        files = [data["file"] or ContentFile(posted_text(data["text"]).encode("utf-8"), name="pasted transcript.txt")]
        if data.get("chapters_file"):
            files.append(data["chapters_file"])
        elif (data.get("chapters") or "").strip():
            files.append(ContentFile(posted_text(data["chapters"]).encode("utf-8"), name="pasted chapters.txt"))
        return files


class NewEpisodeTranscriptForm(TranscriptUploadForm):
    """A new episode made from a raw transcript: its file name and title."""

    slug = forms.CharField(
        max_length=255, validators=[slug_validator], help_text="The file name without '.md'; also the page address."
    )
    title = forms.CharField(max_length=500, required=False, help_text="Empty: the transcript file's name.")
    field_order = ["slug", "title", "file", "text", "chapters_file", "chapters"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["replace"]

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if Episode.objects.filter(slug=slug).exists():
            raise ValidationError("There is an episode with this name already: add the transcript on its page.")
        return slug
