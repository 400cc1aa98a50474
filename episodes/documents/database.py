"""Map parsed episode and person files to database rows and back, losing nothing.

A front matter key goes to its column only when its value has exactly the column's type (and fits it);
any other key or value is kept with its YAML type in the row's ``extra`` mapping. ``front_keys`` keeps
the file's key order, and each transcript item keeps its own keys, so the export writes the same data.
"""

from __future__ import annotations

import copy
import difflib
import functools
import itertools
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection, models, transaction

from .. import search_index
from ..format import frontmatter as fm
from ..models import BodyLink, Episode, EpisodeGuest, Person, PlatformRef, TranscriptItem, name_problem

EPISODE_COLUMNS = {"title": "title", "short": "short", "season": "season", "episode": "number", "image": "image"}
PERSON_COLUMNS = {
    "short": "short",
    "title": "name",
    "picture": "picture",
    "github": "github",
    "twitter": "twitter",
    "linkedin": "linkedin",
    "web": "web",
    "bio_short": "bio_short",
}
PLATFORM_MAPPINGS = ("ids", "links")
ITEM_TEXT_KEY = {TranscriptItem.Kind.HEADER: "header", TranscriptItem.Kind.TURN: "line"}
ITEM_COLUMNS = ("who", "sec", "time")
_INT_RANGE = range(-(2**31), 2**31)


@functools.cache
def _column_accepts(model: type[models.Model], attr: str):
    """Return a predicate telling whether a YAML value can live in ``model.attr`` unchanged."""
    column = model._meta.get_field(attr)
    if isinstance(column, models.IntegerField):
        return lambda value: fm.is_int(value) and value in _INT_RANGE
    limit = column.max_length
    # PostgreSQL text cannot hold NUL characters.
    return lambda value: isinstance(value, str) and "\x00" not in value and (limit is None or len(value) <= limit)


def fits(model: type[models.Model], attr: str, value) -> bool:
    return _column_accepts(model, attr)(value)


def _is_json_key(key) -> bool:
    # PostgreSQL's jsonb refuses the NUL character even escaped, as \u0000.
    return type(key) is str and "\x00" not in key


def encode_key(key):
    """Return ``key`` as JSON can hold it: strings as they are, other YAML keys as YAML text."""
    return key if _is_json_key(key) else {"yaml": fm.dump(key)}


def decode_key(key):
    return key if isinstance(key, str) else fm.load(key["yaml"])


def dump_extra(extra: dict, doc: fm.Document | None = None) -> str:
    """Return the YAML text of ``extra``; a value it cannot keep is refused at its key's line in ``doc``."""
    try:
        return fm.dump_checked(extra) if extra else ""
    except fm.FormatError as exc:
        if doc is None:
            raise
        # Only on refusal: find which key it was, to point the editor at it.
        key = next(k for k, v in extra.items() if _refused({k: v}))
        raise fm.error_at(doc, (key,), exc.message) from None


def _refused(data) -> bool:
    try:
        fm.dump_checked(data)
    except fm.FormatError:
        return True
    return False


def load_extra(text: str) -> dict:
    return fm.load(text) if text else {}


def parsed_extra(text: str) -> dict:
    """Return an ``extra`` YAML text as data, parsed once per process: the same object for the same text.

    Treat it as read-only (copy it to change it): the editor, every edit and the public pages' ETags read
    an episode's other keys on each request, and parsing them costs milliseconds.
    """
    data = _PARSED_EXTRA.pop(text, None)
    if data is None:
        data = load_extra(text)
    _remember_extra(text, data)
    return data


# Most recently used last, at most PARSED_EXTRA_MAX texts.
_PARSED_EXTRA: dict[str, dict] = {}
PARSED_EXTRA_MAX = 256


def _remember_extra(text: str, data: dict) -> None:
    _PARSED_EXTRA[text] = data
    if len(_PARSED_EXTRA) > PARSED_EXTRA_MAX:
        del _PARSED_EXTRA[next(iter(_PARSED_EXTRA))]


def episode_extra(episode: Episode) -> dict:
    """Return the episode's other keys (read-only: see :func:`parsed_extra`)."""
    return parsed_extra(episode.extra)


