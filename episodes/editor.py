"""What the episode editor page shows besides the admin form: speakers, warnings and the transcript table.

The page reads each table once (items, platform refs, guests, hosts, speaker ties), whatever the length of
the transcript, and writes the transcript table in Python: a template loop costs tens of microseconds per
row, which a 3,000-item transcript turns into a slow page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape  # Django's escape wraps this one in lazy-string handling, 3x slower per call

from django.utils.safestring import SafeString, mark_safe

from . import services
from .forms import posted_text
from .models import Episode, TranscriptItem
from .services.warnings import ITEM_FIELDS, known_labels, transcript_warnings, youtube_warnings

HEADER = TranscriptItem.Kind.HEADER
TURN = TranscriptItem.Kind.TURN


@dataclass
class EditorContext:
    episode: Episode
    items: list[tuple]
    ids: list[int]
    speakers: list[services.SpeakerSummary]
    candidates: list
    warnings: list[services.Warning]
    labels: list[str] = field(default_factory=list)

    @property
    def warnings_by_position(self) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {}
        for warning in self.warnings:
            if warning.position is not None:
                found.setdefault(warning.position, []).append(warning.message)
        return found

    @property
    def episode_warnings(self) -> list[str]:
        return [w.message for w in self.warnings if w.position is None]


def editor_context(episode: Episode) -> EditorContext:
    """Read what the editor shows, in five queries whatever the transcript length."""
    rows = list(episode.items.values_list("pk", *ITEM_FIELDS))
    ids = [row[0] for row in rows]
    items = [row[1:] for row in rows]
    refs = list(episode.platform_refs.values_list("mapping", "platform", "value"))
    candidates = services.speaker_candidates(episode=episode)
    ties = services.speaker_ties(episode=episode)
    speakers = services.speaker_summaries(episode=episode, items=items, candidates=candidates, ties=ties)
    known = known_labels(labels={s.label for s in speakers}, candidates=candidates, ties=ties)
    warnings = youtube_warnings(refs) + transcript_warnings(items, known_labels=known)
    labels = sorted({s.label for s in speakers} | {p.name.split()[0] for p in candidates if p.name})
    return EditorContext(episode, items, ids, speakers, candidates, warnings, labels)


def transcript_rows(context: EditorContext, data=None) -> SafeString:
    """Return the transcript table's rows; ``data`` are posted values to show again after a refused save."""
    warned = context.warnings_by_position
    out = []
    for pk, (position, kind, saved_text, saved_who, _sec, saved_time) in zip(context.ids, context.items, strict=True):
        # After a refused save the editor's input shows again, still marked as changed against what is saved:
        # the page's script posts only changed fields, so a field the editor did not touch shows what is saved.
        text, who, time = saved_text, saved_who, saved_time
        if data is not None:
            text = posted_text(data.get(f"item-{pk}-text", text))
            who = data.get(f"item-{pk}-who", who)
            time = data.get(f"item-{pk}-time", time)
        number = position + 1
        e_text, e_who, e_time = escape(text), escape(who), escape(time)
        o_text = e_text if text is saved_text else escape(saved_text)
        o_who = e_who if who is saved_who else escape(saved_who)
        o_time = e_time if time is saved_time else escape(saved_time)
        select = (
            f'<td class="sel"><input type="checkbox" form="ops" name="positions" value="{position}" '
            f'aria-label="Select item {number}"></td><td class="num"><a href="#item-{position}">{number}</a></td>'
        )
        problems = escape("; ".join(warned.get(position, ())))
        flag = f'<span class="warn" title="{problems}" role="img" aria-label="{problems}">⚠</span>' if problems else ""
        if kind == HEADER:
            out.append(
                f'<tr class="header" id="item-{position}">{select}<td colspan="3">{flag}'
                f'<input form="episode_form" name="item-{pk}-text" value="{e_text}" class="header-title" '
                f'aria-label="Section title {number}" data-orig="{o_text}"></td>'
                f'<td class="acts">{_section_buttons(position)}</td></tr>'
            )
        elif kind == TURN:
            out.append(
                f'<tr class="turn" id="item-{position}">{select}'
                f'<td class="time"><input form="episode_form" name="item-{pk}-time" value="{e_time}" size="7" '
                f'aria-label="Time of item {number}" data-orig="{o_time}" placeholder="–"></td>'
                f'<td class="who"><input form="episode_form" name="item-{pk}-who" value="{e_who}" size="12" '
                f'list="speaker-labels" aria-label="Speaker of item {number}" data-orig="{o_who}"></td>'
                f'<td class="text">{flag}<textarea form="episode_form" name="item-{pk}-text" rows="{_rows(text)}" '
                f'aria-label="Text of item {number}" data-orig="{o_text}">{e_text}</textarea></td>'
                f'<td class="acts">{_turn_buttons(position)}</td></tr>'
            )
        else:
            out.append(
                f'<tr class="raw" id="item-{position}">{select}<td colspan="3"><em>An item this editor does not '
                f"know; it is kept as it is in the file.</em></td><td></td></tr>"
            )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


def _rows(text: str) -> int:
    """Return a textarea height that shows ``text`` whole at the table's usual width, without measuring."""
    lines = sum(len(line) // 95 + 1 for line in text.split("\n"))
    return max(1, min(lines, 12))


def _button(op: str, position: int, label: str, title: str) -> str:
    # Plain buttons: thousands of submit buttons tied to a form by its id make Chromium take seconds to
    # parse the page, so the page's script submits the operations form for them.
    return (
        f'<button type="button" data-op="{op}" data-position="{position}" title="{title}" '
        f'aria-label="{title}">{label}</button>'
    )


def _section_buttons(position: int) -> str:
    return "".join(
        [
            _button("header-up", position, "↑", "Move this header up one turn"),
            _button("header-down", position, "↓", "Move this header down one turn"),
            _button("section-up", position, "⇈", "Move the whole section up"),
            _button("section-down", position, "⇊", "Move the whole section down"),
            _button("section-delete", position, "✕", "Delete this header (its turns join the section before)"),
        ]
    )


def _turn_buttons(position: int) -> str:
    return _button("section-add", position, "§+", "Add a section header before this turn") + _button(
        "turn-insert", position + 1, "+", "Add a turn after this one"
    )
