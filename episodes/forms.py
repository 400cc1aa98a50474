"""Forms of the editor: they parse and validate what the editor typed, and leave the changes to services."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError

from . import services
from .documents import database
from .format import frontmatter as fm
from .models import BodyLink, Episode, EpisodeGuest, Person, PlatformRef, Topic, slug_validator
from .services.speakers import LABEL_LIMIT
from .services.transcript import ERR_BAD_TIME
from .services.transcript import ERR_TOO_LONG as ERR_ITEM_TOO_LONG

ERR_NOT_HTTP = "Only http:// and https:// links are allowed."
ERR_EXTRA_NOT_MAPPING = "Other keys must be a YAML mapping of keys to values."
ERR_EXTRA_KNOWN_KEY = "'{key}' has its own field above; edit it there."
ERR_NOT_THIS_EPISODE = "Transcript item #{id} is not part of this episode (reload the page)."
ERR_ITEM_NUL = "Item {number}: a NUL character (U+0000) cannot be saved; remove it."
ERR_ITEM_NOT_TEXT = "Item {number}: the character {char} cannot be saved; remove it{hint}."
ERR_NOT_TEXT = "The character {char} cannot be saved (pages and the feed cannot show it); remove it{hint}."

# Newer front matter keys that get a field of their own when their value has this type.
EXTRA_FIELDS = {
    "description": (str, lambda: forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))),
    "intro": (str, lambda: forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))),
    "topics": (
        list,
        lambda: forms.CharField(
            required=False, help_text="One topic per line.", widget=forms.Textarea(attrs={"rows": 3})
        ),
    ),
    "dateadded": (datetime.date, lambda: forms.DateField(required=False, help_text="YYYY-MM-DD")),
    "duration": (str, lambda: forms.CharField(required=False, help_text="As shown, e.g. 58:23 or PT58M")),
}
COLUMN_KEYS = {*database.EPISODE_COLUMNS, "guests", "ids", "links", "transcript"}


def _is_time(value: str) -> bool:
    return not value.strip() or fm.time_to_seconds(value.strip()) is not None


def typed_keys(extra: dict) -> list[str]:
    """Return the newer keys that get a field of their own: absent, or present with the field's type."""
    return [key for key, (kind, _) in EXTRA_FIELDS.items() if key not in extra or _has_type(extra[key], kind)]


def _has_type(value, kind) -> bool:
    if kind is list:
        return isinstance(value, list) and all(isinstance(v, str) and "\n" not in v for v in value)
    if kind is datetime.date:
        return type(value) is datetime.date
    return isinstance(value, kind)


def http_url(value: str) -> str:
    """Return ``value`` stripped, refusing anything but an absolute http(s) URL."""
    value = value.strip()
    if not value.lower().startswith(("http://", "https://")) or any(c.isspace() for c in value):
        raise ValidationError(ERR_NOT_HTTP, code="not_http")
    return value


class KnownRowField(forms.ModelChoiceField):
    """The hidden id of a list row, found among the rows its formset has already read (not one query each)."""

    def __init__(self, rows: Callable[[], dict[str, object]], **kwargs):
        super().__init__(**kwargs)
        self.rows = rows

    def to_python(self, value):
        if value in self.empty_values:
            return None
        row = self.rows().get(str(value))
        if row is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return row


class ListFormSet(forms.BaseInlineFormSet):
    """A small ordered list's formset: rows are read once, with the formset's own query."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # A tabular row's fields have the column header above them, which is no label to a screen reader.
        row = "the new row" if index is None else f"row {index + 1}"
        noun = self.model._meta.verbose_name
        for field in form.fields.values():
            if not field.widget.is_hidden:
                label = "Delete" if field.label == "Delete" else field.label or ""
                field.widget.attrs.setdefault("aria-label", f"{label} ({noun}, {row})")
        name = self._pk_field.name
        field = form.fields.get(name)
        if isinstance(field, forms.ModelChoiceField) and not isinstance(field, KnownRowField):
            form.fields[name] = KnownRowField(
                self.known_rows, queryset=field.queryset, initial=field.initial, required=False, widget=field.widget
            )

    def known_rows(self) -> dict[str, object]:
        if not hasattr(self, "_known_rows"):
            self._known_rows = {str(row.pk): row for row in self.get_queryset()}
        return self._known_rows


class ListRowForm(forms.ModelForm):
    """A row of a small ordered list: positions are numbered by the service and the database guards
    uniqueness, so a row is not checked against the database one query at a time (the formset still
    refuses duplicates among the posted rows)."""

    def validate_unique(self):
        pass

    def _get_validation_exclusions(self):
        # A chosen person was read by the choice field itself; checking that it exists costs a query more.
        return super()._get_validation_exclusions() | {"person"}


class ExactTextMixin:
    """Keep text exactly as typed, and know what the editor changed relative to the page they saw.

    Django strips CharField input by default, which would turn an untouched body such as
    "\n\nLinks:\n\n" into a change on every save; the browser's CRLF line breaks go back to LF.
    Every field also posts the value the page showed (``show_hidden_initial``), so ``changed_data`` is
    what this editor changed even when someone else saved the episode in between.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name not in ("version", "id", "DELETE", "episode"):
                field.show_hidden_initial = True
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.strip = False
                if isinstance(field.widget, forms.Textarea):
                    field.to_python = _lf(field.to_python)

    def clean(self):
        data = super().clean()
        refuse_not_text(self)
        return data


