"""Episodes, the people who appear in them, and which people are an episode's guests.

One module for the three: an episode lists its guests through ``EpisodeGuest``, and a person's public
queries look through the guests of published episodes.

A file's front matter keys that have no column here are kept, with their YAML types, in an ``extra``
YAML mapping, and the file's key order in ``front_keys``: :mod:`episodes.documents.database` maps both ways.
"""

from django.conf import settings
from django.db import models

from .names import SLUG_MAX_LENGTH, slug_validator
from .topics import EpisodeTopic

# Person columns only the profile and the export need (as looked up from a guest row).
LONG_PERSON_FIELDS = ("person__source_text", "person__body", "person__extra", "person__front_keys")


class PersonQuerySet(models.QuerySet):
    def with_profile(self):
        return self.filter(has_profile=True)

    def public(self):
        """People with a profile, or who are guests of a published episode (not those known from drafts only)."""
        published = Episode.Status.PUBLISHED
        in_published = EpisodeGuest.objects.filter(person=models.OuterRef("pk"), episode__status=published)
        return self.filter(models.Q(has_profile=True) | models.Exists(in_published))


class Person(models.Model):
    key = models.CharField(
        max_length=SLUG_MAX_LENGTH,
        unique=True,
        validators=[slug_validator],
        help_text="The profile's file name in _people without '.md'; episodes list guests by this key.",
    )
    short = models.CharField(max_length=200, blank=True, help_text="Usually the same as the key.")
    name = models.CharField(max_length=300, blank=True, help_text="Full name, shown on the site ('title' in the file).")
    picture = models.CharField(max_length=500, blank=True, help_text="Image path, e.g. images/authors/key.jpg.")
    github = models.CharField(max_length=300, blank=True, help_text="GitHub user name.")
    twitter = models.CharField(max_length=300, blank=True, help_text="Twitter/X handle, without @.")
    linkedin = models.CharField(max_length=300, blank=True, help_text="LinkedIn profile name (the part after /in/).")
    web = models.CharField(max_length=500, blank=True, help_text="Personal website URL.")
    bio_short = models.TextField(blank=True, help_text="One-line bio.")
    body = models.TextField(blank=True, help_text="The biography, in markdown.")
    demo = models.BooleanField(
        default=False, editable=False, help_text="Made by setup_demo: never published to the site."
    )
    is_host = models.BooleanField(
        default=False, help_text="Hosts speak in every episode without being listed as guests."
    )
    has_profile = models.BooleanField(
        default=False, help_text="Unticked for a guest key that appeared in an episode without a _people profile."
    )
    front_keys = models.JSONField(default=list, blank=True, editable=False)
    extra = models.TextField(blank=True, help_text="Other front matter keys, as YAML.")
    # Text, not a short varchar: PostgreSQL silently cuts trailing spaces that overflow a varchar.
    closing = models.TextField(default="---", editable=False)
    source_text = models.TextField(blank=True, editable=False)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["key"]
        verbose_name_plural = "people"
        # The hosts, by key: every episode page and the feed read them, and a scan of every person would grow
        # with the people of the whole archive.
        indexes = [models.Index(fields=["key"], condition=models.Q(is_host=True), name="person_hosts")]

    def __str__(self):
        return self.name or self.key

    @property
    def bio(self) -> str:
        return self.body.strip()


class EpisodeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Episode.Status.PUBLISHED)

    def edited_since_sync(self):
        return self.exclude(version=models.F("synced_version"))

    def newest_first(self):
        # Explicit NULLS LAST: PostgreSQL would put episodes without a season first.
        return self.order_by(models.F("season").desc(nulls_last=True), models.F("number").desc(nulls_last=True), "slug")

    def with_guests(self):
        """Read each episode's guests with one more query, in order (not the people's long texts)."""
        rows = EpisodeGuest.objects.select_related("person").defer(*LONG_PERSON_FIELDS).order_by("position")
        return self.prefetch_related(models.Prefetch("guest_rows", queryset=rows))

    def for_lists(self):
        """Leave out what lists never show: the file as imported (tens of KB each) and the body."""
        return self.defer("source_text", "body", "body_after", "front_keys")


