"""Merge a save made from an older version of the editor's page into the episode as it is saved now.

Three versions of the episode file: ``base`` the version the page was loaded from (its revision), ``theirs`` the
episode as saved now, ``ours`` base with this editor's changes. :func:`episodes.format.merge.merge` merges them
by field, transcript item and list row, the site sync's rules: a change on one side is taken, the same change on
both once, and only the same thing changed differently is a conflict (:class:`MergeConflict`, nothing saved).
What merges is returned as the changes to make to the episode as saved now (:class:`SavePlan`); the caller
applies them under the lock, to the version the merge read (a save landing meanwhile makes it merge again).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from django.db import transaction
from django.utils import timezone

from ..documents import database
from ..documents.revisions import snapshot
from ..format import changes, merge
from ..format import frontmatter as fm
from ..models import Episode, TranscriptItem
from ..selectors.revisions import document_at, revisions_at
from .editing import ServiceError, StaleEpisode
from .transcript import ItemEdit

TRANSCRIPT = changes.TRANSCRIPT
MISSING = merge.MISSING
LIST_KEYS = ("guests", "ids", "links")
BODY_LINKS = "body links"  # a Clash's key for the body's link list
NOT_EXTRA = {*database.EPISODE_COLUMNS, *LIST_KEYS, TRANSCRIPT}
INT_COLUMNS = {"season", "number"}
TEXT_KEYS = {TranscriptItem.Kind.HEADER: "header", TranscriptItem.Kind.TURN: "line"}
PART_WORDS = {"line": "text", "header": "title", "who": "speaker", "time": "time", "sec": "time"}
PART_FIELDS = {"line": "text", "header": "text", "who": "who", "time": "time", "sec": "time"}
MERGE_TRIES = 2  # the first merge, and once more when another save lands while it is being merged
SHOWN_TURNS = 12  # turns named in "merged with …" before the rest are counted

ERR_CONFLICT = (
    "Not saved: {by} changed the same {what} since you opened the page. Each is marked below with both "
    "values: keep yours or take theirs, then save again. Your other edits are still on the page."
)
ERR_OP_CONFLICT = "Not done: {by} changed {where} since you opened the page (saved {when}); nothing was changed."
ERR_OP_GONE = "Not done: {by} deleted item {number} since you opened the page (saved {when}); nothing was changed."
ERR_RACED = (
    "Not saved: other saves of this episode kept landing while yours was being merged. Nothing of yours was "
    "saved and your edits are below; save again."
)


@dataclass(frozen=True)
class Clash:
    """One thing this editor and someone else changed differently: where, and both values as text.

    ``item`` is the id of the transcript item it is on (None: a front matter key, a list, or an item gone) and
    ``part`` its field ("text", "who" or "time"; "" for the whole item); ``key`` the front matter key.
    """

    key: str
    where: str
    mine: str
    theirs: str
    item: int | None = None
    part: str = ""


class MergeConflict(ServiceError):
    """The same thing changed differently on both sides: nothing was saved; ``clashes`` say what."""

    def __init__(self, clashes: list[Clash], by: str, version: int, message: str = ""):
        what = "thing" if len(clashes) == 1 else f"{len(clashes)} things"
        super().__init__(message or ERR_CONFLICT.format(by=by, what=what))
        self.clashes, self.by, self.version = clashes, by, version


class MergeRaced(ServiceError):
    """Saves kept landing while this one was merged (it was merged again once)."""

    def __init__(self):
        super().__init__(ERR_RACED)


@dataclass
class Mine:
    """This editor's changes, relative to the page they saw: front keys (columns), the other keys' mapping
    as the form made it (None: untouched), transcript edits by item id, and the small lists' values in order
    (None: untouched): guest keys, (mapping, platform, value), (text, url, marker, new_tab)."""

    columns: dict = field(default_factory=dict)
    extra: dict | None = None
    edits: dict[int, ItemEdit] = field(default_factory=dict)
    guests: list[str] | None = None
    refs: list[tuple] | None = None
    links: list[tuple] | None = None
    body: str | None = None
    body_after: str | None = None


@dataclass
class SavePlan:
    """The merged save as changes to the episode at ``version``: columns by attribute, the other keys' new
    mapping (None: as they are), transcript edits by item id, the lists' merged values (None: as they are)."""

    version: int
    columns: dict
    extra: dict | None
    edits: dict[int, ItemEdit]
    guests: list[str] | None
    refs: list[tuple] | None
    links: list[tuple] | None
    words: str  # "merged with NAME's save of TIME (turns …)"


