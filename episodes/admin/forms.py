"""The admin pages' forms besides the editor's: text kept as typed, http links, people, topics, uploads."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from ..format import frontmatter as fm
from ..models import Person, Topic

ERR_NOT_HTTP = "Only http:// and https:// links are allowed."
ERR_NOT_TEXT = "The character {char} cannot be saved (pages and the feed cannot show it); remove it{hint}."


def http_url(value: str) -> str:
    """Return ``value`` stripped, refusing anything but an absolute http(s) URL."""
    value = value.strip()
    if not value.lower().startswith(("http://", "https://")) or any(c.isspace() for c in value):
        raise ValidationError(ERR_NOT_HTTP, code="not_http")
    return value


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


def _lf(to_python):
    def convert(value):
        value = to_python(value)
        return value.replace("\r\n", "\n") if isinstance(value, str) else value

    return convert


class PersonForm(ExactTextMixin, forms.ModelForm):
    """A profile: text kept as typed, so a biography's leading blank lines survive a save."""

    class Meta:
        model = Person
        fields = [
            *("key", "name", "short", "picture", "is_host", "has_profile"),
            *("github", "twitter", "linkedin", "web", "bio_short", "body", "extra"),
        ]


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
