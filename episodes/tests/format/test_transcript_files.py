"""Reading raw transcripts: each format, recognised by content, and every bad input refused at its line."""

import io
import tracemalloc
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from episodes.format import archives
from episodes.format import frontmatter as fm
from episodes.format import transcript_files as tf
from episodes.tests.support import transcripts
from episodes.tests.support.fuzzing import bounded
from episodes.tests.support.transcripts import TALK

LIMIT = 10 * 1024 * 1024


def read(data, name="talk.txt", limit=LIMIT):
    return tf.read_transcript(data.encode("utf-8") if isinstance(data, str) else data, name=name, max_bytes=limit)


def refused(data, name="talk.txt", limit=LIMIT) -> fm.FormatError:
    with pytest.raises(fm.FormatError) as info:
        read(data, name, limit)
    return info.value


def test_plain_text_in_the_sites_layout():
    result = read(transcripts.plain_text(TALK))
    assert result.format == tf.TEXT and result.items == TALK


def test_plain_text_times_as_editors_write_them():
    text = (
        "00:00\nAlexey\nHi.\n\n[0:09]\nAlexey\nBracketed.\n(00:01:20)\nJane\nNo blank line before.\n\n"
        "1:02:03\nJane\nLate.\n"
    )
    result = read(text)
    assert [(i["sec"], i["time"]) for i in result.items] == [(0, "0:00"), (9, "0:09"), (80, "1:20"), (3723, "1:02:03")]
    assert [i["who"] for i in result.items] == ["Alexey", "Alexey", "Jane", "Jane"]


def test_plain_text_other_lines_are_headers_and_otters_line_is_left_out():
    text = "Career talk\n0:09\nAlexey\nHi.\n\nWhat next\n\n0:30\nJane\nBye.\n\nTranscribed by https://otter.ai\n"
    result = read(text)
    assert result.items[0] == {"header": "Career talk"} and result.items[2] == {"header": "What next"}
    assert result.turns == 2 and result.notes == [tf.NOTE_OTTER.format(line=12)]


def test_real_plain_text_line_endings_and_byte_order_mark():
    result = read(b"\xef\xbb\xbf0:01\r\nAlexey\r\nHi.\r\n")
    assert result.items == [{"line": "Hi.", "sec": 1, "time": "0:01", "who": "Alexey"}]
    utf16 = "0:01\nAlexey\nHi.\n".encode("utf-16")
    assert read(utf16).items == result.items


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("0:09\nAlexey\nHi.\n\n[0:1o]\nJane\nBye.\n", 5, None),  # not a time at all: a header; then fine
        ("0:09\n\nAlexey\nHi.\n", 2, "the time 0:09 on line 1 has no speaker line after it"),
        ("0:09\nAlexey\nHi.\n\n0:30", 6, "the time 0:30 on line 5 has no speaker line after it"),
        ("0:09\nAlexey\nHi.\n\n0:10\n0:11\nJane\nBye.\n", 6, "the time 0:10 on line 5 has no speaker line"),
    ],
)
def test_plain_text_refusals_name_the_line(text, line, message):
    if message is None:
        assert read(text).items[1] == {"header": "[0:1o]"}
        return
    error = refused(text)
    assert error.line == line and message in error.message


HI = {"line": "Hi.", "sec": 9, "time": "0:09", "who": "Alexey"}


