"""Episodes, people, transcripts and links, shaped for editing with ordinary queries.

A file's front matter keys that have no column here are kept, with their YAML types, in an ``extra``
YAML mapping, and the file's key order in ``front_keys``: :mod:`episodes.documents.database` maps both ways.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import TruncMonth

from .format import frontmatter as fm
from .format.topics import topic_keys

# A file name without its '.md', as any git repository (and so Jekyll) can hold it: no '/' and no NUL.
# '.' and '..' cannot be page addresses (browsers resolve them away), so they are refused.
SLUG_PATTERN = r"[^/\x00]+"
SLUG_MAX_LENGTH = 255
ERR_NAME_EMPTY = "the file name is empty"
ERR_NAME_SLASH = "the file name cannot contain '/' or a NUL character"
ERR_NAME_DOTS = "'.' and '..' cannot be file names"
ERR_NAME_LONG = "the file name is longer than {limit} characters"
ERR_NAME_NOT_TEXT = "the file name is not valid UTF-8"


def name_problem(name: str) -> str | None:
    """Return why ``name`` (a file name without '.md') cannot name an episode or person, or None."""
    if not name:
        return ERR_NAME_EMPTY
    if "/" in name or "\x00" in name:
        return ERR_NAME_SLASH
    if name in (".", ".."):
        return ERR_NAME_DOTS
    if len(name) > SLUG_MAX_LENGTH:
        return ERR_NAME_LONG.format(limit=SLUG_MAX_LENGTH)
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # os.fsdecode keeps undecodable bytes as lone surrogates
        return ERR_NAME_NOT_TEXT
    return None


def slug_validator(value: str) -> None:
    problem = name_problem(value)
    if problem:
        raise ValidationError(problem[:1].upper() + problem[1:] + ".", code="invalid")


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


class EpisodeTopicQuerySet(models.QuerySet):
    def keep(self, episode: Episode, *, old: str | None) -> None:
        """Make ``episode``'s rows its topics' keys; ``old`` is the ``extra`` text the rows were made from
        (None: not known, so every row is replaced)."""
        keys = _topic_keys(episode.extra)
        old_keys = None if old is None else _topic_keys(old)
        if old_keys == keys:
            return
        if old_keys != []:
            self.filter(episode=episode).delete()
        if keys:
            self.bulk_create(EpisodeTopic(episode=episode, key=key, position=i) for i, key in enumerate(keys))


def _topic_keys(extra_text: str) -> list[int]:
    if "topics" not in extra_text:
        return []
    # Only the topics' lines are read: ``extra`` may hold a long list of clips, and a whole read of it took
    # a tenth of an import.
    block = _top_level_block(extra_text, "topics")
    try:
        data = fm.load(block) if block else None
    except fm.FormatError:
        data = None
    if not isinstance(data, dict) or list(data) != ["topics"]:
        data = fm.load(extra_text)  # not written as a block at the top: read it all
    return topic_keys(data) if isinstance(data, dict) else []


def _top_level_block(text: str, key: str) -> str:
    """Return the lines of ``key`` and its value in YAML ``text`` written as a block (empty if not found).

    The value's lines are indented, items of a list at the key's column, or blank: the first other line
    is the next key.
    """
    start = 0 if text.startswith(f"{key}:") else text.find(f"\n{key}:") + 1
    if not start and not text.startswith(f"{key}:"):
        return ""
    lines = text[start:].split("\n")
    end = 1
    while end < len(lines) and (not lines[end] or lines[end][0] == " " or lines[end] == "-" or lines[end][:2] == "- "):
        end += 1
    return "\n".join(lines[:end]) + "\n"


class EpisodeTopic(models.Model):
    """One of an episode's topics, by its key (see :mod:`episodes.format.topics`): how related episodes are found."""

    # The unique (episode, key) index also serves lookups by episode.
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="topic_rows", db_index=False)
    key = models.BigIntegerField(editable=False)
    position = models.IntegerField(editable=False)

    objects = EpisodeTopicQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["episode", "key"], name="unique_episode_topic")]
        indexes = [models.Index(fields=["key", "episode"], name="episode_topic_key")]

    def __str__(self):
        return self.key


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


# -- the site's git repository ----------------------------------------------------------------------


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


# -- long work in the background ------------------------------------------------------------------------


class JobQuerySet(models.QuerySet):
    def active(self):
        """Jobs waiting for a worker or being run by one."""
        return self.filter(status__in=Job.ACTIVE)

    def holding(self, lock: str):
        """The active job that holds ``lock`` (one pull or push per site repository), if any."""
        return self.active().filter(lock=lock)


class Job(models.Model):
    """A piece of long work run by a worker (``manage.py db_worker``): what, who, how far, and its report."""

    class Kind(models.TextChoices):
        PULL = "pull", "Pull from the site"
        PUSH = "push", "Publish to the site"
        IMPORT = "import", "Import uploaded files"
        SUGGEST = "suggest", "Suggest metadata"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        INTERRUPTED = "interrupted", "Interrupted"
        CANCELLED = "cancelled", "Cancelled"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    kind = models.CharField(max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, help_text="Who started it."
    )
    arguments = models.JSONField(default=dict, blank=True, help_text="What it was asked to do.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0, help_text="Files done so far.")
    total = models.PositiveIntegerField(null=True, blank=True, help_text="Files to do, once known.")
    current = models.CharField(max_length=1000, blank=True, help_text="The file being worked on.")
    message = models.TextField(blank=True, help_text="Where it stands, or how it ended.")
    report = models.JSONField(default=list, blank=True, help_text="One line per file, as the command prints them.")
    error = models.TextField(blank=True, help_text="Why it failed.")
    cancel_requested = models.BooleanField(default=False)
    # One pull or push at a time per site repository: the active job holding a lock is unique (see Meta).
    lock = models.CharField(max_length=1100, blank=True)
    task_id = models.CharField(max_length=64, blank=True, help_text="The task framework's id of its run.")
    worker = models.CharField(max_length=300, blank=True, help_text="host:pid of the worker running it.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    beat_at = models.DateTimeField(null=True, blank=True, help_text="When the worker last wrote its progress.")

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["lock"],
                condition=models.Q(status__in=["queued", "running"]) & ~models.Q(lock=""),
                name="one_active_job_per_lock",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status not in self.ACTIVE


# -- the editorial rules' findings ------------------------------------------------------------------


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


class Topic(models.Model):
    """A topic of the site's curated list (``scripts/topic_list.txt``), with the other names it goes by."""

    name = models.CharField(max_length=200, unique=True, help_text="The topic as episodes should write it.")
    aliases = models.JSONField(
        default=list, blank=True, help_text="Other names of it (topics merged into it): counted as on the list."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


# -- suggestions from a language model --------------------------------------------------------------


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
