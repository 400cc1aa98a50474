"""import_episodes and export_episodes: per-file lines, refusals, exit statuses, conflicts, zips."""

import errno
import os
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from episodes.documents import database, exporting
from episodes.models import Episode, Person, TranscriptItem
from episodes.results import CREATED, REFUSED, UNCHANGED, UPDATED
from episodes.services import importing
from episodes.tests.public.test_search import check_index, found
from episodes.tests.support.commands import run_command as run
from episodes.tests.support.factories import SEED, export, make_episode, make_text
from episodes.tests.support.transcripts import lying_zip

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "s10e03-mlops-architect.md").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "other.md").write_text(make_text(), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")
    return tmp_path


def test_import_folder_reports_each_file_and_total(folder):
    status, out, err = run("import_episodes", str(folder))
    assert status == 0, err
    assert f"[1/2] {folder / 'other.md'}: created (other)" in out
    assert "s10e03-mlops-architect.md: created (s10e03-mlops-architect)" in out
    assert "2 files: 2 created, 0 updated, 0 unchanged, 0 refused" in out
    assert "Guests without a profile (2): dannyleybzon, janedoe" in out
    assert Episode.objects.count() == 2


def test_reimport_is_unchanged_then_updated(folder):
    run("import_episodes", str(folder))
    status, out, _ = run("import_episodes", str(folder))
    assert status == 0 and "0 created, 0 updated, 2 unchanged" in out
    (folder / "other.md").write_text(make_text(title="Changed"), encoding="utf-8")
    status, out, _ = run("import_episodes", str(folder))
    assert "other.md: updated (other)" in out
    assert Episode.objects.get(slug="other").title == "Changed"


def test_reformatted_file_with_same_data_is_unchanged(tmp_path):
    path = tmp_path / "ep.md"
    path.write_text(make_text(), encoding="utf-8")
    run("import_episodes", str(path))
    path.write_text(make_text().replace("title: A test episode", 'title: "A test episode"'), encoding="utf-8")
    status, out, _ = run("import_episodes", str(path))
    assert "ep.md: unchanged" in out
    assert Episode.objects.get(slug="ep").source_text.startswith('---\ntitle: "A test')


def test_reimport_with_only_key_order_or_types_changed_is_an_update(tmp_path):
    # Python's == calls these the same data: {"a": 1, "b": 2} == {"b": 2, "a": 1} and 1 == 1.0 == True.
    path = tmp_path / "ep.md"
    path.write_text(make_text(rating=1), encoding="utf-8")
    run("import_episodes", str(path))
    reordered = make_text(rating=1).replace("title: A test episode\n", "")
    reordered = reordered.replace("short: Test\n", "short: Test\ntitle: A test episode\n")
    for changed in (make_text(rating=1.0), make_text(rating=True), reordered):
        path.write_text(changed, encoding="utf-8")
        status, out, _ = run("import_episodes", str(path))
        assert status == 0 and "ep.md: updated" in out, changed
        assert export(Episode.objects.get(slug="ep")) == changed


def test_reimport_with_only_the_closing_line_changed_is_an_update(tmp_path):
    path = tmp_path / "ep.md"
    path.write_text(make_text(), encoding="utf-8")
    run("import_episodes", str(path))
    changed = make_text().replace("\n---\n", "\n---  \n", 1)
    path.write_text(changed, encoding="utf-8")
    status, out, _ = run("import_episodes", str(path))
    assert "ep.md: updated" in out
    assert export(Episode.objects.get(slug="ep")) == changed


def test_refused_file_keeps_nothing_and_exits_1(tmp_path):
    (tmp_path / "good.md").write_text(make_text(), encoding="utf-8")
    bad = make_text().replace("sec: 20", "sec: soon")
    (tmp_path / "bad.md").write_text(bad, encoding="utf-8")
    status, out, err = run("import_episodes", str(tmp_path))
    assert status == 1
    line = bad.split("\n").index("  sec: soon") + 1
    assert f"{tmp_path / 'bad.md'}:{line}: 'transcript[4].sec' must be an integer, not str 'soon'" in err
    assert "2 files: 1 created, 0 updated, 0 unchanged, 1 refused" in out
    assert not Episode.objects.filter(slug="bad").exists()
    assert Episode.objects.filter(slug="good").exists()


def test_refused_update_keeps_the_previous_rows(tmp_path):
    path = tmp_path / "ep.md"
    path.write_text(make_text(), encoding="utf-8")
    run("import_episodes", str(path))
    before = list(TranscriptItem.objects.values_list("text", flat=True))
    path.write_text(make_text() + "\n", encoding="utf-8")
    path.write_text(make_text(season="ten"), encoding="utf-8")
    status, _, err = run("import_episodes", str(path))
    assert status == 1 and "'season' must be an integer" in err
    assert list(TranscriptItem.objects.values_list("text", flat=True)) == before


def test_dry_run_saves_nothing(folder):
    status, out, _ = run("import_episodes", "--dry-run", str(folder))
    assert status == 0
    assert "Dry run, nothing saved: 2 files: 2 created" in out
    assert Episode.objects.count() == 0 and Person.objects.count() == 0


def test_edited_episode_is_not_overwritten_without_force(folder):
    run("import_episodes", str(folder))
    ep = Episode.objects.get(slug="other")
    Episode.objects.filter(pk=ep.pk).update(title="Edited in CMS", version=ep.version + 1)
    (folder / "other.md").write_text(make_text(title="From file"), encoding="utf-8")
    status, _, err = run("import_episodes", str(folder / "other.md"))
    assert status == 1
    assert "other.md:1: this episode was edited in the CMS since it was last imported or exported" in err
    assert Episode.objects.get(slug="other").title == "Edited in CMS"
    status, out, _ = run("import_episodes", "--force", str(folder / "other.md"))
    assert status == 0 and "updated" in out
    assert Episode.objects.get(slug="other").title == "From file"


def test_zip_with_people_folder(tmp_path):
    archive = tmp_path / "site.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("_podcast/other.md", make_text())
        zf.writestr("_people/janedoe.md", "---\nshort: janedoe\ntitle: Jane Doe\n---\n\nBio.")
        zf.writestr("__MACOSX/_podcast/._other.md", "junk")
    status, out, err = run("import_episodes", str(archive))
    assert status == 0, err
    assert out.index("_people/janedoe.md: created") < out.index("_podcast/other.md: created")
    assert Episode.objects.get(slug="other").guests.get().name == "Jane Doe"


def test_people_option_imports_profiles_first(folder, tmp_path_factory):
    people = tmp_path_factory.mktemp("people")
    (people / "janedoe.md").write_text("---\nshort: janedoe\ntitle: Jane Doe\n---\n", encoding="utf-8")
    status, out, _ = run("import_episodes", "--people", str(people), str(folder))
    assert status == 0
    assert "Guests without a profile (1): dannyleybzon" in out
    assert Person.objects.get(key="janedoe").has_profile


def test_a_dry_run_counts_the_profiles_it_would_add(folder, tmp_path_factory):
    people = tmp_path_factory.mktemp("people")
    (people / "janedoe.md").write_text("---\nshort: janedoe\ntitle: Jane Doe\n---\n", encoding="utf-8")
    status, out, _ = run("import_episodes", "--dry-run", "--people", str(people), str(folder))
    assert status == 0
    assert "Guests without a profile (1): dannyleybzon" in out
    assert "guest 'janedoe'" not in out and "guest 'dannyleybzon' has no profile" in out
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.md", None, "missing.md:1: no such file or folder"),
        ("notes.txt", b"x", "notes.txt:1: expected an episode .md file"),
        ("..md", make_text().encode(), "..md:1: '.' and '..' cannot be file names"),
        ("broken.zip", b"not a zip", "broken.zip:1: not a readable zip archive"),
        ("latin1.md", "---\ntitle: café\n---\n".encode("latin-1"), "latin1.md:2: not valid UTF-8"),
    ],
)
def test_refusals_of_paths(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    status, _, err = run("import_episodes", str(path))
    assert status == 1
    assert f"{tmp_path}/{message}" in err


def test_every_name_a_repository_holds_is_imported_and_exported_under_it(tmp_path, client):
    # Jekyll takes any file name; the site has _people/ella(wati)sahnan.md. 252 + '.md' is the most a
    # file system takes.
    names = ["ella(wati)sahnan", "what? #1 & 50% ünïcode", "-dash.start", "x" * 252]
    (tmp_path / "_people").mkdir()
    for key in names:
        (tmp_path / "_people" / f"{key}.md").write_text(f"---\ntitle: {key[:20]!r}\n---\nBio.\n", encoding="utf-8")
        (tmp_path / f"{key}.md").write_text(make_text(guests=[key]), encoding="utf-8")
    status, out, err = run("import_episodes", "--people", str(tmp_path / "_people"), str(tmp_path))
    assert status == 0, err
    assert f"{2 * len(names)} files: {2 * len(names)} created" in out
    outdir, people = tmp_path / "out", tmp_path / "people-out"
    status, _, err = run("export_episodes", str(outdir), "--people-dir", str(people))
    assert status == 0, err
    assert sorted(p.name for p in outdir.iterdir()) == sorted(f"{key}.md" for key in names)
    assert sorted(p.name for p in people.iterdir()) == sorted(f"{key}.md" for key in names)
    for key in names:
        written = (outdir / f"{key}.md").read_text(encoding="utf-8")
        assert written == (tmp_path / f"{key}.md").read_text(encoding="utf-8")
        episode = Episode.objects.get(slug=key)
        page = client.get(reverse("episodes:episode", args=[key]))
        assert page.status_code == 200 and page.context["episode"] == episode
        person_page = client.get(reverse("episodes:person", args=[key]))
        assert person_page.status_code == 200, key


def test_a_name_too_long_for_a_key_is_refused(tmp_path):
    archive = tmp_path / "long.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("é" * 256 + ".md", make_text())  # a zip member's name is not bound by the file system's
    status, _, err = run("import_episodes", str(archive))
    assert status == 1 and "the file name is longer than 255 characters" in err
    assert not Episode.objects.exists()


def test_size_limit_is_configurable(tmp_path, settings):
    settings.EPISODES_MAX_FILE_BYTES = 100
    path = tmp_path / "big.md"
    path.write_text(make_text(), encoding="utf-8")
    status, _, err = run("import_episodes", str(path))
    assert status == 1 and "over the 100-byte limit" in err


def test_export_writes_only_changed_files_and_check_mode(folder, tmp_path_factory):
    run("import_episodes", str(folder))
    out_dir = tmp_path_factory.mktemp("out")
    status, out, _ = run("export_episodes", str(out_dir))
    assert status == 0 and "2 files: 2 written, 0 unchanged" in out
    assert (out_dir / "s10e03-mlops-architect.md").read_text(encoding="utf-8") == SEED.read_text(encoding="utf-8")
    status, out, _ = run("export_episodes", "--check", str(out_dir))
    assert status == 0 and "0 would change, 2 unchanged" in out
    Episode.objects.filter(slug="other").update(title="Retitled")
    status, out, err = run("export_episodes", "--check", str(out_dir))
    assert status == 1
    assert f"{out_dir / 'other.md'}: would change" in out
    assert "A test episode" in (out_dir / "other.md").read_text(encoding="utf-8")
    status, out, _ = run("export_episodes", "--slug", "other", str(out_dir))
    assert status == 0 and "1 files: 1 written" in out
    assert "title: Retitled" in (out_dir / "other.md").read_text(encoding="utf-8")


def test_export_keep_style_changes_only_edited_lines_of_a_hand_formatted_file(tmp_path_factory):
    source = tmp_path_factory.mktemp("in")
    seed = SEED.read_text(encoding="utf-8")
    # Hand-formatted: a blank line before a double-quoted title.
    text = seed.replace("\ntitle: MLOps Architect\n", '\n\ntitle: "MLOps Architect"\n', 1)
    (source / "s10e03-mlops-architect.md").write_text(text, encoding="utf-8")
    people = tmp_path_factory.mktemp("people")
    (people / "jane.md").write_text('---\nshort: jane\ntitle: "Jane Doe"\n\nlinkedin: jane\n---\n\nBio.\n')
    assert run("import_episodes", "--people", str(people), str(source))[0] == 0
    Episode.objects.filter(slug="s10e03-mlops-architect").update(title="A new title", version=7)
    Person.objects.filter(key="jane").update(linkedin="jdoe")
    out_dir, people_out = tmp_path_factory.mktemp("out"), tmp_path_factory.mktemp("people-out")
    status, out, _ = run("export_episodes", "--keep-style", "--people-dir", str(people_out), str(out_dir))
    assert status == 0 and "2 files: 2 written" in out
    assert (out_dir / "s10e03-mlops-architect.md").read_text(encoding="utf-8") == text.replace(
        '"MLOps Architect"', '"A new title"'
    )
    jane = (people_out / "jane.md").read_text()
    assert jane == '---\nshort: jane\ntitle: "Jane Doe"\n\nlinkedin: jdoe\n---\n\nBio.\n'
    # Without it, every file in the canonical form.
    status, out, _ = run("export_episodes", str(out_dir))
    written = (out_dir / "s10e03-mlops-architect.md").read_text(encoding="utf-8")
    assert written == seed.replace("title: MLOps Architect", "title: A new title")


def test_export_marks_episodes_synced(folder, tmp_path_factory):
    run("import_episodes", str(folder))
    Episode.objects.filter(slug="other").update(title="Edited", version=5)
    run("export_episodes", str(tmp_path_factory.mktemp("out")))
    ep = Episode.objects.get(slug="other")
    assert not ep.edited_since_sync
    assert "title: Edited" in ep.source_text


def test_export_on_a_full_disk_reports_each_file_and_keeps_the_rest(folder, tmp_path_factory, monkeypatch):
    run("import_episodes", str(folder))
    Episode.objects.update(title="Edited", version=5)
    out_dir = tmp_path_factory.mktemp("out")
    real_write = exporting._write_whole

    def write(outdir, path, text):
        if path.endswith("other.md"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_write(outdir, path, text)

    monkeypatch.setattr(exporting, "_write_whole", write)
    status, out, err = run("export_episodes", str(out_dir))
    assert status == 1
    assert f"{out_dir / 'other.md'}: could not be written: No space left on device" in err
    assert "2 files: 1 written, 0 unchanged, 1 not written" in out
    assert sorted(p.name for p in out_dir.iterdir()) == ["s10e03-mlops-architect.md"]  # no temporary file left
    assert Episode.objects.get(slug="other").edited_since_sync  # not in any file yet
    assert not Episode.objects.get(slug="s10e03-mlops-architect").edited_since_sync


def test_export_whose_sync_record_fails_says_so_without_a_traceback(folder, tmp_path_factory, monkeypatch):
    run("import_episodes", str(folder))

    def full(pairs):
        raise OperationalError("database or disk is full")

    monkeypatch.setattr(exporting, "mark_synced", full)
    out_dir = tmp_path_factory.mktemp("out")
    status, _, err = run("export_episodes", str(out_dir))
    assert status == 1
    assert "the files were written, but recording that they are in sync failed: database or disk is full" in err
    assert len(list(out_dir.iterdir())) == 2


def test_export_lists_files_in_code_point_order(tmp_path):
    # A natural-language collation (PostgreSQL's en-US) sorts "B" after "b" and "_" before "-".
    slugs = ["b", "a_c", "B", "a-c", "ac"]
    for slug in slugs:
        make_episode(slug=slug)
    status, out, _ = run("export_episodes", str(tmp_path))
    assert status == 0
    listed = [line.rsplit("/", 1)[1].split(".md:")[0] for line in out.splitlines() if ".md: " in line]
    assert listed == sorted(slugs)


def test_export_unknown_slug_fails(tmp_path):
    status, _, err = run("export_episodes", "--slug", "nope", str(tmp_path))
    assert status == 1 and "no episode with slug nope" in err


def test_export_people_dir(tmp_path):
    Person.objects.create(
        key="janedoe", name="Jane Doe", has_profile=True, front_keys=["short", "title"], short="janedoe"
    )
    Person.objects.create(key="placeholder")
    status, out, _ = run("export_episodes", str(tmp_path / "eps"), "--people-dir", str(tmp_path / "people"))
    assert status == 0
    # A profile made in the CMS ends with a line break, as the site's files do.
    assert (tmp_path / "people" / "janedoe.md").read_text() == "---\nshort: janedoe\ntitle: Jane Doe\n---\n"
    assert not (tmp_path / "people" / "placeholder.md").exists()


def test_commands_have_docstrings():
    for name in ("import_episodes", "export_episodes"):
        path = Path(__file__).resolve().parents[2] / "management" / "commands" / f"{name}.py"
        assert path.read_text().startswith('"""')


# -- commits: files are committed in groups, each file still atomic on its own ----------------------


@pytest.fixture
def five_files(tmp_path):
    for n in range(5):
        (tmp_path / f"ep{n}.md").write_text(make_text(title=f"Episode {n}"), encoding="utf-8")
    return tmp_path


def count_commits(monkeypatch, *, fail_first: bool = False) -> list[str]:
    """Record each commit of the default connection; with ``fail_first`` the first one fails as a deferred
    constraint would, before anything is written."""
    from django.db import IntegrityError, connection

    calls = []
    real_commit = connection.commit

    def commit():
        calls.append("commit")
        if fail_first and len(calls) == 1:
            raise IntegrityError("FOREIGN KEY constraint failed")
        real_commit()

    monkeypatch.setattr(connection, "commit", commit)
    return calls


@pytest.mark.django_db(transaction=True)
def test_a_run_commits_files_in_groups(five_files, monkeypatch, settings):
    monkeypatch.setattr("episodes.services.importing.COMMIT_EVERY_SECONDS", 60)
    commits = count_commits(monkeypatch)
    status, out, _ = run("import_episodes", str(five_files))
    assert status == 0 and "5 files: 5 created" in out
    assert len(commits) == 1
    assert Episode.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_a_group_commits_as_soon_as_its_time_is_up(five_files, monkeypatch):
    monkeypatch.setattr("episodes.services.importing.COMMIT_EVERY_SECONDS", 0)
    commits = count_commits(monkeypatch)
    run("import_episodes", str(five_files))
    assert len(commits) >= 5


@pytest.mark.django_db(transaction=True)
def test_a_file_failing_in_the_database_keeps_nothing_and_its_group_keeps_the_rest(five_files, monkeypatch):
    from django.db import DataError

    from episodes.documents import database
    from episodes.models import BodyLink

    monkeypatch.setattr("episodes.services.importing.COMMIT_EVERY_SECONDS", 60)
    real_insert = database.insert_rows

    def insert_rows(model, rows, **common):
        # ep2's transcript is written, then its links fail: the savepoint must take the rest back too.
        if model is BodyLink and Episode.objects.filter(pk=common["episode_id"], title="Episode 2").exists():
            raise DataError("value too long")
        real_insert(model, rows, **common)

    monkeypatch.setattr(database.writing, "insert_rows", insert_rows)
    status, out, err = run("import_episodes", str(five_files))
    assert status == 1
    assert "ep2.md:1: could not be saved: value too long" in err
    assert "5 files: 4 created, 0 updated, 0 unchanged, 1 refused" in out
    assert sorted(Episode.objects.values_list("slug", flat=True)) == ["ep0", "ep1", "ep3", "ep4"]
    assert not TranscriptItem.objects.exclude(episode__slug__in=["ep0", "ep1", "ep3", "ep4"]).exists()


@pytest.mark.django_db(transaction=True)
def test_a_group_whose_commit_fails_is_redone_file_by_file(five_files, monkeypatch):
    monkeypatch.setattr("episodes.services.importing.COMMIT_EVERY_SECONDS", 60)
    commits = count_commits(monkeypatch, fail_first=True)
    status, out, _ = run("import_episodes", str(five_files))
    assert status == 0 and "5 files: 5 created" in out
    assert len(commits) >= 1 + 5
    assert Episode.objects.count() == 5 and TranscriptItem.objects.count() == 5 * 6


@pytest.mark.django_db(transaction=True)
def test_a_group_indexes_its_transcripts_for_search_before_it_commits(tmp_path, monkeypatch):
    from django.db import connection

    from episodes import search_index

    if not search_index.index_installed(connection):
        pytest.skip("the search index is SQLite's FTS5 table")
    monkeypatch.setattr("episodes.services.importing.COMMIT_EVERY_SECONDS", 60)
    (tmp_path / "bad.md").write_text(make_text(season="ten"), encoding="utf-8")
    for n in range(3):
        line = {"line": f"Word{n} is spoken here.", "who": "Jane"}
        (tmp_path / f"ep{n}.md").write_text(make_text(transcript=[line]), encoding="utf-8")
    status, out, _ = run("import_episodes", str(tmp_path))
    assert "4 files: 3 created, 0 updated, 0 unchanged, 1 refused" in out
    for n in range(3):
        assert found(f"word{n}") == [f"Word{n} is spoken here."]
    check_index()
    # Re-importing a changed file replaces its indexed words.
    (tmp_path / "ep0.md").write_text(make_text(transcript=[{"line": "Other words.", "who": "Jane"}]), encoding="utf-8")
    run("import_episodes", str(tmp_path))
    assert found("word0") == []
    assert found("other") == ["Other words."]


@pytest.mark.django_db(transaction=True)
def test_a_group_that_cannot_start_moves_on_file_by_file(five_files, monkeypatch):
    from django.db import OperationalError, transaction

    real_atomic = transaction.atomic
    calls = []

    def atomic(*args, **kwargs):
        # Every group's transaction fails to start (as when a lock outlasts the timeout); files' own do not.
        if sys._getframe(1).f_code.co_name == "import_sources":
            calls.append(1)
            if len(calls) > 50:
                pytest.fail("the run does not move on")
            raise OperationalError("database is locked")
        return real_atomic(*args, **kwargs)

    monkeypatch.setattr("episodes.services.importing.transaction.atomic", atomic)
    status, out, _ = run("import_episodes", str(five_files))
    assert status == 0 and "5 files: 5 created" in out
    assert Episode.objects.count() == 5


def test_an_episode_another_import_created_meanwhile_is_looked_up_again(tmp_path):
    from episodes.services import importing

    path = tmp_path / "ep.md"
    path.write_text(make_text(), encoding="utf-8")
    run("import_episodes", str(path))
    (source,) = importing.path_sources([str(path)])
    # As if the run had listed the existing episodes before another import created this one.
    result = importing.import_source(source, existing=set())
    assert (result.status, result.message) == (UNCHANGED, "")
    path.write_text(make_text(title="Changed"), encoding="utf-8")
    (source,) = importing.path_sources([str(path)])
    assert importing.import_source(source, existing=set()).status == UPDATED
    assert Episode.objects.get(slug="ep").title == "Changed"


def test_a_guest_placeholder_another_import_created_meanwhile_is_looked_up_again(tmp_path, monkeypatch):
    from episodes.documents import database

    real = database.people_for_keys
    calls = []

    def people_for_keys(keys, *, known=None):
        calls.append(1)
        if len(calls) == 1:  # between this import's look and its insert, another one adds the placeholder
            Person.objects.create(key="janedoe")
            known = {}
        return real(keys, known=known)

    monkeypatch.setattr(database.writing, "people_for_keys", people_for_keys)
    (tmp_path / "ep.md").write_text(make_text(), encoding="utf-8")
    status, out, err = run("import_episodes", str(tmp_path / "ep.md"))
    assert status == 0, err
    assert "1 created" in out and len(calls) == 2
    assert Episode.objects.get(slug="ep").guests.get().key == "janedoe"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("limits", "message"),
    [
        ({"EPISODES_MAX_ARCHIVE_MEMBERS": 2}, "the archive holds 3 .md files; at most 2 are imported"),
        ({"EPISODES_MAX_ARCHIVE_BYTES": 1000}, "the archive's .md files unpack to 1,578 bytes; at most 1,000"),
    ],
)
def test_an_archive_over_the_limits_is_refused_before_unpacking(tmp_path, settings, limits, message, monkeypatch):
    for name, value in limits.items():
        setattr(settings, name, value)
    archive = tmp_path / "site.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for index in range(3):
            zf.writestr(f"ep{index}.md", make_text())
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *a, **k: pytest.fail("a member was unpacked"))
    status, out, err = run("import_episodes", "--dry-run", str(archive))
    assert status == 1
    assert f"{archive}:1: {message}" in err and "nothing was unpacked" in err
    assert "1 files: 0 created, 0 updated, 0 unchanged, 1 refused" in out