def refuse_not_text(form: forms.BaseForm) -> None:
    """Add an error to each field whose cleaned text holds a character XML and HTML cannot carry."""
    for name, value in list(form.cleaned_data.items()):
        char = fm.not_text_char(value)
        if char:
            words, hint = fm.char_words(char)
            form.add_error(name, ValidationError(ERR_NOT_TEXT.format(char=words, hint=hint), code="not_text"))


def _remembered(to_python):
    found = {}

    def convert(value):
        key = str(value)
        if key not in found:
            found[key] = to_python(value)
        return found[key]

    return convert


def _lf(to_python):
    def convert(value):
        value = to_python(value)
        return value.replace("\r\n", "\n") if isinstance(value, str) else value

    return convert


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
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.extra = database.episode_extra(self.instance) if self.instance.pk else {}
        self.typed_keys = typed_keys(self.extra)
        for key in self.typed_keys:
            self.fields[f"x_{key}"] = EXTRA_FIELDS[key][1]()
            self.fields[f"x_{key}"].label = key
            value = self.extra.get(key)
            self.initial[f"x_{key}"] = "\n".join(value) if isinstance(value, list) else value
        rest = {k: v for k, v in self.extra.items() if k not in self.typed_keys}
        self.initial["extra_yaml"] = fm.dump(rest) if rest else ""
        self.initial["version"] = self.instance.version if self.instance.pk else None
        if self.instance.pk:
            self.fields["slug"].disabled = True

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        if self.fields.get("slug") and self.fields["slug"].disabled:
            exclude.add("slug")  # it cannot change here: no need to ask the database whether it is taken
        return exclude

    def clean(self):
        data = super().clean()
        if getattr(self, "save_error", ""):
            # The save itself failed (a full disk): show the page again with everything typed.
            raise ValidationError(self.save_error, code="save_failed")
        seen = data.get("version")
        if self.instance.pk and seen is not None and seen != self.instance.version:
            raise ValidationError(str(services.StaleEpisode(self.instance)), code="stale")
        self.transcript_edits = transcript_edits(self.data)
        self.transcript_errors = {}
        if self.transcript_edits and self.instance.pk:
            self._check_transcript_edits()
        return data

    def _check_transcript_edits(self) -> None:
        """Refuse transcript input that cannot be saved, each problem shown at the top and on its row."""
        positions = dict(self.instance.items.filter(pk__in=self.transcript_edits).values_list("pk", "position"))
        problems = []
        for pk, edit in self.transcript_edits.items():
            if pk not in positions:
                problems.append((-1, pk, ERR_NOT_THIS_EPISODE.format(id=pk)))
                continue
            number = positions[pk] + 1
            values = [value for value in (edit.text, edit.who, edit.time) if value is not None]
            if any("\x00" in value for value in values):
                problems.append((number, pk, ERR_ITEM_NUL.format(number=number)))
            elif char := fm.not_text_char(values):
                char, hint = fm.char_words(char)
                problems.append((number, pk, ERR_ITEM_NOT_TEXT.format(number=number, char=char, hint=hint)))
            if edit.who is not None and len(edit.who.strip()) > LABEL_LIMIT:
                problems.append(
                    (number, pk, ERR_ITEM_TOO_LONG.format(number=number, field="speaker", limit=LABEL_LIMIT))
                )
            if edit.time and not _is_time(edit.time):
                problems.append((number, pk, ERR_BAD_TIME.format(number=number, time=edit.time.strip())))
        for _, pk, message in sorted(problems, key=lambda p: p[0]):
            self.add_error(None, message)
            self.transcript_errors.setdefault(pk, message)

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


