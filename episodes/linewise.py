"""Write changed data back into an existing file, changing only the lines of the keys whose values changed.

Pure (no Django); the YAML work is :mod:`episodes.frontmatter`'s. Made for the site's ``_people`` profiles,
flat ``key: value`` lines written from a template (``title: "Alexey Grigorev"``, blank lines for missing
keys): a changed value is written in the quoting its line already used, a removed key loses its lines, an
added key goes after the key before it. Everything else keeps its bytes, line endings included. A file that
cannot be edited this way (keys reordered, keys that are not plain strings, not readable) is written
canonically instead, and so is anything that would not read back as the data given.
"""

from __future__ import annotations

from . import frontmatter as fm


def rewrite(original: str, doc: fm.Document) -> str:
    """Return ``original`` (a whole file) holding ``doc``'s data, with as few lines changed as possible."""
    crlf = "\r\n" in original and original.count("\r\n") == original.count("\n")
    bom = original.startswith("\ufeff")
    text = original.removeprefix("\ufeff").replace("\r\n", "\n") if crlf or bom else original
    written = _rewrite(text, doc)
    if written is None or not _reads_as(written, doc):
        return doc.render()
    if crlf:
        written = written.replace("\n", "\r\n")
    return ("\ufeff" if bom else "") + written


def _reads_as(text: str, doc: fm.Document) -> bool:
    try:
        return fm.same_document(fm.parse(text), doc)
    except fm.FormatError:
        return False


def _rewrite(text: str, doc: fm.Document) -> str | None:
    try:
        old = fm.parse(text)
    except fm.FormatError:
        return None
    spans = fm.key_lines(old.front_text)
    if spans is None or [s.key for s in spans] != list(old.front):
        return None  # keys that are not plain strings, or repeated ones
    if [k for k in old.front if k in doc.front] != [k for k in doc.front if k in old.front]:
        return None  # reordered: no line-by-line edit says that
    lines = old.front_text.splitlines(keepends=True)
    by_key = {span.key: span for span in spans}
    replaced: dict[int, tuple[int, str]] = {}
    for span in spans:
        if span.key not in doc.front:
            replaced[span.first] = (span.last, "")
        elif not fm.same_data(old.front[span.key], doc.front[span.key]):
            replaced[span.first] = (span.last, _line(span, doc.front[span.key]))
    added: dict[int, list[str]] = {}
    previous = -1
    for key, value in doc.front.items():
        if key in by_key:
            previous = by_key[key].last
        elif isinstance(key, str):
            added.setdefault(previous, []).append(fm.dump_pair(key, value, one_line=_is_short(value)))
        else:
            return None
    out = list(added.get(-1, []))
    i = 0
    while i < len(lines):
        last, new = replaced.get(i, (i, None))
        out.append(lines[i] if new is None else new)
        out += added.get(last, [])
        i = last + 1
    front = "".join(out)
    if front and not front.endswith("\n"):
        front += "\n"
    return fm.OPENING + front + doc.closing + doc.body


def _is_short(value) -> bool:
    return isinstance(value, str) and "\n" not in value


def _line(span: fm.KeyLines, value) -> str:
    """Return the new lines of a changed key, in the style its value had when that fits."""
    one_line = span.first == span.last and _is_short(value)
    style = span.style if span.style in ("'", '"') else None
    text = fm.dump_pair(span.key, value, style=style, one_line=one_line)
    if span.suffix.strip() and text.count("\n") == 1:
        text = text[:-1] + span.suffix + "\n"
    return text
