"""sync_site pull / push / status / resolve: what they print and their exit statuses."""

import pytest

from episodes.models import Episode
from episodes.tests.commands.test_commands import run
from episodes.tests.site.test_site_sync import S22, S22_SLUG, edit_title
from episodes.tests.support.factories import needs_shared
from episodes.tests.support.siterepo import EPISODES, PEOPLE, make_site

pytestmark = [pytest.mark.django_db, needs_shared]


@pytest.fixture
def site(tmp_path):
    return make_site(tmp_path / "site", episodes=EPISODES, people=PEOPLE)


def test_pull_push_and_status_from_the_command_line(site):
    status, out, err = run("sync_site", "pull", "--repo", str(site.root))
    assert status == 0, err
    assert f"{S22}: created ({S22_SLUG})" in out
    assert out.strip().endswith(f"Pulled main at {site.head()[:7]}: 7 files: 7 created, 0 updated, 0 unchanged")
    status, out, _ = run("sync_site", "pull", "--repo", str(site.root))
    assert status == 0 and out.strip() == f"Up to date with main at {site.head()[:7]}."

    edit_title(S22_SLUG, "A new title")
    status, out, _ = run("sync_site", "status", "--repo", str(site.root))
    assert status == 0
    assert f"Up to date with the site (pulled {site.head()[:7]})." in out
    assert f"A push would write 1 file(s):\n  {S22}:\n    title: 'Reinventing a Career in Tech' → 'A new title'" in out

    status, out, _ = run("sync_site", "push", "--repo", str(site.root), "--dry-run")
    assert status == 0 and "Dry run: would commit 1 file(s) to branch cms/publish-" in out
    assert site.branches() == ["main"]

    status, out, _ = run(
        "sync_site", "push", "--repo", str(site.root), "--branch", "cms/retitle", "--message", "Retitle"
    )
    assert status == 0
    commit = site.git("rev-parse", "cms/retitle")
    assert f"Committed {commit[:12]} to branch cms/retitle (from {site.head()[:7]}): 1 file(s)." in out
    status, out, _ = run("sync_site", "push", "--repo", str(site.root))
    assert status == 0 and out.strip() == "Nothing to publish: the CMS holds the same data as the site's files."

    pulled = site.head()
    site.git("mv", "_podcast/trends-in-modern-data-engineering.md", "_podcast/modern-data-engineering.md")
    site.git("rm", "-q", "_people/adrianbrudaru.md")
    site.commit()
    status, out, _ = run("sync_site", "status", "--repo", str(site.root))
    assert f"Changed on the site since the last pull ({pulled[:7]}), a pull would import:\n" in out
    assert "  renamed: _podcast/trends-in-modern-data-engineering.md → _podcast/modern-data-engineering.md\n" in out
    assert "  deleted: _people/adrianbrudaru.md\n" in out
    assert "Pushed (cms/retitle), not yet on the pulled branch:\n  " + S22 in out


def test_refusals_conflicts_and_bad_input_exit_1(site, settings, tmp_path):
    settings.SITE_REPO = ""
    status, _, err = run("sync_site", "pull")
    assert status == 1 and "no site repository: give --repo PATH or set SITE_REPO" in err
    settings.SITE_REPO = str(site.root)  # the default --repo
    assert run("sync_site", "pull")[0] == 0
    edit_title(S22_SLUG, "The CMS's title")
    site.replace(S22, "title: Reinventing a Career in Tech", "title: The site's title")
    site.commit()
    status, out, err = run("sync_site", "pull")
    assert status == 1
    assert f"{S22}: conflict, not imported (the CMS's edits are kept): title: the CMS has" in err
    status, out, _ = run("sync_site", "status")
    conflict = 'title: the CMS has "The CMS\'s title", the site has "The site\'s title"'
    assert f"Conflicts (1), the CMS's edits kept:\n  {S22}:\n    {conflict}" in out
    status, _, err = run("sync_site", "resolve", S22, "--keep", "site", "--repo", str(tmp_path / "nowhere"))
    assert status == 1 and "no such folder" in err
    status, out, _ = run("sync_site", "resolve", S22, "--keep", "site", "--repo", str(site.root))
    assert status == 0 and f"{S22}: settled (1 conflict(s), kept the site's)" in out
    assert Episode.objects.get(slug=S22_SLUG).title == "The site's title"
    status, _, err = run("sync_site", "resolve", S22, "--keep", "cms")
    assert status == 1 and f"{S22} is not in conflict" in err
    status, _, err = run("sync_site", "push", "--remote", "nowhere")
    assert status == 1 and "there is no remote 'nowhere'" in err
    status, _, err = run("sync_site", "status", "--repo", str(tmp_path))
    assert status == 1 and "is not a git working tree" in err


@pytest.mark.parametrize("where", ["before", "after"])
def test_verbosity_is_taken_before_or_after_the_action(site, where):
    def sync_site(action, *args):
        verbosity = ["-v", "2"] if action != "push" else ["--verbosity=2"]
        before, after = (verbosity, []) if where == "before" else ([], verbosity)
        repo = ["--repo", str(site.root)] if action != "resolve" else []
        return run("sync_site", *before, action, *args, *repo, *after)

    status, out, err = sync_site("pull")
    assert status == 0, err
    edit_title(S22_SLUG, "A verbose title")
    status, out, err = sync_site("push", "--dry-run")
    # Only a dry run at verbosity 2 shows the line diff.
    assert status == 0 and "+title: A verbose title" in out, err
    status, out, err = sync_site("status")
    assert status == 0, err
    status, _, err = sync_site("resolve", S22, "--keep", "site")
    assert status == 1 and f"{S22} is not in conflict" in err  # parsed, then refused for what it says


def test_push_only_the_files_named_and_long_values_show_where_they_differ(site):
    long_title = "Reinventing a Career in Tech: from a first job in sales to a data team in twelve months"
    site.replace(S22, "title: Reinventing a Career in Tech", f"title: '{long_title}'")
    site.commit()
    assert run("sync_site", "pull", "--repo", str(site.root))[0] == 0
    edit_title(S22_SLUG, long_title.replace("twelve", "nine"))
    edit_title("trends-in-modern-data-engineering", "Trends, edited")
    status, out, err = run("sync_site", "push", "--repo", str(site.root), "--only", "_podcast/nowhere.md")
    assert status == 1 and "_podcast/nowhere.md has nothing to publish" in err and site.branches() == ["main"]
    status, out, err = run("sync_site", "push", "--repo", str(site.root), "--only", S22)
    assert status == 0, err
    [branch] = [name for name in site.branches() if name != "main"]
    assert site.git("diff", "--name-only", f"{branch}^", branch).splitlines() == [S22]
    assert "nine months" in out  # the part that differs, past the first 60 characters
    assert "nine months" in site.git("log", "-1", "--format=%B", branch)
    status, out, _ = run("sync_site", "status", "--repo", str(site.root))
    assert "A push would write 1 file(s):\n  _podcast/trends-in-modern-data-engineering.md:" in out
