"""Pull from and push to the site's git repository: throwaway repositories made with git init from the corpus."""

from __future__ import annotations

import pytest
from django.urls import reverse

from episodes.documents import database
from episodes.format import frontmatter as fm
from episodes.models import Episode, EpisodeRedirect, Person, Revision, SiteFile, SiteState
from episodes.services import ItemEdit, episode_save
from episodes.services import site as site_sync
from episodes.tests.support.factories import needs_shared
from episodes.tests.support.siterepo import CORPUS, EPISODES, PEOPLE, make_site, pull, push

pytestmark = [pytest.mark.django_db, needs_shared]

DATAOPS = "_podcast/dataops-for-data-engineering.md"
TRENDS = "_podcast/trends-in-modern-data-engineering.md"
S22 = "_podcast/s22e07-reinventing-career-in-tech.md"
S22_SLUG = "s22e07-reinventing-career-in-tech"
HOST = "_people/alexeygrigorev.md"


@pytest.fixture
def site(tmp_path):
    return make_site(tmp_path / "site", episodes=EPISODES, people=PEOPLE)


@pytest.fixture
def pulled(site):
    report = site_sync.site_pull(repo=str(site.root))
    assert not report.problems, report.problems
    return site


def lines(report) -> dict[str, str]:
    return {line.path: line.status for line in report.files}


def episode(slug="dataops-for-data-engineering") -> Episode:
    return Episode.objects.get(slug=slug)


def edit_title(slug: str, title: str, user=None) -> None:
    episode_save(episode=episode(slug), fields={"title": title}, user=user)


def changed_lines(site, commit: str) -> list[str]:
    """Return the lines a commit removes and adds (no headers, no context)."""
    diff = site.git("diff", "--unified=0", f"{commit}^", commit)
    return [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]


# -- pull -------------------------------------------------------------------------------------------


def test_first_pull_imports_the_whole_corpus_and_refuses_the_broken_files(tmp_path):
    site = make_site(tmp_path / "site")
    report = pull(site)
    counts = report.counts()
    episodes = len(list((CORPUS / "episodes").glob("*.md")))
    people = len(list((CORPUS / "people").glob("*.md")))
    assert counts["refused"] == 1  # the file with a stray line before its front matter
    assert counts["skipped"] == 1  # the template
    assert counts["created"] == episodes - 2 + people
    refused = {line.path: str(line) for line in report.problems}
    assert list(refused) == ["_podcast/_theme-park-crowd-modeling-to-tesla-full-stack-data-engineering.md"]
    assert SiteState.load().commit == site.head()
    assert SiteFile.objects.filter(episode__isnull=False).count() == episodes - 2
    assert SiteFile.objects.filter(person__isnull=False).count() == people
    # Lossless: every imported file's data is what the CMS would write.
    for site_file in SiteFile.objects.filter(episode__isnull=False).select_related("episode")[:5]:
        assert fm.same_document(database.episode_document(site_file.episode), fm.parse(site.read(site_file.path)))


