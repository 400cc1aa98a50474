"""Saving the episode page: metadata, other keys, in-place transcript edits and the small ordered lists."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..documents import database
from ..format import frontmatter as fm
from ..models import BodyLink, Episode, EpisodeGuest, Person, PlatformRef
from .clips import clips_follow_video
from .editing import Edit, Locked, StaleEpisode, editing, record_change
from .merging import MERGE_TRIES, MergeRaced, Mine, SavePlan, save_plan
from .transcript import ItemEdit, apply_edits
from .warnings import refresh_counts

COLUMN_KEYS = {attr: key for key, attr in database.EPISODE_COLUMNS.items()}
LIST_NAMES = {EpisodeGuest: "guests", PlatformRef: "platform ids and links", BodyLink: "links"}


# What an editor can change in each small list's rows (besides their order).
LIST_VALUES = {
    EpisodeGuest: ("person_id",),
    PlatformRef: ("mapping", "platform", "value"),
    BodyLink: ("text", "url", "new_tab"),
}


@dataclass
class Row:
    """One row of a small ordered list as the editor left it: ``obj`` already holds the new values."""

    obj: EpisodeGuest | PlatformRef | BodyLink
    delete: bool = False


@dataclass
class EpisodeSaved:
    """What a save of the episode page did: the names of what changed (none: nothing was saved, no new
    version), the episode's version after it, and the warnings the saved episode has (None when unchanged)."""

    what: list[str]
    version: int
    warnings: list | None = None
    merged: str = ""  # "merged with NAME's save of TIME (turns …)" when saved over someone else's newer save

    @property
    def changed(self) -> bool:
        return bool(self.what)


def episode_create(*, episode: Episode, lists: dict[type, list[Row]] | None = None, user=None) -> Episode:
    """Save a new episode made in the CMS, with its small lists; it is in no file yet (never synced)."""
    with transaction.atomic():
        episode.edited_by = user if user is not None and user.is_authenticated else None
        episode.edited_at = timezone.now()
        episode.synced_version = 0
        episode.save()
        for model, rows in (lists or {}).items():
            saved = _save_rows(episode, model, rows)
            if saved and model is BodyLink:
                _ensure_links_header(episode)
            if saved and model is PlatformRef:
                clips_follow_video(episode)
        refresh_counts(episode=episode)
        record_change(change=Edit(episode=episode, summary="created in the CMS"), user=user)
    return episode


def episode_save(
    *,
    episode: Episode,
    fields: dict | None = None,
    extra: dict | None = None,
    edits: dict[int, ItemEdit] | None = None,
    lists: dict[type, list[Row]] | None = None,
    user=None,
    version: int | None = None,
    locked: Locked | None = None,
) -> EpisodeSaved:
    """Save what the editor changed on the episode page as one edit; return what changed.

    ``fields`` are column values, ``extra`` the whole new mapping of other keys, ``edits`` in-place
    transcript edits by item id, ``lists`` the guests / platform refs / body links rows in their new order.
    Only rows whose values or positions changed are written. ``version`` is the version the page showed: when
    the episode was saved since, these changes are merged three ways into it (:mod:`.merging`) and what merges
    is saved; the same thing changed differently raises MergeConflict, saves landing during the merge twice
    MergeRaced, a refused edit ServiceError; then nothing is saved.

    ``locked``: the episode and rows the caller read under its lock in its own transaction (editing.Locked),
    not read again; no other save can land during this one, so it merges at most once.
    """
    # The episode as the caller read it tells a page gone stale without a query; a save landing since is
    # found under the lock.
    if version is None or (locked.episode if locked else episode).version == version:
        try:
            return _save(
                episode=episode,
                fields=fields,
                extra=extra,
                edits=edits,
                lists=lists,
                user=user,
                version=version,
                locked=locked,
            )
        except StaleEpisode:
            if version is None or locked is not None:
                raise
    mine = _mine(fields or {}, extra, edits or {}, lists or {})
    for _ in range(MERGE_TRIES):
        plan = save_plan(
            episode=episode,
            seen_version=version,
            mine=mine,
            current=locked.episode if locked else None,
            items=locked.items if locked else None,
        )
        columns = {**plan.columns, **({"status": fields["status"]} if fields and "status" in fields else {})}
        try:
            saved = _save(
                episode=episode,
                fields=columns,
                extra=plan.extra,
                edits=plan.edits,
                lists=_plan_rows(episode, plan),
                user=user,
                version=plan.version,
                locked=locked,
            )
        except StaleEpisode:
            if locked is not None:
                raise  # cannot be: the caller's lock kept other saves out (and its transaction is spoilt)
            continue  # a save landed while this one was merged: merge again, with it
        saved.merged = plan.words
        return saved
    raise MergeRaced


