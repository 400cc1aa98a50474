"""Bulk fixes of the transcript (repeated turns, typography of the section headers) and the rebuild of the clips:
small pure cases, real files (each fix's rule finds nothing after it), one revision per episode, an episode saved
since the preview refused while the others go on, and the fix as a job over more than a few episodes."""

import pytest
from django.urls import reverse

from episodes import tasks
from episodes.format import checks, fixes
from episodes.format import frontmatter as fm
from episodes.models import Episode, Job, Revision, TranscriptItem
from episodes.selectors.checks import episode_findings
from episodes.services import episode_save, jobs
from episodes.services.fixes import episodes_fix
from episodes.tests.support.factories import SHARED, import_text, make_episode, needs_shared

CORPUS = SHARED / "corpus"
WORKER_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
TURN, HEADER = checks.TURN, checks.HEADER


def findings(front, rule):
    return checks.check(checks.Subject(front, checks.file_items(front)), rules=[rule])


def with_rows(front, rows):
    """Return ``front`` with its transcript made of ``rows`` again (the fix's result, as a file holds it)."""
    transcript = [
        {"header": text} if kind == HEADER else {"line": text, "who": who, **({"sec": sec} if sec is not None else {})}
        for _position, kind, text, who, sec in rows
    ]
    return {**front, "transcript": transcript}


def test_repeated_turns_keep_the_one_with_its_speaker():
    rows = [
        (0, TURN, "Hello there.", "Alexey", 1),
        (1, TURN, "Hello there. ", "", 1),  # the converter's copy, without its speaker
        (2, HEADER, "Next", "", None),
        (3, TURN, "Same words.", "", 4),  # the copy first, then the turn with its speaker
        (4, TURN, "Same words.", "Jane", 4),
        (5, TURN, "Same words.", "Jane", 4),  # the same speaker twice: one stays
        (6, TURN, "Yes.", "Alexey", 8),
        (7, TURN, "Yes.", "Jane", 9),  # two speakers saying the same: both stay
        (8, TURN, "No speaker at all.", "", 10),
        (9, TURN, "No speaker at all.", "", 10),
    ]
    change = fixes.FIXES["turns-repeated"].items(rows)
    assert change == fixes.ItemFix(drop=(1, 3, 5, 9))
    after = fixes.fixed_items(rows, change)
    assert [(p, text, who) for p, _k, text, who, _s in after] == [
        (0, "Hello there.", "Alexey"),
        (1, "Next", ""),
        (2, "Same words.", "Jane"),
        (3, "Yes.", "Alexey"),
        (4, "Yes.", "Jane"),
        (5, "No speaker at all.", ""),
    ]
    assert fixes.FIXES["turns-repeated"].items(after) == fixes.ItemFix()
    assert fixes.FIXES["turns-repeated"].apply({"title": "x"}) == {}  # a fix of the transcript only


def test_typography_reaches_the_section_headers_not_the_turns():
    rows = [(0, HEADER, "Non\u2011breaking  header ", "", None), (1, TURN, "It\u2019s said", "Jane", 3)]
    change = fixes.FIXES["typography"].items(rows)
    assert change == fixes.ItemFix(texts={0: "Non-breaking header"})
    assert fixes.fixed_items(rows, change)[0][2] == "Non-breaking header"
    assert not fixes.FIXES["typography"].items(fixes.fixed_items(rows, change))


@needs_shared
def test_on_real_files_their_rules_find_nothing_after_the_fixes():
    fixed = {"headers": 0, "turns": 0}
    for path in sorted((CORPUS / "episodes").glob("*.md")):
        try:
            front = fm.parse(path.read_bytes()).front
        except fm.FormatError:
            continue
        rows = checks.file_items(front)
        typography = fixes.FIXES["typography"]
        after = with_rows({**front, **typography.apply(front)}, fixes.fixed_items(rows, typography.items(rows)))
        fixed["headers"] += bool(typography.items(rows))
        assert findings(after, "typography") == [], path.name
        # The converter's copies (each paragraph again, without its speaker), as 9 of the site's episodes had.
        turns = [row for row in rows if row[1] == TURN and row[2].strip()]
        if len(turns) < 4:
            continue
        copied = []
        for row in rows:
            copied.append(row)
            if row in turns[1::3]:
                copied.append((0, TURN, row[2], "", row[4]))
        copied = [(position, *row[1:]) for position, row in enumerate(copied)]
        assert findings(with_rows(front, copied), "turn-repeated"), path.name
        repeated = fixes.FIXES["turns-repeated"].items(copied)
        fixed["turns"] += len(repeated.drop)
        assert findings(with_rows(front, fixes.fixed_items(copied, repeated)), "turn-repeated") == [], path.name
    assert fixed["headers"] and fixed["turns"]  # the corpus has both


