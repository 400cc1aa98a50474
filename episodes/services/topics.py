"""The curated topic list: topics (a name and its aliases) loaded from the site's ``scripts/topic_list.txt``,
and merging one topic into another across every episode that uses it, previewed first.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from ..documents import database
from ..format import checks
from ..format.topics import topic_key
from ..models import Episode, EpisodeTopic, Topic
from ..selectors.checks import TOPIC_LIST, curated_names
from .editing import ServiceError
from .episode import episode_save

ERR_SAME_TOPIC = "A topic cannot be merged into itself."


def topics_load(*, text: str) -> list[Topic]:
    """Add the topics of a topic list that are neither a topic nor an alias yet; return those added."""
    known = curated_names() or {}
    added = [Topic(name=name) for key, name in checks.read_topic_list(text).items() if key not in known]
    Topic.objects.bulk_create(added)
    return added


def site_topics_load(*, root: str) -> list[Topic]:
    """Load the curated topics of the site checkout ``root`` (its ``scripts/topic_list.txt``), if it has one."""
    try:
        with open(os.path.join(root, TOPIC_LIST), encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return []
    return topics_load(text=text)


@dataclass
class TopicChange:
    episode: Episode
    before: list[str]
    after: list[str]


def topic_users(topic: Topic) -> list[Episode]:
    """Return the episodes that use ``topic`` or one of its aliases (by the topic rows, in slug order)."""
    keys = [topic_key(name) for name in (topic.name, *topic.aliases)]
    ids = EpisodeTopic.objects.filter(key__in=keys).values("episode")
    return list(Episode.objects.filter(pk__in=ids).order_by("slug").defer("source_text"))


def merged_topics(topics: Sequence[str], *, names: set[str], into: str) -> list[str]:
    """Return ``topics`` with each of ``names`` (case-folded) replaced by ``into``, each topic once."""
    result = [into if topic.strip().casefold() in names else topic for topic in topics]
    seen, unique = set(), []
    for topic in result:
        if topic.strip().casefold() not in seen:
            seen.add(topic.strip().casefold())
            unique.append(topic)
    return unique


def topic_merge(*, source: Topic, target: Topic, user=None, dry_run: bool = False) -> list[TopicChange]:
    """Replace ``source`` (and its aliases) by ``target`` in every episode using it, one revision each.

    ``source`` becomes an alias of ``target``. With ``dry_run`` nothing is written: the changes are returned
    to be previewed.
    """
    if source.pk == target.pk:
        raise ServiceError(ERR_SAME_TOPIC)
    names = {name.casefold() for name in (source.name, *source.aliases)}
    changes = []
    for episode in topic_users(source):
        extra = database.episode_extra(episode)
        before = extra.get("topics")
        if not isinstance(before, list):
            continue
        after = merged_topics(before, names=names, into=target.name)
        if after != before:
            changes.append(TopicChange(episode, list(before), after))
    if dry_run:
        return changes
    with transaction.atomic():
        for change in changes:
            extra = dict(database.episode_extra(change.episode))
            extra["topics"] = change.after
            episode_save(episode=change.episode, extra=extra, user=user)
        target.aliases = list(dict.fromkeys([*target.aliases, source.name, *source.aliases]))
        target.save(update_fields=["aliases"])
        source.delete()
    return changes
