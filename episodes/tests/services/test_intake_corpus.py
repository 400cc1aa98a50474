"""Raw transcripts and chapter lists on the real corpus (skipped where ../shared is absent).

Each corpus episode whose turns all have a time and a speaker is written out as Word, plain text, and
WebVTT plus a chapter list, and must come back as exactly its transcript. Episodes whose times go backwards
somewhere (typing slips in the site's files) come back as they are too, with a warning at each slip, as any
raw file with one has; a turn's text with a line break cannot be one line of the plain-text layout.
"""

import re

import pytest

from episodes import services
from episodes.documents import database
from episodes.format import frontmatter as fm
from episodes.format import transcript_files as tf
from episodes.models import Episode
from episodes.results import CREATED
from episodes.tests.support import site_intake, transcripts
from episodes.tests.support.factories import SHARED, export, import_text, needs_shared

pytestmark = [pytest.mark.django_db, needs_shared]

CORPUS = SHARED / "corpus"
LIMIT = 10 * 1024 * 1024


def _episodes():
    """Return (slug, transcript) of each valid corpus episode whose turns all have a time and a speaker."""
    found = []
    for path in sorted((CORPUS / "episodes").glob("*.md")) if CORPUS.is_dir() else []:
        try:
            items = fm.parse(path.read_bytes()).front.get("transcript")
        except fm.FormatError:
            continue
        spoken = [item for item in items or [] if "header" not in item]
        if spoken and all({"sec", "time", "who"} <= set(item) for item in spoken):
            found.append(pytest.param(items, id=path.stem))
    return found


EPISODES = _episodes()
CHAPTER_LISTS = sorted((CORPUS / "chapters").glob("*.txt")) if CORPUS.is_dir() else []


def _written(items):
    """The transcript as the formats write it: a time is what its seconds give (one file has '9:\\n46')."""
    return [item if "header" in item else {**item, "time": fm.seconds_to_time(item["sec"])} for item in items]


def _slips(items) -> list[str]:
    """The warnings of each turn whose time comes before the turn's before it."""
    spoken = transcripts.turns(items)
    pairs = zip(spoken, spoken[1:], strict=False)
    return [tf.W_BACKWARDS.format(time=b["time"], previous=a["time"]) for a, b in pairs if b["sec"] < a["sec"]]


def test_the_corpus_has_the_episodes_this_module_is_about():
    assert len(EPISODES) >= 30 and len(CHAPTER_LISTS) == 38


@pytest.mark.parametrize("items", EPISODES)
@pytest.mark.parametrize("kind", ["docx", "text"])
def test_word_and_plain_text_come_back_as_the_transcript(items, kind):
    if kind == "text" and any("\n" in item.get("line", "") for item in items):
        pytest.skip("a turn's text has a line break, which one line of the plain-text layout cannot hold")
    written = _written(items)
    data = transcripts.docx_bytes(written) if kind == "docx" else transcripts.plain_text(written).encode()
    read = tf.read_transcript(data, name=f"talk.{kind}", max_bytes=LIMIT)
    assert read.items == written and [w.message for w in read.warnings] == _slips(written)


@pytest.mark.parametrize("items", EPISODES)
def test_webvtt_and_a_chapter_list_come_back_as_the_transcript(items):
    result = import_text(fm.render({"title": "Episode", "transcript": items}, "\n"), slug="ep")
    assert result.status == CREATED
    vtt, chapters = transcripts.webvtt(items).encode(), transcripts.chapter_list(items)
    if _slips(items):
        # A chapter list's times go forward: the site's sections with a slip inside do not all come back.
        chapters = None
        vtt = transcripts.webvtt(transcripts.turns(items)).encode()
        items = transcripts.turns(items)
    result = services.transcript_import(slug="ep", name="talk.vtt", data=vtt, chapters=chapters or None, replace=True)
    assert fm.parse(export(Episode.objects.get())).front["transcript"] == _written(items)
    assert [line.split(": ", 1)[1] for line in result.file_warnings] == _slips(_written(items))


def test_the_raw_plain_text_imports_with_its_times_and_speakers():
    raw = (CORPUS / "raw" / "data-team-roles.txt").read_bytes()
    result = services.transcript_import(slug="roles", name="data-team-roles.txt", data=raw)
    original = fm.parse((CORPUS / "episodes" / "data-team-roles.md").read_bytes()).front
    data = fm.parse(export(Episode.objects.get(slug="roles"))).front
    assert data["transcript"] == original["transcript"]
    assert result.turns == 74 and data["transcript"][4]["time"] == "1:56" and data["duration"] == "PT00H43M24S"


