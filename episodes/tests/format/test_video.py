"""An episode's video: the link clips are made from, and clips that follow it."""

import pytest

from episodes.format import video

A, B = "abcdefghijk", "BBBBBBBBBBB"
WATCH = "https://www.youtube.com/watch?v="


@pytest.mark.parametrize(
    ("refs", "link"),
    [
        ([("ids", "youtube", A), ("links", "youtube", f"https://youtu.be/{B}")], f"https://youtu.be/{B}"),
        ([("ids", "youtube", A), ("links", "youtube", "youtu.be/x")], WATCH + A),  # not a web address
        ([("ids", "youtube", A), ("links", "spotify", "https://open.spotify.com/x")], WATCH + A),
        ([("ids", "spotify", "x")], ""),
    ],
)
def test_the_link_clips_are_made_from(refs, link):
    assert video.youtube_url(refs) == link


def test_clips_follow_a_new_video_by_the_sites_rule_and_keep_their_own_links_to_it():
    clips = [
        {"name": "Intro", "startOffset": 0, "endOffset": 60},  # no url yet
        {"name": "Career", "startOffset": 60, "url": f"{WATCH}{A}&t=60", "endOffset": 90},
        {"name": "Hand-made", "startOffset": 90, "url": f"{WATCH}{A}&t=95", "endOffset": 120},
        {"name": "Broken"},
    ]
    moved = video.clips_on_video(clips, WATCH + B)
    assert moved == [
        {"name": "Intro", "startOffset": 0, "url": f"{WATCH}{B}&t=0", "endOffset": 60},
        {"name": "Career", "startOffset": 60, "url": f"{WATCH}{B}&t=60", "endOffset": 90},
        {"name": "Hand-made", "startOffset": 90, "url": f"{WATCH}{B}&t=90", "endOffset": 120},
        {"name": "Broken"},
    ]
    assert [list(clip) for clip in moved][0] == ["name", "startOffset", "url", "endOffset"]  # the site's order
    # On the same video, only the clip without a url changes; a link with a time of its own keeps the rule's.
    same = video.clips_on_video(clips, f"https://youtu.be/{A}?t=5")
    assert [clip.get("url") for clip in same] == [f"https://youtu.be/{A}?t=0", *[c.get("url") for c in clips[1:]]]
    assert video.clips_on_video(moved, WATCH + B) is None
    assert video.clips_on_video(clips, "") is None and video.clips_on_video(None, WATCH + B) is None