@pytest.mark.parametrize(
    ("text", "items", "warnings"),
    [
        (
            "0:09\nAlexey\nHi.\n\n1:75\nJane\nBye.\n\n[37:567]\nJane\nOdd.\n",
            [HI, {"line": "Bye.", "time": "1:75", "who": "Jane"}, {"line": "Odd.", "time": "37:567", "who": "Jane"}],
            [(5, tf.W_BAD_TIME.format(time="1:75")), (9, tf.W_BAD_TIME.format(time="37:567"))],
        ),
        (
            "0:09\nAlexey\nHi.\n\n0:08\nJane\nBack.\n\n0:07\nAlexey\nMore.\n",
            [
                HI,
                {"line": "Back.", "sec": 8, "time": "0:08", "who": "Jane"},
                {**HI, "sec": 7, "time": "0:07", "line": "More."},
            ],
            [
                (5, tf.W_BACKWARDS.format(time="0:08", previous="0:09")),
                (9, tf.W_BACKWARDS.format(time="0:07", previous="0:08")),
            ],
        ),
        (
            "0:09\nHi without a speaker.\n\n0:30\nJane\nBye.\n",
            [
                {**HI, "line": "", "who": "Hi without a speaker."},
                {"line": "Bye.", "sec": 30, "time": "0:30", "who": "Jane"},
            ],
            [(3, tf.W_NO_TEXT.format(time="0:09", line=1))],
        ),
        (  # a known speaker, a text line that is the next time, and the end of the file
            "0:09\nAlexey\nHi.\n\n0:10\nAlexey\n0:11\nJane\n",
            [HI, {**HI, "line": "", "sec": 10, "time": "0:10"}, {"line": "", "sec": 11, "time": "0:11", "who": "Jane"}],
            [(7, tf.W_NO_TEXT.format(time="0:10", line=5)), (9, tf.W_NO_TEXT.format(time="0:11", line=7))],
        ),
        (
            "0:09\nAlexey\nHi.\n\n0:10\nAlexey\n\n0:11\nJane\nBye.\n",
            [
                HI,
                {**HI, "line": "", "sec": 10, "time": "0:10"},
                {"line": "Bye.", "sec": 11, "time": "0:11", "who": "Jane"},
            ],
            [(7, tf.W_NO_TEXT.format(time="0:10", line=5))],
        ),
        (  # a long speaker line, each time it comes
            "0:09\n" + "x" * 300 + "\nHi.\n\n0:10\n" + "x" * 300 + "\nYes.\n",
            [{**HI, "who": "x" * 300}, {**HI, "who": "x" * 300, "sec": 10, "time": "0:10", "line": "Yes."}],
            [
                (2, tf.W_LONG_SPEAKER.format(time="0:09", length=300, limit=200)),
                (6, tf.W_LONG_SPEAKER.format(time="0:10", length=300, limit=200)),
            ],
        ),
    ],
)
def test_plain_text_keeps_what_the_site_accepts_with_every_warning_at_its_line(text, items, warnings):
    result = read(text)
    assert result.items == items
    assert [(w.line, w.message) for w in result.warnings] == warnings


@pytest.mark.parametrize("digits", ["٣:٠٩", "०:०९", "０:０９"])
def test_a_time_in_other_digits_than_ascii_ones_is_text(digits):
    text = f"0:09\nAlexey\nHi.\n\n0:10\nAlexey\n{digits}\n\n0:11\n{digits}\nYes.\n\n{digits}\n"
    assert [item.get("line", item.get("header")) for item in read(text).items] == ["Hi.", digits, "Yes.", digits]
    assert read(text).items[2]["who"] == digits


def test_plain_text_past_the_table_of_written_times_and_lines_that_only_start_like_times():
    text = "9:59:59\n Alexey \n2 years ago.\n\n10:00:01\nJane\n(laughs) Yes.\n\n100:00:00\nJane\n[0:1o] no\n"
    result = read(text)
    assert [(w.line, w.message) for w in result.warnings] == [(9, tf.W_BAD_TIME.format(time="100:00:00"))]
    assert [(i.get("sec"), i["time"], i["who"], i["line"]) for i in result.items] == [
        (35999, "9:59:59", "Alexey", "2 years ago."),
        (36001, "10:00:01", "Jane", "(laughs) Yes."),
        (None, "100:00:00", "Jane", "[0:1o] no"),
    ]


