"""Checkers for the Podcasting 2.0 transcript and chapter formats, written from the specifications.

JSON transcripts: https://github.com/Podcastindex-org/podcast-namespace/blob/main/transcripts/transcripts.md
Chapters: https://github.com/Podcastindex-org/podcast-namespace/blob/main/chapters/jsonChapters.md
WebVTT: https://www.w3.org/TR/webvtt1/ ; SubRip as podcast apps read it.
"""

import json
import re

VTT_TIMING = re.compile(r"^(\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3}) --> (\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3})$")
SRT_TIMING = re.compile(r"^(\d{2,}):([0-5]\d):([0-5]\d),(\d{3}) --> (\d{2,}):([0-5]\d):([0-5]\d),(\d{3})$")
VOICE = re.compile(r"^<v ([^>\n]+)>")


def _seconds(groups) -> float:
    h, m, s, ms = (int(g) for g in groups)
    return h * 3600 + m * 60 + s + ms / 1000


def check_json_transcript(text: str) -> dict:
    data = json.loads(text)
    assert set(data) == {"version", "segments"}, data.keys()
    assert data["version"] == "1.0.0"
    previous = 0
    for segment in data["segments"]:
        assert set(segment) == {"speaker", "startTime", "endTime", "body"}, segment.keys()
        assert isinstance(segment["speaker"], str) and isinstance(segment["body"], str)
        start, end = segment["startTime"], segment["endTime"]
        assert isinstance(start, int | float) and isinstance(end, int | float)
        assert previous <= start <= end, segment
        previous = start
    return data


def check_chapters(text: str) -> dict:
    data = json.loads(text)
    assert set(data) == {"version", "chapters"}, data.keys()
    assert data["version"] == "1.2.0"
    previous = 0
    for chapter in data["chapters"]:
        assert set(chapter) == {"startTime", "title"}, chapter.keys()
        assert isinstance(chapter["title"], str)
        assert isinstance(chapter["startTime"], int | float) and chapter["startTime"] >= previous, chapter
        previous = chapter["startTime"]
    return data


def check_vtt(text: str) -> list[tuple[float, float, list[str]]]:
    """Return the cues (start, end, lines) of a WebVTT file, asserting its structure."""
    assert text.startswith("WEBVTT\n"), text[:20]
    blocks = text.rstrip("\n").split("\n\n")[1:]
    cues, previous = [], 0.0
    for block in blocks:
        lines = block.split("\n")
        timing_line = 1 if "-->" not in lines[0] else 0
        match = VTT_TIMING.match(lines[timing_line])
        assert match, lines[timing_line]
        start, end = _seconds(match.groups()[:4]), _seconds(match.groups()[4:])
        assert previous <= start < end, block
        previous = start
        body = lines[timing_line + 1 :]
        assert body and all(line and "-->" not in line for line in body), block
        for line in body:
            # Cue text is HTML-like: '<' only opens a tag, and only voice tags are used here.
            assert "<" not in VOICE.sub("", line), line
        cues.append((start, end, body))
    return cues


def check_srt(text: str) -> list[tuple[float, float, list[str]]]:
    blocks = text.rstrip("\n").split("\n\n")
    cues, previous = [], 0.0
    for number, block in enumerate(blocks, 1):
        lines = block.split("\n")
        assert lines[0] == str(number), block
        match = SRT_TIMING.match(lines[1])
        assert match, lines[1]
        start, end = _seconds(match.groups()[:4]), _seconds(match.groups()[4:])
        assert previous <= start < end, block
        previous = start
        assert lines[2:] and all(lines[2:]), block
        cues.append((start, end, lines[2:]))
    return cues