def who_saved(episode: Episode) -> tuple[str, str]:
    """Return who saved ``episode`` last, and when (read with its ``edited_by``)."""
    by = str(episode.edited_by) if episode.edited_by else "someone"
    return by, f"{timezone.localtime(episode.edited_at):%Y-%m-%d %H:%M:%S}" if episode.edited_at else "an unknown time"


def _theirs(current: Episode, base: fm.Document, mine: Mine) -> tuple[fm.Document, list[int]]:
    """Return the episode as saved now, and its transcript items' ids in order.

    The small lists this editor left alone are not read: they are taken as the page showed them, so the
    merge keeps them as they are saved (a list changed on one side only is not written).
    """
    rows = list(current.items.values_list("pk", *database.ITEM_ROW))
    items = [database.item_data(*row[2:]) for row in rows]
    guests = (
        base.front.get("guests", [])
        if mine.guests is None
        else list(current.guest_rows.values_list("person__key", flat=True))
    )
    if mine.refs is None:
        refs = _refs(base.front)
    else:
        refs = list(current.platform_refs.values_list("mapping", "platform", "value"))
    if mine.links is None and mine.body is None and mine.body_after is None:
        body = base.body
    else:
        body = database.episode_body(current, list(current.body_links.values_list(*database.LINK_VALUES)))
    front = database.episode_front(current, guests=guests, refs=refs, items=items)
    return fm.Document(front=front, body=body, closing=current.closing), [row[0] for row in rows]


def save_plan(
    *, episode: Episode, seen_version: int, mine: Mine, current: Episode | None = None, items: dict | None = None
) -> SavePlan:
    """Merge ``mine`` (made on the page of ``seen_version``) into ``episode`` as saved now; return what to write.

    ``current``: the episode as saved now, if the caller read it (with its ``edited_by``) under its lock;
    ``items``: the edited items' values read there too (selectors.editor.edited_items), for their positions.
    Raise MergeConflict when the same thing changed differently, StaleEpisode when the page's version has no
    revision to merge from.
    """
    if current is None:
        current = Episode.objects.select_related("edited_by").get(pk=episode.pk)
    sides = _sides(current, seen_version, mine)
    base_middle, their_middle, start, ids = _transcript(sides.base), _transcript(sides.theirs), sides.start, sides.ids
    end_theirs = start + len(their_middle)
    inside = {j + start: i for i, j in changes.align(base_middle, their_middle) if i is not None and j is not None}
    positions = ids.positions(mine.edits, items or {})
    clashes: list[Clash] = []
    ours_middle, passed = list(base_middle), {}
    for pk, edit in mine.edits.items():
        position = positions.get(pk)
        if position is None:
            clashes.append(_gone(pk, edit))
        elif position < start or position >= end_theirs or position not in inside:
            passed[pk] = edit  # an item the other saves left alone (or added): the edit applies as it is
        elif isinstance(ours_middle[inside[position]], dict):
            ours_middle[inside[position]] = _edited(ours_middle[inside[position]], edit)
    merged = merge.merge(sides.base, _ours(sides.base, mine, ours_middle), sides.theirs, prefer=merge.THEIRS)
    merged_middle = merged.doc.front.get(TRANSCRIPT, [])
    clashes += [_clash(conflict, start, their_middle, ids) for conflict in merged.conflicts]
    by, when = who_saved(current)
    if clashes:
        raise MergeConflict(clashes, by, current.version)
    if len(merged_middle) != len(their_middle):
        raise StaleEpisode(current)  # the form changes no item's place: a merge that does cannot be applied
    front, their_front = merged.doc.front, sides.theirs.front
    edits = {**passed, **_item_edits(lambda: ids.stretch(start, end_theirs), merged_middle, their_middle)}
    body, their_body = fm.split_body(merged.doc.body), fm.split_body(sides.theirs.body)
    columns = {
        attr: _column(attr, front.get(key, MISSING))
        for key, attr in database.EPISODE_COLUMNS.items()
        if not merge._same(front.get(key, MISSING), their_front.get(key, MISSING))
    }
    if merged.doc.body != sides.theirs.body:
        columns.update(body=body.before, body_after=body.after)
    extra = {k: v for k, v in front.items() if k not in NOT_EXTRA}
    their_extra = {k: v for k, v in their_front.items() if k not in NOT_EXTRA}
    changed = _changed_words(sides.base, sides.theirs, base_middle, their_middle, start)
    return SavePlan(
        version=current.version,
        columns=columns,
        extra=None if fm.same_data(extra, their_extra) and list(extra) == list(their_extra) else extra,
        edits=edits,
        guests=_changed(front.get("guests", []), their_front.get("guests", [])),
        refs=_changed(_refs(front), _refs(their_front)),
        links=_changed(_links(body), _links(their_body)),
        words=f"merged with {by}'s save of {when}" + (f" ({changed})" if changed else ""),
    )


