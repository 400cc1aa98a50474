"""Speaker labels: renaming and merging labels, tying them to people, reassigning and swapping turns (who is
who is read by :mod:`episodes.selectors.speakers`)."""

from __future__ import annotations

from django.db.models import Case, Count, Value, When

from ..models import Episode, Person, Speaker, TranscriptItem
from .editing import ServiceError, editing, items

ERR_SAME_LABEL = "The old and new labels are the same."
ERR_EMPTY_LABEL = "A speaker label cannot be empty."
ERR_LONG_LABEL = "A speaker label can have at most {limit} characters."
ERR_UNKNOWN_LABEL = "No turn is spoken by '{label}'."
ERR_NO_TURNS = "Select at least one turn."
ERR_MERGE_TARGET = "'{label}' is not a speaker of this episode; use rename instead."
ERR_LABEL_TAKEN = (
    "'{target}' is already a speaker of this episode ({turns} turns); renaming '{source}' to it would merge the two. "
    "Merge '{source}' into '{target}' instead?"
)


class LabelTaken(ServiceError):
    """A rename onto a label that already speaks: that is a merge, which the editor must choose."""

    def __init__(self, *, source: str, target: str, turns: int):
        super().__init__(ERR_LABEL_TAKEN.format(source=source, target=target, turns=turns))
        self.source, self.target = source, target


LABEL_LIMIT = TranscriptItem._meta.get_field("who").max_length


def _check_label(label: str) -> str:
    label = label.strip()
    if not label:
        raise ServiceError(ERR_EMPTY_LABEL)
    if len(label) > LABEL_LIMIT:
        raise ServiceError(ERR_LONG_LABEL.format(limit=LABEL_LIMIT))
    return label


def _turns(episode: Episode, positions=None):
    turns = items(episode).filter(kind=TranscriptItem.Kind.TURN)
    return turns if positions is None else turns.filter(position__in=positions)


def speaker_rename(*, episode: Episode, old: str, new: str, user=None, version: int | None = None) -> int:
    """Rename label ``old`` to ``new`` in every turn of the episode; return the number of turns changed."""
    new = _check_label(new)
    if new == old:
        raise ServiceError(ERR_SAME_LABEL)
    with editing(episode=episode, user=user, version=version, summary=f"renamed speaker {old} → {new}") as change:
        # Another label spelled the same but for case is taken too: 'alexey' → 'Alexey' while 'ALEXEY' speaks.
        labels = _turns(change.episode).exclude(who=old).values_list("who").annotate(turns=Count("pk"))
        taken = sorted((-turns, who) for who, turns in labels if who.casefold() == new.casefold())
        if taken:
            raise LabelTaken(source=old, target=taken[0][1], turns=-taken[0][0])
        count = _turns(change.episode).filter(who=old).update(who=new)
        if not count:
            raise ServiceError(ERR_UNKNOWN_LABEL.format(label=old))
        _move_tie(change.episode, old, new)
    return count


def speaker_merge(*, episode: Episode, source: str, target: str, user=None, version: int | None = None) -> int:
    """Give the turns of label ``source`` to the existing label ``target``; return the number changed."""
    if source == target:
        raise ServiceError(ERR_SAME_LABEL)
    if not _turns(episode).filter(who=target).exists():
        raise ServiceError(ERR_MERGE_TARGET.format(label=target))
    with editing(episode=episode, user=user, version=version, summary=f"merged speaker {source} into {target}") as c:
        count = _turns(c.episode).filter(who=source).update(who=target)
        if not count:
            raise ServiceError(ERR_UNKNOWN_LABEL.format(label=source))
        Speaker.objects.filter(episode=c.episode, label=source).delete()
    return count


def _move_tie(episode: Episode, old: str, new: str) -> None:
    tie = Speaker.objects.filter(episode=episode, label=old).first()
    if tie is not None and not Speaker.objects.filter(episode=episode, label=new).exists():
        tie.label = new
        tie.save(update_fields=["label"])
    elif tie is not None:
        tie.delete()


def speaker_tie(
    *, episode: Episode, label: str, person: Person | None, automatic: bool = False, user=None, version=None
) -> None:
    """Tie ``label`` to ``person`` (None: nobody); ``automatic`` drops the tie and goes back to name matching."""
    label = _check_label(label)
    if automatic:
        summary = f"speaker {label} matched automatically"
    else:
        summary = f"tied speaker {label} to {person.name or person.key if person else 'nobody'}"
    with editing(episode=episode, user=user, version=version, summary=summary) as change:
        if automatic:
            Speaker.objects.filter(episode=change.episode, label=label).delete()
        else:
            Speaker.objects.update_or_create(episode=change.episode, label=label, defaults={"person": person})


def turns_assign(*, episode: Episode, positions, who: str, user=None, version: int | None = None) -> int:
    """Give the turns at ``positions`` to speaker ``who``; return how many turns changed."""
    who = _check_label(who)
    positions = sorted(set(positions))
    if not positions:
        raise ServiceError(ERR_NO_TURNS)
    summary = f"assigned {_describe(positions)} to {who}"
    with editing(episode=episode, user=user, version=version, summary=summary) as change:
        return _turns(change.episode, positions).exclude(who=who).update(who=who)


def speakers_swap(*, episode: Episode, a: str, b: str, positions=None, user=None, version: int | None = None) -> int:
    """Swap speakers ``a`` and ``b`` in the turns at ``positions`` (all turns if None); return how many changed."""
    a, b = _check_label(a), _check_label(b)
    if a == b:
        raise ServiceError(ERR_SAME_LABEL)
    where = "" if positions is None else f" in {_describe(sorted(set(positions)))}"
    with editing(episode=episode, user=user, version=version, summary=f"swapped speakers {a} ↔ {b}{where}") as change:
        turns = _turns(change.episode, positions).filter(who__in=[a, b])
        return turns.update(who=Case(When(who=a, then=Value(b)), default=Value(a)))


def _describe(positions: list[int]) -> str:
    """Return 'turn 12' or 'turns 12–20' (the numbers editors see, from 1)."""
    if len(positions) == 1:
        return f"turn {positions[0] + 1}"
    if positions == list(range(positions[0], positions[-1] + 1)):
        return f"turns {positions[0] + 1}–{positions[-1] + 1}"
    return f"{len(positions)} turns"
