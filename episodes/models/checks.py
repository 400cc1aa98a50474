"""The editorial rules' findings: each episode's problems and the archive's health over time."""

from django.db import models

from .episodes import Episode


class EpisodeProblem(models.Model):
    """How often an episode breaks one editorial rule (episodes.format.checks), kept on every save and import."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="problems", db_index=False)
    rule = models.CharField(max_length=50, help_text="The rule's name, e.g. title-length.")
    count = models.PositiveIntegerField(default=1, help_text="How many times the episode breaks it.")

    class Meta:
        ordering = ["rule"]
        constraints = [models.UniqueConstraint(fields=["episode", "rule"], name="unique_episode_problem")]
        # The health page counts by rule, and the episode list filters by it.
        indexes = [models.Index(fields=["rule", "episode"], name="episode_problem_rule")]

    def __str__(self):
        return f"{self.episode_id}: {self.rule} ×{self.count}"


class HealthSnapshot(models.Model):
    """The episodes failing each rule at one moment (after a pull, or a full check): the health page's trend."""

    taken_at = models.DateTimeField(auto_now_add=True, db_index=True)
    commit = models.CharField(max_length=64, blank=True, help_text="The site's commit pulled, if a pull took it.")
    episodes = models.PositiveIntegerField(help_text="How many episodes there were.")
    counts = models.JSONField(default=dict, help_text="Episodes failing each rule, by rule name.")

    class Meta:
        ordering = ["-taken_at", "-pk"]

    def __str__(self):
        return f"{self.taken_at:%Y-%m-%d %H:%M} {self.commit[:7]}"


class Health(HealthSnapshot):
    """The editors' archive health page: each rule with the episodes breaking it (its admin is the page)."""

    class Meta:
        proxy = True
        verbose_name = "archive health"
        verbose_name_plural = "archive health"