def test_pull_with_nothing_new_reads_no_file(pulled, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        report = pull(pulled)
    assert report.files == [] and report.summary().startswith("Up to date with main")


def test_pull_imports_only_the_changed_files(pulled):
    versions = dict(Episode.objects.values_list("slug", "version"))
    pulled.replace(S22, "title: Reinventing", "title: Changed on the site - Reinventing")
    pulled.commit()
    report = pull(pulled)
    assert lines(report) == {S22: "updated"}
    assert episode(S22_SLUG).title == "Changed on the site - Reinventing a Career in Tech"
    for slug, version in versions.items():
        if slug != S22_SLUG:
            assert Episode.objects.get(slug=slug).version == version


def test_renamed_file_renames_its_episode_and_the_old_address_redirects(pulled, client, admin_user):
    before = episode()
    edit_title("dataops-for-data-engineering", "Edited in the CMS before the rename", user=admin_user)
    revisions = Revision.objects.filter(episode=before).count()
    pulled.git("mv", DATAOPS, "_podcast/dataops-for-data-engineering-teams.md")
    pulled.commit("Rename for search engines")
    report = pull(pulled)
    assert lines(report) == {"_podcast/dataops-for-data-engineering-teams.md": "renamed"}
    renamed = Episode.objects.get(pk=before.pk)
    assert renamed.slug == "dataops-for-data-engineering-teams"
    assert renamed.title == "Edited in the CMS before the rename"  # the CMS's edit is kept
    assert Revision.objects.filter(episode=renamed).count() > revisions  # history kept, the rename added
    assert EpisodeRedirect.objects.target("dataops-for-data-engineering") == renamed
    response = client.get("/episodes/dataops-for-data-engineering/")
    assert response.status_code == 301
    assert response["Location"] == reverse("episodes:episode", args=[renamed.slug])
    response = client.get("/episodes/dataops-for-data-engineering/transcript.json")
    assert response.status_code == 301 and response["Location"].endswith(
        "/dataops-for-data-engineering-teams/transcript.json"
    )
    assert SiteFile.objects.get(episode=renamed).path == "_podcast/dataops-for-data-engineering-teams.md"
    # The CMS's title edit is still waiting to be pushed, under the new name.
    assert [p.path for p in site_sync.pending_changes().files] == ["_podcast/dataops-for-data-engineering-teams.md"]


def test_deleted_file_makes_its_episode_a_draft(pulled):
    pulled.git("rm", "-q", TRENDS)
    pulled.commit("Remove an episode")
    report = pull(pulled)
    assert [str(line) for line in report.files] == [f"{TRENDS}: deleted (the episode is now a draft)"]
    assert episode("trends-in-modern-data-engineering").status == Episode.Status.DRAFT
    assert not SiteFile.objects.filter(path=TRENDS).exists()
    assert site_sync.pending_changes().files == []  # a draft is not written back


def test_invalid_file_upstream_is_refused_and_the_rest_imported(pulled):
    pulled.replace(S22, "title: Reinventing", 'title: "unclosed')
    pulled.replace(TRENDS, 'title: "', 'title: "Fine - ')
    pulled.commit()
    report = pull(pulled)
    refused = [str(line) for line in report.problems]
    assert len(refused) == 1 and refused[0].startswith(f"{S22}:")
    assert ": YAML error" in refused[0]
    assert episode("trends-in-modern-data-engineering").title.startswith("Fine - ")
    assert episode(S22_SLUG).title == "Reinventing a Career in Tech"
    assert SiteFile.objects.get(path=S22).problem


# -- push -------------------------------------------------------------------------------------------


def test_push_with_no_edits_makes_no_commit(pulled):
    branches = pulled.branches()
    report = push(pulled)
    assert report.commit == "" and report.summary().startswith("Nothing to publish")
    assert pulled.branches() == branches


def test_one_title_and_one_handle_give_one_commit_of_exactly_those_lines(pulled):
    head, files = pulled.head(), {path: pulled.read(path) for path in (S22, HOST)}
    edit_title(S22_SLUG, "Reinventing a Career in Tech, Twice")
    Person.objects.filter(key="alexeygrigorev").update(twitter="alexey_new")
    report = push(pulled)
    assert report.commit
    assert pulled.git("rev-parse", f"{report.commit}^") == head
    assert sorted(changed_lines(pulled, report.commit)) == sorted(
        [
            "-title: Reinventing a Career in Tech",
            "+title: Reinventing a Career in Tech, Twice",
            "-twitter: Al_Grigor",
            "+twitter: alexey_new",
        ]
    ), changed_lines(pulled, report.commit)
    # The checked-out branch and the working tree are as they were.
    assert pulled.head() == head and pulled.branch() == "main" and pulled.status() == ""
    assert {path: pulled.read(path) for path in files} == files
    assert site_sync.pending_changes().files == []
    assert push(pulled).commit == ""  # pushed: nothing left


def test_an_edit_of_a_hand_formatted_episode_changes_only_its_lines_in_the_file_s_style(pulled):
    path = "_podcast/trends-in-modern-data-engineering.md"
    trends = episode("trends-in-modern-data-engineering")
    text = turn(trends, 3).text
    episode_save(
        episode=trends,
        fields={"title": "Modern Data Engineering, Revised"},
        edits={turn(trends, 3).pk: ItemEdit(text=text + " Indeed.")},
    )
    report = push(pulled)
    old_doc, new_text = fm.parse(pulled.read(path)), pulled.show(report.commit, path) + "\n"
    assert fm.parse(new_text).front["transcript"][2]["line"] == text + " Indeed."
    removed = [line for line in changed_lines(pulled, report.commit) if line.startswith("-")]
    added = [line for line in changed_lines(pulled, report.commit) if line.startswith("+")]
    assert (
        removed[0] == f'-title: "{old_doc.front["title"]}"' and added[0] == '+title: "Modern Data Engineering, Revised"'
    )
    # The turn's own lines only: its text wraps as before, its speaker and time lines stay.
    old_turn = old_doc.front["transcript"][2]["line"]
    assert len(removed) > 1 and len(added) == len(removed), (removed, added)
    assert all(line[1:].removeprefix("- line:").strip() in old_turn for line in removed[1:]), removed


# -- merging ----------------------------------------------------------------------------------------


def turn(episode_obj: Episode, number: int):
    return episode_obj.items.get(position=number - 1)


def edit_on_site(site, path: str, change) -> None:
    """Change a file's data as the site's own scripts do: read it, change it, write it canonically."""
    doc = fm.parse(site.read(path))
    change(doc.front)
    site.write(path, doc.render())


def test_upstream_edits_to_other_lines_of_an_edited_file_merge(pulled):
    edit_title(S22_SLUG, "Reinventing a Career in Tech, Twice")
    # The site changes the line next to the title, the text of a turn and a link.
    pulled.replace(S22, "short: Reinventing a Career in Tech", "short: A Career Reinvented")
    edit_on_site(pulled, S22, lambda front: front["transcript"][0].update(line="Hi everyone, welcome to our podcast."))
    pulled.commit()
    report = pull(pulled)
    assert lines(report) == {S22: "merged"}
    merged = episode(S22_SLUG)
    assert (merged.title, merged.short) == ("Reinventing a Career in Tech, Twice", "A Career Reinvented")
    assert turn(merged, 1).text == "Hi everyone, welcome to our podcast."
    assert "short: 'Reinventing a Career in Tech' → 'A Career Reinvented'" in str(report.files[0])
    # The site's changes are not the CMS's to push back; the title is.
    pending = site_sync.pending_changes().files
    assert [p.describe() for p in pending] == [
        ["title: 'Reinventing a Career in Tech' → 'Reinventing a Career in Tech, Twice'"]
    ]
    commit = push(pulled).commit
    assert changed_lines(pulled, commit) == [
        "-title: Reinventing a Career in Tech",
        "+title: Reinventing a Career in Tech, Twice",
    ]


def test_a_turn_edited_on_both_sides_in_different_fields_merges(pulled):
    s22 = episode(S22_SLUG)
    who, text = turn(s22, 3).who, turn(s22, 3).text
    episode_save(episode=s22, edits={turn(s22, 3).pk: ItemEdit(who="Will Russell")})
    edit_on_site(pulled, S22, lambda front: front["transcript"][2].update(line="Fixed on the site."))
    pulled.commit()
    report = pull(pulled)
    assert lines(report) == {S22: "merged"}, report.files
    merged = turn(episode(S22_SLUG), 3)
    assert (merged.who, merged.text) == ("Will Russell", "Fixed on the site.") and who != "Will Russell"
    assert text != merged.text


def test_a_real_conflict_is_refused_and_listed_keeping_the_cms_edits(pulled):
    edit_title(S22_SLUG, "The CMS's title")
    pulled.replace(S22, "title: Reinventing a Career in Tech", "title: The site's title")
    pulled.replace(S22, "short: Reinventing a Career in Tech", "short: Short from the site")
    pulled.commit()
    report = pull(pulled)
    assert lines(report) == {S22: "conflict"}
    said = str(report.files[0])
    assert 'title: the CMS has "The CMS\'s title", the site has "The site\'s title"' in said, said
    assert "(was 'Reinventing a Career in Tech')" in said
    s22 = episode(S22_SLUG)
    assert (s22.title, s22.short) == ("The CMS's title", "Reinventing a Career in Tech")  # nothing of it imported
    status = site_sync.site_status(repo=str(pulled.root))
    assert [f.path for f in status.conflicts] == [S22]
    assert status.conflicts[0].conflicts[0]["where"] == "title"
    assert any(S22 in note and "conflict" in note for note in status.notes)
    assert push(pulled).commit == ""  # a file in conflict is not pushed over the site's version
    # The next pull tries again; once settled keeping the CMS's title, the site's short comes in.
    assert lines(pull(pulled)) == {S22: "conflict"}
    settled = site_sync.conflict_resolve(path=S22, keep=site_sync.KEEP_CMS)
    assert len(settled) == 1
    s22 = episode(S22_SLUG)
    assert (s22.title, s22.short) == ("The CMS's title", "Short from the site")
    commit = push(pulled).commit
    assert changed_lines(pulled, commit) == ["-title: The site's title", "+title: The CMS's title"]


def test_a_conflict_settled_for_the_site_takes_its_values(pulled):
    edit_title(S22_SLUG, "The CMS's title")
    pulled.replace(S22, "title: Reinventing a Career in Tech", "title: The site's title")
    pulled.commit()
    pull(pulled)
    site_sync.conflict_resolve(path=S22, keep=site_sync.KEEP_SITE)
    assert episode(S22_SLUG).title == "The site's title"
    assert site_sync.pending_changes().files == []
    assert not SiteFile.objects.in_conflict().exists()


# -- pushing: branches, remotes, authors ------------------------------------------------------------


@pytest.fixture
def remote(tmp_path, pulled):
    """A bare repository as the site's origin."""
    bare = tmp_path / "origin.git"
    pulled.git("init", "-q", "--bare", str(bare))
    pulled.git("remote", "add", "origin", str(bare))
    pulled.git("push", "-q", "origin", "main")
    return bare


def test_push_commits_as_the_editors_with_a_message_listing_the_changes(pulled, django_user_model):
    anna = django_user_model.objects.create_user("anna", email="anna@example.com", first_name="Anna", last_name="Lee")
    bo = django_user_model.objects.create_user("bo")
    edit_title(S22_SLUG, "First title", user=anna)
    edit_title(S22_SLUG, "Second title", user=anna)
    edit_title("trends-in-modern-data-engineering", "Trends, again", user=bo)
    report = push(pulled)
    author = pulled.git("log", "-1", "--format=%an <%ae>", report.commit)
    message = pulled.git("log", "-1", "--format=%B", report.commit)
    assert author == "Anna Lee <anna@example.com>"
    assert "Co-authored-by: bo <bo@podcast-cms.invalid>" in message
    assert message.startswith("Update 2 episode(s) from the CMS\n\nEpisodes:\n")
    assert f"- {S22}: title: 'Reinventing a Career in Tech' → 'Second title'" in message
    assert f"- {TRENDS}: title:" in message
    report = push(pulled, message="Fix a title")  # nothing left: no commit, whatever the message
    assert report.commit == ""


def test_push_to_a_remote_and_the_next_push_grows_the_same_branch(pulled, remote):
    edit_title(S22_SLUG, "Pushed once")
    first = push(pulled, remote="origin")
    assert first.branch.startswith("cms/publish-")
    assert pulled.git("ls-remote", "origin", f"refs/heads/{first.branch}").startswith(first.commit)
    edit_title(S22_SLUG, "Pushed twice")
    second = push(pulled, remote="origin")
    assert second.branch == first.branch
    assert pulled.git("rev-parse", f"{second.commit}^") == first.commit
    assert changed_lines(pulled, second.commit) == ["-title: Pushed once", "+title: Pushed twice"]
    assert pulled.git("ls-remote", "origin", f"refs/heads/{first.branch}").startswith(second.commit)


def test_merged_pull_request_comes_back_as_unchanged_and_the_next_push_starts_a_new_branch(pulled):
    edit_title(S22_SLUG, "Published title")
    first = push(pulled)
    pulled.git("merge", "-q", "--ff-only", first.branch)  # the pull request is merged on the site
    report = pull(pulled)
    assert [str(line) for line in report.files] == [f"{S22}: unchanged (as pushed from the CMS)"]
    assert not SiteFile.objects.waiting().exists()
    edit_title(S22_SLUG, "Published again")
    second = push(pulled)
    assert second.branch != first.branch and pulled.git("rev-parse", f"{second.commit}^") == first.commit


def test_push_waits_in_status_until_the_site_has_it(pulled):
    edit_title(S22_SLUG, "Waiting title")
    report = push(pulled)
    status = site_sync.site_status(repo=str(pulled.root))
    assert [f.path for f in status.waiting] == [S22] and status.pushed_branch == report.branch
    assert status.pending == []


def test_dry_run_writes_nothing_and_shows_the_diff(pulled):
    edit_title(S22_SLUG, "Dry title")
    objects = pulled.git("count-objects")
    report = push(pulled, dry_run=True)
    assert report.dry_run and report.commit == "" and [f.path for f in report.files] == [S22]
    assert "-title: Reinventing a Career in Tech\n" in report.files[0].diff
    assert "+title: Dry title\n" in report.files[0].diff
    assert pulled.git("count-objects") == objects and pulled.branches() == ["main"]
    assert site_sync.pending_changes().files  # still to push


def test_new_episode_and_person_made_in_the_cms_are_added_and_a_cms_rename_moves_the_file(pulled):
    from episodes.tests.support.factories import make_episode, make_person

    make_person("newguest", "New Guest", picture="images/authors/newguest.jpg")
    make_episode("brand-new-episode", guests=["newguest"])
    Episode.objects.filter(slug="trends-in-modern-data-engineering").update(slug="modern-data-engineering")
    Episode.objects.filter(slug="modern-data-engineering").update(version=models_f("version") + 1)
    report = push(pulled)
    names = pulled.git("diff", "--name-status", "-M", f"{report.commit}^", report.commit).splitlines()
    assert sorted(names) == sorted(
        [
            "A\t_people/newguest.md",
            "A\t_podcast/brand-new-episode.md",
            "R100\t_podcast/trends-in-modern-data-engineering.md\t_podcast/modern-data-engineering.md",
        ]
    )
    assert fm.parse(pulled.show(report.commit, "_people/newguest.md")).front["title"] == "New Guest"


PEOPLE_TEMPLATE = (
    '---\nshort: {{ key }}\ntitle: "{{ name }}"\npicture: images/authors/{{ key }}.jpg\n---\n\n{{ bio }}\n'
)


def test_new_files_follow_the_site_s_templates_then_the_order_most_files_use(tmp_path):
    from episodes.tests.support.factories import import_text, make_person

    site = make_site(tmp_path / "site", episodes=EPISODES, people=PEOPLE)
    site.write("_podcast/_template.md", (CORPUS / "episodes" / "_template.md").read_text(encoding="utf-8"))
    site.write("_people/_template.md", PEOPLE_TEMPLATE)
    site.commit("Templates")
    assert not pull(site).problems
    # Keys in the order the CMS happens to hold them, clips as an older converter wrote them.
    clip = "- name: Start\n  startOffset: 0\n  endOffset: 10\n  url: https://www.youtube.com/watch?v=x&t=0\n"
    text = (
        "---\ntitle: A new one\nduration: PT00H00M10S\nquotableClips:\n" + clip + "dateadded: 2025-01-01\n"
        "transcript:\n- line: Hi.\n  sec: 0\n  time: 0:00\n  who: Alexey\nshort: New\nseason: 30\nepisode: 1\n"
        "guests:\n- alexeygrigorev\nimage: images/podcast/new.jpg\n---\n\nBody.\n"
    )
    assert import_text(text, slug="a-new-one").status == "created"
    make_person("newguest", "New Guest", picture="images/authors/newguest.jpg", body="A bio.", twitter="ng", short="ng")
    report = push(site)
    episode_file = site.show(report.commit, "_podcast/a-new-one.md") + "\n"
    assert list(fm.parse(episode_file).front) == [
        # _template.md's order, then the newer keys as most of the site's files have them.
        *["title", "short", "guests", "image", "season", "episode"],
        *["dateadded", "duration", "quotableClips", "transcript"],
    ]
    assert list(fm.parse(episode_file).front["quotableClips"][0]) == ["name", "startOffset", "url", "endOffset"]
    person_file = subprocess_bytes(site, f"{report.commit}:_people/newguest.md")
    assert list(fm.parse(person_file).front) == ["short", "title", "picture", "twitter"]
    assert person_file.endswith(b"A bio.\n")
    # The CMS now holds the files' order: nothing is left to publish, and an edit keeps the order.
    assert site_sync.pending_changes().files == []
    edit_title("a-new-one", "A newer one")
    assert list(site_sync.pending_changes().files[0].doc.front)[:2] == ["title", "short"]


def subprocess_bytes(site, spec: str) -> bytes:
    import subprocess

    return subprocess.run(
        ["git", "-C", str(site.root), "cat-file", "blob", spec], capture_output=True, check=True
    ).stdout


def models_f(name):
    from django.db.models import F

    return F(name)


def test_a_branch_moved_under_us_is_refused(pulled):
    edit_title(S22_SLUG, "Title one")
    first = push(pulled)
    pulled.git("branch", "-f", first.branch, "main")  # someone reset the branch
    edit_title(S22_SLUG, "Title two")
    with pytest.raises(
        site_sync.SyncError, match=f"branch {first.branch} already exists .* not where this CMS left it"
    ):
        push(pulled, branch=first.branch)
    assert site_sync.pending_changes().files  # nothing lost
    assert push(pulled).commit  # a branch of its own works


def test_the_checked_out_branch_is_never_written(pulled, settings):
    edit_title(S22_SLUG, "Title")
    with pytest.raises(site_sync.SyncError, match="publishes only to branches of its own, whose names start with cms/"):
        push(pulled, branch="main")
    with pytest.raises(site_sync.SyncError, match="not a valid branch name"):
        push(pulled, branch="cms/bad..name")
    pulled.git("branch", "cms/checked-out")
    pulled.git("checkout", "-q", "cms/checked-out")
    with pytest.raises(site_sync.SyncError, match="branch cms/checked-out is checked out"):
        push(pulled, branch="cms/checked-out")
    # The branch pulls read is refused even where the prefix would let it through.
    settings.SITE_BRANCH_PREFIX = "ma"
    with pytest.raises(site_sync.SyncError, match="branch main is the site's branch that pulls read"):
        push(pulled, branch="main")
    assert pulled.git("rev-parse", "main") == pulled.git("rev-parse", "cms/checked-out")


def test_only_branches_of_the_cms_own_are_published(pulled, remote, settings):
    pulled.git("push", "-q", "origin", "main:deploy", "main:cms/theirs")
    before = pulled.git("ls-remote", "origin")
    edit_title(S22_SLUG, "Title")
    # An existing branch outside the prefix (it would fast-forward: the push is not forced, but it descends).
    with pytest.raises(site_sync.SyncError, match="only to branches of its own, .*'deploy' is not one"):
        push(pulled, branch="deploy", remote="origin")
    # A branch under the prefix that someone else made on the remote.
    with pytest.raises(site_sync.SyncError, match="branch cms/theirs already exists on origin .* did not make it"):
        push(pulled, branch="cms/theirs", remote="origin")
    # A full ref name is refused, not taken as refs/heads/refs/heads/main; so is @{-1} (the previous branch).
    with pytest.raises(site_sync.SyncError, match="without refs/heads/"):
        push(pulled, branch="refs/heads/main")
    with pytest.raises(site_sync.SyncError, match="not a valid branch name"):
        push(pulled, branch="cms/@{-1}")
    settings.SITE_BRANCH_PREFIX = ""
    with pytest.raises(site_sync.SyncError, match="SITE_BRANCH_PREFIX '' cannot start a branch name"):
        push(pulled)
    settings.SITE_BRANCH_PREFIX = "site-cms/"
    assert pulled.git("ls-remote", "origin") == before
    assert pulled.git("for-each-ref", "--format=%(refname)", "refs/heads") == "refs/heads/main"
    assert site_sync.pending_changes().files and not SiteState.load().pushed_commit
    report = push(pulled, branch="site-cms/retitle", remote="origin")
    assert pulled.git("ls-remote", "origin", "refs/heads/site-cms/retitle").startswith(report.commit)


def test_a_default_branch_name_taken_on_the_remote_is_skipped(pulled, remote, monkeypatch):
    from datetime import UTC, datetime

    from episodes.services.site import push as push_module

    edit_title(S22_SLUG, "Title")
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    monkeypatch.setattr(push_module.timezone, "now", lambda: now)
    pulled.git("push", "-q", "origin", "main:cms/publish-20260102-030405")
    report = push(pulled, remote="origin")
    assert report.branch == "cms/publish-20260102-030405-2"
    assert pulled.git("ls-remote", "origin", "refs/heads/cms/publish-20260102-030405").startswith(pulled.head())


def test_a_remote_named_like_an_option_runs_nothing(pulled, remote, tmp_path):
    from episodes.documents import git

    ran = tmp_path / "ran"
    evil = f"--receive-pack=touch {ran};git-receive-pack"
    pulled.git("config", f"remote.{evil}.url", str(remote))
    edit_title(S22_SLUG, "Title")
    with pytest.raises(site_sync.SyncError, match="is not a valid remote name"):
        push(pulled, remote=evil)
    # Below the name check, git itself takes it as a remote's name, never as an option.
    git.Repo.open(str(pulled.root)).push(evil, "main")
    assert not ran.exists()
    assert pulled.git("ls-remote", "origin", "refs/heads/main").startswith(pulled.head())


def test_a_rejected_push_reports_git_and_keeps_everything(pulled, remote):
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'protected: pushes need a review' >&2\nexit 1\n")
    hook.chmod(0o755)
    edit_title(S22_SLUG, "Refused title")
    with pytest.raises(site_sync.SyncError) as refused:
        push(pulled, remote="origin")
    assert "refused" in str(refused.value) and "protected: pushes need a review" in str(refused.value)
    assert pulled.branches() == ["main"]  # the branch is put back
    assert site_sync.pending_changes().files and not SiteState.load().pushed_commit
    hook.unlink()
    assert push(pulled, remote="origin").commit


def test_a_dirty_working_tree_is_left_alone_and_mentioned(pulled):
    pulled.write(S22, pulled.read(S22).replace("title: Reinventing", "title: Uncommitted"))
    pulled.write("notes.txt", "scratch")
    edit_title("trends-in-modern-data-engineering", "Trends title")
    report = push(pulled)
    assert report.commit and any("uncommitted change(s)" in note for note in report.notes)
    assert "title: Uncommitted" in pulled.read(S22) and pulled.path("notes.txt").exists()
    assert any("uncommitted" in note for note in pull(pulled).notes)
    assert episode(S22_SLUG).title == "Reinventing a Career in Tech"  # pull reads the commit


def test_bad_repositories_are_refused_with_a_clear_message(tmp_path, pulled):
    with pytest.raises(site_sync.SyncError, match="no such folder"):
        site_sync.site_pull(repo=str(tmp_path / "nowhere"))
    (tmp_path / "plain").mkdir()
    with pytest.raises(site_sync.SyncError, match="is not a git working tree"):
        site_sync.site_pull(repo=str(tmp_path / "plain"))
    pulled.git("checkout", "-q", "--detach")
    with pytest.raises(site_sync.SyncError, match="HEAD is detached at"):
        pull(pulled)
    with pytest.raises(site_sync.SyncError, match="no site repository"):
        site_sync.site_pull(repo="")


# -- interruptions ----------------------------------------------------------------------------------


class Boom(Exception):
    pass


def fail_on_call(monkeypatch, target, name: str, call: int):
    """Make ``target.name`` raise Boom on its ``call``-th call (counting from 1)."""
    original = getattr(target, name)
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == call:
            raise Boom(f"forced failure in {name}")
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, failing)


