"""Read a Word .docx transcript: paragraphs by style (headings are section headers), guarded against zip bombs."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile

from .. import archives
from .. import frontmatter as fm
from .rules import (
    _TIMEISH_LINE,
    DOCX,
    ERR_BAD_DOCX,
    ERR_DOCX_NO_SPEAKER,
    ERR_DOCX_STRAY,
    ERR_EMPTY,
    ERR_NOT_DOCX,
    ERR_NOT_ZIP,
    ERR_TOO_MANY_PARAGRAPHS,
    ERR_ZIP_BOMB,
    ERR_ZIP_MEMBERS,
    NOTE_OTTER,
    NOTE_TABLES,
    NOTE_TITLE,
    W_DOCX_NO_TEXT,
    FileWarning,
    Limits,
    RawTranscript,
    _count_turn,
    _forward,
    _is_otter,
    _refuse_not_text,
    _speaker,
    _time,
)

# A .docx may expand to this many times the size limit: Word's XML is verbose, a zip bomb far more so.
DOCX_EXPANSION = 5
DOCX_MAX_MEMBERS = 10_000


def read_docx(raw: bytes, *, max_bytes: int, limits: Limits | None = None) -> RawTranscript:
    """Read the site's Word layout; line numbers in errors are paragraph numbers (from 1).

    The document is read as a stream, a paragraph at a time, each part inflated a chunk at a time: what
    it unpacks to counts against ``max_bytes * DOCX_EXPANSION`` as it comes, whatever the zip declares.
    """
    limits = limits or Limits()
    archive = _open_zip(raw, max_bytes=max_bytes)
    budget = archives.Budget(max_bytes * DOCX_EXPANSION)
    result = RawTranscript(DOCX, [])
    try:
        kinds = _style_kinds(_styles(archive, budget))
        paragraphs, tables = _paragraphs(archive, budget, limits.paragraphs)
        _read_paragraphs(paragraphs, kinds, result, limits)
    except archives.TooBig as exc:
        raise fm.FormatError(ERR_ZIP_BOMB.format(size=exc.produced, limit=exc.limit)) from None
    except fm.FormatError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of a third-party reader on a foreign file is a refusal
        raise fm.FormatError(ERR_BAD_DOCX.format(problem=exc)) from None
    if tables[0]:
        result.notes.insert(0, NOTE_TABLES.format(count=tables[0]))
    return result


def _read_paragraphs(paragraphs, kinds: dict, result: RawTranscript, limits: Limits) -> None:
    """Read (number, style, text) paragraphs in the site's Word layout into ``result``."""
    items, warnings, previous = result.items, result.warnings, None
    turn = None  # (sec, time, who, paragraph number) of the time and speaker the text paragraphs belong to
    pending = None  # (sec, time, paragraph number) of a time still waiting for its speaker
    texts = 0  # text paragraphs of the current turn
    turns = 0
    number = 0
    for number, style, text in paragraphs:
        stripped = text.strip()
        if not stripped:
            continue
        kind = kinds.get(style, "")
        timeish = not kind and _TIMEISH_LINE.match(stripped)
        if kind or timeish or _is_otter(stripped):
            if pending is not None:
                raise fm.FormatError(ERR_DOCX_NO_SPEAKER.format(time=pending[1], line=pending[2]), number)
            if turn is not None and not texts:
                turns, texts = _textless(turn, number, items, warnings, turns, limits), 1
        _refuse_not_text(stripped, number)
        if _is_otter(stripped):
            result.notes.append(NOTE_OTTER.format(line=number))
        elif kind == "heading":
            # A text paragraph after the heading goes on with the turn before it, as further text paragraphs
            # do: the site's Word documents start sections so, and its transcripts keep such turns.
            items.append({"header": stripped})
        elif kind == "title":
            result.notes.append(NOTE_TITLE.format(line=number, text=stripped[:80]))
            turn = None
        elif timeish:
            sec, time = _time(stripped, number, warnings)
            _forward(sec, time, previous, number, warnings)
            pending, turn = (sec, time, number), None
            if sec is not None:
                previous = (sec, time)
        elif pending is not None:
            sec, time, at = pending
            turn, pending, texts = (sec, time, _speaker(stripped, time, number, warnings), at), None, 0
        elif turn is not None:
            turns = _count_turn(turns, limits.turns, number)
            items.append(_turn(turn, stripped))
            texts += 1
        else:
            raise fm.FormatError(ERR_DOCX_STRAY.format(text=stripped[:80]), number)
    end = number + 1
    if pending is not None:
        raise fm.FormatError(ERR_DOCX_NO_SPEAKER.format(time=pending[1], line=pending[2]), end)
    if turn is not None and not texts:
        _textless(turn, end, items, warnings, turns, limits)
    if not result.turns:
        raise fm.FormatError(ERR_EMPTY)


def _turn(turn: tuple, line: str) -> dict:
    """Return the turn of text ``line`` said at ``turn`` (seconds, time, speaker, ...): no seconds when
    its time could not be read."""
    sec, time, who = turn[:3]
    if sec is None:
        return {"line": line, "time": time, "who": who}
    return {"line": line, "sec": sec, "time": time, "who": who}


def _textless(turn: tuple, number: int, items: list, warnings: list, turns: int, limits: Limits) -> int:
    """Keep a time and speaker that no text paragraph follows (at paragraph ``number``) as a turn without
    text, with a warning; return the turns read."""
    warnings.append(FileWarning(number, W_DOCX_NO_TEXT.format(time=turn[1], line=turn[3])))
    turns = _count_turn(turns, limits.turns, number)
    items.append(_turn(turn, ""))
    return turns


