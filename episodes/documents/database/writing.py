"""Write an episode's rows: save an import, replace an episode's content in place, insert rows in bulk."""

from __future__ import annotations

import difflib

from django.db import connection, models, transaction

from ... import search_index
from ...models import BodyLink, Episode, EpisodeGuest, EpisodeTopic, Person, PlatformRef, Speaker, TranscriptItem
from .digests import digest_save
from .episodes import ITEM_ROW, LINK_VALUES, EpisodeRows, ItemRow, episode_children, episode_hidden, status_from_site

CHILDREN = (EpisodeGuest, PlatformRef, TranscriptItem, BodyLink)
# The Episode columns a file fills; the rest (status, versions, sync state) belong to the CMS.
FILE_FIELDS = ["title", "short", "season", "number", "image", "front_keys", "extra", "body", "body_after", "closing"]
# After a load this big PostgreSQL would plan with the statistics of the tables before it (empty ones, after
# a first pull) until autovacuum's next round, a minute or more: the public pages' neighbours query then took
# 5 to 15 ms instead of 1.5 ms, on every page. SQLite keeps no statistics unless asked, and its plans do
# not depend on them here.
ANALYZE_AFTER_FILES = 50


def save_episode_rows(
    rows: EpisodeRows, *, existing: Episode | None = None, people: dict[str, Person] | None = None, index: bool = True
) -> tuple[Episode, list[str]]:
    """Write imported ``rows`` (replacing ``existing``'s content) as synced with the file.

    ``people`` are the guests already read by :func:`guests_and_hosts`. With ``index=False`` the caller
    indexes the new transcript for search (search_index.index_episodes) before the transaction ends.
    Return the episode and the guest keys that have no profile.
    """
    with transaction.atomic(savepoint=False):  # joins the caller's savepoint, or is a transaction
        episode = rows.episode
        if existing is not None:
            episode.pk, episode.created_at = existing.pk, existing.created_at
            episode.site_added_at = episode.site_added_at or existing.site_added_at
            episode.site_changed_at = episode.site_changed_at or existing.site_changed_at
            hidden, was_hidden = episode.status == Episode.Status.DRAFT, episode_hidden(existing)
            episode.status = status_from_site(current=existing.status, was_hidden=was_hidden, hidden=hidden)
            episode.version = existing.version + 1
            _delete_children(existing)
        episode.synced_version = episode.version
        episode.save(force_update=existing is not None, force_insert=existing is None)
        missing = _insert_children(episode, rows, people=people, index=index)
        digest_save(episode, rows.items)
    return episode, missing


def replace_content(rows: EpisodeRows, *, episode: Episode) -> None:
    """Give ``episode`` the file content of ``rows``, keeping its status, versions and speaker ties.

    Transcript items that stay keep their rows (and ids), so that an editor's page can take an undo in
    place with its unsaved typing still on the right turns; a small list that is the same is left alone.
    """
    for name in FILE_FIELDS:
        setattr(episode, name, getattr(rows.episode, name))
    episode.save(update_fields=FILE_FIELDS)
    current = episode_children(episode, items=False)  # the items are matched by _replace_items
    changed = EpisodeRows(episode=episode)
    if current.guests != rows.guest_keys:
        EpisodeGuest.objects.filter(episode=episode).delete()
        changed.guest_keys = rows.guest_keys
    if current.refs != [(r["mapping"], r["platform"], r["value"]) for r in rows.refs]:
        PlatformRef.objects.filter(episode=episode).delete()
        changed.refs = rows.refs
    if current.links != [tuple(link[name] for name in LINK_VALUES) for link in rows.links]:
        BodyLink.objects.filter(episode=episode).delete()
        changed.links = rows.links
    _insert_children(episode, changed, index=False)
    _replace_items(episode, rows.items)


def _replace_items(episode: Episode, items: list[ItemRow]) -> None:
    """Make the transcript ``items``, keeping the rows of items that stay (matched in order) and their ids."""
    old = list(episode.items.values_list("pk", *ITEM_ROW))
    positions = {row[0]: row[1] for row in old}
    content = [_item_content(row[1:]) for row in old]
    matcher = difflib.SequenceMatcher(None, content, [_item_content(row) for row in items], autojunk=False)
    kept, updated, deleted, added = [], [], [], []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        pairs = min(i2 - i1, j2 - j1) if tag == "replace" else (i2 - i1 if tag == "equal" else 0)
        for offset in range(pairs):
            target = updated if tag == "replace" else kept
            target.append(TranscriptItem(pk=old[i1 + offset][0], **items[j1 + offset]._asdict()))
        deleted += [row[0] for row in old[i1 + pairs : i2]]
        added += items[j1 + pairs : j2]
    if deleted:
        TranscriptItem.objects.filter(pk__in=deleted).delete()
    # Positions are unique per episode and checked row by row: the rows that stay step aside first.
    moved = [item for item in kept if positions[item.pk] != item.position]
    if moved or updated:
        TranscriptItem.objects.filter(pk__in=[item.pk for item in moved + updated]).update(
            position=-models.F("position") - 1
        )
        TranscriptItem.objects.bulk_update(moved, ["position"], batch_size=500)
        TranscriptItem.objects.bulk_update(updated, ["position", *ITEM_ROW[1:]], batch_size=500)
    if added:
        insert_values(TranscriptItem, ITEM_ROW, added, episode_id=episode.pk)
        new = episode.items.filter(position__in=[row.position for row in added]).values_list("pk", flat=True)
        search_index.index_items(list(new))