@pytest.mark.django_db
def test_item_fixes_write_one_revision_and_the_rule_is_gone():
    episode = make_episode(
        "one",
        transcript=[
            {"header": "Intro\u2011duction"},
            {"line": "Hello.", "sec": 1, "time": "0:01", "who": "Alexey"},
            {"line": "Hello.", "sec": 1, "time": "0:01"},
            {"line": "Bye.", "sec": 5, "time": "0:05", "who": "Jane"},
            {"line": "Bye.", "sec": 5, "time": "0:05"},
            {"line": "End.", "sec": 9, "time": "0:09", "who": "Jane"},
        ],
    )
    revisions = Revision.objects.count()
    [preview] = episodes_fix(episode_ids=[episode.pk], fix="turns-repeated", dry_run=True)
    assert preview.lines == [
        ("turn (no speaker) at item 3", "Hello.", "(removed)"),
        ("turn (no speaker) at item 5", "Bye.", "(removed)"),
    ]
    assert TranscriptItem.objects.filter(episode=episode).count() == 6 and Revision.objects.count() == revisions
    episodes_fix(episode_ids=[episode.pk], fix="turns-repeated")
    episodes_fix(episode_ids=[episode.pk], fix="typography")
    rows = list(TranscriptItem.objects.filter(episode=episode).order_by("position").values_list("position", "text"))
    assert rows == [(0, "Intro-duction"), (1, "Hello."), (2, "Bye."), (3, "End.")]
    assert Revision.objects.count() == revisions + 2
    assert episode_findings(episode=Episode.objects.get(pk=episode.pk), rules=["turn-repeated", "typography"]) == []


@needs_shared
@pytest.mark.django_db
def test_clips_rebuilt_from_sections_on_real_files():
    rebuilt = 0
    for path in sorted((CORPUS / "episodes").glob("*.md"))[:12]:
        if import_text(path.read_text(encoding="utf-8"), slug=path.stem).status != "created":
            continue
        episode = Episode.objects.get(slug=path.stem)
        if not episode_findings(episode=episode, rules=["clip-names"]):
            continue
        [preview] = episodes_fix(episode_ids=[episode.pk], fix="clips-rebuild", dry_run=True)
        assert preview.lines and preview.version == episode.version
        [done] = episodes_fix(fix="clips-rebuild", versions={episode.pk: preview.version})
        assert done.status == "updated", done
        assert episode_findings(episode=Episode.objects.get(pk=episode.pk), rules=["clip-names"]) == [], path.name
        rebuilt += 1
    assert rebuilt


@pytest.mark.django_db
def test_a_fix_as_a_job_refuses_an_episode_saved_since_the_preview(admin_user, settings):
    episodes = [make_episode(f"e{i}", title=f"Curly \u201c{i}\u201d") for i in range(3)]
    versions = {
        str(c.episode.pk): c.version
        for c in episodes_fix(fix="typography", episode_ids=[e.pk for e in episodes], dry_run=True)
    }
    episode_save(episode=Episode.objects.get(pk=episodes[0].pk), fields={"title": "Edited \u201cmeanwhile\u201d"})
    settings.TASKS = WORKER_TASKS
    job = tasks.job_start(kind=Job.Kind.FIX, user=admin_user, arguments={"fix": "typography", "versions": versions})
    assert job.status == Job.Status.QUEUED and jobs.job_run(job_id=job.pk) == Job.Status.SUCCEEDED
    job.refresh_from_db()
    assert job.done == job.total == 3
    assert [line["status"] for line in job.report] == ["refused", "updated", "updated"]
    assert "saved since the preview" in job.report[0]["text"]
    assert job.message.endswith(": 1 refused, 2 updated")
    assert Episode.objects.get(pk=episodes[0].pk).title == "Edited \u201cmeanwhile\u201d"
    assert Episode.objects.get(pk=episodes[1].pk).title == 'Curly "1"'
    assert Revision.objects.filter(episode=episodes[1]).latest("pk").user == admin_user


@pytest.mark.django_db
def test_the_page_applies_a_few_at_once_and_more_as_a_job(admin_client, settings):
    settings.TASKS = WORKER_TASKS
    episodes = [make_episode(f"e{i}", title=f"Curly \u201c{i}\u201d") for i in range(7)]
    url = reverse("admin:episodes_episode_fix")
    ids = ",".join(str(e.pk) for e in episodes)
    page = admin_client.post(url, {"ids": ids, "fix": "typography", "preview": ""})
    assert "the fix runs as a job" in page.content.decode()
    response = admin_client.post(
        url, {"ids": ids, "fix": "typography", "versions": page.context["versions"], "apply": ""}
    )
    job = Job.objects.get()
    assert job.kind == Job.Kind.FIX and response["Location"] == reverse("admin:episodes_job_change", args=[job.pk])
    assert Episode.objects.filter(title__startswith="Curly \u201c").count() == 7  # the worker does it
    few = ",".join(f"{e.pk}:{e.version}" for e in episodes[:2])
    response = admin_client.post(url, {"ids": ids, "fix": "typography", "versions": few, "apply": ""})
    assert response.status_code == 302 and Job.objects.count() == 1
    assert Episode.objects.filter(title__startswith="Curly \u201c").count() == 5


@pytest.mark.django_db
def test_a_preview_of_front_matter_fixes_reads_no_transcript(django_assert_max_num_queries):
    episodes = [make_episode(f"e{i}", description="Ends with a period.") for i in range(5)]
    assert fixes.FIXES["turns-repeated"].of_items and not fixes.FIXES["description-period"].of_items
    with django_assert_max_num_queries(1):
        preview = episodes_fix(fix="description-period", episode_ids=[e.pk for e in episodes], dry_run=True)
    assert len(preview) == 5