# The plain-text reader as first written, a line at a time with the time parser and formatter for every
# time: the reader now reads each time as the files write it by one lookup and checks a speaker line once,
# and must come to the same items, notes and refusals on any lines.
def reference_read_text(text):
    items, notes, warnings, lines = [], [], [], text.split("\n")
    count, index, previous, turns = len(lines), 0, None, 0
    timeish = tf.rules._TIMEISH_LINE.match
    while index < count:
        line, number = lines[index], index + 1
        if line[:1] in tf.rules._TIME_STARTS and timeish(line):
            value = line.strip().strip("[]()").strip()
            sec = fm.time_to_seconds(value)
            time = value if sec is None else fm.seconds_to_time(sec)
            if sec is None:
                warnings.append((number, tf.W_BAD_TIME.format(time=value)))
            elif previous is not None and sec < previous[0]:
                warnings.append((number, tf.W_BACKWARDS.format(time=time, previous=previous[1])))
            who = lines[index + 1].strip() if index + 1 < count else ""
            if not who or timeish(who):
                raise fm.FormatError(tf.ERR_NO_SPEAKER.format(time=time, line=number), number + 1)
            if len(who) > tf.SPEAKER_LIMIT:
                message = tf.W_LONG_SPEAKER.format(time=time, length=len(who), limit=tf.SPEAKER_LIMIT)
                warnings.append((number + 1, message))
            spoken = lines[index + 2].strip() if index + 2 < count else ""
            index += 3
            if not spoken or timeish(spoken):
                warnings.append((number + 2, tf.W_NO_TEXT.format(time=time, line=number)))
                index -= 1 if spoken else 0  # a time where the text should be: the next turn's
                spoken = ""
            turn = {"line": spoken, "sec": sec, "time": time, "who": who}
            items.append(turn if sec is not None else {k: v for k, v in turn.items() if k != "sec"})
            previous, turns = (sec, time) if sec is not None else previous, turns + 1
            continue
        stripped = line.strip()
        if stripped and tf.rules._is_otter(stripped):
            notes.append(tf.NOTE_OTTER.format(line=number))
        elif stripped:
            items.append({"header": stripped})
        index += 1
    if not turns:
        raise fm.FormatError(tf.ERR_EMPTY)
    return items, notes, warnings


TIMES = ["0:09", "0:10", "00:11", "[0:12]", "(0:13)", "0:14 ", "1:02:03", "10:00:01", "0:08", "3:00", "1:75", "[0:1o]"]
SPEAKERS = ["Alexey", "Alexey", " Alexey ", "Jane", "\tJane", "", "y" * 201, "0:15", "٣:٠٩"]
TEXTS = ["Hi.", "Hi.", "2 years ago", "(laughs) yes", "’Quoted’", "", "0:16", "[0:17]", "٣:٠٩", "０:０９"]
OTHERS = ["", "", "  ", "Career talk", "Transcribed by https://otter.ai"]
# Mostly turns (a time, a speaker and a text line, each perhaps wrong), between blank lines and headers.
TEXT_LINES = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(TIMES), st.sampled_from(SPEAKERS), st.sampled_from(TEXTS)),
        st.tuples(st.sampled_from(OTHERS)),
    ),
    max_size=24,
).map(lambda blocks: [line for block in blocks for line in block])


@given(TEXT_LINES)
@bounded(500)
def test_plain_text_reads_as_the_line_by_line_reader_did(lines):
    text = "\n".join(lines)
    try:
        expected = reference_read_text(text)
    except fm.FormatError as error:
        with pytest.raises(fm.FormatError) as info:
            tf.read_text(text)
        assert (info.value.message, info.value.line) == (error.message, error.line)
        return
    result = tf.read_text(text)
    assert (result.items, result.notes, [(w.line, w.message) for w in result.warnings]) == expected


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        ("", "talk.txt", tf.ERR_EMPTY),
        ("  \n\n", "talk.txt", tf.ERR_EMPTY),
        ("Just a note about the episode.\nNothing timed.\n", "talk.txt", tf.ERR_UNKNOWN),
        ("Career talk\n", "talk.txt", tf.ERR_UNKNOWN),
        ("%PDF-1.4 binary", "talk.pdf", tf.ERR_UNKNOWN),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "talk.doc", tf.ERR_OLD_WORD),
        ("0:09\nAlexey\nHi.\n", "talk.docx", "not a Word .docx: a .docx is a zip archive"),
        ("0:09 Alexey Hi\n", "talk.vtt", "named .vtt but not WebVTT"),
        ("WEBVTT\n\nNOTE nothing here\n", "talk.vtt", tf.ERR_EMPTY),
        (b"0:09\nAlexey\n\xff\xfe\xfa\n", "talk.txt", "not valid UTF-8"),
    ],
)
def test_files_in_no_known_format_or_empty_are_refused(data, name, message):
    error = refused(data, name)
    assert message in error.message and error.line >= 1


