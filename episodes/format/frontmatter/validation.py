"""Hold data to what the format keeps: values written back as read, known episode fields of the right YAML type."""

from __future__ import annotations

import datetime

import yaml

from .document import Document, first_change
from .dumping import dump
from .errors import ERR_CANNOT_WRITE, ERR_NOT_KEPT, ERR_TYPE, FormatError, path_text
from .reading import load, locate


def dump_checked(data) -> str:
    """Like :func:`dump`, but raise :class:`FormatError` for values it would not write back as they are."""
    try:
        text = dump(data)
    except yaml.YAMLError as exc:
        raise FormatError(ERR_CANNOT_WRITE.format(problem=exc)) from None
    if _plain(data):
        return text  # strings, numbers, dates, lists and maps always read back as they were
    try:
        change = first_change(data, load(text))
    except FormatError:
        change = (data, None)
    if change is not None:
        # !!omap and !!pairs load as lists of tuples, which are written back as lists of lists.
        read, back = (type(value).__name__ for value in change)
        raise FormatError(ERR_NOT_KEPT.format(read=read, back=back))
    return text


_PLAIN_SCALARS = (str, int, float, bool, type(None), datetime.date)


def _plain(value) -> bool:
    """Tell whether ``value`` holds only types the dumper and the loader map one to one."""
    kind = type(value)
    if kind is dict:
        return all(_plain(k) and _plain(v) for k, v in value.items())
    if kind is list:
        return all(_plain(item) for item in value)
    # Offsets of aware datetimes are checked by reading back, as are tuples, sets and bytes.
    return kind in _PLAIN_SCALARS or (kind is datetime.datetime and value.tzinfo is None)


def is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_episode(doc: Document, *, first_line: int = 2) -> None:
    """Raise :class:`FormatError` where a known episode field has the wrong YAML type."""
    front = doc.front
    for key in ("season", "episode"):
        if key in front and not is_int(front[key]):
            _type_error(doc, (key,), "an integer", front[key], first_line)
    transcript = front.get("transcript")
    if not isinstance(transcript, list):
        return
    for index, item in enumerate(transcript):
        if not isinstance(item, dict):
            continue
        if "sec" in item and not is_int(item["sec"]):
            _type_error(doc, ("transcript", index, "sec"), "an integer", item["sec"], first_line)
        if "time" in item and not isinstance(item["time"], str):
            _type_error(doc, ("transcript", index, "time"), "a quoted string like '1:56'", item["time"], first_line)


def _type_error(doc: Document, path: tuple, expected: str, value, first_line: int):
    kind = "a date" if isinstance(value, datetime.date) else type(value).__name__
    line = locate(doc.front_text, path, first_line=first_line)
    raise FormatError(ERR_TYPE.format(path=path_text(path), expected=expected, kind=kind, value=value), line)


def error_at(doc: Document, path: tuple, message: str, *, first_line: int = 2) -> FormatError:
    """Return a :class:`FormatError` naming the value at ``path`` of the front matter, at its line."""
    return FormatError(f"'{path_text(path)}': {message}", locate(doc.front_text, path, first_line=first_line))