def _open_zip(raw: bytes, *, max_bytes: int) -> zipfile.ZipFile:
    """Return the zip of a Word document, refusing one that is not, or that declares too much to unpack."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise fm.FormatError(ERR_NOT_ZIP.format(problem=exc)) from None
    if len(members) > DOCX_MAX_MEMBERS:
        raise fm.FormatError(ERR_ZIP_MEMBERS.format(count=len(members), limit=DOCX_MAX_MEMBERS))
    # What the directory declares is only a first, cheap refusal: reading counts what really comes out.
    expanded, limit = sum(info.file_size for info in members), max_bytes * DOCX_EXPANSION
    if expanded > limit:
        raise fm.FormatError(ERR_ZIP_BOMB.format(size=expanded, limit=limit))
    if not any(info.filename == DOCUMENT_PART for info in members):
        raise fm.FormatError(ERR_NOT_DOCX)
    return archive


DOCUMENT_PART = "word/document.xml"
_RELS_PART = "word/_rels/document.xml.rels"
_STYLES_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"


def _styles(archive: zipfile.ZipFile, budget: archives.Budget):
    """Return the document's styles (python-docx's ``Styles``), or Word's defaults when it has none."""
    from docx.oxml.parser import parse_xml  # noqa: PLC0415 - python-docx (and lxml) load only for Word
    from docx.parts.styles import StylesPart  # noqa: PLC0415 - python-docx, as above
    from docx.styles.styles import Styles  # noqa: PLC0415 - python-docx, as above

    name = None
    if _RELS_PART in archive.NameToInfo:
        rels = parse_xml(archives.read_member(archive, archive.getinfo(_RELS_PART), budget))
        for rel in rels:
            if rel.get("Type") == _STYLES_TYPE and rel.get("TargetMode") != "External":
                target = rel.get("Target", "")
                name = target.lstrip("/") if target.startswith("/") else posixpath.normpath("word/" + target)
                break
    if name is not None and name in archive.NameToInfo:
        xml = archives.read_member(archive, archive.getinfo(name), budget)
    else:  # as python-docx does for a document without styles
        xml = StylesPart._default_styles_xml()  # noqa: SLF001
    return Styles(parse_xml(xml))


def _paragraphs(archive: zipfile.ZipFile, budget: archives.Budget, limit: int):
    """Return an iterator of (number, style id, text) of the body's paragraphs, and a one-item list that
    holds the number of the body's tables once the iterator is done.

    The body is parsed as a stream with python-docx's own element classes (so a paragraph's text is
    what python-docx gives), each of its children dropped once read: memory holds one paragraph, not
    the document.
    """
    import docx.oxml  # noqa: F401, PLC0415 - registers python-docx's element classes
    from docx.oxml.ns import qn  # noqa: PLC0415 - python-docx loads only for Word
    from docx.oxml.parser import element_class_lookup  # noqa: PLC0415 - python-docx, as above
    from lxml import etree  # noqa: PLC0415 - lxml (python-docx's parser) loads only for Word

    body_tag, paragraph_tag, table_tag = qn("w:body"), qn("w:p"), qn("w:tbl")
    run_tag, link_tag = qn("w:r"), qn("w:hyperlink")
    run_parts = frozenset(qn(f"w:{name}") for name in ("br", "cr", "noBreakHyphen", "ptab", "t", "tab"))
    tables = [0]

    def run_text(run) -> str:
        return "".join([str(part) for part in run if part.tag in run_parts])

    def text(paragraph) -> str:
        # What python-docx's Paragraph.text gives (the runs', and the hyperlinks' runs', text elements in
        # order, each as python-docx writes it), walking children: its XPath per paragraph and per run cost
        # ten times more on a document still being parsed.
        parts = []
        for child in paragraph:
            if child.tag == run_tag:
                parts.append(run_text(child))
            elif child.tag == link_tag:
                parts += [run_text(run) for run in child if run.tag == run_tag]
        return "".join(parts)

    def paragraphs():
        number = 0
        with archives.MemberReader(archive, archive.getinfo(DOCUMENT_PART), budget) as stream:
            events = etree.iterparse(
                stream, events=("end",), remove_blank_text=True, resolve_entities=False, no_network=True
            )
            events.set_element_class_lookup(element_class_lookup)
            for _, element in events:
                parent = element.getparent()
                if parent is None or parent.tag != body_tag:
                    continue
                if element.tag == paragraph_tag:
                    number += 1
                    if number > limit:
                        raise fm.FormatError(ERR_TOO_MANY_PARAGRAPHS.format(limit=limit), number)
                    yield number, element.style, text(element)
                elif element.tag == table_tag:
                    tables[0] += 1
                # What is read is done with: keep the tree to the paragraph being read.
                element.clear(keep_tail=True)
                while element.getprevious() is not None:
                    del parent[0]

    return paragraphs(), tables


def _style_kinds(styles) -> dict[str | None, str]:
    """Return "heading" or "title" for the paragraph style ids that are (or are based on) headings or a title."""
    kinds = {}
    for style in styles:
        base, seen = style, set()
        while base is not None and base.style_id not in seen:
            seen.add(base.style_id)
            name = (base.name or "").strip().lower()
            if re.fullmatch(r"heading [1-9]", name):
                kinds[style.style_id] = "heading"
                break
            if name in ("title", "subtitle"):
                kinds[style.style_id] = "title"
                break
            base = getattr(base, "base_style", None)
    return kinds