def _ordered(front_keys: list, present: dict, extra: dict) -> dict:
    """Return the front matter: the stored key order, then keys filled in since, in a sorted place if sorted."""
    keys = [decode_key(k) for k in front_keys]
    known = set(keys)
    added = [k for k in present if k not in known]
    # Other keys added since the file was read (a duration, clips): before the transcript, as the site has them.
    new_extra = [k for k in extra if k not in known and k not in present]
    if added or new_extra:
        if all(isinstance(k, str) for k in [*keys, *added, *new_extra]) and keys == sorted(keys):
            keys = sorted(keys + added + new_extra)
        else:
            at = keys.index("transcript") if "transcript" in known else len(keys)
            keys = keys[:at] + new_extra + keys[at:] + added
    data = {}
    for key in keys:
        if key in extra:
            data[key] = extra[key]
        elif key in present:
            data[key] = present[key]
    return data


# -- episodes ---------------------------------------------------------------------------------------


@dataclass
class EpisodeRows:
    """An episode's rows, built from a document and not saved yet."""

    episode: Episode
    guest_keys: list[str] = field(default_factory=list)
    refs: list[dict] = field(default_factory=list)
    items: list[tuple] = field(default_factory=list)  # in ITEM_ROW order
    links: list[dict] = field(default_factory=list)


def _is_guest_list(value) -> bool:
    return isinstance(value, list) and all(
        isinstance(k, str) and not name_problem(k) and fits(Person, "key", k) for k in value
    )


def _is_platform_map(value) -> bool:
    return isinstance(value, dict) and all(
        fits(PlatformRef, "platform", k) and fits(PlatformRef, "value", v) for k, v in value.items()
    )


class ItemRow(NamedTuple):
    """A transcript item's stored values: what an import writes, and what the editor, warnings and exports read."""

    position: int
    kind: str
    text: str
    who: str
    sec: int | None
    time: str
    keys: list | None = None  # the item's own keys, in the file's order (None: not read)
    extra: str | None = None  # its other keys as YAML, a whole entry for RAW items (None: not read)


# The TranscriptItem columns an imported item fills, in ItemRow's order; the first six are what pages show.
ITEM_ROW = ItemRow._fields
SHOWN = ITEM_ROW[:6]


def item_row(position: int, item) -> ItemRow:
    """Return the TranscriptItem values for one transcript list entry."""
    if type(item) is not dict:
        return ItemRow(position, TranscriptItem.Kind.RAW, "", "", None, "", [], fm.dump_checked(item))
    kind = TranscriptItem.Kind.HEADER if "header" in item else TranscriptItem.Kind.TURN
    text_key = ITEM_TEXT_KEY[kind]
    text = who = time = ""
    sec = extra = None
    # One pass with the column checks written out: this runs for every line of every transcript.
    for key, value in item.items():
        if type(key) is not str or "\x00" in key:
            # A key JSON cannot hold: keep the entry as YAML.
            return ItemRow(position, TranscriptItem.Kind.RAW, "", "", None, "", [], fm.dump_checked(item))
        if key == text_key and isinstance(value, str) and "\x00" not in value:
            text = value
        elif key == "who" and _ITEM_ACCEPTS["who"](value):
            who = value
        elif key == "sec" and _ITEM_ACCEPTS["sec"](value):
            sec = value
        elif key == "time" and _ITEM_ACCEPTS["time"](value):
            time = value
        else:
            extra = extra or {}
            extra[key] = value
    return ItemRow(position, kind, text, who, sec, time, list(item), fm.dump_checked(extra) if extra else "")


_ITEM_ACCEPTS = {attr: _column_accepts(TranscriptItem, attr) for attr in ITEM_COLUMNS}
assert TranscriptItem._meta.get_field("text").max_length is None  # item_row checks the text inline


def item_data(kind: str, text: str, who: str, sec, time: str, keys: list, extra: str):
    """Return the transcript list entry for one item's stored values."""
    if kind == TranscriptItem.Kind.RAW:
        return fm.load(extra)
    values = {ITEM_TEXT_KEY[kind]: text, "who": who, "time": time}
    if sec is not None:
        values["sec"] = sec
    # A blank label or time is written only where the file had the key.
    present = {k: v for k, v in values.items() if v != "" or k in keys}
    return _ordered(keys, present, fm.load(extra) if extra else {})


def hidden_on_site(slug: str, front: dict) -> bool:
    """Tell whether the site hides an episode's file: Jekyll renders no file whose name starts with '_', nor one
    whose front matter says ``published: false``."""
    return slug.startswith("_") or front.get("published") is False


