"""The episode form: metadata, the newer keys with fields of their own, other keys as YAML, the version seen."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError

from .... import services
from ....documents import database
from ....format import frontmatter as fm
from ....models import Episode
from ....selectors.editor import edited_items
from ....selectors.topics import topic_choices
from ....services.episode import EpisodeSaved
from ...forms import ExactTextMixin
from .images import ImagePathWidget
from .topics import TopicsWidget
from .transcript import transcript_edits, transcript_problems

ERR_EXTRA_NOT_MAPPING = "Other keys must be a YAML mapping of keys to values."
ERR_EXTRA_KNOWN_KEY = "'{key}' has its own field above; edit it there."

# Newer front matter keys that get a field of their own when their value has this type.
EXTRA_FIELDS = {
    "description": (str, lambda: forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))),
    "intro": (str, lambda: forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))),
    "topics": (
        list,
        lambda: forms.CharField(
            required=False, help_text="One topic per line.", widget=TopicsWidget(attrs={"rows": 3})
        ),
    ),
    "dateadded": (datetime.date, lambda: forms.DateField(required=False, help_text="YYYY-MM-DD")),
    "duration": (str, lambda: forms.CharField(required=False, help_text="As shown, e.g. 58:23 or PT58M")),
}
COLUMN_KEYS = {*database.EPISODE_COLUMNS, "guests", "ids", "links", "transcript"}


def typed_keys(extra: dict) -> list[str]:
    """Return the newer keys that get a field of their own: absent, or present with the field's type."""
    return [key for key, (kind, _) in EXTRA_FIELDS.items() if key not in extra or _has_type(extra[key], kind)]


def _has_type(value, kind) -> bool:
    if kind is list:
        return isinstance(value, list) and all(isinstance(v, str) and "\n" not in v for v in value)
    if kind is datetime.date:
        return type(value) is datetime.date
    return isinstance(value, kind)


class EpisodeForm(ExactTextMixin, forms.ModelForm):
    """Metadata, the newer keys with fields of their own, other keys as YAML, and the version seen."""

    extra_yaml = forms.CharField(
        label="Other keys (YAML)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "vLargeTextField yaml", "spellcheck": "false"}),
        help_text="Front matter keys without a field above, kept exactly as they are unless you change them.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Episode
        fields = ["slug", "title", "short", "season", "number", "image", "status", "body", "body_after"]
        widgets = {
            "title": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "short": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "body": forms.Textarea(attrs={"rows": 3}),
            "body_after": forms.Textarea(attrs={"rows": 2}),
            "image": ImagePathWidget(upload_name="cover", upload_form="cover-upload", button="Upload cover"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.transcript_edits: dict[int, services.ItemEdit] = {}
        self.transcript_errors: dict[int, str] = {}  # problems by item id, shown on their rows
        self.transcript_rows: dict[int, dict] = {}  # the edited items as read for the checks, by id (the save's too)
        self.saved: EpisodeSaved | None = None  # what the save did, once done
        self.extra = database.episode_extra(self.instance) if self.instance.pk else {}
        self.typed_keys = typed_keys(self.extra)
        for key in self.typed_keys:
            self.fields[f"x_{key}"] = EXTRA_FIELDS[key][1]()
            self.fields[f"x_{key}"].label = key
            value = self.extra.get(key)
            self.initial[f"x_{key}"] = "\n".join(value) if isinstance(value, list) else value
        if "x_topics" in self.fields:
            self.fields["x_topics"].widget.choices = topic_choices
        rest = {k: v for k, v in self.extra.items() if k not in self.typed_keys}
        self.initial["extra_yaml"] = fm.dump(rest) if rest else ""
        self.initial["version"] = self.instance.version if self.instance.pk else None
        if self.instance.pk:
            self.fields["slug"].disabled = True
        else:
            self.fields["image"].widget.upload_name = ""  # a cover is kept under the slug: save the episode first

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        if self.fields.get("slug") and self.fields["slug"].disabled:
            exclude.add("slug")  # it cannot change here: no need to ask the database whether it is taken
        return exclude

    def clean(self):
        data = super().clean()
        # A stale page (the version seen is not the saved one) is refused by the save itself, under its lock.
        self.transcript_edits = transcript_edits(self.data)
        if self.transcript_edits and self.instance.pk:
            self.transcript_rows = edited_items(episode=self.instance, pks=self.transcript_edits)
            for pk, message in transcript_problems(self.transcript_rows, self.transcript_edits):
                self.add_error(None, message)
                self.transcript_errors.setdefault(pk, message)
        return data

    def clean_extra_yaml(self):
        text = self.cleaned_data["extra_yaml"]
        if not text.strip():
            return {}
        try:
            data = fm.load(text)
            fm.check_text_values(data, text)
        except fm.FormatError as exc:
            raise ValidationError(f"line {exc.line}: {exc.message}") from None
        if not isinstance(data, dict):
            raise ValidationError(ERR_EXTRA_NOT_MAPPING)
        for key in data:
            if key in COLUMN_KEYS or key in self.typed_keys:
                raise ValidationError(ERR_EXTRA_KNOWN_KEY.format(key=key))
        try:
            fm.dump_checked(data)
        except fm.FormatError as exc:
            raise ValidationError(exc.message) from None
        return data

    def extra_data(self) -> dict:
        """Return the new ``extra`` mapping: unchanged values kept as they were, in their order."""
        edited = {}
        for key in self.typed_keys:
            name = f"x_{key}"
            if name not in self.changed_data:
                if key in self.extra:
                    edited[key] = self.extra[key]
                continue
            value = self.cleaned_data[name]
            if EXTRA_FIELDS[key][0] is list:
                value = [line.strip() for line in (value or "").splitlines() if line.strip()]
            if value in ("", None, []):
                continue  # a cleared field removes the key
            edited[key] = value
        if "extra_yaml" in self.changed_data:
            edited.update(self.cleaned_data["extra_yaml"])
        else:
            edited.update({k: v for k, v in self.extra.items() if k not in self.typed_keys})
        # Keys keep their place; new ones go last.
        ordered = {k: edited[k] for k in self.extra if k in edited}
        ordered.update({k: v for k, v in edited.items() if k not in ordered})
        return ordered
