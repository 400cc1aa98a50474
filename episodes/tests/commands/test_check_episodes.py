"""check_episodes, the stored per-episode counts (import and edits) and the editor's field warnings."""

import json
import shutil
from functools import partial

import pytest
from django.urls import reverse

from episodes import services
from episodes.format import checks
from episodes.models import EpisodeProblem
from episodes.selectors.checks import episode_findings
from episodes.tests.format.test_checks import corpus_documents
from episodes.tests.support.commands import run_command
from episodes.tests.support.factories import SHARED, make_episode, make_person, make_text, needs_shared

CORPUS = SHARED / "corpus"
LONG_TITLE = "A title that goes on about data engineering, MLOps, careers, hiring, interviews " + "and so much more" * 2


run = partial(run_command, "check_episodes")
VIDEO = "https://www.youtube.com/watch?v=abcdefghijk"


@pytest.fixture
def site(tmp_path):
    """A site checkout: two episodes, a profile, a curated topic list."""
    (tmp_path / "_podcast").mkdir()
    (tmp_path / "_people").mkdir()
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "topic_list.txt").write_text("MLOps\nData Engineering\n", encoding="utf-8")
    (tmp_path / "_people" / "janedoe.md").write_text("---\ntitle: Jane Doe\n---\n", encoding="utf-8")
    (tmp_path / "images" / "podcast").mkdir(parents=True)
    (tmp_path / "images" / "podcast" / "test.jpg").write_bytes(b"\xff\xd8\xff the episodes' cover")
    (tmp_path / "_podcast" / "good.md").write_text(
        make_text(
            description="d" * 150,
            intro=" ".join(["word"] * 160),
            topics=["MLOps", "data engineering", "MLOps"],
            quotableClips=[
                {"name": "Intro", "startOffset": 0, "url": f"{VIDEO}&t=0", "endOffset": 20},
                {"name": "Background", "startOffset": 20, "url": f"{VIDEO}&t=20", "endOffset": 30},
            ],
        ),
        encoding="utf-8",
    )
    (tmp_path / "_podcast" / "bad.md").write_text(
        make_text(title=LONG_TITLE + " with Jane Doe", topics=["Kaggle"]), encoding="utf-8"
    )
    (tmp_path / "_podcast" / "_template.md").write_text("---\ntitle: {{ title }}\n---\n", encoding="utf-8")
    return tmp_path


def test_files_are_checked_with_lines_and_counts_without_the_database(site):
    # No django_db mark: pytest-django makes any database access fail this test.
    status, out, err = run(str(site / "_podcast"))
    assert status == 0
    bad = str(site / "_podcast" / "bad.md")
    lines = out.splitlines()
    assert f"{bad}:2: title-length: the title is {len(LONG_TITLE) + 14} characters, over 100" in lines
    assert f"{bad}:2: title-guest: the title names the guest 'Jane Doe'" in lines
    title_line = (site / "_podcast" / "bad.md").read_text(encoding="utf-8").split("\n")[1]
    assert title_line.startswith("title: ")
    assert any(line.startswith(f"{bad}:") and "topics-curated: topic 'Kaggle'" in line for line in lines)
    assert f"{bad}: missing-intro: no intro" in lines  # a missing key has no line
    assert "title-length: 1 in 1 episode(s)" in lines
    assert not any("good.md" in line for line in lines)
    assert lines[-1] == "2 episode(s) checked, 7 finding(s)"  # bad.md's: see the JSON test for each


def test_json_strict_and_rule(site):
    status, out, _ = run(str(site / "_podcast"), "--json")
    report = json.loads(out)
    assert status == 0 and report["episodes"] == 2
    assert set(report["rules"]) == set(checks.RULES)
    assert report["rules"]["title-length"] == {"count": 1, "episodes": ["bad"]}
    assert report["rules"]["typography"] == {"count": 0, "episodes": []}
    found = {(f["rule"], f["field"]) for f in report["findings"]}
    assert found == {
        ("title-length", "title"),
        ("title-guest", "title"),
        ("topics-count", "topics"),
        ("topics-curated", "topics[0]"),
        ("missing-description", "description"),
        ("missing-intro", "intro"),
        ("missing-clips", "quotableClips"),
    }
    assert sum(r["count"] for r in report["rules"].values()) == len(report["findings"])
    status, out, _ = run(str(site / "_podcast"), "--strict", "--rule", "title-length", "--json")
    assert status == 1 and list(json.loads(out)["rules"]) == ["title-length"]
    status, out, _ = run(str(site / "_podcast" / "good.md"), "--strict")
    assert status == 0 and out.strip().endswith("1 episode(s) checked, 0 finding(s)")
    assert run(str(site), "--rule", "no-such-rule")[0] == 2


def test_a_cover_the_checkout_does_not_hold_is_found(site):
    (site / "images" / "podcast" / "test.jpg").unlink()
    status, out, _ = run(str(site / "_podcast" / "good.md"))
    good = site / "_podcast" / "good.md"
    line = good.read_text(encoding="utf-8").split("\n").index("image: images/podcast/test.jpg") + 1
    assert (
        f"{good}:{line}: cover-found: the cover image images/podcast/test.jpg is neither in the site checkout "
        "nor in the media storage"
    ) in out.splitlines()