class Episode(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    slug = models.CharField(
        max_length=SLUG_MAX_LENGTH,
        unique=True,
        validators=[slug_validator],
        help_text="The file name without '.md'; also the page address.",
    )
    title = models.CharField(max_length=500, blank=True)
    short = models.CharField(max_length=500, blank=True, help_text="Short title for lists.")
    season = models.IntegerField(null=True, blank=True)
    number = models.IntegerField("episode", null=True, blank=True, help_text="Episode number within the season.")
    image = models.CharField(max_length=500, blank=True, help_text="Cover image path, e.g. images/podcast/slug.jpg.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PUBLISHED)
    demo = models.BooleanField(
        default=False, editable=False, help_text="Made by setup_demo: never published to the site."
    )
    guests = models.ManyToManyField(Person, through="EpisodeGuest", related_name="episodes", blank=True)

    front_keys = models.JSONField(default=list, blank=True, editable=False)
    extra = models.TextField(blank=True, help_text="Other front matter keys, as YAML.")
    body = models.TextField(blank=True, help_text="Body text before the link list, or the whole body.")
    body_after = models.TextField(blank=True, help_text="Body text after the link list.")
    # Text, not a short varchar: PostgreSQL silently cuts trailing spaces that overflow a varchar.
    closing = models.TextField(default="---", editable=False)

    source_text = models.TextField(blank=True, editable=False, help_text="The file as last imported or exported.")
    version = models.PositiveIntegerField(default=1, editable=False)
    synced_version = models.PositiveIntegerField(default=1, editable=False)
    synced_at = models.DateTimeField(null=True, blank=True, editable=False)
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, editable=False, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # From the site's git history, never from or into the file (sync_site pull keeps them).
    site_added_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the site's repository added the file: the feed's date when the file has no dateadded.",
    )
    site_changed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the site's repository last changed the file: the sitemap's date, unless edited here since.",
    )
    warning_count = models.PositiveIntegerField(
        default=0, editable=False, help_text="Problems found in the transcript."
    )
    item_count = models.PositiveIntegerField(
        "items", default=0, editable=False, help_text="Section headers and turns in the transcript."
    )

    objects = EpisodeQuerySet.as_manager()

    class Meta:
        # Without nulls_last, PostgreSQL lists episodes without a season first and SQLite last.
        ordering = [
            models.F("season").desc(nulls_last=True),
            models.F("number").desc(nulls_last=True),
            "slug",
        ]
        # Lists read a page of episodes in the order of one of these, not every row: on SQLite a row's
        # columns after its long texts cost a walk through the texts' overflow pages. The first two serve
        # the default order (SQLite sorts nulls last when descending) of the public lists and of the
        # admin's, with or without a season; the others the admin list's sortable columns, ties broken
        # by id (an index's last key) either way.
        indexes = [
            models.Index(fields=["status", "-season", "-number", "slug"], name="episode_public_order"),
            models.Index(fields=["-season", "-number", "slug"], name="episode_list_order"),
            models.Index(fields=["season"], name="episode_season"),
            models.Index(fields=["title"], name="episode_title"),
            models.Index(fields=["item_count"], name="episode_item_count"),
            models.Index(fields=["edited_at"], name="episode_edited_at"),
            models.Index(fields=["warning_count"], name="episode_warning_count"),
            models.Index(fields=["status"], name="episode_status"),
        ]

    def __str__(self):
        return self.title or self.slug

    def save(self, *args, **kwargs):
        """Save, and keep the episode's topic rows in step with its ``topics`` key when ``extra`` is written.

        Here rather than in each writer (import, pull, the editor's save, clips, revert): the related
        episodes of every public page are found through these rows, and a writer that forgot them would
        leave pages pointing at the wrong episodes with nothing to show it.
        """
        update_fields = kwargs.get("update_fields")
        inserting = self.pk is None or kwargs.get("force_insert")
        super().save(*args, **kwargs)
        if update_fields is None or "extra" in update_fields:
            stored = getattr(self, "_stored_extra", None)
            if inserting or stored != self.extra:
                EpisodeTopic.objects.keep(self, old=None if stored is None and not inserting else stored or "")
            self._stored_extra = self.extra

    @classmethod
    def from_db(cls, db, field_names, values):
        episode = super().from_db(db, field_names, values)
        episode._stored_extra = episode.__dict__.get("extra")  # None when deferred: not known
        return episode

    @property
    def edited_since_sync(self) -> bool:
        return self.version != self.synced_version


class EpisodeGuest(models.Model):
    # The unique (episode, position) index also serves lookups by episode.
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="guest_rows", db_index=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="guest_rows")
    position = models.IntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "position"], name="unique_guest_position"),
        ]

    def __str__(self):
        return self.person.key