def test_a_file_over_the_limit_is_refused_before_reading():
    error = refused("0:09\nAlexey\nHi.\n" * 100, limit=1000)
    assert error.message == fm.ERR_TOO_BIG.format(size=1600, limit=1000)


# -- Word -----------------------------------------------------------------------------------------------


def test_word_in_the_sites_layout():
    result = read(transcripts.docx_bytes(TALK), "talk.docx")
    assert result.format == tf.DOCX and result.items == TALK


def test_word_without_brackets_line_breaks_and_several_text_paragraphs():
    import docx

    document = docx.Document()
    document.add_paragraph("Transcript", style="Title")
    document.add_heading("Intro", level=1)
    document.add_paragraph("0:05")
    document.add_paragraph("")
    document.add_paragraph("Alexey")
    document.add_paragraph("First line\nsecond line.")
    document.add_paragraph("Another paragraph: another turn.")
    document.add_paragraph("Transcribed by https://otter.ai")
    out = io.BytesIO()
    document.save(out)
    result = read(out.getvalue(), "talk.docx")
    assert result.items == [
        {"header": "Intro"},
        {"line": "First line\nsecond line.", "sec": 5, "time": "0:05", "who": "Alexey"},
        {"line": "Another paragraph: another turn.", "sec": 5, "time": "0:05", "who": "Alexey"},
    ]
    assert result.notes == [tf.NOTE_TITLE.format(line=1, text="Transcript"), tf.NOTE_OTTER.format(line=8)]


def _docx(*paragraphs):
    import docx

    document = docx.Document()
    for text in paragraphs:
        if text.startswith("# "):
            document.add_heading(text[2:], level=2)
        else:
            document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("paragraphs", "line", "message"),
    [
        (["[0:05]", "# Intro", "Alexey", "Hi."], 2, "the time 0:05 in paragraph 1 has no speaker paragraph"),
        (["[0:05]", "Alexey", "Hi.", "[0:09]"], 5, "the time 0:09 in paragraph 4 has no speaker paragraph"),
        (["Welcome to the show", "[0:05]", "Alexey", "Hi."], 1, "text before any time"),
        (["# Intro"], 1, tf.ERR_EMPTY),
        ([], 1, tf.ERR_EMPTY),
    ],
)
def test_word_refusals_name_the_paragraph(paragraphs, line, message):
    error = refused(_docx(*paragraphs), "talk.docx")
    assert error.line == line and message in error.message


def test_word_text_after_a_heading_goes_on_with_the_turn_before_it():
    # The site's Word documents start a section so: its transcripts keep the turn after the header.
    result = read(_docx("[0:05]", "Alexey", "Hi.", "# Next", "And so on.", "[0:09]", "Jane", "Yes."), "talk.docx")
    assert result.items == [
        {"line": "Hi.", "sec": 5, "time": "0:05", "who": "Alexey"},
        {"header": "Next"},
        {"line": "And so on.", "sec": 5, "time": "0:05", "who": "Alexey"},
        {"line": "Yes.", "sec": 9, "time": "0:09", "who": "Jane"},
    ]
    assert result.warnings == []
    assert refused(_docx("# Next", "And so on.", "[0:09]", "Jane", "Yes."), "talk.docx").line == 2