class _ItemIds:
    """The ids of the episode's transcript items now, by position: all of them when read with the rows, else
    read as far as the merge needs them (the edited items' positions, the ids of the stretch where an edit
    falls among the other saves' changes, all of them for a conflict)."""

    def __init__(self, episode: Episode, ids: list[int] | None = None):
        self.episode, self.ids = episode, ids

    def positions(self, pks, items: dict[int, dict]) -> dict[int, int]:
        """Return the positions now of the items ``pks`` (those still there); ``items``: values read already."""
        if self.ids is not None:
            at = {pk: position for position, pk in enumerate(self.ids)}
            return {pk: at[pk] for pk in pks if pk in at}
        found = {pk: items[pk]["position"] for pk in pks if pk in items}
        if missing := [pk for pk in pks if pk not in found]:
            found.update(self.episode.items.filter(pk__in=missing).values_list("pk", "position"))
        return found

    def stretch(self, start: int, end: int) -> list[int]:
        """Return the ids of the items at positions ``start`` to ``end`` (not included), in order."""
        if self.ids is not None:
            return self.ids[start:end]
        stretch = self.episode.items.filter(position__gte=start, position__lt=end)
        return list(stretch.order_by("position").values_list("pk", flat=True))

    def at(self, position: int) -> int | None:
        if self.ids is None:
            self.ids = list(self.episode.items.values_list("pk", flat=True))
        return self.ids[position] if position < len(self.ids) else None


@dataclass
class _Sides:
    """The page's version and the episode now, each with only the stretch of the transcript where they differ
    (from ``start``; before and after it the two are the same), and the ids of the transcript's items now."""

    base: fm.Document
    theirs: fm.Document
    start: int
    ids: _ItemIds


def _sides(current: Episode, seen_version: int, mine: Mine) -> _Sides:
    """Read the page's version and the episode now, parsing only the transcript items that differ.

    Both are revisions' texts, written by one writer: an item is its lines from a "- " at the start of a line,
    and items with the same lines are the same, so only the lines that differ are parsed. Without the
    current version's revision (or with an unusual layout) the episode is read from its rows instead.
    """
    found = revisions_at(episode=current, versions=[seen_version, current.version])
    if seen_version not in found:
        raise StaleEpisode(current)
    base_text = snapshot(found[seen_version])
    now = found.get(current.version)
    split = (_item_lines(base_text), _item_lines(snapshot(now))) if now is not None else (None, None)
    # The revision is the rows' only if it has as many items: item_count is kept with every revision.
    if split[0] is not None and split[1] is not None and len(split[1][1]) == current.item_count:
        (base_rest, base_items), (their_rest, their_items) = split
        start, end_base, end_theirs = _changed_stretch(base_items, their_items)
        base = _parsed(base_rest, base_items[start:end_base])
        theirs = _parsed(their_rest, their_items[start:end_theirs])
        if base is not None and theirs is not None:
            return _Sides(base=base, theirs=theirs, start=start, ids=_ItemIds(current))
    base = fm.parse(base_text)
    theirs, ids = _theirs(current, base, mine)
    base_items, their_items = _transcript(base), _transcript(theirs)
    start, end_base, end_theirs = _changed_stretch(base_items, their_items)
    return _Sides(
        base=_with_items(base, base_items[start:end_base]),
        theirs=_with_items(theirs, their_items[start:end_theirs]),
        start=start,
        ids=_ItemIds(current, ids),
    )


# The end of the transcript's block: a line that neither goes on with an item (indented, blank) nor starts one.
_BLOCK_END = re.compile(r"\n(?![ \n]|- )")