def episode_hidden(episode: Episode) -> bool:
    """Tell whether the site hides ``episode``'s file (see :func:`hidden_on_site`)."""
    return hidden_on_site(episode.slug, parsed_extra(episode.extra))


def status_from_site(*, current: str, was_hidden: bool, hidden: bool) -> str:
    """Return an episode's status once the site's file is read: a file the site hides makes a draft, and one
    it shows again publishes the draft its hiding made; otherwise the CMS's status (``current``) stays."""
    if hidden:
        return Episode.Status.DRAFT
    if current == Episode.Status.DRAFT and was_hidden:
        return Episode.Status.PUBLISHED
    return current


def episode_rows(doc: fm.Document, *, slug: str) -> EpisodeRows:
    """Map a parsed episode file to unsaved rows; raise FormatError for values YAML cannot write back.

    A file the site hides (:func:`hidden_on_site`) gives a draft.
    """
    status = Episode.Status.DRAFT if hidden_on_site(slug, doc.front) else Episode.Status.PUBLISHED
    episode = Episode(slug=slug, closing=doc.closing, status=status)
    rows = EpisodeRows(episode=episode)
    extra = {}
    for key, value in doc.front.items():
        attr = EPISODE_COLUMNS.get(key) if isinstance(key, str) else None
        if attr is not None and fits(Episode, attr, value):
            setattr(episode, attr, value)
        elif key == "guests" and _is_guest_list(value):
            rows.guest_keys = value
        elif key in PLATFORM_MAPPINGS and _is_platform_map(value):
            rows.refs += [
                {"mapping": key, "platform": platform, "value": v, "position": i}
                for i, (platform, v) in enumerate(value.items())
            ]
        elif key == "transcript" and isinstance(value, list):
            for i, item in enumerate(value):
                try:
                    rows.items.append(item_row(i, item))
                except fm.FormatError as exc:
                    raise fm.error_at(doc, (key, i), exc.message) from None
            episode.item_count = len(rows.items)
        else:
            extra[key] = value
    episode.front_keys = [encode_key(k) for k in doc.front]
    episode.extra = dump_extra(extra, doc)
    # What the text reads back as, so that the checks and warnings that read it next need not parse it (a
    # copy: the document's values may still change).
    _remember_extra(episode.extra, copy.deepcopy(extra))
    body = fm.split_body(doc.body)
    links = [
        {"position": i, "text": link.text, "url": link.url, "marker": link.marker, "new_tab": link.new_tab}
        for i, link in enumerate(body.links)
    ]
    if all(fits(BodyLink, "text", link.text) and fits(BodyLink, "url", link.url) for link in body.links):
        episode.body, episode.body_after, rows.links = body.before, body.after, links
    else:
        episode.body, episode.body_after = doc.body, ""
    return rows


def episode_front(episode: Episode, *, guests: list[str], refs: list[tuple], items: list) -> dict:
    """Return the front matter of ``episode`` given its children's values.

    ``refs`` are (mapping, platform, value) in order; ``items`` the data of each transcript entry.
    """
    present = {}
    for key, attr in EPISODE_COLUMNS.items():
        value = getattr(episode, attr)
        if value is not None:
            present[key] = value
    mappings = {mapping: {} for mapping in PLATFORM_MAPPINGS}
    for mapping, platform, value in refs:
        mappings[mapping][platform] = value
    present.update(guests=guests, transcript=items, **mappings)
    # Empty collections and blank strings count as present only where the file had the key.
    keys = {decode_key(k) for k in episode.front_keys}
    present = {k: v for k, v in present.items() if k in keys or (v != "" and v != [] and v != {})}
    return _ordered(episode.front_keys, present, episode_extra(episode))


def episode_body(episode: Episode, links: list[tuple]) -> str:
    """Return the body text; ``links`` are (text, url, marker, new_tab) in order."""
    lines = [fm.Link(text=t, url=u, marker=m, new_tab=n).line() for t, u, m, n in links]
    return episode.body + "\n".join(lines) + episode.body_after


ITEM_VALUES = ("kind", "text", "who", "sec", "time", "keys", "extra")
LINK_VALUES = ("text", "url", "marker", "new_tab")


@dataclass
class Children:
    """An episode's rows as plain values: guest keys, refs, items and body links."""

    guests: list[str]
    refs: list[tuple]
    items: list[ItemRow]
    links: list[tuple]


