"""Editing operations on episodes: one function per job, keyword-only arguments."""

from __future__ import annotations

from .models import Episode, Person


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


def speaker_people(*, episode: Episode, labels) -> dict[str, Person]:
    """Return the person behind each label: the editor's tie, else the one guest or host it matches."""
    candidates = speaker_candidates(episode=episode)
    return speakers_match(labels=labels, candidates=candidates, ties=speaker_ties(episode=episode))


def speaker_ties(*, episode: Episode) -> dict[str, Person | None]:
    """Return the editor's ties of ``episode``: label to person, or to None for "nobody"."""
    return {s.label: s.person for s in episode.speakers.select_related("person")}


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
