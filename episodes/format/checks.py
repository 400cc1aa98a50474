"""The site's editorial rules as checks, one small pure function per rule; no Django.

Each rule reads a :class:`Subject` (an episode's front matter values, its transcript as plain rows, its
guests' names and the curated topic list) and yields :class:`Finding` s naming where in the front matter
they are (``path``), so that a file's line or the editor's field can be found for them. Limits are
settings (``EPISODE_CHECKS``): :data:`DEFAULT_LIMITS` holds their defaults and :func:`limits` merges the
project's overrides, refusing unknown names.

Kept whole (about 500 lines) because it is one table: each rule registers itself in :data:`RULES` where it is
defined, beside its messages, and :func:`check` runs them in that order; split across modules, the registry
would be filled by imports made only for their side effect, and the order of the rules by the order of those
imports.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from . import frontmatter as fm
from .chapters import CLIPS_KEY, DURATION_KEY, duration_seconds

HEADER, TURN = "header", "turn"
TEXT_KEYS = {HEADER: "header", TURN: "line"}

DEFAULT_LIMITS = {
    "title_max": 100,
    "description_min": 140,
    "description_max": 160,
    "intro_min_words": 150,
    "intro_max_words": 200,
    "topics_min": 3,
    "topics_max": 5,
    "chapters_max": 30,
}
ERR_UNKNOWN_LIMIT = "EPISODE_CHECKS has no limit {name!r}; known: {known}"
ERR_LIMIT_TYPE = "EPISODE_CHECKS[{name!r}] must be a whole number, not {value!r}"
ERR_UNKNOWN_RULE = "no rule {name!r}; rules: {known}"

M_TITLE_LONG = "the title is {length} characters, over {limit}"
M_TITLE_GUEST = "the title names the guest {name!r}"
M_DESCRIPTION_LENGTH = "the description is {length} characters, not {low}–{high}"
M_DESCRIPTION_MARKUP = "the description is not plain text: {what}"
M_INTRO_LENGTH = "the intro is {count} words, not {low}–{high}"
M_TOPICS_COUNT = "{count} topic{s}, not {low}–{high}"
M_TOPICS_NOT_LIST = "topics is not a list of topics"
M_TOPIC_UNKNOWN = "topic {topic!r} is not on the curated list"
M_CHAPTERS_COUNT = "{count} chapters, over {limit}"
M_CHAPTER_REPEATED = "chapter {title!r} comes twice in a row"
M_CHAPTER_BACKWARDS = "chapter {title!r} starts at {time}, before the chapter above it ({previous})"
M_CHAPTER_PAST_END = "chapter {title!r} starts at {time}, after the episode's end ({end})"
M_CLIP_BACKWARDS = "clip {name!r} starts at {start}, before the clip above it ({previous})"
M_CLIP_PAST_END = "clip {name!r} ends at {end}, after the episode's end ({duration})"
M_CLIP_EMPTY = "clip {name!r} ends at {end}, not after its start {start}"
M_CLIP_NAME = "clip {name!r} at {start} is not named as its section {header!r}"
M_CLIP_NO_SECTION = "clip {name!r} at {start} starts no section"
M_CLIP_NO_URL = "{count} clip{s} without a url (no link to the video): {names}"
M_TURN_REPEATED = "turn {number} repeats the text of the turn before it"
M_MISSING = "no {what}"
M_COVER_NOT_FOUND = "the cover image {path} is neither in the site checkout nor in the media storage"
M_TYPOGRAPHY = "{where}: {what}"

# Characters the site's editors replaced by hand, by what they are called in a message.
_TYPOGRAPHY_CHARACTERS = {
    "\u2011": "non-breaking hyphen (U+2011)",
    "\u00a0": "non-breaking space (U+00A0)",
    "\u2018": "curly quote ‘",
    "\u2019": "curly quote ’",
    "\u201c": "curly quote “",
    "\u201d": "curly quote ”",
}
_TYPOGRAPHY_RE = re.compile("[" + "".join(_TYPOGRAPHY_CHARACTERS) + "]|  |[ \t]+(?=\n|$)")
_TYPOGRAPHY_CHARACTER_RE = re.compile("[" + "".join(_TYPOGRAPHY_CHARACTERS) + "]")
_TYPOGRAPHY_SPACES = ("  ", " \n", "\t\n")  # a double space, spaces before a line's end (or the text's: below)
_MARKUP = (
    ("an HTML tag", re.compile(r"<[a-zA-Z/!][^<>]*>")),
    ("a markdown link", re.compile(r"\[[^\]]*\]\([^)]*\)")),
    ("markdown emphasis", re.compile(r"\*\*|__|`")),
    ("an HTML entity", re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")),
    ("a line break", re.compile(r"\n")),
)
_TAG = re.compile(r"<[^<>]*>")
# A word holds a letter or digit (a lone dash or arrow is not one): found from its first, to the next space.
_WORD = re.compile(r"\w\S*")


@dataclass(frozen=True)
class Finding:
    """One rule broken: where in the front matter (keys and list indexes), and the file's line if known."""

    rule: str
    message: str
    path: tuple = ()
    line: int | None = None


