"""Factories for tests: build episode files and rows through the same paths as real imports."""

from pathlib import Path

import pytest

from episodes.documents import database
from episodes.format import frontmatter as fm
from episodes.models import Episode, Person
from episodes.results import CREATED, UPDATED
from episodes.services import importing

DEMO = Path(__file__).resolve().parents[2] / "demo"
SEED = DEMO / "s10e03-mlops-architect.md"
SHARED = Path(__file__).resolve().parents[4] / "shared"
needs_shared = pytest.mark.skipif(
    not (SHARED / "corpus").is_dir(), reason=f"the shared corpus is not at {SHARED} (only CI and dev machines have it)"
)


def import_text(text: str, *, slug: str = "s10e03-mlops-architect", force: bool = False, person: bool = False):
    """Import one file's text through the same path as the command; return the FileResult."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    source = importing.Source(f"{slug}.md", f"{slug}.md", len(raw), lambda: raw, is_person=person)
    return importing.import_source(source, force=force)


def make_front(**overrides) -> dict:
    front = {
        "title": "A test episode",
        "short": "Test",
        "season": 1,
        "episode": 2,
        "guests": ["janedoe"],
        "ids": {"youtube": "abcdefghijk"},
        "links": {"youtube": "https://www.youtube.com/watch?v=abcdefghijk"},
        "image": "images/podcast/test.jpg",
        "transcript": [
            {"header": "Intro"},
            {"line": "Hello and welcome.", "sec": 5, "time": "0:05", "who": "Alexey"},
            {"line": "Thanks for having me.", "sec": 9, "time": "0:09", "who": "Jane"},
            {"header": "Background"},
            {"line": "Tell us about you.", "sec": 20, "time": "0:20", "who": "Alexey"},
            {"line": "Sure.", "who": "Jane"},
        ],
    }
    front.update(overrides)
    return front


def make_text(body: str = '\n\nLinks:\n\n* [Site](https://example.com/){:target="_blank"}\n', **overrides) -> str:
    return fm.render(make_front(**overrides), body)


def make_episode(slug: str = "test-episode", body: str | None = None, **overrides) -> Episode:
    """Create an episode through the importer from a small front matter; overrides replace keys."""
    text = make_text(**overrides) if body is None else make_text(body=body, **overrides)
    result = import_text(text, slug=slug)
    assert result.status in (CREATED, UPDATED), result
    return Episode.objects.get(slug=slug)


def make_person(key: str = "janedoe", name: str = "Jane Doe", **fields) -> Person:
    """Create the person, or fill in the placeholder an earlier import left for this key."""
    person, _ = Person.objects.update_or_create(key=key, defaults={"name": name, "has_profile": True, **fields})
    return person


def export(episode: Episode) -> str:
    return database.export_text(Episode.objects.get(pk=episode.pk))


def repeated_transcript_text(text: str, times: int) -> str:
    """Return an episode file like ``text`` whose transcript is repeated ``times`` times, times running on."""
    doc = fm.parse(text)
    items = doc.front["transcript"]
    length = max((item.get("sec", 0) for item in items if isinstance(item, dict)), default=0) + 60
    repeated = []
    for n in range(times):
        for item in items:
            item = dict(item)
            if "sec" in item:
                item["sec"] += n * length
                item["time"] = f"{item['sec'] // 3600}:{item['sec'] // 60 % 60:02d}:{item['sec'] % 60:02d}"
            repeated.append(item)
    return fm.render({**doc.front, "transcript": repeated}, doc.body, doc.closing)


EDITOR_LOGIN = ("editor", "correct horse battery")  # the username and password editor_session logs in with


def make_editor(username: str = EDITOR_LOGIN[0], password: str = EDITOR_LOGIN[1], *, every_permission: bool = False):
    """Create a staff user in the "Editors" group (made by a data migration: given its permissions again
    where a transactional test flushed them; ``every_permission`` gives it every permission of the app)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission

    group, created = Group.objects.get_or_create(name="Editors")
    if created or every_permission:
        group.permissions.set(Permission.objects.filter(content_type__app_label="episodes"))
    user = get_user_model().objects.create_user(username, password=password, is_staff=True)
    user.groups.add(group)
    return user
