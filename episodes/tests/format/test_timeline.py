"""The transcript timeline on its own (episodes.format.timeline, times, video): sections, start times, anchors,
speaker groups, video ids."""

import pytest

from episodes.documents.database import ItemRow
from episodes.format import frontmatter as fm
from episodes.format.timeline import speaker_groups, timeline
from episodes.format.times import to_seconds
from episodes.format.video import youtube_id, youtube_link

VIDEO = "p1gVaS4Zx5M"


def header(position, text):
    return ItemRow(position, "header", text, "", None, "")


def turn(position, who, text, sec=None, time=None):
    shown = time if time is not None else (fm.seconds_to_time(sec) if sec is not None else "")
    return ItemRow(position, "turn", text, who, sec, shown)


@pytest.mark.parametrize(
    ("sec", "shown"), [(0, "0:00"), (5, "0:05"), (116, "1:56"), (3599, "59:59"), (3723, "1:02:03"), (36000, "10:00:00")]
)
def test_seconds_to_time(sec, shown):
    assert fm.seconds_to_time(sec) == shown
    assert fm.time_to_seconds(shown) == sec


@pytest.mark.parametrize(
    ("sec", "time", "expected"),
    [(116, "1:56", 116), (None, "1:56", 116), (None, "1:02:03", 3723), (None, "", None), (None, "soon", None)],
)
def test_to_seconds_takes_sec_else_a_clock_time(sec, time, expected):
    assert to_seconds(sec, time) == expected


def test_to_seconds_refuses_negative_seconds():
    assert to_seconds(-5, "") is None


def test_opening_turns_form_a_section_without_header():
    sections = timeline([turn(0, "Alexey", "Hi", 116), header(1, "Background"), turn(2, "Danny", "Well", 192)])
    assert [(s.is_header, s.title) for s in sections] == [(False, ""), (True, "Background")]
    assert [t.text for t in sections[0].turns] == ["Hi"]


def test_no_opening_section_when_the_transcript_starts_with_a_header():
    sections = timeline([header(0, "Intro"), turn(1, "Alexey", "Hi", 5)])
    assert [s.title for s in sections] == ["Intro"]


def test_untimed_turn_starts_with_the_turn_before_and_has_no_link_of_its_own():
    sections = timeline([turn(0, "Alexey", "Question", 20), turn(1, "Jane", "Sure.")], video_id=VIDEO)
    asked, answer = sections[0].turns
    assert (asked.start, asked.sec, asked.time, asked.href) == (20, 20, "0:20", youtube_link(VIDEO, 20))
    assert (answer.start, answer.sec, answer.time, answer.href) == (20, None, "", "")


def test_turns_before_any_time_start_at_zero():
    sections = timeline([turn(0, "Alexey", "Welcome")])
    assert sections[0].turns[0].start == 0


def test_a_time_earlier_than_the_turn_before_keeps_its_link_but_not_its_feed_start():
    sections = timeline([turn(0, "A", "one", 300), turn(1, "B", "two", 30), turn(2, "A", "three", 320)], video_id=VIDEO)
    one, two, three = sections[0].turns
    assert two.href == youtube_link(VIDEO, 30)
    assert [one.start, two.start, three.start] == [300, 300, 320]


def test_shown_time_prefers_the_file_and_falls_back_to_the_clock():
    sections = timeline([turn(0, "A", "one", 116, time="1:56"), ItemRow(1, "turn", "two", "B", 130, "")])
    assert [t.time for t in sections[0].turns] == ["1:56", "2:10"]


def test_section_starts_at_the_first_timed_turn_after_its_header():
    sections = timeline(
        [
            header(0, "Intro"),
            header(1, "Background"),
            turn(2, "Alexey", "untimed"),
            turn(3, "Alexey", "timed", 49),
            header(4, "Work"),
            turn(5, "Jane", "later", 120),
        ],
        video_id=VIDEO,
    )
    assert [(s.title, s.start) for s in sections] == [("Intro", 49), ("Background", 49), ("Work", 120)]
    assert sections[2].href == youtube_link(VIDEO, 120)
    assert sections[2].time == "2:00"


def test_header_with_no_timed_turn_after_it_starts_with_the_last_turn_before():
    sections = timeline([turn(0, "A", "one", 100), turn(1, "A", "two", 200), header(2, "Wrap-up"), turn(3, "A", "bye")])
    assert sections[-1].start == 200


def test_a_header_knows_the_last_own_time_before_it_and_whether_a_timed_turn_follows():
    # What the intake's clips read to tell whether a clip's start still fits its section.
    rows = [turn(0, "A", "one", 100), turn(1, "A", "two", 90), header(2, "Middle"), turn(3, "A", "three", 300)]
    rows += [header(4, "End"), turn(5, "A", "bye")]
    sections = timeline(rows)
    assert [(s.title, s.after, s.followed) for s in sections if s.is_header] == [
        ("Middle", 90, True),
        ("End", 300, False),
    ]


def test_raw_items_are_not_shown():
    sections = timeline([ItemRow(0, "raw", "", "", None, ""), turn(1, "A", "hi", 1)])
    assert [t.text for s in sections for t in s.turns] == ["hi"]


def test_anchors_are_unique_readable_and_never_the_pages_own_ids():
    sections = timeline([header(0, "Danny’s background"), header(1, "Danny's background"), header(2, "Contents")])
    assert [s.anchor for s in sections] == ["dannys-background", "dannys-background-2", "contents-2"]


def test_anchor_of_a_title_without_letters():
    sections = timeline([header(0, "!!!"), header(1, "")])
    assert [s.anchor for s in sections] == ["section-1", "section-2"]


def test_no_video_means_no_deep_links():
    sections = timeline([header(0, "Intro"), turn(1, "A", "hi", 5)])
    assert sections[0].href == "" and sections[0].turns[0].href == ""


def test_speaker_groups_join_consecutive_turns_and_show_each_time_once():
    sections = timeline(
        [
            turn(0, "Alexey", "one", 116),
            turn(1, "Alexey", "two", 116),
            turn(2, "Alexey", "three"),
            turn(3, "Alexey", "four", 150),
            turn(4, "Danny", "five", 178),
            turn(5, "Alexey", "six", 190),
        ]
    )
    colors = {}
    groups = speaker_groups(sections[0].turns, {}, colors)
    assert [(g.who, [t.text for t in g.turns]) for g in groups] == [
        ("Alexey", ["one", "two", "three", "four"]),
        ("Danny", ["five"]),
        ("Alexey", ["six"]),
    ]
    assert [t.show_time for t in groups[0].turns] == [True, False, False, True]
    assert [g.color for g in groups] == [0, 1, 0]
    assert colors == {"Alexey": 0, "Danny": 1}


@pytest.mark.parametrize(
    ("refs", "expected"),
    [
        ([("ids", "youtube", VIDEO)], VIDEO),
        ([("ids", "youtube", "bad id"), ("links", "youtube", f"https://www.youtube.com/watch?v={VIDEO}")], VIDEO),
        ([("links", "youtube", f"https://youtu.be/{VIDEO}")], VIDEO),
        ([("links", "youtube", f"javascript:alert(1)//?v={VIDEO}")], ""),
        ([("ids", "youtube", '"><script>')], ""),
        ([], ""),
    ],
)
def test_youtube_id(refs, expected):
    assert youtube_id(refs) == expected
