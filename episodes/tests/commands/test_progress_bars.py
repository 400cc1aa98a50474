"""The commands' progress bars: on a terminal a bar counts the files; elsewhere the plain lines stay as they were."""

import io

import pytest
from django.core.management import CommandError, call_command

from episodes.models import Episode
from episodes.tests.site.test_site_sync import edit_title
from episodes.tests.support.factories import SEED, needs_shared
from episodes.tests.support.siterepo import EPISODES, PEOPLE, make_site

pytestmark = [pytest.mark.django_db]


class Terminal(io.StringIO):
    """An output that says it is a terminal."""

    def isatty(self):
        return True


def run(*args):
    out, err = Terminal(), Terminal()
    try:
        call_command(*args, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue() + str(exc)
    return out.getvalue(), err.getvalue()


def test_import_on_a_terminal_shows_a_bar_and_only_the_problems(tmp_path):
    (tmp_path / "s10e03-mlops-architect.md").write_bytes(SEED.read_bytes())
    (tmp_path / "broken.md").write_text("---\ntitle: [unclosed\n---\n")
    out, err = run("import_episodes", str(tmp_path))
    assert "2/2" in out and "100%" in out
    assert "[1/2]" not in out and "broken.md:3: YAML error" in err + out
    assert "2 files: 1 created" in out
    assert Episode.objects.count() == 1


def test_import_not_on_a_terminal_prints_a_line_per_file(tmp_path):
    (tmp_path / "s10e03-mlops-architect.md").write_bytes(SEED.read_bytes())
    out = io.StringIO()
    call_command("import_episodes", str(tmp_path), stdout=out)
    assert "[1/1] " in out.getvalue() and "s10e03-mlops-architect.md: created" in out.getvalue()
    assert "100%" not in out.getvalue()


@needs_shared
def test_sync_site_pull_and_push_on_a_terminal_show_a_bar(tmp_path):
    site = make_site(tmp_path / "site", episodes=EPISODES, people=PEOPLE)
    out, _ = run("sync_site", "pull", "--repo", str(site.root))
    files = len(EPISODES) + len(PEOPLE)
    assert f"{files}/{files}" in out and "Pulled main at" in out and "_podcast/" not in out.split("Pulled")[0][-200:]
    edit_title(EPISODES[0], "Retitled on a terminal")
    out, _ = run("sync_site", "push", "--repo", str(site.root), "--dry-run")
    assert "1/1" in out and "Dry run: would commit 1 file(s)" in out
    out, _ = run("sync_site", "pull", "--repo", str(site.root))
    assert "Up to date" in out and "file/s" not in out  # nothing to do: no bar


def test_export_on_a_terminal_shows_a_bar(tmp_path, seed_episode):
    out, _ = run("export_episodes", str(tmp_path / "out"))
    assert "1/1" in out and "1 files: 1 written" in out
    assert (tmp_path / "out" / "s10e03-mlops-architect.md").exists()


def test_verbosity_0_shows_no_bar(tmp_path):
    (tmp_path / "s10e03-mlops-architect.md").write_bytes(SEED.read_bytes())
    out, _ = run("import_episodes", str(tmp_path), "--verbosity", "0")
    assert "100%" not in out