def cms_state():
    return (
        sorted(Episode.objects.values_list("slug", "title", "status", "version")),
        sorted(Person.objects.values_list("key", "twitter", "has_profile")),
        sorted(SiteFile.objects.values_list("path", "blob", "upstream_blob", "version")),
    )


@pytest.mark.parametrize("call", [1, 3, 5])
def test_a_pull_stopped_midway_is_consistent_and_the_next_pull_finishes_it(site, monkeypatch, call):
    from episodes.services import importing

    fail_on_call(monkeypatch, importing, "import_source", call)
    with pytest.raises(Boom):
        pull(site)
    assert SiteState.load().commit == ""  # the commit is recorded last
    for site_file in SiteFile.objects.select_related("episode", "person"):
        # Whatever was imported has its sync state, and nothing else has.
        obj = site_file.episode or site_file.person
        assert obj is not None and fm.same_document(
            database.episode_document(obj) if site_file.episode else database.person_document(obj),
            fm.parse(site_file.text),
        )
    monkeypatch.undo()
    report = pull(site)
    assert not report.problems
    assert Episode.objects.count() == len(EPISODES) and Person.objects.with_profile().count() == len(PEOPLE)
    assert SiteFile.objects.count() == len(EPISODES) + len(PEOPLE)
    assert pull(site).files == []


