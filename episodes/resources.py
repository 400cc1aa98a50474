"""Spreadsheet import/export (django-import-export) for people and for transcript turns."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from . import services
from .format import frontmatter as fm
from .models import Episode, Person, TranscriptItem

ERR_NO_ITEM = "No transcript item at position {position} in episode '{slug}'; only existing items can be updated."
ERR_BAD_TIME = "'{time}' is not a time like 1:56 or 1:02:03."


# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"


def escape_cell(value):
    """Return ``value`` so that no spreadsheet runs it: a formula-like text gets a leading apostrophe.

    Text that already starts with an apostrophe gets one too, so that :func:`unescape_cell` gives back
    exactly what was exported. (django-import-export's own escaping only drops a leading '=', which
    leaves '+', '-' and '@' formulas and changes the text on the way back.)
    """
    if isinstance(value, str) and value.startswith((*FORMULA_STARTS, TEXT_MARK)):
        return TEXT_MARK + value
    return value


def unescape_cell(value):
    if isinstance(value, str) and value.startswith(TEXT_MARK):
        return value[len(TEXT_MARK) :]
    return value


class SpreadsheetSafe:
    """Escape every text cell on export and read it back on import."""

    def export(self, *args, **kwargs):
        dataset = super().export(*args, **kwargs)
        return _map_cells(dataset, escape_cell)

    def before_import(self, dataset, **kwargs):
        _map_cells(dataset, unescape_cell)
        super().before_import(dataset, **kwargs)


def _map_cells(dataset, convert):
    for index, row in enumerate(dataset):
        dataset[index] = tuple(convert(cell) for cell in row)
    return dataset


class PersonResource(SpreadsheetSafe, resources.ModelResource):
    """People keyed by their ``_people`` key; a row for a new key adds a profile."""

    class Meta:
        model = Person
        fields = (
            *("key", "name", "short", "picture", "github", "twitter", "linkedin", "web"),
            *("bio_short", "body", "is_host"),
        )
        import_id_fields = ("key",)
        skip_unchanged = True
        report_skipped = True

    def before_save_instance(self, instance, row, **kwargs):
        instance.has_profile = True
        instance.full_clean(exclude=["front_keys", "extra", "closing", "source_text"], validate_unique=False)


class TranscriptItemResource(SpreadsheetSafe, resources.ModelResource):
    """An episode's transcript as rows, so that speakers can be fixed in a spreadsheet and imported back.

    A row updates the existing item at (episode, position): its speaker, time and text. ``kind`` and ``sec``
    are exported for reference only (``sec`` follows the time). A row that matches no item is refused.
    The changes of each episode are saved as one edit through the editor's own service.
    """

    episode = fields.Field(attribute="episode", column_name="episode", widget=ForeignKeyWidget(Episode, "slug"))
    kind = fields.Field(attribute="kind", column_name="kind", readonly=True)
    sec = fields.Field(attribute="sec", column_name="sec", readonly=True)

    class Meta:
        model = TranscriptItem
        fields = ("episode", "position", "kind", "who", "sec", "time", "text")
        import_id_fields = ("episode", "position")
        skip_unchanged = True
        report_skipped = False
        use_transactions = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.pending: dict[int, dict[int, services.ItemEdit]] = {}

    def get_queryset(self):
        return super().get_queryset().select_related("episode").order_by("episode__slug", "position")

    def init_instance(self, row=None):
        raise ValidationError(ERR_NO_ITEM.format(position=row.get("position"), slug=row.get("episode")))

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        for name in ("who", "time", "text"):
            value = getattr(instance, name)
            setattr(instance, name, "" if value is None else str(value))
        time = instance.time.strip()
        if time and fm.time_to_seconds(time) is None:
            raise ValidationError({"time": ERR_BAD_TIME.format(time=time)})

    def save_instance(self, instance, is_create, row, **kwargs):
        # Collected here and written per episode in after_import, as one edit each.
        edit = services.ItemEdit(text=instance.text, who=instance.who, time=instance.time)
        self.pending.setdefault(instance.episode_id, {})[instance.pk] = edit

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        user = kwargs.get("user")
        for episode_id, edits in self.pending.items():
            services.transcript_save(episode=Episode.objects.get(pk=episode_id), edits=edits, user=user)
        self.pending = {}
