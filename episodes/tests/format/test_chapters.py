"""Chapter lists, header placement, the site's clip rule and durations (pure functions)."""

import pytest

from episodes.format import chapters as ch
from episodes.format import frontmatter as fm
from episodes.tests.support.factories import SHARED, needs_shared

YT = "https://www.youtube.com/watch?v=abcdefghijk"


def test_read_chapter_lists_as_youtube_descriptions_have_them():
    text = "00:00:00 Podcast Introduction\n\n0:38 Career: A & B\n[01:02] - Dashed\n(1:02:03) | Barred  \n"
    assert ch.read_chapters(text) == [
        ch.Chapter(0, "Podcast Introduction", 1),
        ch.Chapter(38, "Career: A & B", 3),
        ch.Chapter(62, "Dashed", 4),
        ch.Chapter(3723, "Barred", 5),
    ]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("", 1, ch.ERR_EMPTY),
        ("00:00 Intro\nSee the links below\n", 2, "expected a chapter line like '00:01:20 Career Journey'"),
        ("00:00 Intro\n00:75 Bad\n", 2, "'00:75' is not a time"),
        ("00:00 Intro\n00:10\n", 2, "the chapter at 00:10 has no title"),
        ("00:00 Intro\n05:00 Later\n04:00 Earlier\n", 3, "the chapter at 04:00 comes after one at 5:00"),
    ],
)
def test_bad_chapter_lists_are_refused_at_their_line(text, line, message):
    with pytest.raises(fm.FormatError) as info:
        ch.read_chapters(text)
    assert info.value.line == line and message in info.value.message


def test_headers_go_before_the_first_turn_at_or_after_their_time():
    secs = [0, None, 30, 30, 75, 90]
    assert ch.header_slots(secs, [0, 20, 30, 30, 80, 91]) == [0, 2, 2, 2, 5, 6]
    # An untimed turn stays with the turn before it.
    assert ch.header_slots([10, None, 20], [15]) == [2]


def test_clips_follow_the_sites_rule():
    chapters = [("Intro", 0), ("Career", 38), ("End", 3000)]
    assert ch.clips_by_rule(chapters, duration=3100, youtube=YT) == [
        {"name": "Intro", "startOffset": 0, "url": f"{YT}&t=0", "endOffset": 38},
        {"name": "Career", "startOffset": 38, "url": f"{YT}&t=38", "endOffset": 3000},
        {"name": "End", "startOffset": 3000, "url": f"{YT}&t=3000", "endOffset": 3100},
    ]
    # The last chapter at or past the end, or without a duration, makes no clip; the one before ends at it.
    assert [c["name"] for c in ch.clips_by_rule(chapters, duration=2900, youtube=YT)] == ["Intro", "Career"]
    assert [c["name"] for c in ch.clips_by_rule(chapters, duration=None, youtube=YT)] == ["Intro", "Career"]
    assert "url" not in ch.clips_by_rule(chapters, duration=None, youtube="")[0]
    assert list(ch.clips_by_rule(chapters, duration=None, youtube=YT)[0]) == list(ch.CLIP_KEYS)


@pytest.mark.parametrize(
    ("link", "url"),
    [
        (YT, f"{YT}&t=90"),
        ("https://youtu.be/abcdefghijk", "https://youtu.be/abcdefghijk?t=90"),
        (f"{YT}&t=12", f"{YT}&t=90"),
        ("https://youtube.com/watch?t=12&v=abc", "https://youtube.com/watch?v=abc&t=90"),
    ],
)
def test_clip_links_start_at_the_clip(link, url):
    assert ch.clip_url(link, 90) == url
    assert ch.url_start(url) == 90


def test_link_start_forms():
    assert ch.url_start(f"{YT}&t=1m30s") == 90
    assert ch.url_start(f"{YT}&t=1h") == 3600
    assert ch.url_start(YT) is None
    assert ch.url_start(None) is None


