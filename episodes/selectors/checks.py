"""The editorial rules of :mod:`episodes.format.checks` applied to episodes, read only: in the database, as the
editor shows them, as the health page counts them (the counts kept per episode in ``EpisodeProblem`` are written
by :mod:`episodes.services.checks`), and to files on disk, read and checked without writing anything.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from django.conf import settings
from django.db.models import Count

from ..documents import images
from ..documents.database import episode_extra
from ..format import checks
from ..format import frontmatter as fm
from ..models import Episode, EpisodeProblem, HealthSnapshot, Person, Topic
from .warnings import CLIPS, EditorWarning

TOPIC_LIST = os.path.join("scripts", "topic_list.txt")
PEOPLE_DIR = "_people"
# Where a finding's field is shown in the editor: its front matter key, or the clips panel.
FIELD_OF = {"quotableClips": CLIPS, "duration": CLIPS}

_topic_lists: dict[str, tuple[float, dict[str, str]]] = {}


def check_limits() -> dict[str, int]:
    """Return the rules' limits: the defaults with the ``EPISODE_CHECKS`` setting over them."""
    return checks.limits(getattr(settings, "EPISODE_CHECKS", None))


def curated_names() -> dict[str, str] | None:
    """Return every curated topic and alias (the Topic rows), case-folded, to its topic's name; None when
    there are none."""
    rows = list(Topic.objects.values_list("name", "aliases"))
    if not rows:
        return None
    curated = {}
    for name, aliases in rows:
        curated[name.casefold()] = name
        for alias in aliases:
            curated.setdefault(alias.casefold(), name)
    return curated


def curated_topics(root: str | None = None) -> dict[str, str] | None:
    """Return the curated topic list of the site checkout ``root`` (``SITE_REPO`` by default), None without one.

    The file is read again only when it changes.
    """
    root = root if root is not None else getattr(settings, "SITE_REPO", "")
    if not root:
        return None
    path = os.path.join(root, TOPIC_LIST)
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        return None
    cached = _topic_lists.get(path)
    if cached is None or cached[0] != mtime:
        with open(path, encoding="utf-8", errors="replace") as f:
            cached = _topic_lists[path] = (mtime, checks.read_topic_list(f.read()))
    return cached[1]


def database_topics() -> dict[str, str] | None:
    """Return the curated topics episodes in the database are checked against: the Topic rows (with their
    aliases), else the site checkout's list."""
    return curated_names() or curated_topics()


def episode_front(episode: Episode) -> dict:
    """Return the front matter values the rules read of an episode row (its transcript comes as items)."""
    return {**episode_extra(episode), "title": episode.title, "short": episode.short, "image": episode.image}


def episode_findings(
    *, episode: Episode, items=None, guests: Sequence[Person] | None = None, rules: Sequence[str] | None = None
) -> list[checks.Finding]:
    """Return what ``episode`` breaks of the rules, from its items and guests if already read."""
    if items is None:
        items = list(episode.items.values_list("position", "kind", "text", "who", "sec"))
    if guests is None:
        guests = [row.person for row in episode.guest_rows.select_related("person").only("person__name")]
    # The curated list is read only for an episode with topics.
    names = [p.name for p in guests if p.name]
    subject = checks.Subject(episode_front(episode), items, names, database_topics, images.image_exists)
    return checks.check(subject, limits=check_limits(), rules=rules)


def findings_as_warnings(findings: Iterable[checks.Finding]) -> list[EditorWarning]:
    """Return findings as the editor's warnings: on their transcript item, or about their field."""
    warnings = []
    for finding in findings:
        message = f"{finding.rule}: {finding.message}"
        path = finding.path
        if len(path) >= 2 and path[0] == "transcript" and isinstance(path[1], int):
            warnings.append(EditorWarning(message, path[1]))
        else:
            key = path[0] if path else ""
            warnings.append(EditorWarning(message, about=FIELD_OF.get(key, key)))
    return warnings


# -- the health of the archive ----------------------------------------------------------------------------


@dataclass
class RuleHealth:
    rule: checks.Rule
    summary: str  # what it asks, with the limits in force
    episodes: int  # how many episodes break it now
    share: float  # of all episodes, 0 to 1
    previous: int | None  # how many broke it at the last pull (None: no pull recorded)

    @property
    def trend(self) -> int | None:
        return None if self.previous is None else self.episodes - self.previous


