"""An episode's links: the front matter's ``ids`` and ``links`` mappings and the body's ``Links:`` list."""

from django.db import models

from .episodes import Episode


class PlatformRef(models.Model):
    """One entry of the front matter's ``ids`` or ``links`` mapping."""

    class Mapping(models.TextChoices):
        IDS = "ids", "id"
        LINKS = "links", "link"

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="platform_refs", db_index=False)
    mapping = models.CharField(max_length=5, choices=Mapping.choices)
    platform = models.CharField(max_length=100, help_text="youtube, spotify, apple, anchor, ...")
    value = models.CharField(max_length=1000)
    position = models.IntegerField()

    class Meta:
        ordering = ["mapping", "position"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "mapping", "platform"], name="unique_platform_ref"),
        ]

    def __str__(self):
        return f"{self.mapping}.{self.platform}"


class BodyLink(models.Model):
    """One line of the body's ``Links:`` list."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="body_links", db_index=False)
    position = models.IntegerField()
    text = models.CharField(max_length=1000, blank=True, help_text="Link text; empty shows the address itself.")
    url = models.CharField(max_length=2000)
    marker = models.CharField(max_length=1, default="*", editable=False)
    new_tab = models.BooleanField(default=True, help_text="Open in a new tab.")

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "position"], name="unique_body_link_position"),
        ]

    def __str__(self):
        return self.text or self.url