def test_word_keeps_what_the_site_accepts_with_every_warning_at_its_paragraph():
    data = _docx(
        *["[0:05]", "Alexey", "Hi.", "[0:75]", "Jane", "Bye.", "[0:04]", "Jane", "Back.", "And more."],
        *["[0:09]", "Alexey", "# Next", "[0:10]", "y" * 201, "Yes.", "[0:11]", "Jane"],
    )
    result = read(data, "talk.docx")
    assert result.items == [
        {"line": "Hi.", "sec": 5, "time": "0:05", "who": "Alexey"},
        {"line": "Bye.", "time": "0:75", "who": "Jane"},
        {"line": "Back.", "sec": 4, "time": "0:04", "who": "Jane"},
        {"line": "And more.", "sec": 4, "time": "0:04", "who": "Jane"},
        {"line": "", "sec": 9, "time": "0:09", "who": "Alexey"},
        {"header": "Next"},
        {"line": "Yes.", "sec": 10, "time": "0:10", "who": "y" * 201},
        {"line": "", "sec": 11, "time": "0:11", "who": "Jane"},
    ]
    assert [(w.line, w.message) for w in result.warnings] == [
        (4, tf.W_BAD_TIME.format(time="0:75")),
        (7, tf.W_BACKWARDS.format(time="0:04", previous="0:05")),
        (13, tf.W_DOCX_NO_TEXT.format(time="0:09", line=11)),
        (15, tf.W_LONG_SPEAKER.format(time="0:10", length=201, limit=tf.SPEAKER_LIMIT)),
        (19, tf.W_DOCX_NO_TEXT.format(time="0:11", line=17)),
    ]


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_zip_bombs_and_zips_that_are_not_word_are_refused():
    bomb = _zip({"word/document.xml": b"\0" * 6_000_000})
    assert len(bomb) < 20_000
    error = refused(bomb, "talk.docx", limit=1_000_000)
    assert error.message == tf.ERR_ZIP_BOMB.format(size=6_000_000, limit=5_000_000)
    assert refused(_zip({"notes.txt": b"hi"}), "talk.docx").message == tf.ERR_NOT_DOCX
    corrupt = _zip({"word/document.xml": b"<w:document"})
    assert "not a readable Word document" in refused(corrupt, "talk.docx").message
    truncated = transcripts.docx_bytes(TALK)[:-200]
    assert "not a Word .docx" in refused(truncated, "talk.docx").message


def test_zip_with_too_many_parts_is_refused(monkeypatch):
    monkeypatch.setattr(tf.word, "DOCX_MAX_MEMBERS", 3)
    error = refused(_zip({f"word/{i}.xml": b"" for i in range(4)}), "talk.docx")
    assert error.message == tf.ERR_ZIP_MEMBERS.format(count=4, limit=3)


# -- WebVTT and SRT -----------------------------------------------------------------------------------------


def test_webvtt_as_the_site_writes_it():
    result = read(transcripts.webvtt(TALK), "talk.vtt")
    assert result.format == tf.VTT and result.items == transcripts.turns(TALK)


def test_webvtt_from_other_tools():
    text = (
        "WEBVTT\nKind: captions\n\nNOTE made by hand\n\nSTYLE\n::cue { color: red }\n\n"
        "intro\n00:00:01.900 --> 00:00:04.000 align:start\n"
        "<v.loud Alexey Grigorev>Hello <i>there</i> &amp; welcome</v>\n\n"
        "00:04.000 --> 00:06.000\n<v Jane>Thanks,\nglad to be here.\n\n"
        "00:06.500 --> 00:07.000\nNo voice at all.\n\n"
        "00:07.000 --> 00:08.000\nJane: a leading name.\n\n"
        "00:08.000 --> 00:08.500\n<c.yellow></c>\n"
    )
    result = read(text, "talk.vtt")
    assert result.items == [
        {"line": "Hello there & welcome", "sec": 1, "time": "0:01", "who": "Alexey Grigorev"},
        {"line": "Thanks,\nglad to be here.", "sec": 4, "time": "0:04", "who": "Jane"},
        {"line": "No voice at all.", "sec": 6, "time": "0:06"},
        {"line": "a leading name.", "sec": 7, "time": "0:07", "who": "Jane"},
    ]
    assert result.notes == [tf.NOTE_EMPTY_CUE.format(line=23)]


