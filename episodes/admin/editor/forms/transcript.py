"""The transcript fields of the episode page (``item-<id>-<text|who|time>``): their names, parsing and checks."""

from __future__ import annotations

from .... import services
from ....format import frontmatter as fm
from ....services.speakers import LABEL_LIMIT
from ....services.transcript import ERR_BAD_TIME
from ....services.transcript import ERR_TOO_LONG as ERR_ITEM_TOO_LONG

ERR_NOT_THIS_EPISODE = "Transcript item #{id} is not part of this episode (reload the page)."
ERR_ITEM_NUL = "Item {number}: a NUL character (U+0000) cannot be saved; remove it."
ERR_ITEM_NOT_TEXT = "Item {number}: the character {char} cannot be saved; remove it{hint}."


def transcript_edits(data) -> dict[int, services.ItemEdit]:
    """Collect the transcript fields ``item-<id>-<text|who|time>`` the editor's page posted."""
    edits: dict[int, services.ItemEdit] = {}
    for name in data:
        if field := transcript_field(name):
            pk, attr = field
            setattr(edits.setdefault(pk, services.ItemEdit()), attr, posted_text(data[name]))
    return edits


ITEM_FIELDS = ("text", "who", "time")


def item_field_name(pk: int, name: str) -> str:
    """Return the page's name for a transcript field: ``item-<id>-<text|who|time>``."""
    return f"item-{pk}-{name}"


def transcript_field(name: str) -> tuple[int, str] | None:
    """Return (item id, field) of a transcript field name like ``item-12-text``, else None."""
    parts = name.split("-")
    if len(parts) != 3 or parts[0] != "item" or parts[2] not in ITEM_FIELDS or not parts[1].isdigit():
        return None
    return int(parts[1]), parts[2]


def posted_text(value: str) -> str:
    """Return a posted text with a browser's CRLF line breaks as the files' LF."""
    return value.replace("\r\n", "\n")


def _is_time(value: str) -> bool:
    return not value.strip() or fm.time_to_seconds(value.strip()) is not None


def transcript_problems(rows: dict[int, dict], edits: dict[int, services.ItemEdit]) -> list[tuple[int, str]]:
    """Return (item id, message) for each transcript input that cannot be saved, in the transcript's order.

    ``rows`` are the episode's edited items as read (selectors.editor.edited_items): the others are not its own.
    """
    positions = {pk: row["position"] for pk, row in rows.items()}
    problems = []
    for pk, edit in edits.items():
        if pk not in positions:
            problems.append((-1, pk, ERR_NOT_THIS_EPISODE.format(id=pk)))
            continue
        number = positions[pk] + 1
        values = [value for value in (edit.text, edit.who, edit.time) if value is not None]
        if any("\x00" in value for value in values):
            problems.append((number, pk, ERR_ITEM_NUL.format(number=number)))
        elif char := fm.not_text_char(values):
            char, hint = fm.char_words(char)
            problems.append((number, pk, ERR_ITEM_NOT_TEXT.format(number=number, char=char, hint=hint)))
        if edit.who is not None and len(edit.who.strip()) > LABEL_LIMIT:
            problems.append((number, pk, ERR_ITEM_TOO_LONG.format(number=number, field="speaker", limit=LABEL_LIMIT)))
        if edit.time and not _is_time(edit.time):
            problems.append((number, pk, ERR_BAD_TIME.format(number=number, time=edit.time.strip())))
    return [(pk, message) for _, pk, message in sorted(problems, key=lambda p: p[0])]