def _item_lines(text: str) -> tuple[str, list[str]] | None:
    """Return a file's text with an empty transcript, and each transcript item's lines (None: not found)."""
    key = f"\n{TRANSCRIPT}:\n"
    at, close = text.find(key), text.find("\n---\n")
    if not text.startswith("---\n") or at < 0 or 0 <= close < at:
        return None  # no transcript block in the front matter
    start = end = at + len(key)
    items: list[str] = []
    if text.startswith("- ", start):
        found = _BLOCK_END.search(text, start)
        end = found.start() + 1 if found else len(text)
        parts = text[start:end].split("\n- ")
        items = [parts[0] + "\n"] + ["- " + part + "\n" for part in parts[1:]]
        items[-1] = items[-1][:-1]  # the block's own last line break
    return text[: at + 1] + f"{TRANSCRIPT}: []\n" + text[end:], items


def _parsed(rest: str, items: list[str]) -> fm.Document | None:
    """Return the document of ``rest`` with ``items`` (each an item's lines) as its transcript."""
    try:
        doc = fm.parse(rest)
        parsed = fm.parse(f"---\n{TRANSCRIPT}:\n{''.join(items)}---\n").front.get(TRANSCRIPT) if items else []
    except fm.FormatError:
        return None  # not cut where this expects: the caller reads the episode whole
    if not isinstance(parsed, list) or len(parsed) != len(items) or doc.front.get(TRANSCRIPT) != []:
        return None
    return _with_items(doc, parsed)


T = TypeVar("T")


def operation_merge(
    *, episode: Episode, seen_version: int, run: Callable[[Callable[[int], int], int], T]
) -> tuple[T, str]:
    """Run an operation made on the page of ``seen_version`` on the episode as saved now, merged: keep it only
    when nothing it changed was changed since; return its result and "merged with …".

    ``run(move, version)`` does the operation at ``version``, with ``move`` taking a position on the page to the
    same item's position now (MergeConflict for an item deleted since). An operation touching what others
    changed raises MergeConflict, nothing applied; a save landing meanwhile makes it run again, once.
    """
    for _ in range(MERGE_TRIES):
        current = Episode.objects.select_related("edited_by").get(pk=episode.pk)
        base = document_at(episode=current, version=seen_version)
        if base is None:
            raise StaleEpisode(current)
        before = database.episode_document(current)
        by, when = who_saved(current)
        base_items, their_items = _transcript(base), _transcript(before)
        to_now = _position_map(base_items, their_items)

        move = _mover(to_now, by=by, when=when, version=current.version)
        try:
            with transaction.atomic():
                result = run(move, current.version)
                after = database.episode_document(Episode.objects.get(pk=episode.pk))
                clashes = _overlaps(base, before, after)
                if clashes:
                    where = "; ".join(clash.where for clash in clashes)
                    message = ERR_OP_CONFLICT.format(by=by, where=where, when=when)
                    raise MergeConflict(clashes, by, current.version, message)  # leaving the block undoes the run
        except StaleEpisode:
            continue
        changed = _changed_words(base, before, base_items, their_items, 0)
        return result, f"merged with {by}'s save of {when}" + (f" ({changed})" if changed else "")
    raise MergeRaced


def _mover(to_now: Callable[[int], int | None], *, by: str, when: str, version: int) -> Callable[[int], int]:
    def move(position: int) -> int:
        now = to_now(position)
        if now is None:
            raise MergeConflict([], by, version, ERR_OP_GONE.format(by=by, number=position + 1, when=when))
        return now

    return move


