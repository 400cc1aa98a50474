"""Suggestions from a language model, one per field of an episode, waiting for an editor or decided; and each
episode's transcript as the prompts take it."""

from django.conf import settings
from django.db import models
from django.db.models.functions import TruncMonth

from .episodes import Episode
from .jobs import Job


class SuggestionQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=Suggestion.Status.PENDING)

    def cost_by_month(self):
        """Return (month, requests, input tokens, output tokens, cost) rows, newest month first."""
        month = TruncMonth("created_at")
        return (
            self.annotate(month=month)
            .values("month")
            .annotate(
                requests=models.Count("pk"),
                input_tokens=models.Sum("input_tokens"),
                output_tokens=models.Sum("output_tokens"),
                cost=models.Sum("cost"),
            )
            .order_by("-month")
        )


class Suggestion(models.Model):
    """One answer of the language model for one field of an episode, waiting for an editor or decided."""

    class Field(models.TextChoices):
        CHAPTERS = "chapters", "Chapters"
        TITLE = "title", "Title"
        DESCRIPTION = "description", "Description"
        INTRO = "intro", "Intro"
        TOPICS = "topics", "Topics"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        REPLACED = "replaced", "Replaced by a newer suggestion"

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="suggestions")
    field = models.CharField(max_length=20, choices=Field.choices)
    prompt_version = models.CharField(max_length=50, help_text="The prompt it was asked with, e.g. title.v1.")
    model = models.CharField(max_length=200, help_text="The language model that wrote it.")
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    cost = models.DecimalField(
        max_digits=12, decimal_places=6, default=0, help_text="US dollars, from the configured token prices."
    )
    value = models.TextField(blank=True, help_text="The suggested text; you can correct it before accepting.")
    current = models.TextField(blank=True, editable=False, help_text="The field's value when it was suggested.")
    warnings = models.JSONField(default=list, blank=True, help_text="What the checks found in the suggestion.")
    error = models.TextField(blank=True, help_text="Why the answer could not be used (nothing to accept).")
    base_version = models.PositiveIntegerField(help_text="The episode's version the request started from.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["episode", "field", "status"], name="suggestion_episode_field")]

    def __str__(self):
        return f"{self.get_field_display()} for {self.episode}"


class PromptDigest(models.Model):
    """An episode's transcript as the suggestion prompts take it (``episodes.format.transcript_digest``), made
    when the transcript is written: a batch reads this row, not every turn. One made from another version of
    the episode than its current one is stale, and made again when read."""

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, primary_key=True, related_name="+")
    version = models.PositiveIntegerField(help_text="The episode's version it was made from.")
    # On PostgreSQL both texts are stored uncompressed (migration 0028): a migration that alters their type
    # sets their storage back to the default, and must set it again.
    text = models.TextField(blank=True, help_text="The turns' lines, as the prompts give them.")
    data = models.TextField(help_text="The rest of the digest, as JSON.")

    def __str__(self):
        return f"Prompt digest of {self.episode_id} at version {self.version}"
