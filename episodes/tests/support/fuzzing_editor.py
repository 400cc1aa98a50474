"""Fuzzing the editor: random valid and invalid posts to its operations and to the change page.

Used by the bounded fuzz in test_fuzz_editor.py and the long one in bench/fuzz.py. A case is a target
(an operation, an unknown one, or a save of the page), how the page's version is sent, and fields drawn
from values an editor may type and values nobody should: huge and negative numbers, NUL characters,
direction overrides, very long labels, ids of other episodes' items. Whatever the post, the answer is
never a server error; a refusal changes nothing; an accepted change leaves the transcript's positions
dense and the export readable as the same data.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from hypothesis import strategies as st

from episodes.admin.editor.operations import OPERATIONS
from episodes.documents import database
from episodes.format import frontmatter as fm
from episodes.models import Episode, Revision
from episodes.tests.support.factories import SEED, import_text
from episodes.tests.support.pages import form_fields

SLUG = "s10e03-mlops-architect"
OTHER = "other-episode"

NUMBERS = ["0", "1", "3", "5", "171", "172", "-1", "10" * 15, "1e3", "x", "", " 4 ", "٣", "0x10", "3.5"]
TEXTS = [
    "Alexey",
    "Danny",
    "alexey",
    "ALEXEY",
    "Danny Leybzon",
    "",
    " ",
    "New section",
    "a\x00b",
    "\u202eyexelA",
    "Ale\u200bxey",
    "x" * 201,
    "y" * 5000,
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "'; DROP TABLE episodes_episode; --",
    "line\nbreak",
    "é" * 50,
    "\ud7ff",
    "1:56",
    "99:59:59",
    "100:00:00",
    "99999999999999999999:00:00",
    "-1:00",
    "auto",
    "nobody",
    "dannyleybzon",
    "alexeygrigorev",
]
FIELDS = ["positions", "position", "who", "a", "b", "title", "old", "new", "source", "target", "label", "person"]
FIELDS.append("offset")
PAGE_FIELDS = ["title", "short", "season", "number", "image", "status", "extra_yaml", "body", "x_duration"]
ITEM_FIELDS = ["text", "who", "time"]


@dataclass(frozen=True)
class EditorCase:
    target: str  # an operation's name, "nope" or "save"
    version: str  # "current", "stale", or a raw value to post
    fields: tuple  # (name, value) pairs, names repeatable
    items: tuple  # (which item: index into this episode's items or "other"/"bogus", field, value)


values = st.one_of(st.sampled_from(NUMBERS), st.sampled_from(TEXTS), st.text(max_size=30))
editor_cases = st.builds(
    EditorCase,
    target=st.sampled_from([*OPERATIONS, "nope", "save", "save", "save"]),
    version=st.one_of(st.sampled_from(["current", "current", "current", "stale"]), st.sampled_from(NUMBERS)),
    fields=st.lists(st.tuples(st.sampled_from(FIELDS + PAGE_FIELDS), values), max_size=6).map(tuple),
    items=st.lists(
        st.tuples(
            st.one_of(st.integers(min_value=0, max_value=200), st.sampled_from(["other", "bogus"])),
            st.sampled_from(ITEM_FIELDS),
            values,
        ),
        max_size=4,
    ).map(tuple),
)


def setup_episodes() -> tuple[Episode, Episode]:
    """Import the seed episode and a second, small one (whose items a post may name by mistake)."""
    if not Episode.objects.filter(slug=SLUG).exists():
        import_text(SEED.read_text(encoding="utf-8"))
    if not Episode.objects.filter(slug=OTHER).exists():
        text = "---\ntitle: Other\ntranscript:\n- line: Not yours.\n  who: Somebody\n---\n"
        import_text(text, slug=OTHER)
    return Episode.objects.get(slug=SLUG), Episode.objects.get(slug=OTHER)


def check_editor_case(client, case: EditorCase, stats: Counter | None = None) -> int:
    """Post ``case`` as a logged-in editor in a savepoint rolled back afterwards; assert what must hold."""
    with transaction.atomic():
        try:
            return _check(client, case, stats)
        finally:
            transaction.set_rollback(True)


def _post_data(client, case: EditorCase, episode: Episode, other: Episode) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    if case.target == "save":
        data = {k: [v] for k, v in form_fields(client.get(_change(episode)).content.decode()).items()}
        data["_continue"] = ["1"]
    versions = {"current": str(episode.version), "stale": str(episode.version - 1)}
    data["version"] = [versions.get(case.version, case.version)]
    for name, value in case.fields:
        if name in data and case.target == "save":
            data[name] = [value]
        else:
            data.setdefault(name, []).append(value)
    ids = list(episode.items.order_by("position").values_list("pk", flat=True))
    for which, field, value in case.items:
        if which == "other":
            pk = other.items.first().pk
        elif which == "bogus":
            pk = 10**12
        else:
            pk = ids[which % len(ids)] if ids else 10**12
        data[f"item-{pk}-{field}"] = [value]
    return data


def _check(client, case: EditorCase, stats: Counter | None) -> int:
    episode, other = setup_episodes()
    before = database.export_text(episode)
    other_before = database.export_text(other)
    revisions = Revision.objects.filter(episode=episode).count()
    data = _post_data(client, case, episode, other)
    if case.target == "save":
        url = _change(episode)
    else:
        url = reverse("admin:episodes_episode_op", args=[episode.pk, case.target])
    response = client.post(url, data, HTTP_ACCEPT="application/json" if "positions" in data else "text/html")

    status = response.status_code
    assert status < 500, (case, status)
    if stats is not None:
        stats[f"{case.target if case.target in ('save', 'nope') else 'operation'} {status}"] += 1
    episode = Episode.objects.get(pk=episode.pk)
    after = database.export_text(episode)
    assert database.export_text(other) == other_before, case  # never another episode's rows
    positions = list(episode.items.order_by("position").values_list("position", flat=True))
    assert positions == list(range(len(positions))), case  # dense and unique, whatever happened
    changed = Revision.objects.filter(episode=episode).count() != revisions
    if not changed:
        assert after == before, case  # nothing recorded means nothing changed
    else:
        assert episode.version == Revision.objects.filter(episode=episode).order_by("-version").first().version
    fm.parse(after)  # what was saved is a file our own import reads
    # (Looked at in Python: SQLite's LIKE would end the pattern at the NUL.)
    assert not any("\x00" in "".join(row) for row in episode.items.values_list("text", "who", "time")), case
    return status


def _change(episode: Episode) -> str:
    return reverse("admin:episodes_episode_change", args=[episode.pk])