def _overlaps(base: fm.Document, before: fm.Document, after: fm.Document) -> list[Clash]:
    """Return what an operation (``before`` → ``after``) changed that others changed since ``base`` differently."""
    b, c, a = _transcript(base), _transcript(before), _transcript(after)
    start_op, end_op, _ = _changed_stretch(c, a)
    start_others, end_base, end_others = _changed_stretch(b, c)
    if start_op == end_op < len(a) and end_base == start_others <= start_op <= end_others and start_others < end_others:
        # Both added items at the same place (the operation's land next to the others'): as the merge of a
        # file's transcript, a conflict, whichever ends up first.
        where = f"items added at the same place (item {start_others + 1})"
        return [
            Clash(
                key=TRANSCRIPT, where=where, mine=merge.yaml_text(a[start_op]), theirs=merge.yaml_text(c[start_others])
            )
        ]
    low, slices = 0, ([], [], [])
    if max(start_op, start_others) <= min(end_op, end_others):
        # Only where both changed the transcript is it merged item by item (the same rules as a save's).
        low, high = min(start_op, start_others), max(end_op, end_others)
        slices = (c[low:high], a[low : high + len(a) - len(c)], b[low : high + len(b) - len(c)])
    merged = merge.merge(_with_items(before, slices[0]), _with_items(after, slices[1]), _with_items(base, slices[2]))
    clashes = []
    for conflict in merged.conflicts:
        if conflict.path[0] == TRANSCRIPT and len(conflict.path) > 1:
            number = conflict.path[1] + low + 1
            part = PART_WORDS.get(conflict.path[2], "") if len(conflict.path) > 2 else ""
            where = f"item {number}" + (f" ({part})" if part else "")
        else:
            where = fm.path_text(conflict.path)
        clashes.append(
            Clash(
                key=str(conflict.path[0]),
                where=where,
                mine=merge.yaml_text(conflict.ours),
                theirs=merge.yaml_text(conflict.theirs),
            )
        )
    return clashes


def _position_map(old: list, new: list) -> Callable[[int], int | None]:
    """Return a function from a position in ``old`` to the same item's in ``new`` (None: not there)."""
    start, end_old, end_new = _changed_stretch(old, new)
    pairs = changes.align(old[start:end_old], new[start:end_new]) if start < max(end_old, end_new) else []
    inside = {i + start: j + start for i, j in pairs if i is not None and j is not None}

    def at(position: int) -> int | None:
        if position < start:
            return position
        if position >= end_old:
            return position - end_old + end_new
        return inside.get(position)

    return at


def _transcript(doc: fm.Document) -> list:
    items = doc.front.get(TRANSCRIPT)
    return items if isinstance(items, list) else []


def _with_items(doc: fm.Document, items: list) -> fm.Document:
    front = dict(doc.front)
    if TRANSCRIPT in front or items:
        front[TRANSCRIPT] = items
    return fm.Document(front=front, body=doc.body, closing=doc.closing)


def _changed_stretch(base: list, theirs: list) -> tuple[int, int, int]:
    """Return where the two transcripts start to differ, and where the difference ends in each."""
    start, shortest = 0, min(len(base), len(theirs))
    while start < shortest and base[start] == theirs[start]:
        start += 1
    end_base, end_theirs = len(base), len(theirs)
    while end_base > start and end_theirs > start and base[end_base - 1] == theirs[end_theirs - 1]:
        end_base, end_theirs = end_base - 1, end_theirs - 1
    return start, end_base, end_theirs


def _edited(item: dict, edit: ItemEdit) -> dict:
    """Return a transcript entry with this editor's edit, as the save writes it (a cleared value leaves)."""
    item = dict(item)
    if edit.text is not None:
        item["header" if "header" in item else "line"] = edit.text
    if "header" in item:
        return item
    if edit.who is not None:
        item["who"] = edit.who.strip()
        if not item["who"]:
            del item["who"]
    if edit.time is not None:
        time = edit.time.strip()
        item.pop("sec", None)
        item["time"] = time
        seconds = fm.time_to_seconds(time) if time else None
        if seconds is not None:
            item["sec"] = seconds
        if not time:
            del item["time"]
    return item


def _ours(base: fm.Document, mine: Mine, items: list) -> fm.Document:
    """Return ``base`` with this editor's changes: the file their page would have saved."""
    front = dict(base.front)
    for key, value in mine.columns.items():
        if value is None or (value == "" and key not in front):
            front.pop(key, None)
        else:
            front[key] = value
    if mine.extra is not None:
        # Keys the form took from the episode as saved now are not this editor's changes; the rest are.
        for key in [k for k in front if k not in NOT_EXTRA and k not in mine.extra]:
            del front[key]
        front.update(mine.extra)
    if mine.guests is not None:
        _put(front, "guests", mine.guests)
    if mine.refs is not None:
        for mapping in ("ids", "links"):
            _put(front, mapping, {platform: value for m, platform, value in mine.refs if m == mapping})
    if TRANSCRIPT in front or items:
        front[TRANSCRIPT] = items
    body = fm.split_body(base.body)
    before = mine.body if mine.body is not None else body.before
    after = mine.body_after if mine.body_after is not None else body.after
    links = body.links if mine.links is None else [fm.Link(*values) for values in mine.links]
    if links and not body.has_list and mine.links:
        before = fm.with_links_header(before)
    text = before + "\n".join(link.line() for link in links) + after
    return fm.Document(front=front, body=text, closing=base.closing)


