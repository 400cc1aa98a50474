"""The site's git repository as the CMS last saw it: the pull and push state, and each file's base."""

from django.db import models

from .episodes import Episode, Person


class SiteState(models.Model):
    """Where the CMS stands with the site's git repository (a single row): the last pull and the last push."""

    repo = models.TextField(blank=True, help_text="The working tree last pulled from.")
    branch = models.CharField(max_length=255, blank=True, help_text="The branch checked out at the last pull.")
    commit = models.CharField(max_length=64, blank=True, help_text="The commit last pulled.")
    pulled_at = models.DateTimeField(null=True, blank=True)
    pushed_branch = models.CharField(max_length=255, blank=True)
    pushed_commit = models.CharField(max_length=64, blank=True)
    pushed_from = models.CharField(max_length=64, blank=True, help_text="The pulled commit that branch grew from.")
    pushed_at = models.DateTimeField(null=True, blank=True)
    pushing = models.JSONField(
        default=dict,
        blank=True,
        help_text=(
            "A push under way, written before its branch moves: the branch, the commit, the branch's tip before, "
            "the remote and the files, so that a push stopped midway is finished or undone by the next one."
        ),
    )

    class Meta:
        verbose_name = "site state"

    def __str__(self):
        return f"pulled {self.commit[:7] or 'nothing'}"

    @classmethod
    def load(cls) -> "SiteState":
        return cls.objects.get_or_create(pk=1)[0]


class SiteFileQuerySet(models.QuerySet):
    def in_conflict(self):
        return self.exclude(conflict_blob="")

    def refused(self):
        return self.exclude(problem="")

    def waiting(self):
        """Files pushed to a branch whose changes are not in the pulled commit yet."""
        return self.exclude(pushed_blob="")


class SiteFile(models.Model):
    """One episode or people file of the site's repository as the CMS last saw it: the base of merges and pushes."""

    path = models.CharField(max_length=1000, unique=True, help_text="The file's path in the repository.")
    episode = models.OneToOneField(Episode, null=True, blank=True, on_delete=models.SET_NULL, related_name="site_file")
    person = models.OneToOneField(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="site_file")
    text = models.TextField(
        blank=True, help_text="The file as last pulled (line endings normalised): the base of every merge."
    )
    blob = models.CharField(max_length=64, blank=True, help_text="git's id of the file as last pulled.")
    upstream_blob = models.CharField(max_length=64, blank=True, help_text="git's id of the file in the pulled commit.")
    version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The episode's version when it last held exactly the pulled file's data."
    )
    pushed_text = models.TextField(
        blank=True, help_text="The file as last pushed, until the pulled branch has its changes ('' otherwise)."
    )
    pushed_blob = models.CharField(max_length=64, blank=True, help_text="git's id of the file as last pushed.")
    pushed_version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The episode's version that the last push wrote."
    )
    pushed_from = models.CharField(
        max_length=64, blank=True, help_text="The pulled commit that the branch of the last push grew from."
    )
    synced_at = models.DateTimeField(null=True, blank=True, help_text="When the CMS last held this file's data.")
    problem = models.TextField(blank=True, help_text="Why the pulled version was refused ('line: what is wrong').")
    conflicts = models.JSONField(default=list, blank=True, help_text="What the last pull could not merge.")
    conflict_text = models.TextField(blank=True, help_text="The site's version that conflicts with the CMS.")
    conflict_blob = models.CharField(max_length=64, blank=True)

    objects = SiteFileQuerySet.as_manager()

    class Meta:
        ordering = ["path"]

    def __str__(self):
        return self.path


class Publish(SiteFile):
    """The editors' page for pulling from and publishing to the site; its permissions say who may do that."""

    class Meta:
        proxy = True
        verbose_name = "publish to the site"
        verbose_name_plural = "publish to the site"