def test_srt_with_leading_speakers():
    result = read(transcripts.srt(TALK), "talk.srt")
    assert result.format == tf.SRT and result.items == transcripts.turns(TALK)
    whisper = (
        "1\n00:00:00,000 --> 00:00:02,500\n<i>No speaker here.</i>\n\n"
        "2\n00:00:02,500 --> 00:00:04,000\nNote: at 10:30.\n"
    )
    assert read(whisper, "whisper.srt").items == [
        {"line": "No speaker here.", "sec": 0, "time": "0:00"},
        {"line": "at 10:30.", "sec": 2, "time": "0:02", "who": "Note"},
    ]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v A>Hi\n\n00:01:61.000 --> 00:02:00.000\n<v B>x\n", 6, "timing"),
        ("WEBVTT\n\n00:00:05.000 --> 00:00:04.000\n<v A>Hi\n", 3, "the cue ends at 0:04.000, before it starts"),
        ("WEBVTT\n\nhello\nworld\n", 3, "expected a cue timing line"),
        ("1\n00:00:01,000 --> 00:00:02,000\nA: Hi\n\n2\nbroken --> timing\nB: x\n", 6, "cue timing"),
        ("1\n00:00:01,000 --> 00:00:02,000\n" + "x" * 201 + ": Hi\n", 3, None),
    ],
)
def test_cue_refusals_name_the_line(text, line, message):
    if message is None:  # a "Speaker:" longer than a label can be is text, not a speaker
        assert "who" not in read(text, "talk.srt").items[0]
        return
    error = refused(text, "talk.vtt" if text.startswith("WEBVTT") else "talk.srt")
    assert error.line == line and message in error.message


def test_cues_going_backwards_or_with_long_voices_are_kept_with_warnings():
    text = "WEBVTT\n\n00:00:05.000 --> 00:00:06.000\n<v A>Hi\n\n00:00:04.000 --> 00:00:09.000\n<v " + "B" * 201 + ">x\n"
    result = read(text, "talk.vtt")
    assert result.items == [
        {"line": "Hi", "sec": 5, "time": "0:05", "who": "A"},
        {"line": "x", "sec": 4, "time": "0:04", "who": "B" * 201},
    ]
    assert [(w.line, w.message) for w in result.warnings] == [
        (6, tf.W_BACKWARDS.format(time="0:04", previous="0:05")),
        (7, tf.W_LONG_SPEAKER.format(time="0:04", length=201, limit=tf.SPEAKER_LIMIT)),
    ]


# -- hostile files: what a file may make the reader do ---------------------------------------------------


def _document_xml(items=TALK) -> bytes:
    with zipfile.ZipFile(io.BytesIO(transcripts.docx_bytes(items))) as archive:
        return archive.read("word/document.xml")