@dataclass
class Subject:
    """What the rules read of one episode.

    ``front`` holds the front matter values (the transcript is read from ``items``, not from it);
    ``items`` are the transcript's entries as (position, kind, text, who, sec, ...) rows, kind ``"header"``,
    ``"turn"`` or anything else for an entry that is neither; ``topic_list`` maps each curated topic and
    alias, case-folded, to its name (None: no list is known, so that rule is not checked), or is a function
    returning that, called only for an episode with topics; ``image_exists`` tells whether an image path
    names a file (the site checkout's or the media storage's).
    """

    front: Mapping
    items: Sequence[Sequence] = ()
    guest_names: Sequence[str] = ()
    topic_list: Mapping[str, str] | Callable[[], Mapping[str, str] | None] | None = None
    # Tells whether an image path is a file we hold (None: no place to look is known, so not checked).
    image_exists: Callable[[str], bool] | None = None
    _sections: list | None = field(default=None, repr=False)

    @property
    def curated(self) -> Mapping[str, str] | None:
        """The curated topics, asked for once."""
        if callable(self.topic_list):
            self.topic_list = self.topic_list()
        return self.topic_list

    @property
    def sections(self) -> list[tuple[int, str, int | None]]:
        """The section headers as (position, title, start): start is the first timed turn's after it."""
        if self._sections is None:
            sections, waiting = [], []
            for position, kind, text, _who, sec, *_ in self.items:
                if kind == HEADER:
                    sections.append([position, text, None])
                    waiting.append(sections[-1])
                elif kind == TURN and sec is not None and waiting:
                    for section in waiting:
                        section[2] = sec
                    waiting = []
            self._sections = [tuple(s) for s in sections]
        return self._sections

    @property
    def duration(self) -> int | None:
        value = self.front.get(DURATION_KEY)
        return duration_seconds(value) if isinstance(value, str) else None

    @property
    def clips(self) -> list[tuple[int, dict]]:
        """The ``quotableClips`` that are clips (a name and whole-number offsets), with their index."""
        clips = self.front.get(CLIPS_KEY)
        if not isinstance(clips, list):
            return []
        return [
            (i, c)
            for i, c in enumerate(clips)
            if isinstance(c, dict) and isinstance(c.get("name"), str) and fm.is_int(c.get("startOffset"))
        ]


@dataclass(frozen=True)
class Rule:
    name: str
    summary: str  # what the rule asks, its settings in braces: "The title is at most {title_max} characters."
    settings: tuple[str, ...]
    check: Callable[[Subject, Mapping], Iterator[Finding]]

    def describe(self, limits: Mapping = DEFAULT_LIMITS) -> str:
        """Return what the rule asks with the limits in force."""
        return self.summary.format(**limits)


RULES: dict[str, Rule] = {}


def rule(name: str, summary: str, *settings: str):
    """Register a check under ``name``, with what it asks and the limits it reads."""

    def register(check):
        RULES[name] = Rule(name, summary, settings, check)
        return check

    return register


