"""Read and write Jekyll-style files: a YAML front matter between ``---`` lines, then a markdown body.

This package owns the file format and knows nothing of Django. Everything that reads or writes an
episode or person file goes through it (as ``fm.X``: every name is re-exported here), and nothing else in
the project calls ``yaml`` directly.

"Canonical" front matter is exactly what :func:`dump` writes for its data, keys in the file's order:
PyYAML's C emitter, block style, default width, ``allow_unicode=True``.

- :mod:`.codec`: PyYAML's C loader and dumper, tuned for front matter;
- :mod:`.reading`: bytes to a :class:`Document` (decode, split, load, locate a value's line);
- :mod:`.dumping`: data to canonical text, the whole file, fragments;
- :mod:`.document`: the parsed file and strict comparison of data;
- :mod:`.validation`: values that would not be kept, known fields of the wrong type;
- :mod:`.errors`: :class:`FormatError` and its messages;
- :mod:`.text`: characters that XML and HTML cannot carry;
- :mod:`.times`: times as the files write them;
- :mod:`.links`: the body's link list.
"""

# The private tags and caches are re-exported for the line-wise writer (which compares node tags) and for the
# tests and benches that clear or inspect the caches.
from .codec import _MAP, _RESOLVED, _RESOLVED_LENGTH, _SEQ, _STR, MAX_DEPTH, Dumper, FileOrderSet, Loader
from .document import Document, first_change, same_data, same_document
from .dumping import _ITEM_TEXTS, ITEM_TEXTS_MAX, LONG_LIST, OPENING, dump, dump_fragment, render
from .errors import (
    ERR_ALIAS,
    ERR_CANNOT_WRITE,
    ERR_NO_OPENING,
    ERR_NOT_CLOSED,
    ERR_NOT_KEPT,
    ERR_NOT_MAPPING,
    ERR_NOT_UTF8,
    ERR_NUL,
    ERR_TOO_BIG,
    ERR_TYPE,
    ERR_YAML,
    NOTE_REPEATED,
    FormatError,
    path_text,
)
from .links import NEW_TAB, Body, Link, split_body, with_links_header
from .reading import (
    MAX_BYTES,
    check_text_values,
    decode,
    load,
    load_mapping,
    locate,
    locator,
    parse,
    parse_with_node,
    split,
)
from .text import ERR_NOT_TEXT, ERR_NOT_TEXT_VALUE, as_text, char_words, not_text, not_text_char
from .times import TIME_RE, WRITTEN_TIMES_HOURS, padded_time, seconds_to_time, time_to_seconds, written_times
from .validation import dump_checked, error_at, is_int, validate_episode

__all__ = [
    "_ITEM_TEXTS",
    "_MAP",
    "_RESOLVED",
    "_RESOLVED_LENGTH",
    "_SEQ",
    "_STR",
    "ERR_ALIAS",
    "ERR_CANNOT_WRITE",
    "ERR_NO_OPENING",
    "ERR_NOT_CLOSED",
    "ERR_NOT_KEPT",
    "ERR_NOT_MAPPING",
    "ERR_NOT_TEXT",
    "ERR_NOT_TEXT_VALUE",
    "ERR_NOT_UTF8",
    "ERR_NUL",
    "ERR_TOO_BIG",
    "ERR_TYPE",
    "ERR_YAML",
    "ITEM_TEXTS_MAX",
    "LONG_LIST",
    "MAX_BYTES",
    "MAX_DEPTH",
    "NEW_TAB",
    "NOTE_REPEATED",
    "OPENING",
    "TIME_RE",
    "WRITTEN_TIMES_HOURS",
    "Body",
    "Document",
    "Dumper",
    "FileOrderSet",
    "FormatError",
    "Link",
    "Loader",
    "as_text",
    "char_words",
    "check_text_values",
    "decode",
    "dump",
    "dump_checked",
    "dump_fragment",
    "error_at",
    "first_change",
    "is_int",
    "load",
    "load_mapping",
    "locate",
    "locator",
    "not_text",
    "not_text_char",
    "padded_time",
    "parse",
    "parse_with_node",
    "path_text",
    "render",
    "same_data",
    "same_document",
    "seconds_to_time",
    "split",
    "split_body",
    "time_to_seconds",
    "validate_episode",
    "with_links_header",
    "written_times",
]