def test_merge_keeps_unchanged_clips_as_they_were():
    old = [
        {"name": "Intro", "startOffset": 0, "url": f"{YT}&t=0", "endOffset": 38},
        {"endOffset": 99, "name": "Career", "startOffset": 38, "url": f"{YT}&t=38", "note": "kept"},
        {"name": "Gone", "startOffset": 99, "url": f"{YT}&t=99", "endOffset": 120},
    ]
    new = ch.clips_by_rule([("Intro", 0), ("Career", 38), ("New", 100)], duration=120, youtube=YT)
    merged = ch.merge_clips(old, new)
    assert merged[0] is old[0]
    assert list(merged[1]) == ["endOffset", "name", "startOffset", "url", "note"]
    assert merged[1]["endOffset"] == 100 and merged[1]["note"] == "kept"
    assert merged[2] == new[2]
    assert ch.merge_clips("not a list", new) == new


def test_renaming_a_section_renames_the_nth_clip_of_its_name():
    clips = [{"name": "Q&A", "startOffset": 1}, {"name": "Intro"}, {"name": "Q&A", "startOffset": 9}]
    renamed = ch.renamed_clips(clips, [("Q&A", "Questions", 1)])
    assert renamed[0] is clips[0] and renamed[2] == {"name": "Questions", "startOffset": 9}
    assert ch.renamed_clips(clips, [("Other", "X", 0)]) is None
    assert ch.renamed_clips(None, [("Q&A", "X", 0)]) is None


@pytest.mark.parametrize(
    ("sec", "text"),
    [(3817, "PT01H03M37S"), (2604, "PT00H43M24S"), (3648, "PT01H48S"), (3540, "PT00H59M"), (0, "PT00H")],
)
def test_duration_as_the_site_writes_it(sec, text):
    assert ch.duration_text(sec) == text


def test_chapter_texts():
    sections = [("Intro", 73), ("Career", 600), ("Late", 3723)]
    assert ch.chapter_lines(sections) == "00:01:13 Intro\n00:10:00 Career\n01:02:03 Late\n"
    assert ch.youtube_chapters(sections) == "00:00 Intro\n10:00 Career\n01:02:03 Late\n"
    assert ch.youtube_chapters([]) == ""


def test_non_breaking_hyphens_and_spaces_in_titles_read_as_the_site_writes_them():
    text = "00:00 Intro\u00a0and\u00a0welcome\n01:10 Real\u2011time ML \u2011 in\u00a0practice\u00a0\n"
    chapters = ch.read_chapters(text)
    assert [c.title for c in chapters] == ["Intro and welcome", "Real-time ML - in practice"]
    clips = ch.clips_by_rule([(c.title, c.sec) for c in chapters], duration=100, youtube=YT)
    assert [c["name"] for c in clips] == ["Intro and welcome", "Real-time ML - in practice"]


@needs_shared
def test_clips_built_from_the_corpus_chapter_lists_equal_the_sites():
    # Issue 19: the chapter lists write U+2011 where the site's clips have "-": 869 of the 962 clips were
    # equal to the site's with the titles read as they are; 938 with them read as the site writes them (the
    # others are names and times editors fixed by hand later, see the corpus README).
    equal = total = 0
    for path in sorted((SHARED / "corpus" / "chapters").glob("*.txt")):
        front = fm.parse((SHARED / "corpus" / "episodes" / f"{path.stem}.md").read_bytes()).front
        site = front.get(ch.CLIPS_KEY) or []
        duration = front.get(ch.DURATION_KEY)
        chapters = [(c.title, c.sec) for c in ch.read_chapters(path.read_text(encoding="utf-8"))]
        youtube = site[0].get("url", "") if site else ""
        built = ch.clips_by_rule(
            chapters, duration=ch.duration_seconds(duration) if isinstance(duration, str) else duration, youtube=youtube
        )
        total += len(site)
        equal += sum(1 for ours, theirs in zip(built, site, strict=False) if ours == theirs)
    assert (equal, total) == (938, 962)