def limits(overrides: Mapping | None = None) -> dict[str, int]:
    """Return the default limits with ``overrides`` (the ``EPISODE_CHECKS`` setting); raise on unknown ones."""
    merged = dict(DEFAULT_LIMITS)
    for name, value in (overrides or {}).items():
        if name not in DEFAULT_LIMITS:
            raise ValueError(ERR_UNKNOWN_LIMIT.format(name=name, known=", ".join(DEFAULT_LIMITS)))
        if not fm.is_int(value):
            raise ValueError(ERR_LIMIT_TYPE.format(name=name, value=value))
        merged[name] = value
    return merged


def rule_names(names: Sequence[str] | None) -> list[str]:
    """Return the rules named (all of them for none), refusing an unknown name."""
    for name in names or ():
        if name not in RULES:
            raise ValueError(ERR_UNKNOWN_RULE.format(name=name, known=", ".join(RULES)))
    return list(names) if names else list(RULES)


def check(subject: Subject, *, limits: Mapping = DEFAULT_LIMITS, rules: Sequence[str] | None = None) -> list[Finding]:
    """Return what ``subject`` breaks of ``rules`` (every rule by default), rule by rule."""
    found = []
    for name in rules or RULES:
        found += RULES[name].check(subject, limits)
    return found


def _text(front: Mapping, key: str) -> str | None:
    """Return a key's value when it is text that says something; None when missing or blank."""
    value = front.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value if isinstance(value, str) else str(value)


def _clock(sec) -> str:
    return fm.seconds_to_time(sec) if fm.is_int(sec) and sec >= 0 else str(sec)


def word_count(text: str) -> int:
    """Return the words of text as a reader counts them: HTML tags left out, a lone dash not a word."""
    return len(_WORD.findall(_TAG.sub(" ", text) if "<" in text else text))


# -- the rules ----------------------------------------------------------------------------------------------


@rule("title-length", "The title is at most {title_max} characters.", "title_max")
def title_length(subject: Subject, limits: Mapping) -> Iterator[Finding]:
    title = _text(subject.front, "title")
    if title is not None and len(title) > limits["title_max"]:
        yield Finding("title-length", M_TITLE_LONG.format(length=len(title), limit=limits["title_max"]), ("title",))


@rule("title-guest", "The title does not name a guest.")
def title_guest(subject: Subject, limits: Mapping) -> Iterator[Finding]:
    title = _text(subject.front, "title")
    if title is None:
        return
    for name in dict.fromkeys(n.strip() for n in subject.guest_names if n and n.strip()):
        if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", title, re.IGNORECASE):
            yield Finding("title-guest", M_TITLE_GUEST.format(name=name), ("title",))


@rule(
    "description-length",
    "The description is {description_min} to {description_max} characters.",
    "description_min",
    "description_max",
)
def description_length(subject: Subject, limits: Mapping) -> Iterator[Finding]:
    text = _text(subject.front, "description")
    low, high = limits["description_min"], limits["description_max"]
    if text is not None and not low <= len(text) <= high:
        message = M_DESCRIPTION_LENGTH.format(length=len(text), low=low, high=high)
        yield Finding("description-length", message, ("description",))


@rule("description-plain", "The description is plain text: no HTML, markdown or line breaks.")
def description_plain(subject: Subject, limits: Mapping) -> Iterator[Finding]:
    text = _text(subject.front, "description")
    if text is None:
        return
    found = [what for what, pattern in _MARKUP if pattern.search(text.strip())]
    if found:
        yield Finding("description-plain", M_DESCRIPTION_MARKUP.format(what=", ".join(found)), ("description",))


@rule(
    "intro-length", "The intro is {intro_min_words} to {intro_max_words} words.", "intro_min_words", "intro_max_words"
)
def intro_length(subject: Subject, limits: Mapping) -> Iterator[Finding]:
    text = _text(subject.front, "intro")
    low, high = limits["intro_min_words"], limits["intro_max_words"]
    if text is not None and not low <= (count := word_count(text)) <= high:
        yield Finding("intro-length", M_INTRO_LENGTH.format(count=count, low=low, high=high), ("intro",))


