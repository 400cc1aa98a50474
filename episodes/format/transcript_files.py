"""Raw transcripts as editors receive them: Word .docx, plain text, WebVTT and SRT; no Django.

Each reader returns the transcript list as an episode file holds it: ``{header: ...}`` section titles and
``{line, sec, time, who}`` turns, ``time`` written by :func:`episodes.format.frontmatter.seconds_to_time` (``1:56``,
``1:02:03``), ``who`` the speaker as written. The format is recognised by content; the file name's extension
only words the refusal of a file in none of them. Anything that cannot be read as the layout says is refused
with ``fm.FormatError`` at its line (for .docx, its paragraph number), so that nothing half-read is kept.

The site's layouts (plain text and Word): a time (``0:09``, ``00:00``, ``1:02:03``, optionally in brackets),
then a speaker, then the text; any other line (Word: any heading) is a section header. In Word, each text
paragraph after one time and speaker is a turn with that time and speaker.
"""

from __future__ import annotations

import html
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from operator import length_hint

from . import archives
from . import frontmatter as fm

DOCX, TEXT, VTT, SRT = "docx", "text", "vtt", "srt"
FORMAT_NAMES = {DOCX: "Word document", TEXT: "plain text", VTT: "WebVTT", SRT: "SRT subtitles"}
SPEAKER_LIMIT = 200  # the longest speaker label the transcript table holds
# A .docx may expand to this many times the size limit: Word's XML is verbose, a zip bomb far more so.
DOCX_EXPANSION = 5
DOCX_MAX_MEMBERS = 10_000
# The defaults of what one transcript may hold (the settings EPISODES_MAX_TRANSCRIPT_PARAGRAPHS and
# EPISODES_MAX_TRANSCRIPT_TURNS): the longest episode of the site has 251 items, a three-hour talk with a
# turn every five seconds about 2,000. At the limits an import costs about 20 MB over the process's own
# 77 MB (bench/hostile_memory.py): within the budget of 10 times the file's size + 100 MB even for a Word
# file that compresses its turns to a few bytes each.
MAX_PARAGRAPHS = 16_000
MAX_TURNS = 3_000
# The latest time a transcript may hold, as the editor takes it: a later one is a typing slip.
MAX_SECONDS = 99 * 3600 + 59 * 60 + 59

ERR_UNKNOWN = (
    "not a transcript in a known format: expected a Word .docx, WebVTT, SRT, or plain text with a time line, "
    "a speaker line and a text line for each turn"
)
ERR_NOT_NAMED = "named {ext} but not {kind}: {problem}"
ERR_OLD_WORD = "an old Word .doc file: save it as .docx (Word or Google Docs: File > Save as / Download)"
ERR_NOT_ZIP = "not a Word .docx: a .docx is a zip archive, and this file is not one ({problem})"
ERR_NOT_DOCX = "a zip archive, but not a Word .docx: it has no word/document.xml"
ERR_ZIP_BOMB = "the document would expand to {size:,} bytes, over the {limit:,}-byte limit: refused as a zip bomb"
ERR_ZIP_MEMBERS = "the document has {count:,} parts, over the {limit:,} a Word document can have: refused as a zip bomb"
ERR_BAD_DOCX = "not a readable Word document: {problem}"
ERR_TOO_MANY_PARAGRAPHS = (
    "more than {limit:,} paragraphs or lines: too long for one transcript (EPISODES_MAX_TRANSCRIPT_PARAGRAPHS)"
)
ERR_TOO_MANY_TURNS = "more than {limit:,} turns: too many for one transcript (EPISODES_MAX_TRANSCRIPT_TURNS)"
ERR_TOO_LATE = "the time {time} is past 99:59:59: is it a typing slip?"
ERR_NOT_UTF16 = "not valid UTF-16 (the file starts with its byte-order mark): {problem}"
ERR_EMPTY = "the document has no turns: expected a time, a speaker and a text for each turn"
ERR_BAD_TIME = "'{time}' is not a time like 0:09, 00:00 or 1:02:03"
ERR_BACKWARDS = "the time {time} comes after {previous}: times must not go backwards"
ERR_NO_SPEAKER = "the time {time} on line {line} has no speaker line after it"
ERR_NO_TEXT = "the turn at {time} (line {line}) has a speaker line but no text line after it: is a line missing?"
ERR_LONG_SPEAKER = (
    "the speaker line after the time {time} is {length} characters long (at most {limit}): is it missing?"
)
ERR_DOCX_NO_SPEAKER = "the time {time} in paragraph {line} has no speaker paragraph after it"
ERR_DOCX_NO_TEXT = "the turn at {time} (paragraph {line}) has a speaker but no text paragraph: is a paragraph missing?"
ERR_DOCX_STRAY = "text before any time: expected a heading or a time paragraph like [1:48], not {text!r}"
ERR_CUE_TIMING = "'{timing}' is not a cue timing like 00:01:02.500 --> 00:01:05.000"
ERR_CUE_ENDS_EARLY = "the cue ends at {end}, before it starts at {start}"
ERR_CUE_NO_TIMING = "expected a cue timing line like 00:01:02.500 --> 00:01:05.000, not {line!r}"
NOTE_OTTER = "line {line}: Otter's 'Transcribed by' line is not part of the transcript"
NOTE_TABLES = "the document has {count} table(s): text in tables is not read"
NOTE_TITLE = "paragraph {line}: the document title {text!r} is not part of the transcript"
NOTE_EMPTY_CUE = "line {line}: a cue without text is left out"


