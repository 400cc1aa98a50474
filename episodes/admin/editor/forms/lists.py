"""The small ordered lists of the episode page (guests, platform ids and links, body links): their rows' forms."""

from __future__ import annotations

import copy
from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError

from ....models import BodyLink, EpisodeGuest, PlatformRef
from ...forms import ExactTextMixin, http_url


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
    """A small ordered list's formset: rows are read once, with the formset's own query.

    ``as_read`` keeps them as stored (copies: validating the forms writes the posted values on the rows), for a
    save that records the list without reading it again (services.Locked); None when the formset does not hold
    the episode's rows (a new episode, or an editor the inline shows no rows to).
    """

    as_read: list | None = None

    def get_queryset(self):
        first = not hasattr(self, "_queryset")
        queryset = super().get_queryset()
        if first and not queryset.query.is_empty():
            self.as_read = [copy.copy(row) for row in queryset]
        return queryset

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


def _remembered(to_python, found: dict):

    def convert(value):
        key = str(value)
        if key not in found:
            found[key] = to_python(value)
        return found[key]

    return convert


class GuestForm(ExactTextMixin, ListRowForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The posted person and the one the page showed (show_hidden_initial) are usually the row's own, read with
        # it (GuestInline's queryset): no query; another person is read once.
        found = {}
        if self.instance.pk is not None and EpisodeGuest.person.is_cached(self.instance):
            found[str(self.instance.person_id)] = self.instance.person
        field = self.fields["person"]
        field.to_python = _remembered(field.to_python, found)

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