def test_unreadable_files_are_findings(tmp_path):
    (tmp_path / "broken.md").write_text("---\ntitle: 'unclosed\n---\n", encoding="utf-8")
    status, out, _ = run(str(tmp_path / "broken.md"), str(tmp_path / "missing.md"), "--strict")
    assert status == 1
    assert f"{tmp_path / 'broken.md'}:" in out and ": unreadable: YAML error" in out
    assert "missing.md:1: unreadable: no such file" in out


def test_a_bad_setting_is_refused(site, settings):
    settings.EPISODE_CHECKS = {"title_maximum": 10}
    assert run(str(site / "_podcast"))[0] == 2
    settings.EPISODE_CHECKS = {"title_max": 500}
    assert "title-length" not in run(str(site / "_podcast"))[1]


@pytest.mark.django_db
def test_database_episodes_are_checked_and_their_counts_kept():
    make_person()
    episode = make_episode(title=LONG_TITLE + " with Jane Doe")
    assert set(EpisodeProblem.objects.filter(episode=episode).values_list("rule", flat=True)) >= {
        "title-length",
        "title-guest",
    }  # kept by the import
    EpisodeProblem.objects.all().delete()
    status, out, _ = run("--json")
    report = json.loads(out)
    assert status == 0 and report["episodes"] == 1
    assert report["rules"]["title-length"]["episodes"] == ["test-episode"]
    title = next(f for f in report["findings"] if f["rule"] == "title-length")
    assert title["path"] == "test-episode.md" and title["line"] == 2
    stored = dict(EpisodeProblem.objects.values_list("rule", "count"))
    assert stored == {rule: entry["count"] for rule, entry in report["rules"].items() if entry["count"]}


@pytest.mark.django_db
def test_an_edit_keeps_the_counts(admin_user):
    episode = make_episode(title=LONG_TITLE)
    assert EpisodeProblem.objects.filter(episode=episode, rule="title-length").exists()
    with services.editing(episode=episode, user=admin_user, summary="shorter title") as change:
        change.episode.title = "Short"
        change.episode.save(update_fields=["title"])
    assert not EpisodeProblem.objects.filter(episode=episode, rule="title-length").exists()
    assert EpisodeProblem.objects.filter(episode=episode, rule="missing-intro").exists()


@pytest.mark.django_db
def test_the_editor_shows_each_finding_beside_its_field_and_in_the_one_list(admin_client):
    episode = make_episode(title=LONG_TITLE, description="Too short<br>")
    response = admin_client.get(reverse("admin:episodes_episode_change", args=[episode.pk]))
    page = response.content.decode()
    message = f"title-length: the title is {len(LONG_TITLE)} characters, over 100"
    # Under the title field, and in the warnings list with the clip and transcript warnings.
    title_row = page[page.index('id="id_title"') : page.index('id="id_short"')]
    assert message in title_row
    description_row = page[page.index('id="id_x_description"') :]
    assert "description-plain: the description is not plain text: an HTML tag" in description_row[:2000]
    warnings = page[page.index('class="editor-warnings"') :]
    assert message in warnings[: warnings.index("</details>")]


@pytest.mark.django_db
def test_checking_an_episode_on_save_costs_no_query_given_its_rows(django_assert_num_queries):
    episode = make_episode(title=LONG_TITLE)
    items = list(episode.items.values_list("position", "kind", "text", "who", "sec"))
    with django_assert_num_queries(0):
        findings = episode_findings(episode=episode, items=items, guests=[])
    assert "title-length" in {f.rule for f in findings}


@needs_shared
def test_corpus_files_and_database_agree(tmp_path, django_db_blocker):
    """The command's counts on the corpus equal the pure rules' on the same files; imported, the same again."""
    site = tmp_path / "site"
    shutil.copytree(CORPUS / "episodes", site / "_podcast")
    shutil.copytree(CORPUS / "people", site / "_people")
    status, out, _ = run(str(site / "_podcast"), "--json")
    report = json.loads(out)
    documents = corpus_documents()
    expected = {}
    for path, doc, guests in documents:
        if path.name == "_template.md":
            continue
        for finding in checks.check(checks.Subject(doc.front, checks.file_items(doc.front), guests)):
            expected[finding.rule] = expected.get(finding.rule, 0) + 1
    counts = {rule: entry["count"] for rule, entry in report["rules"].items() if entry["count"]}
    assert counts == {**expected, "unreadable": 1}  # the file with a stray line before its front matter
    assert report["episodes"] == len(documents) + 1
    with_lines = [f for f in report["findings"] if f["line"]]
    for finding in with_lines:
        line = (
            (site / "_podcast" / f"{finding['slug']}.md").read_text(encoding="utf-8").split("\n")[finding["line"] - 1]
        )
        top = finding["field"].split("[")[0].split(".")[0]
        if finding["field"] == top and finding["rule"] != "unreadable":
            assert line.startswith(f"{top}:") or line.startswith(f'"{top}":'), finding