@rule("topics-count", "There are {topics_min} to {topics_max} topics.", "topics_min", "topics_max")
def topics_count(subject: Subject, limits: Mapping) -> Iterator[Finding]:
    topics = subject.front.get("topics")
    if topics in (None, [], ""):
        return
    if not isinstance(topics, list):
        yield Finding("topics-count", M_TOPICS_NOT_LIST, ("topics",))
        return
    low, high = limits["topics_min"], limits["topics_max"]
    if not low <= len(topics) <= high:
        s = "" if len(topics) == 1 else "s"
        yield Finding("topics-count", M_TOPICS_COUNT.format(count=len(topics), s=s, low=low, high=high), ("topics",))


@rule("topics-curated", "Every topic is on the curated list (scripts/topic_list.txt) or one of its aliases.")
def topics_curated(subject: Subject, limits: Mapping) -> Iterator[Finding]:
    topics = subject.front.get("topics")
    if not isinstance(topics, list) or not topics or subject.curated is None:
        return
    for i, topic in enumerate(topics):
        if str(topic).strip().casefold() not in subject.curated:
            yield Finding("topics-curated", M_TOPIC_UNKNOWN.format(topic=str(topic)), ("topics", i))


@rule("chapters-count", "There are at most {chapters_max} chapters (section headers).", "chapters_max")
def chapters_count(subject: Subject, limits: Mapping) -> Iterator[Finding]:
    count = len(subject.sections)
    if count > limits["chapters_max"]:
        message = M_CHAPTERS_COUNT.format(count=count, limit=limits["chapters_max"])
        yield Finding("chapters-count", message, ("transcript",))


@rule("chapter-repeated", "No chapter has the same title as the chapter before it.")
def chapter_repeated(subject: Subject, limits: Mapping) -> Iterator[Finding]:
    previous = None
    for position, title, _start in subject.sections:
        key = title.strip().casefold()
        if key and key == previous:
            yield Finding("chapter-repeated", M_CHAPTER_REPEATED.format(title=title), ("transcript", position))
        previous = key


@rule("chapter-times", "Chapters start in time order, before the episode's end (duration).")
def chapter_times(subject: Subject, limits: Mapping) -> Iterator[Finding]:
    duration, previous = subject.duration, None
    for position, title, start in subject.sections:
        if start is None:
            continue
        if previous is not None and start < previous:
            message = M_CHAPTER_BACKWARDS.format(title=title, time=_clock(start), previous=_clock(previous))
            yield Finding("chapter-times", message, ("transcript", position))
        if duration is not None and start > duration:
            message = M_CHAPTER_PAST_END.format(title=title, time=_clock(start), end=_clock(duration))
            yield Finding("chapter-times", message, ("transcript", position))
        previous = start


@rule("clip-times", "Clips start in time order and end by the episode's end (duration).")
def clip_times(subject: Subject, limits: Mapping) -> Iterator[Finding]:
    duration, previous = subject.duration, None
    for i, clip in subject.clips:
        name, start, end = clip["name"], clip["startOffset"], clip.get("endOffset")
        if previous is not None and start < previous:
            message = M_CLIP_BACKWARDS.format(name=name, start=_clock(start), previous=_clock(previous))
            yield Finding("clip-times", message, (CLIPS_KEY, i, "startOffset"))
        if duration is not None and fm.is_int(end) and end > duration:
            message = M_CLIP_PAST_END.format(name=name, end=_clock(end), duration=_clock(duration))
            yield Finding("clip-times", message, (CLIPS_KEY, i, "endOffset"))
        previous = start


@rule("clip-empty", "Every clip ends after it starts.")
def clip_empty(subject: Subject, limits: Mapping) -> Iterator[Finding]:
    for i, clip in subject.clips:
        start, end = clip["startOffset"], clip.get("endOffset")
        if not fm.is_int(end) or end <= start:
            message = M_CLIP_EMPTY.format(name=clip["name"], end=_clock(end), start=_clock(start))
            yield Finding("clip-empty", message, (CLIPS_KEY, i, "endOffset"))