def _save(*, episode, fields, extra, edits, lists, user, version, locked: Locked | None = None) -> EpisodeSaved:
    read = locked.items if locked is not None else {}
    with editing(episode=episode, user=user, version=version, locked=locked) as change:
        locked = change.episode
        what = []
        updated = [name for name, value in (fields or {}).items() if getattr(locked, name) != value]
        current_extra = database.episode_extra(locked)
        new_extra = dict(current_extra if extra is None else extra)
        for name in updated:
            setattr(locked, name, fields[name])
            # A column filled in here wins over a value the file had that did not fit the column.
            new_extra.pop(COLUMN_KEYS.get(name), None)
        if new_extra != current_extra or list(new_extra) != list(current_extra):
            locked.extra = database.dump_extra(new_extra)
            updated.append("extra")
            what += [k for k in {**current_extra, **new_extra} if current_extra.get(k, ...) != new_extra.get(k, ...)]
        if updated:
            locked.save(update_fields=updated)
            what += [COLUMN_KEYS.get(name, name) for name in updated if name != "extra"]
        if edits:
            count, edited = apply_edits(locked, edits, read=read)
            if count:
                what.append(edited)
        for model, rows in (lists or {}).items():
            change.lists.pop(model, None)  # as read before this save writes it: read again for the record
            if _save_rows(locked, model, rows):
                what.append(LIST_NAMES[model])
                if model is BodyLink and any(not row.delete for row in rows):
                    _ensure_links_header(locked)
                # Clips link to the video: a new YouTube id or link moves them with it, in this revision.
                if model is PlatformRef and clips_follow_video(locked):
                    what.append("quotableClips")
        if not what:
            change.cancel = True
        change.summary = "edited " + ", ".join(what)
    return EpisodeSaved(what=what, version=change.episode.version, warnings=change.warnings)


def _mine(fields: dict, extra: dict | None, edits: dict, lists: dict[type, list[Row]]) -> Mine:
    """Return what the page changed as the merge reads it: front keys, lists as values."""

    def kept(model):
        rows = lists.get(model)
        return None if rows is None else [row.obj for row in rows if not row.delete]

    guests, refs, links = kept(EpisodeGuest), kept(PlatformRef), kept(BodyLink)
    return Mine(
        columns={COLUMN_KEYS[name]: value for name, value in fields.items() if name in COLUMN_KEYS},
        extra=extra,
        edits=edits,
        guests=None if guests is None else [row.person.key for row in guests],
        refs=None if refs is None else [(row.mapping, row.platform, row.value) for row in refs],
        links=None if links is None else [(row.text, row.url, row.marker, row.new_tab) for row in links],
        body=fields.get("body"),
        body_after=fields.get("body_after"),
    )


def _plan_rows(episode: Episode, plan: SavePlan) -> dict[type, list[Row]]:
    """Return the small lists a merged save writes, as rows: the saved ones reused where they stay."""
    lists = {}
    if plan.guests is not None:
        saved = {row.person.key: row for row in EpisodeGuest.objects.filter(episode=episode).select_related("person")}
        people = Person.objects.in_bulk([key for key in plan.guests if key not in saved], field_name="key")
        rows = [
            saved.pop(key, None) or EpisodeGuest(person=people[key])
            for key in plan.guests
            if key in saved or key in people
        ]
        lists[EpisodeGuest] = [Row(obj) for obj in rows] + [Row(obj, delete=True) for obj in saved.values()]
    if plan.refs is not None:
        saved = {(row.mapping, row.platform): row for row in PlatformRef.objects.filter(episode=episode)}
        rows = []
        for mapping, platform, value in plan.refs:
            row = saved.pop((mapping, platform), None) or PlatformRef(mapping=mapping, platform=platform)
            row.value = value
            rows.append(row)
        lists[PlatformRef] = [Row(obj) for obj in rows] + [Row(obj, delete=True) for obj in saved.values()]
    if plan.links is not None:
        saved: dict = {}
        for row in BodyLink.objects.filter(episode=episode):
            saved.setdefault((row.text, row.url), []).append(row)
        rows = []
        for text, url, marker, new_tab in plan.links:
            same = saved.get((text, url))
            row = same.pop(0) if same else BodyLink(text=text, url=url)
            row.marker, row.new_tab = marker, new_tab
            rows.append(row)
        left = [row for rest in saved.values() for row in rest]
        lists[BodyLink] = [Row(obj) for obj in rows] + [Row(obj, delete=True) for obj in left]
    return lists


def _ensure_links_header(episode: Episode) -> None:
    """Give a body that had no link list the "Links:" header its first links need."""
    body = fm.with_links_header(episode.body)
    if body != episode.body:
        episode.body = body
        episode.save(update_fields=["body"])


def _save_rows(episode: Episode, model, rows: list[Row]) -> bool:
    """Write a small ordered list: deletions, then moved or changed rows, then new ones; tell if anything changed.

    A row counts as changed only when its values differ from the stored ones, whatever the page sent
    (a page's script renumbering positions is not a change).
    """
    queryset = model.objects.filter(episode=episode)
    values = LIST_VALUES[model]
    stored = {pk: (position, rest) for pk, position, *rest in queryset.values_list("pk", "position", *values)}
    deleted = [row.obj.pk for row in rows if row.delete and row.obj.pk in stored]
    kept = [row for row in rows if not row.delete]
    counters: dict = {}
    for row in kept:
        group = row.obj.mapping if model is PlatformRef else None
        row.obj.position = counters.get(group, 0)
        counters[group] = row.obj.position + 1
    moved = any(row.obj.pk in stored and stored[row.obj.pk][0] != row.obj.position for row in kept)
    changed = [
        row
        for row in kept
        if row.obj.pk in stored and [getattr(row.obj, name) for name in values] != stored[row.obj.pk][1]
    ]
    if deleted:
        queryset.filter(pk__in=deleted).delete()
    if moved:
        # Positions are unique per episode and checked row by row: step aside first.
        queryset.update(position=-F("position") - 1)
    for row in kept:
        if row.obj.pk in stored and (moved or row in changed):
            row.obj.save()
    added = [row for row in kept if row.obj.pk is None]
    for row in added:
        row.obj.episode = episode
        row.obj.save()
    return bool(deleted or moved or changed or added)
