"""Transcript items: editing turns in place, adding and deleting them, and sections (headers)."""

from __future__ import annotations

from dataclasses import dataclass

from ..format import frontmatter as fm
from ..models import Episode, TranscriptItem
from ..selectors.editor import edited_items
from .clips import clips_follow_renames, header_renames
from .editing import ERR_NOT_HEADER, ServiceError, close_gaps, editing, item_at, items, place, shift

ERR_BAD_TIME = "Item {number}: '{time}' is not a time like 1:56 or 1:02:03."
ERR_EMPTY_TITLE = "A section title cannot be empty."
ERR_NO_ITEMS = "Select at least one item."
ERR_CANNOT_MOVE = "This cannot move further {direction}."
ERR_STALE_ITEM = "Item {number} no longer exists; reload the page."
ERR_TOO_LONG = "Item {number}: the {field} can have at most {limit} characters."
NEW_SECTION = "New section"

HEADER, TURN = TranscriptItem.Kind.HEADER, TranscriptItem.Kind.TURN


@dataclass
class ItemEdit:
    """The values an editor submitted for one item (None: not submitted)."""

    text: str | None = None
    who: str | None = None
    time: str | None = None


def check_time(time: str, number: int) -> int | None:
    """Return the seconds of ``time`` ('' gives None), or raise for a malformed time."""
    time = time.strip()
    if not time:
        return None
    seconds = fm.time_to_seconds(time)
    if seconds is None:
        raise ServiceError(ERR_BAD_TIME.format(number=number, time=time))
    return seconds


def transcript_save(*, episode: Episode, edits: dict[int, ItemEdit], user=None, version: int | None = None) -> int:
    """Apply in-place edits keyed by item id, writing only the items that changed; return how many."""
    with editing(episode=episode, user=user, version=version) as change:
        count, what = apply_edits(change.episode, edits)
        change.summary, change.cancel = f"edited {what}", not count
    return count


def apply_edits(
    episode: Episode, edits: dict[int, ItemEdit], *, read: dict[int, dict] | None = None
) -> tuple[int, str]:
    """Write the items whose submitted values differ (call inside ``editing``); return how many, and what.

    ``read``: items' values already read under the edit's lock (selectors.editor.edited_items), not read again.
    """
    current = {pk: read[pk] for pk in edits if pk in read} if read else {}
    if len(current) < len(edits):
        current.update(edited_items(episode=episode, pks=[pk for pk in edits if pk not in current]))
    changed = []
    for pk, edit in edits.items():
        if pk not in current:
            raise ServiceError(ERR_STALE_ITEM.format(number=pk))
        item = TranscriptItem(**current[pk])
        touched = _apply(item, edit, number=item.position + 1)
        if touched:
            changed.append((item, frozenset(touched)))
    titles = {item.pk: item.text for item, touched in changed if item.kind == HEADER and "text" in touched}
    renames = header_renames(episode, titles) if titles else []
    # One UPDATE per set of changed columns: a text fix does not rewrite speakers and times.
    for touched in {t for _, t in changed}:
        batch = [item for item, t in changed if t == touched]
        TranscriptItem.objects.bulk_update(batch, sorted(touched))
    summary = _edit_summary([item for item, _ in changed]) if changed else ""
    if renames and clips_follow_renames(episode, renames):
        summary += " and the clip" + ("s" if len(renames) > 1 else "") + " of the same name"
    return len(changed), summary


def _apply(item: TranscriptItem, edit: ItemEdit, *, number: int) -> set[str]:
    """Copy the edited values onto ``item``; return the names of the fields that changed."""
    fields = set()
    if edit.text is not None and edit.text != item.text:
        item.text = edit.text
        fields.add("text")
    if item.kind == TURN and edit.who is not None and edit.who.strip() != item.who:
        who = edit.who.strip()
        if len(who) > TranscriptItem._meta.get_field("who").max_length:
            raise ServiceError(ERR_TOO_LONG.format(number=number, field="speaker", limit=200))
        item.who = who
        fields.add("who")
    if item.kind == TURN and edit.time is not None and edit.time.strip() != item.time:
        item.sec = check_time(edit.time, number)
        item.time = edit.time.strip()
        fields |= {"time", "sec"}
    # A value the editor cleared leaves the file, rather than staying as an empty key.
    cleared = {key for key in ("who", "time", "sec") if key in fields and getattr(item, key) in ("", None)}
    if cleared & set(item.keys):
        item.keys = [key for key in item.keys if key not in cleared]
        fields.add("keys")
    return fields


def _edit_summary(edited: list[TranscriptItem]) -> str:
    if len(edited) == 1:
        item = edited[0]
        return f"{'section title' if item.kind == HEADER else 'turn'} {item.position + 1}"
    return f"{len(edited)} transcript items"


