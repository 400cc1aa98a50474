"""Map a parsed episode file to unsaved rows, and an episode's rows back to a document (the export)."""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field
from typing import NamedTuple

from ...format import frontmatter as fm
from ...models import BodyLink, Episode, EpisodeGuest, Person, PlatformRef, TranscriptItem, name_problem
from .columns import (
    EPISODE_COLUMNS,
    ITEM_COLUMNS,
    ITEM_TEXT_KEY,
    PLATFORM_MAPPINGS,
    _column_accepts,
    _ordered,
    _remember_extra,
    decode_key,
    dump_extra,
    encode_key,
    episode_extra,
    fits,
    parsed_extra,
)


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


def episode_children(
    episode: Episode,
    *,
    guest_keys: list[str] | None = None,
    items: bool = True,
    refs: list[tuple] | None = None,
    links: list[tuple] | None = None,
) -> Children:
    """Read the rows of ``episode`` (four queries: one less for each of its guests' keys, refs or links given,
    and without the transcript when ``items`` is False)."""
    if guest_keys is None:
        guest_keys = list(episode.guest_rows.values_list("person__key", flat=True))
    return Children(
        guests=guest_keys,
        refs=list(episode.platform_refs.values_list("mapping", "platform", "value")) if refs is None else refs,
        items=item_rows(episode) if items else [],
        links=list(episode.body_links.values_list(*LINK_VALUES)) if links is None else links,
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