@dataclass
class ArchiveHealth:
    episodes: int
    rules: list[RuleHealth]
    snapshot: HealthSnapshot | None


def problem_counts() -> dict[str, int]:
    """Return how many episodes break each rule (one query)."""
    rows = EpisodeProblem.objects.order_by().values_list("rule").annotate(n=Count("episode_id"))
    return dict(rows)


def archive_health() -> ArchiveHealth:
    """Return each rule with the episodes breaking it, now and at the last pull (three queries)."""
    total = Episode.objects.count()
    counts = problem_counts()
    snapshot = HealthSnapshot.objects.first()
    rules, limits = [], check_limits()
    for name, rule in checks.RULES.items():
        n = counts.get(name, 0)
        previous = snapshot.counts.get(name, 0) if snapshot is not None else None
        rules.append(RuleHealth(rule, rule.describe(limits), n, n / total if total else 0.0, previous))
    return ArchiveHealth(total, rules, snapshot)


# -- checking files and the whole database ----------------------------------------------------------------


@dataclass
class Checked:
    """One episode checked: how messages name it, its slug, what it breaks (with lines), or why it is unread."""

    name: str
    slug: str
    findings: list[checks.Finding] = field(default_factory=list)
    error: fm.FormatError | None = None


def _site_root(directory: str) -> str | None:
    """Return the site checkout holding a folder of episodes: the nearest folder above with a topic list."""
    path = Path(directory).resolve()
    for folder in (path, *list(path.parents)[:3]):
        if (folder / TOPIC_LIST).is_file():
            return str(folder)
    return None


class _People:
    """Guests' names by key, from the ``_people`` folder beside the episodes' folder (no database needed)."""

    def __init__(self):
        self.files: dict[str, dict[str, str | None]] = {}

    def names(self, episode_path: str, keys) -> list[str]:
        folder = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(episode_path))), PEOPLE_DIR)
        known = self.files.setdefault(folder, {})
        names = []
        for key in keys if isinstance(keys, list) else ():
            if isinstance(key, str) and "/" not in key:
                if key not in known:
                    known[key] = self._from_file(os.path.join(folder, f"{key}.md"))
                if known[key]:
                    names.append(known[key])
        return names

    @staticmethod
    def _from_file(path: str) -> str | None:
        try:
            with open(path, "rb") as f:
                title = fm.parse(f.read()).front.get("title")
        except (OSError, fm.FormatError):
            return None
        return title if isinstance(title, str) else None


def files_check(sources: Iterable, *, rules: Sequence[str] | None = None) -> Iterator[Checked]:
    """Check episode files as they are on disk, writing nothing; ``sources`` as importing.path_sources gives.

    A ``_template.md`` is not an episode (the site's pull skips it too). Guests' names come from the
    ``_people`` folder beside the episodes' folder, the curated topics from the site checkout above it,
    else ``SITE_REPO``: the database is not read (the site's CI has none).
    """
    limits, people, roots = check_limits(), _People(), {}
    for source in sources:
        slug = source.filename.removesuffix(".md")
        if source.filename == "_template.md":
            continue
        checked = Checked(source.name, slug)
        try:
            if source.error:
                raise fm.FormatError(source.error)
            doc = fm.parse(source.read(), max_bytes=getattr(settings, "EPISODES_MAX_FILE_BYTES", fm.MAX_BYTES))
        except fm.FormatError as exc:
            checked.error = exc
            yield checked
            continue
        directory = os.path.dirname(source.name)
        if directory not in roots:
            root = _site_root(directory or ".") or getattr(settings, "SITE_REPO", "")
            # Files on disk have their images beside them in a checkout; without one, none is looked for.
            exists = partial(_in_checkout, root=root) if root else None
            roots[directory] = (curated_topics(root or None), exists)
        subject = checks.Subject(
            doc.front,
            checks.file_items(doc.front),
            people.names(source.name, doc.front.get("guests")),
            *roots[directory],
        )
        checked.findings = with_lines(checks.check(subject, limits=limits, rules=rules), doc.front_text)
        yield checked


def _in_checkout(path: str, *, root: str) -> bool:
    if "://" in path or path.startswith("//"):
        return True
    return images.checkout_file(path.lstrip("/"), root) is not None


def with_lines(findings: list[checks.Finding], front_text: str) -> list[checks.Finding]:
    if not findings:
        return findings
    lines = checks.Lines(front_text)
    return [checks.Finding(f.rule, f.message, f.path, lines.line(f.path)) for f in findings]
