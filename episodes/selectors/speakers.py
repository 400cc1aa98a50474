"""Who is who in an episode: the people who may speak, the editor's ties, and each label's person and turns."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, IntegerField, QuerySet, Value
from django.db.models.expressions import RawSQL

from ..models import Episode, EpisodeGuest, Person, Speaker, TranscriptItem


def episode_people(*, episode: Episode) -> tuple[list[Person], list[Person]]:
    """Return the episode's guests in order and the people who may speak in it (see :func:`speaker_candidates`),
    with one query, or none for an episode read :func:`with_people`: the public pages read both on every
    request, a 304 included."""
    rows = getattr(episode, PEOPLE_ROWS, None)
    if rows is not None:
        return _people_from_rows(json.loads(rows) if isinstance(rows, str) else rows)
    guests = Person.objects.filter(guest_rows__episode=episode).annotate(guest_position=F("guest_rows__position"))
    hosts = Person.objects.filter(is_host=True).annotate(guest_position=Value(None, output_field=IntegerField()))
    rows = list(guests.order_by().union(hosts.order_by(), all=True).order_by("guest_position", "key"))
    listed = sorted((p for p in rows if p.guest_position is not None), key=lambda p: p.guest_position)
    return listed, listed + [p for p in rows if p.guest_position is None and p not in listed]


# The episode's guests (in order) and the hosts (by key), each as an array of the columns below, read with the
# episode itself: the public pages read them on every request, a cached page's included, and a query of
# their own was one round trip in three. The file as imported and its other keys are left out (no page shows
# them; a person read this way reads them when asked, as a deferred field).
PEOPLE_ROWS = "people_rows"
_PEOPLE_LEFT_OUT = {"front_keys", "extra", "closing", "source_text"}
_PEOPLE_FIELDS = [f for f in Person._meta.concrete_fields if f.attname not in _PEOPLE_LEFT_OUT]
_PEOPLE_SQL = {
    "postgresql": "json_build_array("
    "COALESCE((SELECT json_agg(json_build_array({columns}) ORDER BY g.position) FROM {guests} g"
    " JOIN {people} p ON p.id = g.person_id WHERE g.episode_id = {episodes}.id), '[]'::json),"
    " COALESCE((SELECT json_agg(json_build_array({columns}) ORDER BY p.key) FROM {people} p WHERE p.is_host),"
    " '[]'::json))",
    "sqlite": "json_array("
    "(SELECT json_group_array(json(r)) FROM (SELECT json_array({columns}) AS r FROM {guests} g"
    " JOIN {people} p ON p.id = g.person_id WHERE g.episode_id = {episodes}.id ORDER BY g.position)),"
    " (SELECT json_group_array(json(r)) FROM (SELECT json_array({columns}) AS r FROM {people} p"
    " WHERE p.is_host ORDER BY p.key)))",
}


def with_people(episodes: QuerySet) -> QuerySet:
    """Return ``episodes`` each with its guests and the hosts (see :func:`episode_people`); as is on other
    databases."""
    sql = _PEOPLE_SQL.get(connection.vendor)
    if sql is None:
        return episodes
    quote = connection.ops.quote_name
    sql = sql.format(
        columns=", ".join(f"p.{quote(f.column)}" for f in _PEOPLE_FIELDS),
        guests=quote(EpisodeGuest._meta.db_table),
        people=quote(Person._meta.db_table),
        episodes=quote(Episode._meta.db_table),
    )
    return episodes.annotate(**{PEOPLE_ROWS: RawSQL(sql, ())})  # noqa: S611 - table and column names only


def _people_from_rows(rows: list[list[list]]) -> tuple[list[Person], list[Person]]:
    names = [f.attname for f in _PEOPLE_FIELDS]

    def person(values: list) -> Person:
        # As the database's own converters would: SQLite's JSON gives a boolean column as 0 or 1.
        values = [f.to_python(v) for f, v in zip(_PEOPLE_FIELDS, values, strict=True)]
        return Person.from_db(connection.alias, names, values)

    guests, hosts = ([person(values) for values in part] for part in rows)
    return guests, guests + [p for p in hosts if p not in guests]


def speaker_candidates(*, episode: Episode, guests: list[Person] | None = None) -> list[Person]:
    """Return the people who may speak in ``episode``: its guests in order (read unless given), then the hosts."""
    if guests is None:
        guests = [row.person for row in episode.guest_rows.select_related("person")]
    hosts = [p for p in Person.objects.filter(is_host=True) if p not in guests]
    return guests + hosts


def label_matches(label: str, person: Person) -> bool:
    """Tell whether a speaker label names ``person``: the full name, the first name, or the key."""
    label = label.strip().casefold()
    if not label:
        return False
    name = (person.name or "").strip().casefold()
    first = name.split()[0] if name else ""
    return label in {name, first, person.key.casefold()}


def speaker_people(*, episode: Episode, labels, candidates: list[Person] | None = None) -> dict[str, Person]:
    """Return the person behind each label: the editor's tie, else the one guest or host it matches."""
    if candidates is None:
        candidates = speaker_candidates(episode=episode)
    return speakers_match(labels=labels, candidates=candidates, ties=speaker_ties(episode=episode))