@pytest.mark.parametrize("crc_of_prefix", [False, True])
def test_an_archive_whose_directory_understates_a_member_is_read_by_what_comes_out(tmp_path, settings, crc_of_prefix):
    # 20 MB of body in a member the directory calls small: reading stops at the stated size (the CRC
    # then tells the lie) or at the limit, never after inflating it all.
    settings.EPISODES_MAX_FILE_BYTES = 1_000_000
    honest = make_text().encode()
    text = honest + b"x" * 20_000_000
    archive = tmp_path / "site.zip"
    archive.write_bytes(lying_zip({"ep.md": text}, lie={"ep.md": len(honest)}, crc_of_prefix=crc_of_prefix))
    tracemalloc.start()
    try:
        report = importing.import_sources(importing.path_sources([str(archive)]), dry_run=True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    (result,) = report.files
    if crc_of_prefix:  # the stated prefix is all there is to read: the honest episode
        assert result.status == CREATED, result
    else:
        assert result.status == REFUSED and "Bad CRC-32" in result.message, result
    assert peak < 5_000_000


def test_a_run_keeps_no_file_text_in_its_report(tmp_path):
    # Every file's text used to stay in the report: 300 members of 10 MB took 3.2 GB.
    body = "\nLinks:\n\n" + '* [Site](https://example.com/){:target="_blank"}\n' * 20000
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for index in range(5):
            zf.writestr(f"ep{index}.md", make_text(body=body))
    for dry_run in (True, False):
        report = importing.import_sources(importing.path_sources([str(archive)]), dry_run=dry_run, diffs=True)
        assert [r.status for r in report.files] == [CREATED] * 5
        biggest = max(len(repr(value)) for result in report.files for value in vars(result).values())
        assert biggest < 2000
    # An update keeps its differences, cut to a readable length.
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("ep0.md", make_text(body=body.replace("Site", "Page")))
    (result,) = importing.import_sources(importing.path_sources([str(archive)]), dry_run=True, diffs=True).files
    assert result.status == UPDATED
    assert len(result.diff) == importing.DIFF_LINES + 1 and "more lines of differences not shown" in result.diff[-1]


def test_a_zip_holding_one_name_twice_imports_it_once(tmp_path, monkeypatch):
    import warnings

    monkeypatch.setattr("episodes.services.importing.COMMIT_EVERY_SECONDS", 60)
    archive = tmp_path / "site.zip"
    with warnings.catch_warnings(), zipfile.ZipFile(archive, "w") as zf:
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name it writes
        zf.writestr("ep.md", make_text(transcript=[{"line": "First copy.", "who": "Jane"}]))
        zf.writestr("ep.md", make_text(transcript=[{"line": "Second copy.", "who": "Jane"}]))
    status, out, err = run("import_episodes", str(archive))
    assert status == 1
    assert f"{archive}!ep.md:1: the same slug as {archive}!ep.md, imported earlier in this run" in err
    assert found("copy") == ["First copy."]
    check_index()


@pytest.mark.django_db(transaction=True)
def test_a_file_whose_error_ends_the_whole_transaction_has_its_group_redone(tmp_path, monkeypatch):
    from django.db import OperationalError, connection

    from episodes.services import importing

    monkeypatch.setattr("episodes.services.importing.COMMIT_EVERY_SECONDS", 60)
    # Profiles only: a group of episodes would also fail at its search-index query, which hides the loss.
    for key in ("alice", "bob", "carol"):
        (tmp_path / f"{key}.md").write_text(f"---\ntitle: {key.title()}\n---\n", encoding="utf-8")
    real = importing._import_person
    failed = []

    def import_person(result, text, options, **kwargs):
        real(result, text, options, **kwargs)
        if result.key == "bob" and not failed:
            failed.append(1)
            # What SQLite does by itself on a full disk; PostgreSQL when the connection is lost.
            if connection.vendor == "sqlite":
                connection.cursor().execute("ROLLBACK")
            else:
                connection.close()
            raise OperationalError("database or disk is full")

    monkeypatch.setattr(importing, "_import_person", import_person)
    empty = tmp_path / "episodes"
    empty.mkdir()
    status, out, err = run("import_episodes", "--people", str(tmp_path), str(empty))
    assert failed and status == 0, err
    assert "3 files: 3 created" in out
    assert sorted(Person.objects.values_list("key", flat=True)) == ["alice", "bob", "carol"]


def test_a_repeated_key_is_imported_as_jekyll_reads_it_with_a_warning(tmp_path):
    text = make_text(title="First title").replace("short: Test\n", "short: Test\ntitle: Second title\n")
    path = tmp_path / "ep.md"
    path.write_text(text, encoding="utf-8")
    line = text.split("\n").index("title: Second title") + 1
    status, out, err = run("import_episodes", str(path))
    assert status == 0, err
    assert "ep.md: created (ep)" in out
    assert f"ep.md: warning: line {line}: the key 'title' comes again in its mapping" in out + err
    episode = Episode.objects.get(slug="ep")
    assert episode.title == "Second title"
    assert export(episode).count("title:") == 1


@pytest.mark.parametrize("files", [2, 3])
def test_a_big_load_has_postgresql_read_its_statistics_again(tmp_path, monkeypatch, files):
    # Right after a first pull PostgreSQL planned with the empty tables' statistics until autovacuum came
    # round: every public page's neighbours query cost 5-15 ms instead of 1.5. A small load leaves it to
    # autovacuum, and SQLite is never asked.
    monkeypatch.setattr(database.writing, "ANALYZE_AFTER_FILES", 3)
    for index in range(files):
        (tmp_path / f"ep{index}.md").write_text(make_text(), encoding="utf-8")
    with CaptureQueriesContext(connection) as queries:
        report = importing.import_sources(importing.path_sources([str(tmp_path)]))
    assert [r.status for r in report.files] == [CREATED] * files
    analyzed = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("ANALYZE ")]
    if files == 3 and connection.vendor == "postgresql":
        assert len(analyzed) == 1 and '"episodes_episode"' in analyzed[0] and '"episodes_episodetopic"' in analyzed[0]
    else:
        assert analyzed == []
    # A dry run changes nothing, so it never asks.
    with CaptureQueriesContext(connection) as queries:
        importing.import_sources(importing.path_sources([str(tmp_path)]), dry_run=True, force=True)
    assert not any(q["sql"].startswith("ANALYZE ") for q in queries.captured_queries)
