"""The editor page's transcript table, written in Python from what the page shows (:mod:`episodes.selectors.editor`).

A template loop costs tens of microseconds per row, which a 3,000-item transcript turns into a slow page. An
operation sent from the page in the background gets back only the rows whose markup it changed
(:func:`rows_delta`).
"""

from __future__ import annotations

from html import escape  # Django's escape wraps this one in lazy-string handling, 3x slower per call

from django.utils.safestring import SafeString, mark_safe

from ...documents import database
from ...models import TranscriptItem
from ...selectors.editor import EditorContext
from .forms.transcript import ITEM_FIELDS, item_field_name, posted_text

HEADER = TranscriptItem.Kind.HEADER
TURN = TranscriptItem.Kind.TURN


def row_list(
    context: EditorContext, data=None, errors: dict[int, str] | None = None, conflicts: dict[int, str] | None = None
) -> list[str]:
    """Return the transcript table's rows, one string each.

    ``data`` are posted values to show again after a refused save; ``errors`` problems by item id, shown on
    their rows; ``conflicts`` a merge's conflicts by item id, as markup (both values and the choice).
    """
    warned = context.warnings_by_position
    errors = errors or {}
    conflicts = conflicts or {}
    return [
        _row(pk, row, warned.get(row.position, ()), errors.get(pk, ""), data, conflicts.get(pk, ""))
        for pk, row in zip(context.ids, context.items, strict=True)
    ]


# Rows go in table bodies of this many: a changed row makes the browser lay out its own body again, not
# every row of a long transcript (the bodies are skipped while off screen, see editor.css).
CHUNK = 50


def transcript_rows(
    context: EditorContext, data=None, errors: dict[int, str] | None = None, conflicts: dict[int, str] | None = None
) -> SafeString:
    """Return the transcript table's bodies, CHUNK rows each."""
    rows = row_list(context, data, errors, conflicts)
    bodies = ("".join(rows[start : start + CHUNK]) for start in range(0, len(rows), CHUNK))
    return mark_safe("".join(f"<tbody>{body}</tbody>" for body in bodies) or "<tbody></tbody>")  # noqa: S308 - escaped


def row_keys(context: EditorContext) -> list[tuple]:
    """Return what each row of the table shows (its item, values and warnings), to tell changed rows apart."""
    warned = context.warnings_by_position
    return [
        (pk, row[:6], tuple(warned.get(row.position, ()))) for pk, row in zip(context.ids, context.items, strict=True)
    ]


def rows_delta(before: list[tuple], context: EditorContext) -> dict[int, str]:
    """Return the rows of ``context`` that show something else than ``before`` (row_keys) at their position."""
    changed = {}
    for position, key in enumerate(row_keys(context)):
        if position >= len(before) or before[position] != key:
            pk, row, warnings = key
            changed[position] = _row(pk, context.items[position], warnings, "", None)
    return changed


def _row(pk: int, row: database.ItemRow, warnings, error: str, data, conflict: str = "") -> str:
    position, kind, saved_text, saved_who, sec, saved_time = row[:6]
    # After a refused save the editor's input shows again, still marked as changed against what is saved:
    # the page's script posts only changed fields, so a field the editor did not touch shows what is saved.
    text, who, time = saved_text, saved_who, saved_time
    n_text, n_who, n_time = (item_field_name(pk, name) for name in ITEM_FIELDS)
    if data is not None:
        text = posted_text(data.get(n_text, text))
        who = data.get(n_who, who)
        time = data.get(n_time, time)
    number = position + 1
    e_text, e_who, e_time = escape(text), escape(who), escape(time)
    o_text = e_text if text is saved_text else escape(saved_text)
    o_who = e_who if who is saved_who else escape(saved_who)
    o_time = e_time if time is saved_time else escape(saved_time)
    select = (
        f'<td class="sel"><input type="checkbox" form="ops" name="positions" value="{position}" '
        f'aria-label="Select item {number}"></td><td class="num"><a href="#item-{position}">{number}</a></td>'
    )
    problems = escape("; ".join(warnings))
    flag = f'<span class="warn" title="{problems}" role="img" aria-label="{problems}">⚠</span>' if problems else ""
    start = f' data-sec="{sec}"' if sec is not None else ""
    attrs = f'id="item-{position}" data-pk="{pk}"{start}'
    if kind == HEADER:
        return (
            f'<tr class="header" {attrs}>{select}<td colspan="3">{flag}'
            f'<input form="episode_form" name="{n_text}" value="{e_text}" class="header-title" '
            f'aria-label="Section title {number}" data-orig="{o_text}">{conflict}</td>'
            f'<td class="acts">{_section_buttons(position)}</td></tr>'
        )
    if kind == TURN:
        invalid, note = "", ""
        if error:
            invalid = f' aria-invalid="true" aria-describedby="error-{pk}"'
            note = f'<p class="row-error" id="error-{pk}">{escape(error)}</p>'
        seek = f'<button type="button" class="seek" data-sec="{sec}" title="Play from here">▶</button>' if start else ""
        return (
            f'<tr class="turn{" has-error" if error else ""}" {attrs}>{select}'
            f'<td class="time">{seek}<input form="episode_form" name="{n_time}" value="{e_time}" size="7" '
            f'aria-label="Time of item {number}" data-orig="{o_time}" placeholder="–"{invalid}>{note}</td>'
            f'<td class="who"><input form="episode_form" name="{n_who}" value="{e_who}" size="12" '
            f'list="speaker-labels" aria-label="Speaker of item {number}" data-orig="{o_who}"></td>'
            f'<td class="text">{flag}<textarea form="episode_form" name="{n_text}" rows="{_rows(text)}" '
            f'aria-label="Text of item {number}" data-orig="{o_text}">{e_text}</textarea>{conflict}</td>'
            f'<td class="acts">{_turn_buttons(position)}</td></tr>'
        )
    return (
        f'<tr class="raw" {attrs}>{select}<td colspan="3"><em>An item this editor does not '
        f"know; it is kept as it is in the file.</em></td><td></td></tr>"
    )


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
