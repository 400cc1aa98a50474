"""What every editing operation shares: the unit of work (:func:`editing`: locking, the stale-page check, the
counts and the revision kept on the way out), its errors, and the helpers that move transcript items."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from ..documents import database
from ..documents.revisions import record
from ..models import BodyLink, Episode, EpisodeGuest, PlatformRef, TranscriptItem
from ..selectors.speakers import episode_people, speaker_candidates
from ..selectors.warnings import episode_warnings, list_counts
from .checks import problems_refresh


class ServiceError(ValueError):
    """An operation that cannot be done as asked; the message is for the editor."""


class StaleEpisode(ServiceError):
    """The episode changed since the editor loaded it."""

    def __init__(self, episode: Episode):
        by = f" by {episode.edited_by}" if episode.edited_by else ""
        when = f" at {timezone.localtime(episode.edited_at):%Y-%m-%d %H:%M:%S}" if episode.edited_at else ""
        super().__init__(ERR_STALE.format(by=by, when=when))
        self.episode = episode


ERR_STALE = "This episode was saved{by}{when} after you opened it; nothing of yours was saved."
ERR_NO_ITEM = "There is no transcript item at position {position}."
ERR_NOT_HEADER = "Item {position} is not a section header."


def locking(queryset: QuerySet) -> QuerySet:
    """Return ``queryset`` reading episodes as :func:`editing` does: locked, with who saved each last."""
    return queryset.select_for_update(of=("self",)).select_related("edited_by")


@dataclass
class Locked:
    """An episode its caller read with :func:`locking` in the transaction an edit then joins (the caller's
    whole request is one transaction, undone whole when the edit fails), and rows read in it since.

    ``lists``: small lists' rows as read (EpisodeGuest with its person, PlatformRef, BodyLink), in their stored
    order, before anything changed them; ``items``: transcript items' values by id (selectors.editor
    .edited_items). The edit reads none of them again, except a list it writes.
    """

    episode: Episode
    lists: dict[type, list] = field(default_factory=dict)
    items: dict[int, dict] = field(default_factory=dict)


@dataclass
class Edit:
    """An edit in progress: the locked episode, and the summary the history will show.

    (Not :class:`episodes.format.changes.Change`, which is one difference between two documents, in words.)
    """

    episode: Episode
    summary: str = ""
    cancel: bool = False  # set when the operation found nothing to change: no new version, no record
    # What the edit left, as read for its revision (None until then, or when cancelled).
    items: list[database.ItemRow] | None = None
    warnings: list | None = None
    # Small lists' rows read under the lock and not written since (Locked.lists): not read again for the record.
    lists: dict[type, list] = field(default_factory=dict)


@contextmanager
def editing(
    *, episode: Episode, user=None, summary: str = "", version: int | None = None, locked: Locked | None = None
):
    """Lock ``episode`` for one atomic edit; on success bump its version and record who changed what.

    ``version`` is the version the editor's page showed; a different current version refuses the edit.
    ``locked``: the episode as the caller already read and locked it in its own transaction, which the edit
    joins without a savepoint (an error leaves that whole transaction to be rolled back).
    """
    with transaction.atomic(savepoint=locked is None):
        current = locking(Episode.objects).get(pk=episode.pk) if locked is None else locked.episode
        if version is not None and current.version != version:
            raise StaleEpisode(current)
        change = Edit(episode=current, summary=summary, lists=dict(locked.lists) if locked else {})
        yield change
        if change.cancel:
            return
        # One read of the rows serves both the list's counts and the revision's file text.
        guests, candidates = _people(current, change.lists.get(EpisodeGuest))
        refs, links = change.lists.get(PlatformRef), change.lists.get(BodyLink)
        children = database.episode_children(
            current,
            guest_keys=[person.key for person in guests],
            refs=None if refs is None else [(row.mapping, row.platform, row.value) for row in refs],
            links=None if links is None else [tuple(getattr(row, n) for n in database.LINK_VALUES) for row in links],
        )
        change.items = children.items
        change.warnings = episode_warnings(
            episode=current, items=children.items, refs=children.refs, guests=guests, candidates=candidates
        )
        # The editorial rules' counts are kept beside the warnings' for the episode list and the health page.
        problems_refresh(episode=current, items=children.items, guests=guests)
        counts = list_counts(warnings=change.warnings, items=children.items)
        # The row is locked (SQLite: the transaction holds the write lock), so the version read is current.
        new_version = current.version + 1
        current.version = F("version") + 1
        current.edited_at = timezone.now()
        current.edited_by = user if user is not None and user.is_authenticated else None
        for name, value in counts.items():
            setattr(current, name, value)
        current.save(update_fields=["version", "edited_at", "edited_by", *counts])
        current.version = new_version
        record_change(change=change, user=user, text=database.episode_document(current, children).render())
        episode.version = current.version


def _people(episode: Episode, rows: list[EpisodeGuest] | None):
    """Return the episode's guests in order and the people who may speak in it: one query either way."""
    if rows is None:
        return episode_people(episode=episode)
    guests = [row.person for row in rows]
    return guests, speaker_candidates(episode=episode, guests=guests)


def record_change(*, change: Edit, user=None, text: str | None = None) -> None:
    """Keep a revision of the episode as ``change`` left it (``text``: its export, if already made)."""
    record(episode=change.episode, summary=change.summary or "edited", user=user, text=text)


def items(episode: Episode):
    return TranscriptItem.objects.filter(episode=episode)


def item_at(episode: Episode, position: int) -> TranscriptItem:
    item = items(episode).filter(position=position).first()
    if item is None:
        raise ServiceError(ERR_NO_ITEM.format(position=position))
    return item


def shift(episode: Episode, *, start: int, delta: int) -> None:
    """Move the items at ``start`` and after by ``delta`` positions.

    Positions are unique per episode and checked row by row, so the rows pass through negative
    positions first: x -> -x-1 -> x+delta.
    """
    items(episode).filter(position__gte=start).update(position=-F("position") - 1)
    items(episode).filter(position__lt=0).update(position=-F("position") - 1 + delta)


def place(episode: Episode, order: list[int], *, start: int) -> None:
    """Give the items with ids ``order`` the positions start, start+1, ... (they must hold exactly those)."""
    end = start + len(order)
    items(episode).filter(position__gte=start, position__lt=end).update(position=-F("position") - 1)
    moved = [TranscriptItem(pk=pk, position=start + i) for i, pk in enumerate(order)]
    TranscriptItem.objects.bulk_update(moved, ["position"])


def close_gaps(episode: Episode, removed: list[int]) -> None:
    """Move the items after each run of removed positions up by the number removed before them.

    Two UPDATEs per run of consecutive removed positions, whatever the length of the transcript; rows pass
    through negative positions, as positions are unique and checked row by row.
    """
    runs: list[list[int]] = []
    for position in removed:
        if runs and position == runs[-1][1] + 1:
            runs[-1][1] = position
        else:
            runs.append([position, position])
    count = 0
    for index, (first, last) in enumerate(runs):
        count += last - first + 1
        segment = items(episode).filter(position__gt=last)
        if index + 1 < len(runs):
            segment = segment.filter(position__lt=runs[index + 1][0])
        segment.update(position=-F("position") - 1)
        items(episode).filter(position__lt=0).update(position=-F("position") - 1 - count)