def test_an_interrupted_rename_is_finished_by_the_next_pull(pulled, monkeypatch):
    pulled.git("mv", S22, "_podcast/reinventing-a-career.md")
    pulled.replace("_podcast/reinventing-a-career.md", "short: Reinventing", "short: Renamed and changed -")
    pulled.commit()
    from episodes.services.site import pull as pull_module

    fail_on_call(monkeypatch, pull_module._Puller, "upsert", 1)
    with pytest.raises(Boom):
        pull(pulled)
    monkeypatch.undo()
    report = pull(pulled)
    assert lines(report) == {"_podcast/reinventing-a-career.md": "updated"}
    renamed = Episode.objects.get(slug="reinventing-a-career")
    assert renamed.short.startswith("Renamed and changed -")
    assert not Episode.objects.filter(slug=S22_SLUG).exists()


@pytest.mark.parametrize("step", ["write_tree", "commit", "update_ref", "push", "record"])
def test_a_push_stopped_at_any_step_leaves_both_sides_as_they_were(pulled, remote, monkeypatch, step):
    from episodes.documents import git
    from episodes.services.site import push as push_module

    edit_title(S22_SLUG, "Interrupted title")
    before, branches = cms_state(), pulled.branches()
    if step == "record":
        fail_on_call(monkeypatch, push_module, "push_record", 1)
    else:
        fail_on_call(monkeypatch, git.Repo, step, 1)
    with pytest.raises((Boom, site_sync.SyncError)):
        push(pulled, remote="origin")
    assert cms_state() == before
    assert pulled.branches() == branches and pulled.status() == "" and pulled.branch() == "main"
    monkeypatch.undo()
    title_lines = ["-title: Reinventing a Career in Tech", "+title: Interrupted title"]
    if step == "record":
        # The commit reached the remote before its record failed: the next push records it, and makes no
        # second branch (a second pull request) for the same change.
        commit, ref = pulled.git("ls-remote", "origin", "refs/heads/cms/*").split()
        report = push(pulled, remote="origin")
        assert report.notes[0] == (
            f"a push stopped midway (commit {commit[:12]} on branch {ref[len('refs/heads/') :]}) had reached "
            "origin: recorded now"
        )
        assert report.commit == "" and pulled.git("ls-remote", "origin", "refs/heads/cms/*").split() == [commit, ref]
        assert pulled.git("rev-parse", ref) == commit and changed_lines(pulled, commit) == title_lines
        assert not site_sync.pending_changes().files and SiteState.load().pushing == {}
        return
    report = push(pulled, remote="origin")
    assert report.commit and changed_lines(pulled, report.commit) == title_lines
    assert SiteState.load().pushing == {}


