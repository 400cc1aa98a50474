"""The transcript and chapter formats on their own, built from timelines without a database."""

import json

from episodes.documents.database import ItemRow
from episodes.format.timeline import timeline
from episodes.public import (
    chapters_json,
    segments,
    transcript_json,
    transcript_srt,
    transcript_vtt,
)
from episodes.tests.support.podcasting import check_chapters, check_json_transcript, check_srt, check_vtt

ROWS = [
    ItemRow(0, "header", "Intro", "", None, ""),
    ItemRow(1, "turn", "Hello and welcome.", "Alexey", 5, "0:05"),
    ItemRow(2, "turn", "Thanks for having me.", "Jane", 9, "0:09"),
    ItemRow(3, "header", "Background", "", None, ""),
    ItemRow(4, "turn", "Tell us about you.", "Alexey", 20, "0:20"),
    ItemRow(5, "turn", "Sure.", "Jane", None, ""),
    ItemRow(6, "turn", "I studied  law\nfirst.", "Jane", 31, "0:31"),
]


def build(rows=ROWS, names=None, duration=None):
    return segments(timeline(rows), names=names or {}, duration=duration)


def test_one_segment_per_turn_each_ending_where_the_next_starts():
    data = check_json_transcript(json.dumps(transcript_json(build(names={"Alexey": "Alexey Grigorev"}))))
    assert data["segments"] == [
        {"speaker": "Alexey Grigorev", "startTime": 5, "endTime": 9, "body": "Hello and welcome."},
        {"speaker": "Jane", "startTime": 9, "endTime": 20, "body": "Thanks for having me."},
        {"speaker": "Alexey Grigorev", "startTime": 20, "endTime": 20, "body": "Tell us about you."},
        {"speaker": "Jane", "startTime": 20, "endTime": 31, "body": "Sure."},
        {"speaker": "Jane", "startTime": 31, "endTime": 33, "body": "I studied law first."},
    ]


def test_last_segment_ends_with_the_episode_when_its_duration_is_known():
    assert build(duration=600)[-1].end == 600


def test_last_segment_lasts_as_long_as_its_words_without_a_duration():
    rows = [ItemRow(0, "turn", " ".join(["word"] * 25), "A", 100, "1:40")]
    assert build(rows)[-1].end == 110
    assert build(rows, duration=50)[-1].end == 110, "a duration before the turn's start is ignored"


def test_turns_without_words_are_left_out():
    rows = [ItemRow(0, "turn", "   ", "A", 1, "0:01"), ItemRow(1, "turn", "Yes.", "B", 2, "0:02")]
    assert [s.body for s in build(rows)] == ["Yes."]


def test_times_never_run_backwards_in_the_feeds():
    rows = [ItemRow(0, "turn", "one", "A", 300, "5:00"), ItemRow(1, "turn", "two", "B", 30, "0:30")]
    check_json_transcript(json.dumps(transcript_json(build(rows))))


def test_chapters_one_per_header_at_its_first_timed_turn():
    data = check_chapters(json.dumps(chapters_json(timeline(ROWS))))
    assert data["chapters"] == [{"startTime": 5, "title": "Intro"}, {"startTime": 20, "title": "Background"}]


def test_chapters_of_a_transcript_without_headers_are_empty():
    assert chapters_json(timeline(ROWS[1:3])) == {"version": "1.2.0", "chapters": []}


def test_vtt_voices_and_cues_that_start_together_are_merged():
    cues = check_vtt(transcript_vtt(build(names={"Alexey": "Alexey Grigorev"})))
    assert [(start, end) for start, end, _ in cues] == [(5, 9), (9, 20), (20, 31), (31, 33)]
    assert cues[0][2] == ["<v Alexey Grigorev>Hello and welcome."]
    assert cues[2][2] == ["<v Alexey Grigorev>Tell us about you.", "<v Jane>Sure."]


def test_vtt_escapes_markup_and_speakers():
    rows = [ItemRow(0, "turn", "<b>bold</b> & --> arrows", "Eve <x>", 1, "0:01")]
    text = transcript_vtt(build(rows))
    cues = check_vtt(text)
    assert cues[0][2] == ["<v Eve &lt;x&gt;>&lt;b&gt;bold&lt;/b&gt; &amp; --&gt; arrows"]


def test_vtt_without_speaker_has_no_voice():
    cues = check_vtt(transcript_vtt(build([ItemRow(0, "turn", "Music.", "", 1, "0:01")])))
    assert cues[0][2] == ["Music."]


def test_srt_numbers_cues_and_names_speakers():
    text = transcript_srt(build())
    cues = check_srt(text)
    assert text.startswith("1\n00:00:05,000 --> 00:00:09,000\nAlexey: Hello and welcome.\n\n2\n")
    assert cues[2][2] == ["Alexey: Tell us about you.", "Jane: Sure."]


def test_hours_in_timestamps():
    rows = [ItemRow(0, "turn", "Late.", "A", 3723, "1:02:03")]
    assert "01:02:03.000 --> 01:02:04.000" in transcript_vtt(build(rows))
    assert "01:02:03,000 --> 01:02:04,000" in transcript_srt(build(rows))


def test_empty_transcript():
    assert transcript_json([]) == {"version": "1.0.0", "segments": []}
    assert transcript_vtt([]) == "WEBVTT\n"
    assert transcript_srt([]) == ""
