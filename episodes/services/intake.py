"""New transcripts and chapter lists in; sections, clips and duration kept true to the transcript.

``transcript_import`` reads a raw transcript (Word, plain text, WebVTT, SRT) into an episode, creating a draft
when the slug is new; ``chapters_apply`` puts a chapter list's section headers in place; ``clips_rebuild``
makes ``quotableClips`` follow the sections. Each is one revision, and each can run as a dry run that keeps
nothing and tells what would change (the editor's preview). Clips nobody changed stay as they are in the file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import search_index
from ..documents import database
from ..format import chapters as ch
from ..format import frontmatter as fm
from ..format import transcript_files as tf
from ..format.episode_keys import episode_duration
from ..format.timeline import Section, timeline
from ..format.times import to_seconds
from ..models import Episode, TranscriptItem, name_problem
from ..results import CREATED, UNCHANGED, UPDATED, FileResult
from ..selectors.speakers import SpeakerSummary, speaker_summaries
from ..selectors.warnings import EditorWarning, episode_warnings
from .clips import extra_of, save_extra, youtube_link
from .editing import Edit, ServiceError, editing, items
from .revisions import diff as text_diff

HEADER, TURN = TranscriptItem.Kind.HEADER, TranscriptItem.Kind.TURN
# A new episode's key order, as the site's files have them: keys filled in later take their place.
NEW_EPISODE_KEYS = ["title", "description", "intro", "topics", "dateadded", "duration", ch.CLIPS_KEY, "transcript"]

ERR_BAD_SLUG = "'{slug}' cannot be an episode's slug: {problem}"
ERR_HAS_TRANSCRIPT = "{slug} already has a transcript ({count} items): replace it explicitly (--replace)"
ERR_CREATED_MEANWHILE = "{slug} was created by someone else meanwhile; try again"
ERR_NO_TIMES = "the transcript has no times, so chapters cannot be placed"
ERR_STRICT = "{name}: refused (strict: refuse on any warning): {count} warning{s}"
NOTE_BEYOND = "chapter '{title}' at {time} starts after the last turn ({last}): its section header is at the end"
NOTE_NO_CLIP = "chapter '{title}' at {time} ends no later than it starts: it has no clip"
NOTE_HEADERS_REPLACED = "the {count} section headers of {what} were replaced by the chapter list's {new}"
NOTE_DURATION = "duration set to {value} (the last turn's time)"
NOTE_NO_YOUTUBE = "the episode has no YouTube link: its clips have no url"
# A dry run tells its differences in at most this many lines (and how many more there were).
DIFF_LINES = 1000


class IntakeError(ServiceError):
    """A file that cannot be read; ``str()`` gives ``NAME:LINE: what is wrong``."""

    def __init__(self, name: str, error: fm.FormatError):
        super().__init__(f"{name}:{error.line}: {error.message}")
        self.name, self.line, self.message = name, error.line, error.message


class StrictRefusal(ServiceError):
    """A strict import of a file with warnings; ``lines`` are its warnings as ``NAME:LINE: what``, and
    ``str()`` gives them all, one a line, after what was refused."""

    def __init__(self, name: str, lines: list[str]):
        count = len(lines)
        super().__init__("\n".join([ERR_STRICT.format(name=name, count=count, s="" if count == 1 else "s"), *lines]))
        self.name, self.lines = name, lines


@dataclass
class IntakeResult(FileResult):
    """What an operation did or, in a dry run, would do with one file (nothing of a dry run is kept).

    The file's result as any other (:mod:`episodes.results`): ``path`` the transcript's or chapter list's
    name (a rebuild's: the episode's file), ``key`` the episode's slug, ``status`` CREATED (a new draft),
    UPDATED or UNCHANGED (nothing to change), ``diff`` the episode's file before and after (dry runs),
    ``version`` the episode's once changed; and what the editor's preview shows of the episode as it is left.
    Its ``warnings`` are the episode's (:class:`~episodes.selectors.warnings.EditorWarning`, with their
    positions), not the file's.
    """

    episode: Episode | None = None
    summary: str = ""
    dry_run: bool = False
    format: str = ""
    items: list[dict] = field(default_factory=list)  # the new transcript, as the file holds it
    clips: list = field(default_factory=list)  # the new quotableClips
    notes: list[str] = field(default_factory=list)
    speakers: list[SpeakerSummary] = field(default_factory=list)
    warnings: list[EditorWarning] = field(default_factory=list)
    file_warnings: list[str] = field(default_factory=list)  # the file's, as ``NAME:LINE: what``, in line order
    seen_version: int | None = None  # pass it back as ``version`` to apply what a dry run showed

    @property
    def created(self) -> bool:
        return self.status == CREATED

    @property
    def turns(self) -> int:
        return sum("header" not in item for item in self.items if isinstance(item, dict))

    @property
    def sections(self) -> int:
        return sum("header" in item for item in self.items if isinstance(item, dict))


def max_bytes() -> int:
    """Return the largest file an import reads (episodes, profiles, raw transcripts, chapter lists)."""
    return settings.EPISODES_MAX_FILE_BYTES


def transcript_limits() -> tf.Limits:
    """Return the most one raw transcript may hold (paragraphs or lines, turns)."""
    return tf.Limits(
        paragraphs=settings.EPISODES_MAX_TRANSCRIPT_PARAGRAPHS, turns=settings.EPISODES_MAX_TRANSCRIPT_TURNS
    )


def transcript_read(*, name: str, data: bytes) -> tf.RawTranscript:
    """Read a raw transcript file (any supported format); raise IntakeError naming the file and line."""
    try:
        return tf.read_transcript(data, name=name, max_bytes=max_bytes(), limits=transcript_limits())
    except fm.FormatError as exc:
        raise IntakeError(name, exc) from None


def file_warnings(*, name: str, raw: tf.RawTranscript) -> list[str]:
    """Return what the file ``name`` holds that the site accepts but an editor should look at, as
    ``NAME:LINE: what`` lines."""
    return [f"{name}:{warning.line}: {warning.message}" for warning in raw.warnings]


def chapters_read(*, name: str, data: bytes | str) -> list[ch.Chapter]:
    """Read a chapter list (bytes of a file, or pasted text); raise IntakeError naming it and the line."""
    try:
        text = data if isinstance(data, str) else fm.decode(data, max_bytes=max_bytes())[0]
        text = text.replace("\r\n", "\n").removeprefix("\ufeff")
        problem = fm.not_text(text)
        if problem is not None:
            raise fm.FormatError(problem[1], text.count("\n", 0, problem[0]) + 1)
        return ch.read_chapters(text)
    except fm.FormatError as exc:
        raise IntakeError(name, exc) from None


# -- the operations ---------------------------------------------------------------------------------------------


def transcript_import(
    *,
    slug: str,
    name: str,
    data: bytes | None = None,
    raw: tf.RawTranscript | None = None,
    chapters: bytes | str | None = None,
    chapter_list: list[ch.Chapter] | None = None,
    chapters_name: str = "chapters",
    replace: bool = False,
    title: str = "",
    strict: bool = False,
    dry_run: bool = False,
    user=None,
    version: int | None = None,
) -> IntakeResult:
    """Give episode ``slug`` the transcript in file ``name`` (content ``data``), as one revision.

    A new slug becomes a draft episode titled ``title`` (else the file name). An episode that has a
    transcript keeps it unless ``replace``. With ``chapters`` (a chapter list), its chapters become the
    section headers instead of the file's, and the clips are built from them; a missing duration is set
    from the last turn's time. ``raw`` and ``chapter_list``, when given, are what :func:`transcript_read`
    and :func:`chapters_read` made of the files before (a preview's), instead of ``data`` and ``chapters``.
    What the file holds that the site accepts but an editor should look at is kept, and told in the result's
    ``file_warnings``; ``strict`` refuses the file instead (:class:`StrictRefusal`, naming every warning).
    """
    problem = name_problem(slug)
    if problem:
        raise ServiceError(ERR_BAD_SLUG.format(slug=slug[:80], problem=problem))
    if raw is None:
        raw = transcript_read(name=name, data=data)
    warned = file_warnings(name=name, raw=raw)
    if strict and warned:
        raise StrictRefusal(name, warned)
    if chapter_list is None and chapters is not None:
        chapter_list = chapters_read(name=chapters_name, data=chapters)
    result = IntakeResult(name, UPDATED, key=slug, episode=Episode(slug=slug), dry_run=dry_run, format=raw.format)
    result.notes += raw.notes
    result.file_warnings = warned
    # The file's entries become rows once; the rows are what is written and what the clips are built from.
    rows = [database.item_row(i, item) for i, item in enumerate(raw.items)]
    result.items = raw.items
    if chapter_list is not None:
        headers = sum(row.kind == HEADER for row in rows)
        if headers:
            result.notes.append(NOTE_HEADERS_REPLACED.format(count=headers, what=name, new=len(chapter_list)))
        rows = _rows_with_chapters([row for row in rows if row.kind != HEADER], chapter_list, result.notes)
        result.items = [database.item_data(*row[1:]) for row in rows]
    with transaction.atomic():
        existing = Episode.objects.filter(slug=slug).first()
        if existing is None:
            result.episode, result.status = _create(slug, title or _stem(name), user=user), CREATED
            before = ""
        else:
            result.episode, result.seen_version = existing, existing.version
            before = database.export_text(existing) if dry_run else ""
        summary = f"{'created' if result.created else 'transcript'} from {os.path.basename(name)}"
        with editing(episode=result.episode, user=user, version=version, summary=summary) as change:
            episode = change.episode
            count = items(episode).count()
            if count and not replace and not result.created:
                raise ServiceError(ERR_HAS_TRANSCRIPT.format(slug=slug, count=count))
            if count:
                change.summary = f"replaced the transcript ({count} items) from {os.path.basename(name)}"
            _write_rows(episode, rows)
            # Clips follow the new sections; a transcript without any leaves them for a chapter list.
            clips = chapter_list is not None or any(row[1] == HEADER for row in rows)
            _update_derived(episode, result, chapter_list=chapter_list, clips=clips, rows=rows)
            result.summary = change.summary
        _finish(result, before=before, change=change)
    return result


def chapters_apply(
    *, episode: Episode, chapters: bytes | str, name: str = "chapters", dry_run=False, user=None, version=None
) -> IntakeResult:
    """Put a section header before the first turn at or after each chapter's time, replacing the headers.

    Also rebuild the clips from the chapters and set a missing duration from the last turn's time. A
    chapter after the last turn keeps its header, at the end, and is reported.
    """
    chapter_list = chapters_read(name=name, data=chapters)
    result = IntakeResult(
        name, UPDATED, key=episode.slug, episode=episode, dry_run=dry_run, seen_version=episode.version
    )
    with transaction.atomic():
        before = database.export_text(Episode.objects.get(pk=episode.pk)) if dry_run else ""
        summary = f"applied {len(chapter_list)} chapters from {name}"
        with editing(episode=episode, user=user, version=version, summary=summary) as change:
            rows = list(items(change.episode).order_by("position").values_list(*database.ITEM_ROW))
            headers = [row for row in rows if row[1] == HEADER]
            if headers:
                result.notes.append(
                    NOTE_HEADERS_REPLACED.format(count=len(headers), what="the transcript", new=len(chapter_list))
                )
            new_rows = _rows_with_chapters([row for row in rows if row[1] != HEADER], chapter_list, result.notes)
            moved = [row[1:] for row in new_rows] != [row[1:] for row in rows]
            if moved:
                _write_rows(change.episode, new_rows)
            result.items = [database.item_data(*row[1:]) for row in new_rows]
            derived = _update_derived(change.episode, result, chapter_list=chapter_list, rows=new_rows)
            change.cancel = not derived and not moved
            result.summary = change.summary
        _finish(result, before=before, change=change)
    return result


def clips_rebuild(*, episode: Episode, dry_run: bool = False, user=None, version: int | None = None) -> IntakeResult:
    """Make ``quotableClips`` follow the section headers by the site's rule (one clip per section).

    A clip whose start still falls where its section begins (after the turn before the header, no later
    than the turn after it) keeps its start: a clip made from a chapter list stays as it was. A missing
    duration is set from the last turn's time.
    """
    result = IntakeResult(
        f"{episode.slug}.md", UPDATED, key=episode.slug, episode=episode, dry_run=dry_run, seen_version=episode.version
    )
    with transaction.atomic():
        before = database.export_text(Episode.objects.get(pk=episode.pk)) if dry_run else ""
        with editing(episode=episode, user=user, version=version, summary="rebuilt clips from sections") as change:
            change.cancel = not _update_derived(change.episode, result, chapter_list=None)
            result.summary = change.summary
        _finish(result, before=before, change=change)
    return result


def clips_outdated(*, episode: Episode) -> bool:
    """Tell whether rebuilding the clips from the sections would change them (an episode with clips only)."""
    extra = extra_of(episode)
    clips = extra.get(ch.CLIPS_KEY)
    if not isinstance(clips, list):
        return False
    starts = _clip_starts(_sections(episode), clips)
    by_rule = ch.clips_by_rule(starts, duration=episode_duration(extra), youtube=youtube_link(episode))
    return not fm.same_data(ch.merge_clips(clips, by_rule), clips)


def youtube_chapters(*, episode: Episode, items: list[database.ItemRow] | None = None) -> str:
    """Return the episode's sections as YouTube description chapters (``00:00 Title`` lines, from 00:00).

    ``items`` are its transcript rows, if already read.
    """
    return ch.youtube_chapters([(s.title, s.start) for s in _sections(episode, items)])


def chapters_text(*, episode: Episode) -> str:
    """Return the episode's sections as the site's chapter list (``00:01:20 Title`` lines)."""
    return ch.chapter_lines([(s.title, s.start) for s in _sections(episode)])


# -- helpers ----------------------------------------------------------------------------------------------------


def _stem(name: str) -> str:
    base = os.path.basename(name)
    return base.rsplit(".", 1)[0] if "." in base else base


def _create(slug: str, title: str, *, user) -> Episode:
    """Create a draft episode, made in the CMS (in no file yet); its first version is the edit that fills it."""
    try:
        with transaction.atomic():
            return Episode.objects.create(
                slug=slug,
                title=title[: Episode._meta.get_field("title").max_length],
                status=Episode.Status.DRAFT,
                front_keys=NEW_EPISODE_KEYS,
                version=0,
                synced_version=0,
                edited_by=user if user is not None and user.is_authenticated else None,
                edited_at=timezone.now(),
            )
    except IntegrityError:
        raise ServiceError(ERR_CREATED_MEANWHILE.format(slug=slug)) from None


def _rows_with_chapters(rows: list[tuple], chapter_list: list[ch.Chapter], notes: list[str]) -> list[tuple]:
    """Return item rows (ITEM_ROW tuples, no headers) with a header row for each chapter, renumbered."""
    secs = [_own_seconds(row) for row in rows]
    timed = [sec for sec in secs if sec is not None]
    if not timed:
        raise ServiceError(ERR_NO_TIMES)
    slots = ch.header_slots(secs, [c.sec for c in chapter_list])
    merged: list[tuple] = []
    done = 0
    for chapter, slot in zip(chapter_list, slots, strict=True):
        merged += rows[done:slot]
        done = slot
        merged.append((0, HEADER, chapter.title, "", None, "", ["header"], ""))
        if slot == len(rows):
            time, last = fm.seconds_to_time(chapter.sec), fm.seconds_to_time(timed[-1])
            notes.append(NOTE_BEYOND.format(title=chapter.title, time=time, last=last))
    merged += rows[done:]
    return [(i, *row[1:]) for i, row in enumerate(merged)]


def _own_seconds(row: tuple) -> int | None:
    return to_seconds(row[4], row[5]) if row[1] == TURN else None


def _write_rows(episode: Episode, rows: list[tuple]) -> None:
    """Replace the episode's transcript items with ``rows`` (ITEM_ROW tuples) and index them for search."""
    TranscriptItem.objects.filter(episode=episode).delete()
    database.insert_values(TranscriptItem, database.ITEM_ROW, rows, episode_id=episode.pk)
    search_index.index_episodes([episode.pk])


def _sections(episode: Episode, items: list[database.ItemRow] | None = None) -> list[Section]:
    """Return the episode's sections with their start times, as the public timeline resolves them.

    ``items`` are its transcript rows (ITEM_ROW tuples), if already read or just written.
    """
    rows = database.item_rows(episode, shown=True) if items is None else [database.ItemRow(*row) for row in items]
    return [section for section in timeline(rows) if section.is_header]


def _update_derived(
    episode: Episode,
    result: IntakeResult,
    *,
    chapter_list: list[ch.Chapter] | None,
    clips: bool = True,
    rows: list[tuple] | None = None,
) -> bool:
    """Fill a missing duration and (re)build the clips: from ``chapter_list``, or from the sections.

    ``rows`` are the transcript's rows (ITEM_ROW tuples) as the operation wrote them; without them, they
    are read once, when needed. Return whether the episode's other keys changed.
    """
    extra = extra_of(episode)
    new = dict(extra)
    needs_rows = not extra.get(ch.DURATION_KEY) or (chapter_list is None and clips)
    if rows is None and needs_rows:
        rows = list(items(episode).order_by("position").values_list(*database.SHOWN))
    if not extra.get(ch.DURATION_KEY):
        last = _last_turn_seconds(rows)
        if last is not None:
            new[ch.DURATION_KEY] = ch.duration_text(last)
            result.notes.append(NOTE_DURATION.format(value=new[ch.DURATION_KEY]))
    starts = None  # None: leave the clips as they are
    if chapter_list is not None:
        starts = [(c.title, c.sec) for c in chapter_list]
    elif clips:
        sections = _sections(episode, rows)
        if sections or ch.CLIPS_KEY in extra:
            starts = _clip_starts(sections, extra.get(ch.CLIPS_KEY))
    if starts is not None:
        youtube = youtube_link(episode)
        if not youtube and starts:
            result.notes.append(NOTE_NO_YOUTUBE)
        duration = episode_duration(new)
        by_rule = ch.clips_by_rule(starts, duration=duration, youtube=youtube)
        built = {clip["name"] for clip in by_rule}
        for title, sec in starts:
            if title not in built:
                result.notes.append(NOTE_NO_CLIP.format(title=title, time=fm.seconds_to_time(sec)))
        new[ch.CLIPS_KEY] = ch.merge_clips(extra.get(ch.CLIPS_KEY), by_rule)
        result.clips = new[ch.CLIPS_KEY]
    if not fm.same_data(new, extra):
        save_extra(episode, new)
        return True
    return False


def _clip_starts(sections: list[Section], clips) -> list[tuple[str, int]]:
    """Return (title, start) of each section's clip: where the clips say it starts, if it still starts there.

    A section's start is recorded in its own clip's start and in the end of the clip before (a last
    section past the last turn has only the latter). Such a start still holds when the section's header
    would go in the same place for a chapter at that time: after the last timed turn before the header,
    no later than the first one after it. Otherwise the section starts with its first turn.
    """
    clips = [c for c in clips if isinstance(c, dict)] if isinstance(clips, list) else []
    starts: list[tuple[str, int]] = []
    for i, section in enumerate(sections):
        own = next((c.get("startOffset") for c in clips if c.get("name") == section.title), None)
        before = sections[i - 1].title if i else None
        ended = next((c.get("endOffset") for c in clips if i and c.get("name") == before), None)
        start = section.start
        for candidate in (own, ended):
            if (
                fm.is_int(candidate)
                and (section.after is None or section.after < candidate)
                and (not section.followed or candidate <= section.start)
            ):
                start = candidate
                break
        starts.append((section.title, start))
    return starts


def _last_turn_seconds(rows: list[tuple]) -> int | None:
    """Return the time of the last turn of the transcript ``rows`` (ITEM_ROW tuples) that has one."""
    turns = (to_seconds(row[4], row[5]) for row in reversed(rows) if row[1] == TURN)
    return next((sec for sec in turns if sec is not None), None)


def _finish(result: IntakeResult, *, before: str, change: Edit) -> None:
    """Complete ``result`` from the episode as changed; in a dry run, tell what changed and keep nothing."""
    episode = result.episode
    if change.cancel:
        result.status = UNCHANGED
    if change.warnings is None:  # nothing changed, so the edit read nothing
        result.speakers = speaker_summaries(episode=episode)
        result.warnings = episode_warnings(episode=episode)
    else:
        result.speakers = speaker_summaries(episode=episode, items=change.items)
        result.warnings = change.warnings
    if result.dry_run:
        after = database.export_text(Episode.objects.get(pk=episode.pk))
        result.diff = text_diff(
            before, after, older_name=f"{episode.slug}.md (now)", newer_name="after", max_lines=DIFF_LINES
        )
        transaction.set_rollback(True)
        if result.seen_version is not None:
            episode.version = result.seen_version  # editing() gave it the version that was not kept
    if not result.dry_run:
        result.pk, result.version = episode.pk, episode.version
