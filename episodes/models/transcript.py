"""An episode's transcript: its items (section headers and turns) and the editors' choice of who each speaker is."""

from django.db import models

from .episodes import Episode, Person


def default_turn_keys():
    return ["line", "sec", "time", "who"]


class TranscriptItemQuerySet(models.QuerySet):
    def public_turns(self):
        """Turns of published episodes: what transcript search looks through."""
        return self.filter(kind=TranscriptItem.Kind.TURN, episode__status=Episode.Status.PUBLISHED)


class TranscriptItem(models.Model):
    class Kind(models.TextChoices):
        HEADER = "header", "Section header"
        TURN = "turn", "Turn"
        RAW = "raw", "Other"

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="items", db_index=False)
    position = models.IntegerField()
    kind = models.CharField(max_length=6, choices=Kind.choices, default=Kind.TURN)
    text = models.TextField(blank=True, help_text="The spoken words, or the section title for a header.")
    who = models.CharField(max_length=200, blank=True, help_text="Speaker label as written in the transcript.")
    sec = models.IntegerField(null=True, blank=True, help_text="Start time in seconds.")
    time = models.CharField(max_length=20, blank=True, help_text="Start time as shown, e.g. 1:56 or 1:02:03.")
    keys = models.JSONField(default=default_turn_keys, editable=False)
    extra = models.TextField(blank=True, editable=False)

    objects = TranscriptItemQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "position"], name="unique_item_position"),
        ]

    def __str__(self):
        return f"{self.position}: {self.text[:40]}"

    @property
    def is_header(self) -> bool:
        return self.kind == self.Kind.HEADER


class Speaker(models.Model):
    """An editor's choice of who a speaker label is in one episode (labels match first names otherwise)."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="speakers")
    label = models.CharField(max_length=200, help_text="The label as written in the transcript's 'who'.")
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="speaker_labels",
        help_text="Empty: this label is nobody in the people list (it is not matched automatically).",
    )

    class Meta:
        ordering = ["label"]
        constraints = [models.UniqueConstraint(fields=["episode", "label"], name="unique_speaker_label")]

    def __str__(self):
        return f"{self.label} → {self.person or 'nobody'}"