def test_a_commit_killed_before_its_record_is_taken_up_by_the_next_push(pulled, monkeypatch):
    """Without a remote the branch here is the whole push: stopped before the record, it is recorded next time."""
    from episodes.services.site import push as push_module

    edit_title(S22_SLUG, "Interrupted title")
    # A killed process neither records nor puts its branch back.
    fail_on_call(monkeypatch, push_module, "push_record", 1)
    monkeypatch.setattr(push_module, "branch_restore", lambda *args: None)
    with pytest.raises(site_sync.SyncError, match="could not be recorded"):
        push(pulled, branch="cms/fix")
    monkeypatch.undo()
    stopped = pulled.git("rev-parse", "cms/fix")
    waiting = f"a push stopped midway (commit {stopped[:12]} on branch cms/fix): the next push settles it"
    assert waiting in site_sync.site_status(repo=str(pulled.root)).notes
    dry = push(pulled, branch="cms/fix", dry_run=True)
    assert dry.notes == [waiting] and dry.summary() == push_module.DRY_UNSETTLED  # a dry run settles nothing
    report = push(pulled, branch="cms/fix")
    assert report.notes[0] == (
        f"a push stopped midway (commit {stopped[:12]} on branch cms/fix) had reached the branch: recorded now"
    )
    assert report.outcome.startswith("Nothing to publish") and pulled.git("rev-parse", "cms/fix") == stopped
    edit_title(S22_SLUG, "Title after")
    after = push(pulled, branch="cms/fix")  # the branch grows, as after any push
    assert pulled.git("rev-parse", f"{after.commit}^") == stopped


