"""An episode's history: its saved revisions, and the old names of renamed episodes and people."""

from django.conf import settings
from django.db import models

from .episodes import Episode, Person
from .names import SLUG_MAX_LENGTH


class RevisionQuerySet(models.QuerySet):
    def for_episode(self, episode):
        return self.filter(episode=episode).select_related("user").order_by("-version", "-pk")


class Revision(models.Model):
    """One saved state of an episode: who, when, what, and the file text it exported to, compressed.

    An import keeps the file as imported (``is_source``); its canonical text is that file written back,
    which the lossless mapping makes the same as exporting the rows the import wrote.
    """

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField(help_text="The episode's version after this change.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.CharField(max_length=500)
    compressed_text = models.BinaryField()
    is_source = models.BooleanField(default=False)

    objects = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ["-version", "-pk"]
        indexes = [models.Index(fields=["episode", "version"], name="revision_episode_version")]

    def __str__(self):
        return f"{self.episode} v{self.version}: {self.summary}"


# -- old addresses ----------------------------------------------------------------------------------


class RedirectQuerySet(models.QuerySet):
    def target(self, old: str):
        """Return the episode or person that was once at ``old`` (None if nothing was)."""
        row = self.filter(old=old).select_related("target").first()
        return row.target if row is not None else None


class Redirect(models.Model):
    """An old name of a renamed file: the old addresses of its page redirect permanently to the new ones."""

    old = models.CharField(max_length=SLUG_MAX_LENGTH, unique=True, help_text="The name it had before.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RedirectQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.old} → {self.target}"


class EpisodeRedirect(Redirect):
    target = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="old_slugs")


class PersonRedirect(Redirect):
    target = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="old_keys")