def _item_content(row) -> tuple:
    """Return what an item holds, its position aside: items with the same content are the same item."""
    kind, text, who, sec, time, keys, extra = row[1:]
    return kind, text, who, sec, time, tuple(keys), extra


def _delete_children(episode: Episode) -> None:
    for model in CHILDREN:
        model.objects.filter(episode=episode).delete()


def _insert_children(
    episode: Episode, rows: EpisodeRows, *, people: dict[str, Person] | None = None, index: bool = True
) -> list[str]:
    people, missing = people_for_keys(rows.guest_keys, known=people)
    guests = [{"person_id": people[key], "position": i} for i, key in enumerate(rows.guest_keys)]
    for model, children in zip(CHILDREN, (guests, rows.refs, rows.items, rows.links), strict=True):
        if model is TranscriptItem:
            insert_values(model, ITEM_ROW, children, episode_id=episode.pk)
        else:
            insert_rows(model, children, episode_id=episode.pk)
    if index:
        search_index.index_episodes([episode.pk])
    return missing


def insert_rows(model: type[models.Model], rows: list[dict], **common) -> None:
    """Insert ``rows`` (field values; others take their defaults) with one executemany."""
    if rows:
        names = list(dict.fromkeys(name for row in rows for name in row))
        insert_values(model, names, [tuple(row.get(name, _DEFAULT) for name in names) for row in rows], **common)


_DEFAULT = object()


def insert_values(model: type[models.Model], names, rows: list[tuple], **common) -> None:
    """Insert ``rows``, tuples of the fields ``names``, plus the ``common`` fields, with one executemany.

    Other columns take their defaults, as does a field whose value is missing from its row. Django's
    bulk_create spends several times longer preparing values than the database takes to write a
    transcript's rows, and an import writes hundreds of them per file.
    """
    if not rows:
        return
    fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
    defaults = {name: fields[name].get_default() for name in fields if name not in common and name not in names}
    columns = [fields[name] for name in (*common, *defaults, *names)]
    head = (*common.values(), *defaults.values())
    given = [(i, fields[name]) for i, name in enumerate(names)]
    json_given = [(i, f) for i, f in given if isinstance(f, models.JSONField)]
    prepared = {}  # most transcript items share a handful of key lists
    params = []
    for row in rows:
        if json_given or _DEFAULT in row:
            row = list(row)
            for i, f in given:
                if row[i] is _DEFAULT:
                    row[i] = f.get_default()
            for i, f in json_given:
                memo = (i, tuple(row[i])) if isinstance(row[i], list) else None
                if memo not in prepared:
                    prepared[memo] = f.get_db_prep_save(row[i], connection)
                row[i] = prepared[memo]
        params.append((*head, *row))
    quote = connection.ops.quote_name
    # Only quoted table and column names go into the SQL; every value is a parameter.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in columns),
        ", ".join(["%s"] * len(columns)),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def guests_and_hosts(keys: list[str]) -> dict[str, Person]:
    """Return, by key, the people with these keys and every host: who an episode's speakers can be.

    The people come with only these columns; the query is written out because the ORM took three times
    as long to build it as the database to run it, for every imported file.
    """
    quote = connection.ops.quote_name
    where = quote("is_host") + (f" OR {quote('key')} IN ({', '.join(['%s'] * len(keys))})" if keys else "")
    columns = ", ".join(map(quote, ("id", "key", "name", "is_host", "has_profile")))
    people = Person.objects.raw(f"SELECT {columns} FROM {quote(Person._meta.db_table)} WHERE {where}", list(keys))  # noqa: S608
    return {person.key: person for person in people}


def people_for_keys(keys: list[str], *, known: dict[str, Person] | None = None) -> tuple[dict[str, int], list[str]]:
    """Return the person id for each key and the keys without a profile, adding placeholders for new keys.

    ``known`` are people already read (see :func:`guests_and_hosts`), to save the query.
    """
    unique = list(dict.fromkeys(keys))
    if known is None:
        found = {key: (pk, has_profile) for key, pk, has_profile in _people_rows(unique)}
    else:
        found = {key: (known[key].pk, known[key].has_profile) for key in unique if key in known}
    new = [k for k in unique if k not in found]
    if new:
        Person.objects.bulk_create(Person(key=k) for k in new)
        found.update((key, (pk, has_profile)) for key, pk, has_profile in _people_rows(new))
    return {key: pk for key, (pk, _) in found.items()}, [k for k in unique if not found[k][1]]


def _people_rows(keys):
    return Person.objects.filter(key__in=keys).values_list("key", "pk", "has_profile") if keys else []


def refresh_statistics(files: int) -> None:
    """Have PostgreSQL read its planner statistics again after a load of ``files`` changed files."""
    if files < ANALYZE_AFTER_FILES or connection.vendor != "postgresql":
        return
    models_read = (Episode, *CHILDREN, EpisodeTopic, Speaker, Person)
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models_read)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")
