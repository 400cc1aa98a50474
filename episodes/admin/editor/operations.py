"""The editor's operations: one small form each, which validates what the page posted and calls one service.

Every form takes the episode and the posted data, and its ``save(user=...)`` returns an :class:`Outcome`
(what to tell the editor, and where to look). Bad input is a form error, never a server error: labels and
titles are checked for length and NUL characters, and positions must name items of this episode.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError

from ... import services
from ...documents import database
from ...format import frontmatter as fm
from ...format.chapters import CLIPS_KEY
from ...models import Episode, Person, TranscriptItem
from ...services.speakers import LABEL_LIMIT, LabelTaken
from ...services.transcript import NEW_SECTION
from ..forms import refuse_not_text

ERR_NO_SUCH_POSITION = "There is no item {number} in this transcript (it has {count})."
ERR_SELECT_FIRST = "Select the turn the new section starts with."
ERR_TITLE_LONG = "A section title can have at most {limit} characters."
TITLE_LIMIT = 1000


@dataclass
class Outcome:
    """What an operation did: a message for the editor, and the item (or panel) to look at."""

    message: str
    position: int | None = None
    anchor: str = ""
    # A follow-up the editor may want (a merge after a refused rename, a clip rebuild after a section
    # moved): (operation, data, label).
    offer: tuple[str, dict, str] | None = None
    done: bool = True  # False: refused, with a message (and perhaps an offer) saying why


REBUILD_OFFER = ("clips-rebuild", {}, "Rebuild clips from sections")


def clips_offer(episode: Episode) -> tuple[str, dict, str] | None:
    """Offer a clip rebuild when the episode's clips no longer follow its sections."""
    return REBUILD_OFFER if services.clips_outdated(episode=Episode.objects.get(pk=episode.pk)) else None