def _put(front: dict, key: str, value) -> None:
    if value or key in front:
        front[key] = value


def _gone(pk: int, edit: ItemEdit) -> Clash:
    typed = next((value for value in (edit.text, edit.who, edit.time) if value is not None), "")
    return Clash(key=TRANSCRIPT, where="a transcript item you edited was deleted", mine=typed, theirs="(deleted)")


def _clash(conflict: merge.Conflict, start: int, their_middle: list, ids: _ItemIds) -> Clash:
    mine, theirs = merge.yaml_text(conflict.ours), merge.yaml_text(conflict.theirs)
    if conflict.path[0] != TRANSCRIPT or len(conflict.path) < 2:
        # The body's link list merges as ("links", n); the front matter's links mapping as ("links", platform).
        body_link = conflict.path[0] == "links" and len(conflict.path) > 1 and isinstance(conflict.path[1], int)
        key = BODY_LINKS if body_link else str(conflict.path[0])
        where = f"body link {conflict.path[1] + 1}" if body_link else fm.path_text(conflict.path)
        return Clash(key=key, where=where, mine=mine, theirs=theirs)
    position = conflict.path[1] + start
    part = conflict.path[2] if len(conflict.path) > 2 else ""
    item = their_middle[conflict.path[1]] if conflict.path[1] < len(their_middle) else None
    kind = "section title" if isinstance(item, dict) and "header" in item else "turn"
    where = f"{kind} {position + 1}" + (f" ({PART_WORDS.get(part, part)})" if part else "")
    if conflict.ours is MISSING or conflict.theirs is MISSING:
        where += ", deleted on one side and changed on the other"
    return Clash(
        key=TRANSCRIPT,
        where=where,
        mine=mine,
        theirs=theirs,
        item=ids.at(position),
        part=PART_FIELDS.get(part, ""),
    )


def _item_edits(stretch: Callable[[], list[int]], merged: list, theirs: list) -> dict[int, ItemEdit]:
    """Return the edits that make the transcript as saved now (``theirs``) the merged one, by item id
    (``stretch`` returns the ids of those items: read only when there is an edit)."""
    changed = [j for j, (m, t) in enumerate(zip(merged, theirs, strict=True)) if m is not t and m != t]
    if not changed:
        return {}
    ids = stretch()
    edits = {}
    for j in changed:
        item = merged[j]
        if not isinstance(item, dict):
            continue
        text = item.get("header", item.get("line", ""))
        edits[ids[j]] = ItemEdit(text=text, who=item.get("who", ""), time=item.get("time", ""))
    return edits


def _column(attr: str, value):
    if value is MISSING:
        return None if attr in INT_COLUMNS else ""
    return value


def _refs(front: dict) -> list[tuple]:
    return [
        (mapping, platform, value)
        for mapping in ("ids", "links")
        if isinstance(front.get(mapping), dict)
        for platform, value in front[mapping].items()
    ]


def _links(body: fm.Body) -> list[tuple]:
    return [(link.text, link.url, link.marker, link.new_tab) for link in body.links]


def _changed(merged, theirs):
    return None if merged is None or merged == theirs else merged


def _changed_words(base: fm.Document, theirs: fm.Document, base_items: list, their_items: list, start: int) -> str:
    """Return what the other saves changed, as the editor reads it: "title, turns 4, 12"."""
    keys = [
        key
        for key in dict.fromkeys([*base.front, *theirs.front])
        if key != TRANSCRIPT and not merge._same(base.front.get(key, MISSING), theirs.front.get(key, MISSING))
    ]
    if base.body != theirs.body:
        keys.append("body")
    turns = [
        j + start + 1
        for i, j in changes.align(base_items, their_items)
        if j is not None and (i is None or base_items[i] != their_items[j])
    ]
    if turns:
        shown = ", ".join(str(n) for n in turns[:SHOWN_TURNS])
        more = f" and {len(turns) - SHOWN_TURNS} more" if len(turns) > SHOWN_TURNS else ""
        keys.append(("turn " if len(turns) == 1 else "turns ") + shown + more)
    return ", ".join(keys)