def speaker_ties(*, episode: Episode, known: list[Person] | None = None) -> dict[str, Person | None]:
    """Return the editor's ties of ``episode``: label to person, or to None for "nobody".

    An episode read :func:`with_tie_pairs` has its ties already: only a person tied who is not among
    ``known`` (its guests and hosts, usually all of them) is read then.
    """
    pairs = getattr(episode, TIE_PAIRS, None)
    if pairs is None:
        return {s.label: s.person for s in episode.speakers.select_related("person")}
    if isinstance(pairs, str):  # SQLite answers JSON as text
        pairs = json.loads(pairs)
    people = {p.pk: p for p in known or []}
    missing = {pk for _, pk in pairs if pk is not None and pk not in people}
    if missing:
        people.update((p.pk, p) for p in Person.objects.filter(pk__in=missing))
    return {label: None if pk is None else people.get(pk) for label, pk in pairs}


# The episode's ties as [[label, person id or null], ...], read with the episode itself: the public pages
# read them on every request, a cached page's included, and a query of their own was one round trip in four.
TIE_PAIRS = "tie_pairs"
_TIE_PAIRS_SQL = {
    "postgresql": "COALESCE((SELECT json_agg(json_build_array(s.label, s.person_id) ORDER BY s.label) FROM {speakers} s"
    " WHERE s.episode_id = {episodes}.id), '[]'::json)",
    "sqlite": "(SELECT json_group_array(json_array(s.label, s.person_id)) FROM (SELECT label, person_id FROM {speakers}"
    " WHERE episode_id = {episodes}.id ORDER BY label) s)",
}


def with_tie_pairs(episodes: QuerySet) -> QuerySet:
    """Return ``episodes`` each with its speaker ties (see :func:`speaker_ties`); as is on other databases."""
    sql = _TIE_PAIRS_SQL.get(connection.vendor)
    if sql is None:
        return episodes
    quote = connection.ops.quote_name
    sql = sql.format(speakers=quote(Speaker._meta.db_table), episodes=quote(Episode._meta.db_table))
    return episodes.annotate(**{TIE_PAIRS: RawSQL(sql, ())})  # noqa: S611 - table names only


def speakers_match(*, labels, candidates: list[Person], ties: dict[str, Person | None]) -> dict[str, Person]:
    """Return the person behind each label, from people and ties the caller has already read."""
    people = {}
    for label in labels:
        if label in ties:
            if ties[label] is not None:
                people[label] = ties[label]
            continue
        matches = [p for p in candidates if label_matches(label, p)]
        if len(matches) == 1:
            people[label] = matches[0]
    return people


@dataclass
class SpeakerSummary:
    label: str
    turns: int
    first_words: str
    first_position: int
    person: Person | None
    tied: bool  # the editor chose the person (or "nobody") rather than the first-name match

    @property
    def unknown(self) -> bool:
        return self.person is None and not self.tied


def speaker_summaries(*, episode: Episode, items=None, candidates=None, ties=None) -> list[SpeakerSummary]:
    """Return each label with its number of turns, first words and person, in order of first appearance.

    ``items`` are (position, kind, text, who, ...) tuples, ``candidates`` and ``ties`` what the caller
    has already read (see speaker_candidates and speaker_ties).
    """
    if items is None:
        items = episode.items.filter(kind=TranscriptItem.Kind.TURN).values_list("position", "kind", "text", "who")
    if candidates is None:
        candidates = speaker_candidates(episode=episode)
    if ties is None:
        ties = speaker_ties(episode=episode)
    counts: Counter[str] = Counter()
    first: dict[str, tuple[int, str]] = {}
    for position, kind, text, who, *_ in items:
        if kind != TranscriptItem.Kind.TURN or not who:
            continue
        counts[who] += 1
        first.setdefault(who, (position, text))
    people = speakers_match(labels=list(first), candidates=candidates, ties=ties)
    return [
        SpeakerSummary(label, counts[label], _first_words(text), position, people.get(label), label in ties)
        for label, (position, text) in first.items()
    ]


def _first_words(text: str, count: int = 12) -> str:
    words = text.split()
    return " ".join(words[:count]) + (" …" if len(words) > count else "")