class PersonForm(ExactTextMixin, forms.ModelForm):
    """A profile: text kept as typed, so a biography's leading blank lines survive a save."""

    class Meta:
        model = Person
        fields = [
            *("key", "name", "short", "picture", "is_host", "has_profile"),
            *("github", "twitter", "linkedin", "web", "bio_short", "body", "extra"),
        ]


class GuestForm(ExactTextMixin, ListRowForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The posted person and the one the page showed (show_hidden_initial) are usually the same: one query.
        field = self.fields["person"]
        field.to_python = _remembered(field.to_python)

    class Meta:
        model = EpisodeGuest
        fields = ["person", "position"]
        widgets = {"position": forms.HiddenInput(attrs={"class": "row-position"})}


class BodyLinkForm(ExactTextMixin, ListRowForm):
    class Meta:
        model = BodyLink
        fields = ["position", "text", "url", "new_tab"]
        widgets = {"position": forms.HiddenInput(attrs={"class": "row-position"})}

    def clean_url(self):
        url = self.cleaned_data["url"]
        # Only what the editor typed is checked: an imported link stays as it was until someone edits it.
        return http_url(url) if "url" in self.changed_data else url


class PlatformRefForm(ExactTextMixin, ListRowForm):
    class Meta:
        model = PlatformRef
        fields = ["mapping", "platform", "value", "position"]
        widgets = {"position": forms.HiddenInput(attrs={"class": "row-position"})}

    def clean(self):
        data = super().clean()
        if data.get("mapping") == PlatformRef.Mapping.LINKS and "value" in self.changed_data and data.get("value"):
            try:
                data["value"] = http_url(data["value"])
            except ValidationError as exc:
                self.add_error("value", exc)
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".md,.zip"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class UploadForm(forms.Form):
    files = MultipleFileField(label="Episode files", help_text="Episode .md files, or a .zip (with _people/ profiles).")
    force = forms.BooleanField(
        required=False,
        label="Overwrite episodes edited in the CMS",
        help_text="Without this, an episode changed here since its last import or export is refused.",
    )


def transcript_edits(data) -> dict[int, services.ItemEdit]:
    """Collect the transcript fields ``item-<id>-<text|who|time>`` the editor's page posted."""
    edits: dict[int, services.ItemEdit] = {}
    for name in data:
        if field := transcript_field(name):
            pk, attr = field
            setattr(edits.setdefault(pk, services.ItemEdit()), attr, posted_text(data[name]))
    return edits


ITEM_FIELDS = ("text", "who", "time")


def item_field_name(pk: int, name: str) -> str:
    """Return the page's name for a transcript field: ``item-<id>-<text|who|time>``."""
    return f"item-{pk}-{name}"


def transcript_field(name: str) -> tuple[int, str] | None:
    """Return (item id, field) of a transcript field name like ``item-12-text``, else None."""
    parts = name.split("-")
    if len(parts) != 3 or parts[0] != "item" or parts[2] not in ITEM_FIELDS or not parts[1].isdigit():
        return None
    return int(parts[1]), parts[2]


def posted_text(value: str) -> str:
    """Return a posted text with a browser's CRLF line breaks as the files' LF."""
    return value.replace("\r\n", "\n")


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

    def clean(self):
        data = super().clean()
        if not data.get("file") and not (data.get("text") or "").strip():
            raise ValidationError("Choose a transcript file or paste the transcript.", code="empty")
        return data

    def uploads(self) -> list:
        """Return the transcript and (if any) the chapter list as files to stage, the transcript first."""
        from django.core.files.base import ContentFile  # noqa: PLC0415

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


class TopicForm(forms.ModelForm):
    """A curated topic: its name and its aliases, one a line."""

    aliases = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Other names of this topic, one a line: episodes using them count as on the list.",
    )

    class Meta:
        model = Topic
        fields = ["name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["aliases"] = "\n".join(self.instance.aliases)

    def clean_aliases(self) -> list[str]:
        lines = self.cleaned_data["aliases"].split("\n")
        return list(dict.fromkeys(line.strip() for line in lines if line.strip()))

    def save(self, commit=True):
        self.instance.aliases = self.cleaned_data["aliases"]
        return super().save(commit)