# -- odd repositories -------------------------------------------------------------------------------


def test_history_rewritten_under_us_compares_every_file(pulled):
    pulled.replace(TRENDS, 'title: "', 'title: "Rewritten - ')
    pulled.git("add", "-A")
    pulled.git("commit", "-q", "--amend", "-m", "History rewritten")
    pulled.git("reflog", "expire", "--expire=now", "--all")
    pulled.git("gc", "-q", "--prune=now")
    report = pull(pulled)
    assert any("not in this repository" in note for note in report.notes)
    assert lines(report) == {TRENDS: "updated"}


def test_a_person_renamed_on_the_site_keeps_their_episodes(pulled, client):
    pulled.git("mv", "_people/xiahebleinagel.md", "_people/xia-he-bleinagel.md")
    pulled.replace(S22, "- xiahebleinagel", "- xia-he-bleinagel")
    pulled.commit()
    report = pull(pulled)
    # The episode already names the guest by the new key: its new file holds the same data.
    assert lines(report) == {"_people/xia-he-bleinagel.md": "renamed", S22: "unchanged"}, report.files
    person = Person.objects.get(key="xia-he-bleinagel")
    assert list(person.episodes.values_list("slug", flat=True)) == [S22_SLUG]
    assert client.get("/people/xiahebleinagel/")["Location"] == "/people/xia-he-bleinagel/"
    assert site_sync.pending_changes().files == []


