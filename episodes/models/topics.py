"""Topics: each episode's topic keys (how related episodes are found) and the site's curated topic list."""

from django.db import models

from ..format import frontmatter as fm
from ..format.topics import topic_keys


class EpisodeTopicQuerySet(models.QuerySet):
    def keep(self, episode: models.Model, *, old: str | None) -> None:
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
    episode = models.ForeignKey("Episode", on_delete=models.CASCADE, related_name="topic_rows", db_index=False)
    key = models.BigIntegerField(editable=False)
    position = models.IntegerField(editable=False)

    objects = EpisodeTopicQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["episode", "key"], name="unique_episode_topic")]
        indexes = [models.Index(fields=["key", "episode"], name="episode_topic_key")]

    def __str__(self):
        return self.key


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