@rule("clip-names", "Each clip is named as the section it comes from (the section its start places a header in).")
def clip_names(subject: Subject, limits: Mapping) -> Iterator[Finding]:
    if not subject.sections:
        return
    # A chapter's header goes before the first timed turn at or after its time (chapters.header_slots), so
    # the clip of a chapter at ``start`` belongs with the headers standing right before that turn.
    slots: list[list[str]] = []  # the headers before each timed turn, and those after the last one
    timed: list[int] = []
    waiting: list[str] = []
    for _position, kind, text, _who, sec, *_ in subject.items:
        if kind == HEADER:
            waiting.append(text)
        elif kind == TURN and sec is not None:
            timed.append(sec)
            slots.append(waiting)
            waiting = []
    slots.append(waiting)
    groups: dict[int, list[tuple[int, dict]]] = {}
    index = 0
    for i, clip in subject.clips:
        while index < len(timed) and timed[index] < clip["startOffset"]:
            index += 1
        groups.setdefault(index, []).append((i, clip))
    for index, clips in groups.items():
        yield from _slot_names(clips, slots[index])


def _slot_names(clips: list[tuple[int, dict]], headers: list[str]) -> Iterator[Finding]:
    """Report the clips of one place in the transcript not named as a header standing there.

    A clip named as one of the headers is theirs; the others go with the headers left, in order (a header
    deleted by hand leaves its clip with no section).
    """
    left = list(headers)
    for _i, clip in clips:
        if clip["name"] in left:
            left.remove(clip["name"])
    for i, clip in clips:
        if clip["name"] in headers:
            continue
        name, start = clip["name"], _clock(clip["startOffset"])
        if left:
            message = M_CLIP_NAME.format(name=name, start=start, header=left.pop(0))
        else:
            message = M_CLIP_NO_SECTION.format(name=name, start=start)
        yield Finding("clip-names", message, (CLIPS_KEY, i, "name"))


# The most clips a message names; it says how many more there are.
CLIPS_NAMED = 10


@rule("clip-url", "Every clip has a url: a link to its start in the episode's video.")
def clip_urls(subject: Subject, limits: Mapping) -> Iterator[Finding]:
    missing = [(i, c) for i, c in subject.clips if not (isinstance(c.get("url"), str) and c["url"].strip())]
    if missing:
        names = ", ".join(repr(clip["name"]) for _, clip in missing[:CLIPS_NAMED])
        if len(missing) > CLIPS_NAMED:
            names += f" and {len(missing) - CLIPS_NAMED} more"
        message = M_CLIP_NO_URL.format(count=len(missing), s="" if len(missing) == 1 else "s", names=names)
        yield Finding("clip-url", message, (CLIPS_KEY, missing[0][0], "url"))


@rule("turn-repeated", "No turn repeats the text of the turn before it.")
def turn_repeated(subject: Subject, limits: Mapping) -> Iterator[Finding]:
    previous = None
    number = 0
    for position, kind, text, *_ in subject.items:
        if kind != TURN:
            continue
        number += 1
        stripped = text.strip()
        if stripped and stripped == previous:
            yield Finding("turn-repeated", M_TURN_REPEATED.format(number=number), ("transcript", position))
        previous = stripped


def _missing(name: str, key: str, what: str, summary: str):
    def check(subject: Subject, limits: Mapping) -> Iterator[Finding]:
        value = subject.front.get(key)
        if value is None or value == [] or (isinstance(value, str) and not value.strip()):
            yield Finding(name, M_MISSING.format(what=what), (key,))

    check.__name__ = check.__qualname__ = name.replace("-", "_")
    check.__doc__ = f"Report an episode without {what}."
    return rule(name, summary)(check)


missing_description = _missing("missing-description", "description", "description", "The episode has a description.")
missing_intro = _missing("missing-intro", "intro", "intro", "The episode has an intro.")
missing_topics = _missing("missing-topics", "topics", "topics", "The episode has topics.")
missing_clips = _missing("missing-clips", CLIPS_KEY, "clips (quotableClips)", "The episode has clips (quotableClips).")
missing_cover = _missing("missing-cover", "image", "cover image", "The episode has a cover image (image).")


@rule("cover-found", "The cover image (image) is a file of the site checkout or of the media storage.")
def cover_found(subject: Subject, limits: Mapping) -> Iterator[Finding]:
    path = subject.front.get("image")
    if subject.image_exists is None or not isinstance(path, str) or not path.strip():
        return
    if not subject.image_exists(path.strip()):
        yield Finding("cover-found", M_COVER_NOT_FOUND.format(path=path.strip()), ("image",))


