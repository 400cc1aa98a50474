"""Characters that XML and HTML cannot carry (and so neither a feed nor a page): finding, naming and replacing them."""

from __future__ import annotations

import re

# What XML 1.0 cannot carry, and so neither a feed nor an HTML page: the C0 controls other than tab, line
# feed and carriage return (U+000B is what Word's Shift+Enter pastes), lone surrogates, U+FFFE and U+FFFF.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
ERR_NOT_TEXT = "the character {char} at column {column} is not allowed in text: remove it{hint}"
ERR_NOT_TEXT_VALUE = "{where} holds the character {char}, which is not allowed in text: remove it{hint}"
_HINTS = {"\x0b": " (Word's Shift+Enter pastes it: use Enter)", "\x00": " (a NUL character)"}


_C0_BYTES = bytes(c for c in range(32) if c not in (9, 10, 13))
# In UTF-8 (surrogates passed through): U+FFFE, U+FFFF, and the lead byte of every surrogate (and of some
# Hangul, which the precise search then clears).
_SUSPECT_BYTES = (b"\xef\xbf\xbe", b"\xef\xbf\xbf", b"\xed")


def not_text(text: str) -> tuple[int, str] | None:
    """Return (index, what is wrong) of the first character XML and HTML cannot carry, or None."""
    # Bytes first: deleting bytes runs at memory speed, a search of a character class over a str ten times
    # slower, and nearly every text has none.
    raw = text.encode("utf-8", "surrogatepass")
    if len(raw.translate(None, _C0_BYTES)) == len(raw) and not any(b in raw for b in _SUSPECT_BYTES):
        return None
    match = _NOT_TEXT.search(text)
    if match is None:
        return None
    index, char = match.start(), match.group()
    column = index - text.rfind("\n", 0, index)
    return index, ERR_NOT_TEXT.format(char=f"U+{ord(char):04X}", column=column, hint=_HINTS.get(char, ""))


def not_text_char(value) -> str:
    """Return the first character XML and HTML cannot carry in a string (or in strings nested in lists and
    mappings, keys included), or ''."""
    if isinstance(value, str):
        problem = not_text(value)
        return "" if problem is None else value[problem[0]]
    if isinstance(value, dict):
        value = [part for pair in value.items() for part in pair]
    if isinstance(value, list | tuple | set):
        return next((found for part in value if (found := not_text_char(part))), "")
    return ""


def as_text(text: str, replacement: str = " ") -> str:
    """Return ``text`` with each character XML and HTML cannot carry replaced (for text already stored)."""
    return text if not_text(text) is None else _NOT_TEXT.sub(replacement, text)


def char_words(char: str) -> tuple[str, str]:
    """Return how messages name a character that is not text ("U+000B") and a hint on it (or '')."""
    return f"U+{ord(char):04X}", _HINTS.get(char, "")