@dataclass(frozen=True)
class Limits:
    """The most one transcript may hold: Word paragraphs or lines of text, and turns."""

    paragraphs: int = MAX_PARAGRAPHS
    turns: int = MAX_TURNS


@dataclass
class RawTranscript:
    format: str
    items: list[dict]
    notes: list[str] = field(default_factory=list)

    @property
    def turns(self) -> int:
        return sum("header" not in item for item in self.items)


def read_transcript(raw: bytes, *, name: str, max_bytes: int, limits: Limits | None = None) -> RawTranscript:
    """Read a raw transcript file in any supported format; raise fm.FormatError(message, line) if it is not one.

    ``limits`` bound the paragraphs (or lines) and turns read, so that memory and time stay those of a
    transcript whatever the file holds.
    """
    limits = limits or Limits()
    if len(raw) > max_bytes:
        raise fm.FormatError(fm.ERR_TOO_BIG.format(size=len(raw), limit=max_bytes))
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if raw[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return read_docx(raw, max_bytes=max_bytes, limits=limits)
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise fm.FormatError(ERR_OLD_WORD)
    if ext == "docx":
        raise fm.FormatError(ERR_NOT_ZIP.format(problem="it does not start as a zip archive does"))
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raw = _from_utf16(raw)  # Windows Notepad's "Unicode"
    text, _ = fm.decode(raw, max_bytes=max_bytes)
    text = text.removeprefix("\ufeff")
    lines = text.count("\n") + 1
    if lines > limits.paragraphs:
        raise fm.FormatError(ERR_TOO_MANY_PARAGRAPHS.format(limit=limits.paragraphs), limits.paragraphs + 1)
    _refuse_not_text(text)
    start = text.lstrip()
    if start.startswith("WEBVTT"):
        return read_vtt(text, limits=limits)
    if _SRT_START.match(start):
        return read_srt(text, limits=limits)
    if ext == "vtt":
        raise fm.FormatError(ERR_NOT_NAMED.format(ext=".vtt", kind="WebVTT", problem="it does not start with WEBVTT"))
    if ext == "srt":
        raise fm.FormatError(ERR_NOT_NAMED.format(ext=".srt", kind="SRT", problem="it does not start with a cue"))
    if _TIME_LINE.search(text):
        return read_text(text, limits=limits)
    if not text.strip():
        raise fm.FormatError(ERR_EMPTY)
    raise fm.FormatError(ERR_UNKNOWN)


def _from_utf16(raw: bytes) -> bytes:
    """Return UTF-16 text (with its byte-order mark) as UTF-8; refuse it, at its line, if it is not UTF-16."""
    try:
        return raw.decode("utf-16").encode("utf-8")
    except UnicodeError as exc:
        good = raw[: exc.start - exc.start % 2].decode("utf-16", errors="replace")
        raise fm.FormatError(ERR_NOT_UTF16.format(problem=exc.reason), good.count("\n") + 1) from None


def _refuse_not_text(text: str, line: int | None = None) -> None:
    """Refuse a character that XML and HTML cannot carry, at its line (or at ``line``: a Word paragraph)."""
    problem = fm.not_text(text)
    if problem is not None:
        index, message = problem
        raise fm.FormatError(message, line if line is not None else text.count("\n", 0, index) + 1)


def _count_turn(turns: int, limit: int, number: int) -> int:
    """Return ``turns`` + 1, refusing the turn at line ``number`` if it is one too many."""
    if turns >= limit:
        raise fm.FormatError(ERR_TOO_MANY_TURNS.format(limit=limit), number)
    return turns + 1


# -- times ----------------------------------------------------------------------------------------------------

# A line that is meant as a time: digits and colons (and perhaps a fraction), optionally in brackets. The
# digits are ASCII ones, as every tool writes times: a line of other digits is text (or a header).
_TIMEISH = r"[ \t]*[\[(]?[ \t]*[0-9]{1,3}(?::[0-9]{1,3}){1,2}(?:[.,][0-9]+)?[ \t]*[\])]?[ \t]*"
_TIME_STARTS = frozenset("0123456789[( \t")
_DOUBTFUL = _TIME_STARTS | {""}  # the start of a speaker or text line that may be missing (or a time)
_TIMEISH_LINE = re.compile(rf"^{_TIMEISH}$")
_TIME_LINE = re.compile(rf"^{_TIMEISH}$", re.MULTILINE)


def _time(line: str, number: int) -> tuple[int, str]:
    """Return (seconds, time as the files write it) of a time line; raise at ``number`` if it is not a time."""
    value = line.strip().strip("[]()").strip()
    sec = fm.time_to_seconds(value)
    if sec is None:
        raise fm.FormatError(ERR_BAD_TIME.format(time=value), number)
    fm.written_times(sec // 3600 + 1)  # the next times of a long transcript are lookups
    return sec, fm.seconds_to_time(sec)


def _forward(sec: int, time: str, previous: tuple[int, str] | None, number: int) -> None:
    if previous is not None and sec < previous[0]:
        raise fm.FormatError(ERR_BACKWARDS.format(time=time, previous=previous[1]), number)


def _is_otter(line: str) -> bool:
    return line.lower().startswith("transcribed by") and "otter" in line.lower()


def _speaker(who: str, time: str, number: int) -> str:
    if len(who) > SPEAKER_LIMIT:
        raise fm.FormatError(ERR_LONG_SPEAKER.format(time=time, length=len(who), limit=SPEAKER_LIMIT), number)
    return who


# -- plain text -------------------------------------------------------------------------------------------------


def read_text(text: str, *, limits: Limits | None = None) -> RawTranscript:
    """Read the site's plain-text layout: a time line, a speaker line and a text line per turn.

    Any other line is a section header; blank lines and Otter's "Transcribed by" line are left out.
    """
    result = RawTranscript(TEXT, [])
    items = result.items
    append = items.append
    max_turns, turns = (limits or Limits()).turns, 0
    lines = text.split("\n")
    lines += ("", "")  # a time on the last line still has a (blank) speaker and text line to read
    count, rest = len(lines), iter(lines)
    following = rest.__next__
    # A time as the files write it is one lookup; any other time-like line (in brackets, zero-padded, later
    # than the table holds, or not a time at all) goes through the time parser, which also grows the table.
    lookup, starts, timeish = fm.written_times().get, _TIME_STARTS, _TIMEISH_LINE.match
    speakers: dict[str, str] = {}  # each speaker line as written, once checked, to its speaker
    previous_sec = -1
    for line in rest:  # the line after the one just read is number count - length_hint(rest) + 1
        if not line:
            continue
        sec = lookup(line)
        if sec is not None:
            time = line
        elif line[0] in starts and timeish(line):
            sec, time = _time(line, count - length_hint(rest))
        else:
            stripped = line.strip()
            if stripped and _is_otter(stripped):
                result.notes.append(NOTE_OTTER.format(line=count - length_hint(rest)))
            elif stripped:
                append({"header": stripped})
            continue
        said, spoken = following(), following().strip()
        who = speakers.get(said)
        # A new speaker line, a time going back, or a text line that may be missing (empty, or perhaps a
        # time) goes through the full checks, which say what is wrong and where.
        if who is None or sec < previous_sec or spoken[:1] in _DOUBTFUL:
            number = count - length_hint(rest) - 2
            _forward(sec, time, _last_turn(items), number)
            who = speakers[said] = said.strip()
            _check_turn(time, who, spoken, number)
        turns += 1
        if turns > max_turns:
            _count_turn(max_turns, max_turns, count - length_hint(rest) - 2)
        append({"line": spoken, "sec": sec, "time": time, "who": who})
        previous_sec = sec
    if previous_sec < 0:  # no turn read
        raise fm.FormatError(ERR_EMPTY)
    return result


def _last_turn(items: list[dict]) -> tuple[int, str] | None:
    """Return (seconds, time) of the last turn read so far, if any."""
    for item in reversed(items):
        if "sec" in item:
            return item["sec"], item["time"]
    return None


def _check_turn(time: str, who: str, spoken: str, number: int) -> None:
    """Refuse the turn whose time is on line ``number`` if its speaker or text line is missing (or a time)."""
    if not who or _TIMEISH_LINE.match(who):
        raise fm.FormatError(ERR_NO_SPEAKER.format(time=time, line=number), number + 1)
    _speaker(who, time, number + 1)
    if not spoken or _TIMEISH_LINE.match(spoken):
        raise fm.FormatError(ERR_NO_TEXT.format(time=time, line=number), number + 2)


# -- Word ---------------------------------------------------------------------------------------------------------


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
    items, previous = result.items, None
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
                raise fm.FormatError(ERR_DOCX_NO_TEXT.format(time=turn[1], line=turn[3]), number)
        _refuse_not_text(stripped, number)
        if _is_otter(stripped):
            result.notes.append(NOTE_OTTER.format(line=number))
        elif kind == "heading":
            items.append({"header": stripped})
            turn = None
        elif kind == "title":
            result.notes.append(NOTE_TITLE.format(line=number, text=stripped[:80]))
            turn = None
        elif timeish:
            sec, time = _time(stripped, number)
            _forward(sec, time, previous, number)
            pending, turn, previous = (sec, time, number), None, (sec, time)
        elif pending is not None:
            sec, time, at = pending
            turn, pending, texts = (sec, time, _speaker(stripped, time, number), at), None, 0
        elif turn is not None:
            turns = _count_turn(turns, limits.turns, number)
            items.append({"line": stripped, "sec": turn[0], "time": turn[1], "who": turn[2]})
            texts += 1
        else:
            raise fm.FormatError(ERR_DOCX_STRAY.format(text=stripped[:80]), number)
    end = number + 1
    if pending is not None:
        raise fm.FormatError(ERR_DOCX_NO_SPEAKER.format(time=pending[1], line=pending[2]), end)
    if turn is not None and not texts:
        raise fm.FormatError(ERR_DOCX_NO_TEXT.format(time=turn[1], line=turn[3]), end)
    if not result.turns:
        raise fm.FormatError(ERR_EMPTY)


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
    from docx.parts.styles import StylesPart  # noqa: PLC0415
    from docx.styles.styles import Styles  # noqa: PLC0415

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
    from docx.oxml.ns import qn  # noqa: PLC0415
    from docx.oxml.parser import element_class_lookup  # noqa: PLC0415
    from lxml import etree  # noqa: PLC0415

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


# -- WebVTT and SRT ---------------------------------------------------------------------------------------------

_CUE_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?"
_CUE_TIMING = re.compile(rf"^[ \t]*{_CUE_TIME}[ \t]+-->[ \t]+{_CUE_TIME}(?:[ \t].*)?$")
_SRT_START = re.compile(r"^(?:\d+[ \t]*\n)?[^\n]*-->")
_VOICE = re.compile(r"^<v(?:\.[^\s>]*)?(?:[ \t]+([^>]*))?>")
_TAG = re.compile(r"<[^>]*>")
_SRT_TAG = re.compile(r"</?(?:i|b|u|font)(?:[ \t][^>]*)?>", re.IGNORECASE)
# A leading "Speaker:" (a few words, no sentence inside) names the speaker of an SRT (or voiceless) cue.
_LEADING_SPEAKER = re.compile(r"^(\w[\w .'’()-]{0,59}?)[ \t]*:[ \t]+(?=\S)")


def read_vtt(text: str, *, limits: Limits | None = None) -> RawTranscript:
    """Read WebVTT: each cue a turn at its start; ``<v Speaker>`` voices (several voices: several turns)."""
    return _read_cues(text, VTT, limits or Limits())


def read_srt(text: str, *, limits: Limits | None = None) -> RawTranscript:
    """Read SRT: each cue a turn at its start; a leading ``Speaker:`` in the text is the speaker."""
    return _read_cues(text, SRT, limits or Limits())


def _read_cues(text: str, kind: str, limits: Limits) -> RawTranscript:
    result = RawTranscript(kind, [])
    turn_count = 0
    lines = text.split("\n")
    number, previous = 0, None
    speakers: set[str] = set()
    if kind == VTT:  # the WEBVTT line and its metadata, up to a blank line or the first cue timing
        number = 1
        while number < len(lines) and lines[number].strip() and "-->" not in lines[number]:
            number += 1
    while number < len(lines):
        if not lines[number].strip():
            number += 1
            continue
        block_end = _skip_block(lines, number)
        block = lines[number:block_end]
        if kind == VTT and re.match(r"^(NOTE|STYLE|REGION)(?:[ \t]|$)", block[0]):
            number = block_end
            continue
        timing = 0 if "-->" in block[0] else 1
        if timing >= len(block) or "-->" not in block[timing]:
            raise fm.FormatError(ERR_CUE_NO_TIMING.format(line=block[0][:80]), number + 1)
        start, end = _cue_timing(block[timing], number + timing + 1)
        sec = start // 1000
        time = fm.seconds_to_time(sec)
        _forward(sec, time, previous, number + timing + 1)
        previous = (sec, time)
        turns = _cue_turns(block[timing + 1 :], kind, speakers)
        if not turns:
            result.notes.append(NOTE_EMPTY_CUE.format(line=number + 1))
        for who, line in turns:
            turn_count = _count_turn(turn_count, limits.turns, number + timing + 2)
            item = {"line": line, "sec": sec, "time": time}
            if who:
                item["who"] = _speaker(who, time, number + timing + 2)
            result.items.append(item)
        number = block_end
    if not result.turns:
        raise fm.FormatError(ERR_EMPTY)
    return result


def _skip_block(lines: list[str], number: int) -> int:
    """Return the index of the first blank line at or after ``number`` (the end of a block)."""
    while number < len(lines) and lines[number].strip():
        number += 1
    return number


def _cue_timing(line: str, number: int) -> tuple[int, int]:
    """Return the start and end of a cue timing line in milliseconds."""
    match = _CUE_TIMING.match(line)
    if match is None:
        raise fm.FormatError(ERR_CUE_TIMING.format(timing=line.strip()[:80]), number)
    start, end = _millis(match.groups()[:4]), _millis(match.groups()[4:])
    if start is None or end is None:
        raise fm.FormatError(ERR_CUE_TIMING.format(timing=line.strip()[:80]), number)
    if end < start:
        raise fm.FormatError(ERR_CUE_ENDS_EARLY.format(start=_cue_clock(start), end=_cue_clock(end)), number)
    if start // 1000 > MAX_SECONDS:
        raise fm.FormatError(ERR_TOO_LATE.format(time=line.split("-->")[0].strip()[:40]), number)
    return start, end


def _millis(parts) -> int | None:
    hours, minutes, seconds, fraction = parts
    if int(minutes) > 59 or int(seconds) > 59:
        return None
    millis = int((fraction or "0").ljust(3, "0"))
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + millis


def _cue_clock(millis: int) -> str:
    return f"{fm.seconds_to_time(millis // 1000)}.{millis % 1000:03d}"


def _cue_turns(payload: list[str], kind: str, speakers: set[str]) -> list[tuple[str, str]]:
    """Return (speaker, text) of each turn of a cue's text lines.

    WebVTT: each ``<v Speaker>`` starts a turn, other lines go on with it. SRT, or a WebVTT cue without
    voices: a leading ``Speaker:`` names the speaker; in SRT a later line starting with the name of someone
    who has spoken starts another turn (the site's own SRT writes turns that start together in one cue).
    """
    voiced = kind == VTT and any(_VOICE.match(line) for line in payload)
    turns: list[list] = []
    for raw in payload:
        who = None
        if voiced:
            voice = _VOICE.match(raw)
            if voice is not None:
                who, raw = (voice[1] or "").strip(), raw[voice.end() :]
        line = html.unescape(_TAG.sub("", raw)) if kind == VTT else _SRT_TAG.sub("", raw)
        if not voiced and (not turns or kind == SRT):
            leading = _LEADING_SPEAKER.match(line)
            if leading is not None and (not turns or leading[1] in speakers):
                who, line = leading[1], line[leading.end() :]
        if who is not None or not turns:
            if who:
                speakers.add(who)
            turns.append([who or "", [line]])
        else:
            turns[-1][1].append(line)
    result = []
    for who, lines in turns:
        text = "\n".join(lines).strip()
        if text:
            result.append((who, text))
    return result