class Positions(forms.Field):
    """Item positions as posted by the page's checkboxes (``positions=3&positions=4``)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else ([] if value in (None, "") else [value])
        try:
            return sorted({int(v) for v in values})
        except (TypeError, ValueError):
            raise ValidationError("Positions must be whole numbers.", code="invalid") from None


def label_field(**kwargs) -> forms.CharField:
    # CharField refuses NUL characters by itself (PostgreSQL text cannot hold them).
    return forms.CharField(max_length=LABEL_LIMIT, **kwargs)


class OperationForm(forms.Form):
    """Base of every operation: the version the page showed, and positions checked against the transcript."""

    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    position_fields: tuple[str, ...] = ()
    past_end = 0  # how far past the last item a position may point (1: "after the last one")

    def __init__(self, data, *, episode: Episode):
        super().__init__(data)
        self.episode = episode

    def clean(self):
        data = super().clean()
        refuse_not_text(self)
        count = None
        for name in self.position_fields:
            value = data.get(name)
            positions = value if isinstance(value, list) else [] if value is None else [value]
            if positions:
                count = TranscriptItem.objects.filter(episode=self.episode).count() if count is None else count
                bad = [p for p in positions if not 0 <= p < count + self.past_end]
                if bad:
                    self.add_error(name, ERR_NO_SUCH_POSITION.format(number=bad[0] + 1, count=count))
        return data

    def service_kwargs(self, user) -> dict:
        return {"episode": self.episode, "user": user, "version": self.cleaned_data.get("version")}

    def save(self, *, user) -> Outcome:
        raise NotImplementedError


class SpeakerRenameForm(OperationForm):
    old = label_field()
    new = label_field()

    def save(self, *, user) -> Outcome:
        old, new = self.cleaned_data["old"], self.cleaned_data["new"]
        try:
            count = services.speaker_rename(old=old, new=new, **self.service_kwargs(user))
        except LabelTaken as exc:
            offer = ("speaker-merge", {"source": exc.source, "target": exc.target}, f"Merge into {exc.target}")
            return Outcome(str(exc), anchor="speakers", offer=offer, done=False)
        return Outcome(f"Renamed {old} to {new} in {count} turns.", anchor="speakers")


class SpeakerMergeForm(OperationForm):
    source = label_field()
    target = label_field()

    def save(self, *, user) -> Outcome:
        source, target = self.cleaned_data["source"], self.cleaned_data["target"]
        count = services.speaker_merge(source=source, target=target, **self.service_kwargs(user))
        return Outcome(f"Merged {source} into {target} ({count} turns).", anchor="speakers")


class SpeakerTieForm(OperationForm):
    label = label_field()
    person = forms.CharField(max_length=300, help_text="A person's key, 'auto' or 'nobody'.")

    def clean_person(self):
        choice = self.cleaned_data["person"]
        if choice in ("auto", "nobody"):
            return choice
        person = Person.objects.filter(key=choice).first()
        if person is None:
            raise ValidationError(f"There is no person with the key '{choice}'.")
        return person

    def save(self, *, user) -> Outcome:
        label, choice = self.cleaned_data["label"], self.cleaned_data["person"]
        person = choice if isinstance(choice, Person) else None
        automatic = choice == "auto"
        services.speaker_tie(label=label, person=person, automatic=automatic, **self.service_kwargs(user))
        who = "matched automatically" if automatic else f"tied to {person or 'nobody'}"
        return Outcome(f"{label} is now {who}.", anchor="speakers")


class AssignForm(OperationForm):
    positions = Positions()
    who = label_field()
    position_fields = ("positions",)

    def save(self, *, user) -> Outcome:
        positions, who = self.cleaned_data["positions"], self.cleaned_data["who"]
        count = services.turns_assign(positions=positions, who=who, **self.service_kwargs(user))
        return Outcome(f"Gave {count} turn{'s' if count != 1 else ''} to {who}.", position=min(positions, default=None))


class SwapForm(OperationForm):
    positions = Positions(required=False)
    a = label_field(label="First speaker")
    b = label_field(label="Second speaker")
    position_fields = ("positions",)

    def save(self, *, user) -> Outcome:
        a, b, positions = self.cleaned_data["a"], self.cleaned_data["b"], self.cleaned_data["positions"] or None
        count = services.speakers_swap(a=a, b=b, positions=positions, **self.service_kwargs(user))
        where = min(positions) if positions else None
        return Outcome(f"Swapped {a} and {b} in {count} turns.", position=where)


class DeleteForm(OperationForm):
    positions = Positions()
    position_fields = ("positions",)

    def save(self, *, user) -> Outcome:
        positions = self.cleaned_data["positions"]
        count = services.items_delete(positions=positions, **self.service_kwargs(user))
        return Outcome(f"Deleted {count} item{'s' if count != 1 else ''}.", position=max(min(positions) - 1, 0))


class HeaderBeforeForm(OperationForm):
    positions = Positions(required=False)
    title = forms.CharField(max_length=TITLE_LIMIT, required=False)
    position_fields = ("positions",)

    def clean_positions(self):
        positions = self.cleaned_data["positions"]
        if not positions:
            raise ValidationError(ERR_SELECT_FIRST)
        return positions

    def save(self, *, user) -> Outcome:
        position = min(self.cleaned_data["positions"])
        title = self.cleaned_data["title"] or NEW_SECTION
        item = services.section_add(position=position, title=title, **self.service_kwargs(user))
        return Outcome(f"Added section '{item.text}'.", position=item.position)


class PositionForm(OperationForm):
    position = forms.IntegerField(min_value=0, max_value=10**9)
    position_fields = ("position",)


class SectionAddForm(PositionForm):
    title = forms.CharField(max_length=TITLE_LIMIT, required=False)

    def save(self, *, user) -> Outcome:
        title = self.cleaned_data["title"] or NEW_SECTION
        item = services.section_add(position=self.cleaned_data["position"], title=title, **self.service_kwargs(user))
        return Outcome(f"Added section '{item.text}'; type its title in place.", position=item.position)


class TurnInsertForm(PositionForm):
    past_end = 1  # a turn may be added after the last item

    def save(self, *, user) -> Outcome:
        item = services.turn_insert(position=self.cleaned_data["position"], **self.service_kwargs(user))
        return Outcome("Added a turn; fill it in and save.", position=item.position)


class SectionDeleteForm(PositionForm):
    def save(self, *, user) -> Outcome:
        position = self.cleaned_data["position"]
        joined = services.section_delete(position=position, **self.service_kwargs(user))
        where = "its turns joined the section before" if joined else "its turns now come before the first section"
        message = f"Deleted the section header; {where}."
        return Outcome(message, position=max(position - 1, 0), offer=clips_offer(self.episode))


class MoveForm(PositionForm):
    """Move a header one turn, or a whole section past its neighbour: ``offset`` -1 (up) or 1 (down)."""

    offset = forms.TypedChoiceField(choices=[("-1", "up"), ("1", "down")], coerce=int)
    service = None
    moved = ""

    def save(self, *, user) -> Outcome:
        offset = self.cleaned_data["offset"]
        position = type(self).service(
            position=self.cleaned_data["position"], offset=offset, **self.service_kwargs(user)
        )
        message = f"Moved the {self.moved} {'up' if offset < 0 else 'down'}."
        return Outcome(message, position=position, offer=clips_offer(self.episode))


class HeaderMoveForm(MoveForm):
    service = staticmethod(services.header_move)
    moved = "header one turn"


class SectionMoveForm(MoveForm):
    service = staticmethod(services.section_move)
    moved = "section"


class ChaptersPasteForm(OperationForm):
    """A chapter list pasted in the editor (``00:01:20 Title`` lines, as in a YouTube description)."""

    chapters = forms.CharField(widget=forms.Textarea, max_length=1_000_000)

    def save(self, *, user) -> Outcome:
        result = services.chapters_apply(
            chapters=self.cleaned_data["chapters"], name="the pasted chapters", **self.service_kwargs(user)
        )
        said = "; ".join(result.notes)
        message = f"Placed {result.sections} section headers and rebuilt {len(result.clips)} clips."
        return Outcome(message + (f" ({said})" if said else ""), anchor="transcript")


class ClipsRebuildForm(OperationForm):
    """Make the clips follow the sections again (one clip per section, by the site's rule)."""

    def save(self, *, user) -> Outcome:
        before = database.episode_extra(Episode.objects.get(pk=self.episode.pk)).get(CLIPS_KEY)
        result = services.clips_rebuild(**self.service_kwargs(user))
        if fm.same_data(before, result.clips) or not result.clips and before is None:
            return Outcome("The clips already follow the sections; nothing changed.", anchor="clips")
        changed = clip_changes(before if isinstance(before, list) else [], result.clips)
        return Outcome(f"Rebuilt the clips from the sections: {changed}.", anchor="clips")


def clip_changes(before: list, after: list) -> str:
    """Return what a rebuild changed in the clips, in a few words."""
    old = {(c.get("name"), c.get("startOffset"), c.get("endOffset")) for c in before if isinstance(c, dict)}
    new = {(c.get("name"), c.get("startOffset"), c.get("endOffset")) for c in after if isinstance(c, dict)}
    names_before = {c.get("name") for c in before if isinstance(c, dict)}
    names_after = {c.get("name") for c in after if isinstance(c, dict)}
    added, removed = len(names_after - names_before), len(names_before - names_after)
    moved = len({name for name, *_ in new - old} & names_before & names_after)
    parts = [f"{n} {what}" for n, what in ((added, "added"), (removed, "removed"), (moved, "with new times")) if n]
    return ", ".join(parts) or "links or order brought in line"


# The page's addresses: ops/<name>/. The up/down names of the moves fill in their offset.
OPERATIONS: dict[str, tuple[type[OperationForm], dict]] = {
    "speaker-rename": (SpeakerRenameForm, {}),
    "speaker-merge": (SpeakerMergeForm, {}),
    "speaker-tie": (SpeakerTieForm, {}),
    "assign": (AssignForm, {}),
    "swap": (SwapForm, {}),
    "delete": (DeleteForm, {}),
    "header-before": (HeaderBeforeForm, {}),
    "section-add": (SectionAddForm, {}),
    "turn-insert": (TurnInsertForm, {}),
    "section-delete": (SectionDeleteForm, {}),
    "header-up": (HeaderMoveForm, {"offset": "-1"}),
    "header-down": (HeaderMoveForm, {"offset": "1"}),
    "section-up": (SectionMoveForm, {"offset": "-1"}),
    "section-down": (SectionMoveForm, {"offset": "1"}),
    "chapters-paste": (ChaptersPasteForm, {}),
    "clips-rebuild": (ClipsRebuildForm, {}),
}


def operation_form(name: str, data, *, episode: Episode) -> OperationForm | None:
    """Return the bound form of operation ``name`` (None if there is no such operation)."""
    if name not in OPERATIONS:
        return None
    form_class, fixed = OPERATIONS[name]
    if fixed:
        data = data.copy()
        for key, value in fixed.items():
            data[key] = value
    return form_class(data, episode=episode)


def errors_text(form: forms.Form) -> str:
    """Return a form's errors as one sentence per problem, for a message."""
    parts = []
    for name, errors in form.errors.items():
        label = "" if name == "__all__" else f"{form.fields[name].label or name.replace('_', ' ').capitalize()}: "
        parts += [f"{label}{error}" for error in errors]
    return " ".join(parts)