def item_rows(episode: Episode, *, shown: bool = False) -> list[ItemRow]:
    """Read the transcript of ``episode`` in order (one query); ``shown``: only the columns pages show
    (not the items' own keys and YAML, which stay None)."""
    return list(itertools.starmap(ItemRow, episode.items.values_list(*(SHOWN if shown else ITEM_ROW))))


def episode_children(episode: Episode, *, guest_keys: list[str] | None = None, items: bool = True) -> Children:
    """Read the rows of ``episode`` (four queries, one less when its guests' keys are given, or without
    the transcript when ``items`` is False)."""
    if guest_keys is None:
        guest_keys = list(episode.guest_rows.values_list("person__key", flat=True))
    return Children(
        guests=guest_keys,
        refs=list(episode.platform_refs.values_list("mapping", "platform", "value")),
        items=item_rows(episode) if items else [],
        links=list(episode.body_links.values_list(*LINK_VALUES)),
    )


def episode_document(episode: Episode, children: Children | None = None) -> fm.Document:
    """Return ``episode`` as a document, from ``children`` already read or reading them (four queries)."""
    children = children or episode_children(episode)
    items = [item_data(*values[1:]) for values in children.items]
    front = episode_front(episode, guests=children.guests, refs=children.refs, items=items)
    return fm.Document(front=front, body=episode_body(episode, children.links), closing=episode.closing)


def episode_documents(episodes):
    """Yield (episode, document) for a queryset, reading each child table once per batch."""
    batch_size = 200
    episodes = list(episodes)
    for start in range(0, len(episodes), batch_size):
        batch = {e.pk: e for e in episodes[start : start + batch_size]}
        children = {pk: ([], [], [], []) for pk in batch}
        for pk, key in EpisodeGuest.objects.filter(episode__in=batch).values_list("episode", "person__key"):
            children[pk][0].append(key)
        refs = PlatformRef.objects.filter(episode__in=batch).order_by("episode", "mapping", "position")
        for pk, *values in refs.values_list("episode", "mapping", "platform", "value"):
            children[pk][1].append(values)
        items = TranscriptItem.objects.filter(episode__in=batch).order_by("episode", "position")
        for pk, *values in items.values_list("episode", *ITEM_VALUES):
            children[pk][2].append(item_data(*values))
        links = BodyLink.objects.filter(episode__in=batch).order_by("episode", "position")
        for pk, *values in links.values_list("episode", *LINK_VALUES):
            children[pk][3].append(values)
        for pk, episode in batch.items():
            guests, refs, items, links = children[pk]
            front = episode_front(episode, guests=guests, refs=refs, items=items)
            yield episode, fm.Document(front=front, body=episode_body(episode, links), closing=episode.closing)


def export_text(episode: Episode) -> str:
    """Return the canonical file text of ``episode``."""
    return episode_document(episode).render()


CHILDREN = (EpisodeGuest, PlatformRef, TranscriptItem, BodyLink)
# The Episode columns a file fills; the rest (status, versions, sync state) belong to the CMS.
FILE_FIELDS = ["title", "short", "season", "number", "image", "front_keys", "extra", "body", "body_after", "closing"]


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


# -- people -----------------------------------------------------------------------------------------


def person_fields(doc: fm.Document) -> dict:
    """Map a parsed ``_people`` profile to Person field values."""
    values = {"closing": doc.closing, "body": doc.body, "has_profile": True}
    extra = {}
    for key, value in doc.front.items():
        attr = PERSON_COLUMNS.get(key) if isinstance(key, str) else None
        if attr is not None and fits(Person, attr, value):
            values[attr] = value
        else:
            extra[key] = value
    values["front_keys"] = [encode_key(k) for k in doc.front]
    values["extra"] = dump_extra(extra, doc)
    return values


def person_document(person: Person) -> fm.Document:
    present = {key: getattr(person, attr) for key, attr in PERSON_COLUMNS.items()}
    keys = {decode_key(k) for k in person.front_keys}
    present = {k: v for k, v in present.items() if k in keys or v != ""}
    front = _ordered(person.front_keys, present, load_extra(person.extra))
    body = person.body
    if not person.source_text:
        # A profile made in the CMS: its body as a file holds it (after the closing line's line break), and
        # ending with a line break, as the site's files do; else it would read back as another body.
        body = body if body.startswith("\n") else "\n" + body
        body = body if body.endswith("\n") else body + "\n"
    return fm.Document(front=front, body=body, closing=person.closing)