def test_the_raw_word_document_imports_with_the_warnings_of_its_slip():
    path = CORPUS / "raw" / "analytics-engineer-skills-tools.docx"
    result = services.transcript_import(slug="ae", name=path.name, data=path.read_bytes())
    assert result.file_warnings == [
        f"{path.name}:82: " + tf.W_BACKWARDS.format(time="11:46", previous="13:44"),
    ]
    items = fm.parse(export(Episode.objects.get(slug="ae"))).front["transcript"]
    original = fm.parse((CORPUS / "episodes" / path.with_suffix(".md").name).read_bytes()).front["transcript"]
    assert [i.get("header", i.get("line")) for i in items] == [i.get("header", i.get("line")) for i in original]
    # A text paragraph after another one has its time and speaker; the file left those out.
    previous = {}
    for item, was in zip(items, original, strict=True):
        if "header" not in item:
            assert (item["time"], item["who"]) == (
                was.get("time", previous.get("time")),
                was.get("who", previous.get("who")),
            )
            previous = item
    with pytest.raises(services.StrictRefusal, match=f"^{path.name}: refused"):
        services.transcript_import(slug="ae2", name=path.name, data=path.read_bytes(), strict=True)


def _rule(path, front, items):
    """The clips the README's rule gives for a chapter list, computed independently of the importer."""
    chapters = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            h, m, s = (int(x) for x in line.split(" ", 1)[0].split(":"))
            # The site's headers and clips have "-" and " " where the lists have U+2011 and U+00A0 (issue 19).
            title = line.split(" ", 1)[1].replace("\u2011", "-").replace("\u00a0", " ").strip()
            chapters.append((title, h * 3600 + m * 60 + s))
    match = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?", front.get("duration") or "")
    if match:
        duration = sum(int(x or 0) * f for x, f in zip(match.groups(), (3600, 60, 1), strict=True))
    else:
        duration = [i["sec"] for i in items if "sec" in i][-1]  # filled in from the last turn
    clips = []
    for i, (name, start) in enumerate(chapters):
        end = chapters[i + 1][1] if i + 1 < len(chapters) else duration
        if end > start:
            link = front["links"]["youtube"]
            clips.append({"name": name, "startOffset": start, "url": f"{link}&t={start}", "endOffset": end})
    return chapters, clips


@pytest.mark.parametrize("path", CHAPTER_LISTS, ids=lambda p: p.stem)
def test_a_rebuild_from_each_chapter_list_gives_clips_by_the_rule(path):
    text = (CORPUS / "episodes" / f"{path.stem}.md").read_text(encoding="utf-8")
    original = fm.parse(text).front
    assert import_text(text, slug="ep").status == CREATED
    services.chapters_apply(episode=Episode.objects.get(), chapters=path.read_bytes(), name=path.name)
    data = fm.parse(export(Episode.objects.get())).front
    chapters, clips = _rule(path, original, data["transcript"])
    assert data["quotableClips"] == clips
    # Every chapter is a header, before the first turn at or after its time (the end when there is none).
    headers = [(n, item["header"]) for n, item in enumerate(data["transcript"]) if "header" in item]
    assert [title for _, title in headers] == [title for title, _ in chapters]
    for (n, _), (_, start) in zip(headers, chapters, strict=True):
        before = [i["sec"] for i in data["transcript"][:n] if "sec" in i]
        after = next((i["sec"] for i in data["transcript"][n:] if "sec" in i), None)
        assert (not before or before[-1] < start) and (after is None or after >= start)
    # A clip the rule gives as it already was is the file's own, key order and all.
    kept = {c["name"]: c for c in original.get("quotableClips") or []}
    for clip in data["quotableClips"]:
        if kept.get(clip["name"]) == clip:
            assert list(kept[clip["name"]]) == list(clip)
    # Rebuilding from the sections now changes nothing: each clip still starts where its section does.
    assert services.clips_rebuild(episode=Episode.objects.get(), dry_run=True).diff == []


def test_a_section_rename_renames_its_clip_on_a_real_episode():
    path = CORPUS / "episodes" / "from-game-ai-to-modern-ai-agents.md"
    assert import_text(path.read_text(encoding="utf-8"), slug="ep").status == CREATED
    episode = Episode.objects.get()
    before = export(episode).splitlines()
    header = episode.items.filter(kind="header").order_by("position")[5]
    services.section_rename(episode=episode, position=header.position, title="A better title")
    after = export(episode).splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(changed) == 2 and all(b.endswith("A better title") for _, b in changed)
    assert database.load_extra(Episode.objects.get().extra)["quotableClips"][5]["name"] == "A better title"


SITE_EPISODES = (
    [pytest.param(path, front, id=path.stem) for path, front in site_intake.corpus_episodes(CORPUS)]
    if (CORPUS.is_dir())
    else []
)


def test_the_corpus_has_the_site_episodes_to_rebuild():
    assert len(SITE_EPISODES) >= 44


@pytest.mark.parametrize(("path", "front"), SITE_EPISODES)
def test_every_site_episode_rebuilt_as_a_raw_transcript_is_imported_with_its_chapter_list(path, front):
    done = site_intake.rebuild(path, front, CORPUS)
    assert not done.refused, done.refused
    assert done.turns == sum("header" not in item for item in front["transcript"])
    # Each warning names the file and its line (the site's slips: times going backwards, long speaker lines).
    assert all(re.match(rf"{re.escape(done.name)}:[1-9][0-9]*: the ", line) for line in done.warnings), done.warnings
    assert done.clips_site - done.clips_equal <= 4  # the few the site's editors changed by hand since