def test_a_repository_with_thousands_of_files(tmp_path):
    site = make_site(tmp_path / "site", episodes=EPISODES, people=PEOPLE)
    template = site.read(HOST)
    for n in range(1500):
        site.write(f"_people/person{n:04d}.md", template.replace("alexeygrigorev", f"person{n:04d}"))
        site.write(f"assets/file{n:04d}.txt", "not an episode")
    site.write("_podcast/drafts/ignored.md", "---\ntitle: in a subfolder\n---\n")
    site.commit("Many files")
    report = pull(site)
    assert report.counts()["created"] == len(EPISODES) + len(PEOPLE) + 1500 and not report.problems
    assert not Episode.objects.filter(slug="ignored").exists()
    Person.objects.filter(key="person0042").update(twitter="changed")
    pushed = push(site)
    assert changed_lines(site, pushed.commit) == ["-twitter: Al_Grigor", "+twitter: changed"]


def test_one_pull_or_push_at_a_time(pulled):
    from episodes.documents import git

    edit_title(S22_SLUG, "Title")
    with git.Repo.open(str(pulled.root)).lock():
        for action in (pull, push):
            with pytest.raises(site_sync.SyncError, match="another pull or push is running"):
                action(pulled)
    assert push(pulled).commit


def test_a_person_renamed_in_the_cms_moves_the_profile_and_updates_their_episodes(pulled):
    Person.objects.filter(key="xiahebleinagel").update(key="xia-he")
    report = push(pulled)
    names = pulled.git("diff", "--name-status", "-M", f"{report.commit}^", report.commit).splitlines()
    assert sorted(names) == [f"M\t{S22}", "R100\t_people/xiahebleinagel.md\t_people/xia-he.md"]
    assert changed_lines(pulled, report.commit) == ["-- xiahebleinagel", "+- xia-he"]