def turn_insert(
    *, episode: Episode, position: int, who: str = "", text: str = "", time: str = "", user=None, version=None
) -> TranscriptItem:
    """Insert a new turn at ``position`` (the items from there move down one)."""
    sec = check_time(time, position + 1)
    with editing(episode=episode, user=user, version=version) as change:
        position = max(0, min(position, items(change.episode).count()))
        change.summary = f"added turn {position + 1}"
        shift(change.episode, start=position, delta=1)
        # "line" is kept even while empty; the other keys appear once they have values.
        item = TranscriptItem.objects.create(
            episode=change.episode,
            position=position,
            kind=TURN,
            text=text,
            who=who.strip(),
            sec=sec,
            time=time.strip(),
            keys=["line"],
        )
        return item


def items_delete(*, episode: Episode, positions, user=None, version: int | None = None) -> int:
    """Delete the items at ``positions`` and close the gaps; return how many were deleted."""
    positions = sorted(set(positions))
    if not positions:
        raise ServiceError(ERR_NO_ITEMS)
    summary = f"deleted {len(positions)} transcript item{'s' if len(positions) > 1 else ''}"
    with editing(episode=episode, user=user, version=version, summary=summary) as change:
        deleted, _ = items(change.episode).filter(position__in=positions).delete()
        close_gaps(change.episode, positions)
        return deleted


def section_add(
    *, episode: Episode, position: int, title: str = NEW_SECTION, user=None, version=None
) -> TranscriptItem:
    """Insert a section header before the item at ``position``."""
    title = title.strip()
    if not title:
        raise ServiceError(ERR_EMPTY_TITLE)
    with editing(episode=episode, user=user, version=version, summary=f"added section '{title}'") as change:
        item_at(change.episode, position)
        shift(change.episode, start=position, delta=1)
        item = TranscriptItem.objects.create(
            episode=change.episode, position=position, kind=HEADER, text=title, keys=["header"]
        )
        return item


def _header(episode: Episode, position: int) -> TranscriptItem:
    item = item_at(episode, position)
    if item.kind != HEADER:
        raise ServiceError(ERR_NOT_HEADER.format(position=position + 1))
    return item


def section_rename(*, episode: Episode, position: int, title: str, user=None, version=None) -> None:
    title = title.strip()
    if not title:
        raise ServiceError(ERR_EMPTY_TITLE)
    with editing(episode=episode, user=user, version=version) as change:
        header = _header(change.episode, position)
        change.summary = f"renamed section '{header.text}' → '{title}'"
        renames = header_renames(change.episode, {header.pk: title})
        items(change.episode).filter(pk=header.pk).update(text=title)
        if clips_follow_renames(change.episode, renames):
            change.summary += " and its clip"


def section_delete(*, episode: Episode, position: int, user=None, version=None) -> bool:
    """Delete a section header; its turns join the section before. Return whether there was one."""
    with editing(episode=episode, user=user, version=version) as change:
        header = _header(change.episode, position)
        change.summary = f"deleted section '{header.text}'"
        joined = items(change.episode).filter(position__lt=position, kind=HEADER).exists()
        items(change.episode).filter(pk=header.pk).delete()
        shift(change.episode, start=position + 1, delta=-1)
    return joined


def header_move(*, episode: Episode, position: int, offset: int, user=None, version=None) -> int:
    """Move a section header one item up (-1) or down (+1), moving the section boundary; return its position."""
    with editing(episode=episode, user=user, version=version) as change:
        header = _header(change.episode, position)
        target = position + offset
        if offset not in (-1, 1) or not 0 <= target < items(change.episode).count():
            raise ServiceError(ERR_CANNOT_MOVE.format(direction="up" if offset < 0 else "down"))
        change.summary = f"moved section '{header.text}' {'up' if offset < 0 else 'down'} one turn"
        other = item_at(change.episode, target)
        low = min(position, target)
        place(change.episode, [header.pk, other.pk] if offset < 0 else [other.pk, header.pk], start=low)
    return target


def section_move(*, episode: Episode, position: int, offset: int, user=None, version=None) -> int:
    """Move a whole section (its header and turns) above the previous or below the next section.

    Return the header's new position. Turns before the first header are not a section and stay first.
    """
    with editing(episode=episode, user=user, version=version) as change:
        header = _header(change.episode, position)
        rows = list(items(change.episode).order_by("position").values_list("pk", "kind"))
        starts = [p for p, (_, kind) in enumerate(rows) if kind == HEADER]
        index = starts.index(position)
        bounds = [*starts, len(rows)]
        if offset == -1 and index > 0:
            first, second = (bounds[index - 1], bounds[index]), (bounds[index], bounds[index + 1])
        elif offset == 1 and index + 1 < len(starts):
            first, second = (bounds[index], bounds[index + 1]), (bounds[index + 1], bounds[index + 2])
        else:
            raise ServiceError(ERR_CANNOT_MOVE.format(direction="up" if offset < 0 else "down"))
        ids = [pk for pk, _ in rows]
        order = ids[second[0] : second[1]] + ids[first[0] : first[1]]
        change.summary = f"moved section '{header.text}' {'up' if offset < 0 else 'down'}"
        place(change.episode, order, start=first[0])
    return order.index(header.pk) + first[0]