def typography_problems(text: str) -> list[str]:
    """Return what the site's typography rule finds in ``text``, counted: 'non-breaking hyphen (U+2011) ×2'."""
    # Most texts have none: told in a few scans, where the rule's pattern stops at each space.
    quiet = not text.endswith((" ", "\t")) and not _TYPOGRAPHY_CHARACTER_RE.search(text)
    if quiet and not any(spaces in text for spaces in _TYPOGRAPHY_SPACES):
        return []
    counts: dict[str, int] = {}
    for match in _TYPOGRAPHY_RE.finditer(text):
        found = match.group()
        what = _TYPOGRAPHY_CHARACTERS.get(found) or ("double space" if found == "  " else "trailing space")
        counts[what] = counts.get(what, 0) + 1
    return [what if n == 1 else f"{what} ×{n}" for what, n in counts.items()]


@rule("typography", "Plain hyphens, spaces and straight quotes; no double or trailing spaces (texts editors write).")
def typography(subject: Subject, limits: Mapping) -> Iterator[Finding]:
    front = subject.front
    values: list[tuple[tuple, str, str]] = []
    for key in ("title", "short", "description", "intro"):
        if isinstance(front.get(key), str):
            values.append(((key,), key, front[key]))
    if isinstance(front.get("topics"), list):
        values += [(("topics", i), f"topic {i + 1}", t) for i, t in enumerate(front["topics"]) if isinstance(t, str)]
    values += [(("transcript", p), f"chapter {t!r}", t) for p, t, _ in subject.sections]
    values += [((CLIPS_KEY, i, "name"), f"clip {c['name']!r}", c["name"]) for i, c in subject.clips]
    for path, where, text in values:
        problems = typography_problems(text)
        if problems:
            yield Finding("typography", M_TYPOGRAPHY.format(where=where, what=", ".join(problems)), path)


# -- reading a file ----------------------------------------------------------------------------------------


def read_topic_list(text: str) -> dict[str, str]:
    """Return the topics of a topic list (``scripts/topic_list.txt``) by their case-folded form: one a line,
    a leading '- ' allowed, blank lines and ``#`` comments left out, the first of names differing in case."""
    topics: dict[str, str] = {}
    for line in text.split("\n"):
        name = line.strip().removeprefix("- ").strip()
        if name and not name.startswith("#"):
            topics.setdefault(name.casefold(), name)
    return topics


def file_items(front: Mapping) -> list[tuple]:
    """Return the transcript of a file's front matter as (position, kind, text, who, sec) rows."""
    transcript = front.get("transcript")
    rows = []
    for position, item in enumerate(transcript if isinstance(transcript, list) else ()):
        if type(item) is not dict:
            rows.append((position, "", "", "", None))
        elif "header" in item:
            rows.append((position, HEADER, _str(item["header"]), "", None))
        else:
            sec = item.get("sec")
            sec = sec if fm.is_int(sec) else None
            rows.append((position, TURN, _str(item.get("line")), _str(item.get("who")), sec))
    return rows


def _str(value) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


class Lines:
    """Find the file lines of front matter paths; the YAML's structure is read once, and only when a path
    below the top level is asked (a top-level key is found on its line)."""

    def __init__(self, front_text: str, *, first_line: int = 2):
        self.text, self.first_line = front_text, first_line
        self._top: dict[str, int] | None = None
        self._locate = None

    def line(self, path: tuple) -> int | None:
        """Return the line of the value at ``path``; None when its top-level key is not in the file."""
        if self._top is None:
            self._top = {}
            for number, line in enumerate(self.text.split("\n")):
                if line[:1] not in ("", " ", "\t", "-", "#", "'", '"') and ":" in line:
                    self._top.setdefault(line.split(":", 1)[0].rstrip(), self.first_line + number)
        if not path:
            return self.first_line
        if path[0] not in self._top:
            # A quoted or flow-style key is not found on its line: the YAML's structure knows it.
            return self._nested(path) if self.text.lstrip()[:1] in ("{", "'", '"') else None
        if len(path) == 1:
            return self._top[path[0]]
        return self._nested(path)

    def _nested(self, path: tuple) -> int:
        if self._locate is None:
            self._locate = fm.locator(self.text, first_line=self.first_line)
        return self._locate(path)
