"""The format's error: :class:`FormatError` (``line: message``), the messages it carries, and how they name a value."""

from __future__ import annotations

ERR_TOO_BIG = "file is {size:,} bytes, over the {limit:,}-byte limit"
ERR_NOT_UTF8 = "not valid UTF-8: byte 0x{byte:02x} cannot be decoded"
ERR_NUL = "a NUL character (U+0000) at column {column}: an episode file is text and cannot contain one"
ERR_NO_OPENING = "the file must start with a '---' line opening the front matter, not {first!r}"
ERR_NOT_CLOSED = "the front matter opened on line 1 is never closed by a '---' line"
ERR_YAML = "YAML error: {problem}"
ERR_ALIAS = "YAML anchors and aliases ({token}) are not allowed in an episode file"
NOTE_REPEATED = "line {line}: the key {key!r} comes again in its mapping; its last value is kept, as Jekyll reads it"
ERR_NOT_MAPPING = "the front matter is {kind}, expected a mapping of keys to values"
ERR_CANNOT_WRITE = "a value cannot be written back as YAML: {problem}"
ERR_NOT_KEPT = "a value would not be written back as it was read: a {read} would become a {back}"
ERR_TYPE = "'{path}' must be {expected}, not {kind} {value!r}"


class FormatError(ValueError):
    """A file that cannot be read losslessly; ``line`` is 1-based, in the whole file."""

    def __init__(self, message: str, line: int = 1):
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        return f"{self.line}: {self.message}"


def path_text(path: tuple) -> str:
    """Return ``path`` as editors read it: ``transcript[4].sec``."""
    return "".join(str(p) if not i else f"[{p}]" if isinstance(p, int) else f".{p}" for i, p in enumerate(path))