@pytest.mark.parametrize("crc_of_prefix", [False, True])
def test_a_docx_whose_zip_directory_understates_its_document_is_refused_without_inflating_it(crc_of_prefix):
    # 60 MB of document in a 100 KB file whose directory says it holds the small document it starts with:
    # zipfile inflated all of it before cutting it to the stated size (a 1.5 MB file took 2.2 GB).
    xml = _document_xml()
    end = xml.rindex(b"</w:body>")
    parts = transcripts.docx_with_document(xml[:end] + b" " * 60_000_000 + xml[end:])
    raw = transcripts.lying_zip(parts, lie={"word/document.xml": len(xml)}, crc_of_prefix=crc_of_prefix)
    assert len(raw) < 200_000
    tracemalloc.start()
    try:
        error = refused(raw, "talk.docx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "not a readable Word document" in error.message
    assert peak < 10_000_000


def test_a_member_is_read_a_chunk_at_a_time_and_stops_past_its_budget():
    data = b"x" * (5 * archives.CHUNK)
    raw = transcripts.lying_zip({"a.xml": data, "b.xml": data}, lie={})
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        budget = archives.Budget(len(data) + 10)
        assert archives.read_member(archive, archive.getinfo("a.xml"), budget) == data
        with pytest.raises(archives.TooBig) as info:  # the budget is shared by the members read with it
            archives.read_member(archive, archive.getinfo("b.xml"), budget)
    assert info.value.produced <= len(data) + 10 + archives.CHUNK


def test_word_paragraphs_and_turns_over_the_limits_are_refused_at_the_first_one_too_many():
    raw = transcripts.docx_bytes(TALK)  # 1 + 3 + 3 + 1 + 3 + 3 + 3 = 17 paragraphs, 5 turns
    assert read(raw, "talk.docx").items == TALK
    with pytest.raises(fm.FormatError) as info:
        tf.read_transcript(raw, name="t.docx", max_bytes=LIMIT, limits=tf.Limits(paragraphs=16))
    assert info.value.line == 17 and info.value.message == tf.ERR_TOO_MANY_PARAGRAPHS.format(limit=16)
    with pytest.raises(fm.FormatError) as info:
        tf.read_transcript(raw, name="t.docx", max_bytes=LIMIT, limits=tf.Limits(turns=4))
    assert info.value.line == 17 and info.value.message == tf.ERR_TOO_MANY_TURNS.format(limit=4)


@pytest.mark.parametrize(
    ("text", "name", "limits", "line", "message"),
    [
        (
            "0:01\nA\nHi.\n\n0:02\nB\nHo.\n",
            "t.txt",
            tf.Limits(paragraphs=7),
            8,
            tf.ERR_TOO_MANY_PARAGRAPHS.format(limit=7),
        ),  # noqa: E501
        ("0:01\nA\nHi.\n\n0:02\nB\nHo.\n", "t.txt", tf.Limits(turns=1), 5, tf.ERR_TOO_MANY_TURNS.format(limit=1)),
        (transcripts.webvtt(TALK), "t.vtt", tf.Limits(turns=4), 18, tf.ERR_TOO_MANY_TURNS.format(limit=4)),
        (transcripts.srt(TALK), "t.srt", tf.Limits(turns=2), 11, tf.ERR_TOO_MANY_TURNS.format(limit=2)),
    ],
)
def test_lines_and_turns_over_the_limits_are_refused_at_the_first_one_too_many(text, name, limits, line, message):
    with pytest.raises(fm.FormatError) as info:
        tf.read_transcript(text.encode(), name=name, max_bytes=LIMIT, limits=limits)
    assert (info.value.line, info.value.message) == (line, message)


@pytest.mark.parametrize(
    ("data", "name", "line", "message"),
    [
        # What Word's Shift+Enter pastes, a NUL, a lone surrogate: none can go into a feed or a page.
        ("0:01\nA\nHi.\n\n0:02\nB\nHo\x0bthere.\n", "t.txt", 7, "the character U+000B at column 3 is not allowed"),
        ("0:01\nA\nHi\x00.\n", "t.txt", 3, "the character U+0000 at column 3 is not allowed"),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\n<v A>Hi\x07\n", "t.vtt", 4, "the character U+0007"),
        ("1\n00:00:01,000 --> 00:00:02,000\nA: Hi\x1b\n", "t.srt", 3, "the character U+001B"),
        # A UTF-16 file (its byte-order mark first) with a lone or broken surrogate is not text at all.
        ("0:01\nA\nHi.\n\n0:02\nB\nH\ud800o.\n".encode("utf-16", "surrogatepass"), "t.txt", 7, "not valid UTF-16"),
        (
            b"\xff\xfe" + "0:01\nA\nHi.\n\n".encode("utf-16-le") + b"\x00\xdc" + "x\n".encode("utf-16-le"),
            "t.txt",
            5,
            "not valid UTF-16",
        ),
        (b"\xfe\xff" + "0:01\n".encode("utf-16-be") + b"\xd8\x00", "t.txt", 2, "not valid UTF-16"),
        # Absurd hours: a typing slip, never a time to keep (they were kept as raw YAML and left off the files).
        (
            "WEBVTT\n\n99999999999999999999:00:01.000 --> 99999999999999999999:00:02.000\n<v A>Hi\n",
            "t.vtt",
            3,
            tf.ERR_TOO_LATE.format(time="99999999999999999999:00:01.000"),
        ),
        ("1\n100:00:00,000 --> 100:00:02,000\nA: Hi\n", "t.srt", 2, tf.ERR_TOO_LATE.format(time="100:00:00,000")),
    ],
)
def test_text_that_xml_cannot_carry_and_undecodable_files_are_refused_at_their_line(data, name, line, message):
    error = refused(data, name)
    assert error.line == line and message in error.message, error
