"""The site sync an editor can trust: the merge base is the file as last pulled, a pull racing a save never
loses either side, a push never overwrites a site change it has not pulled (issue 18, items 1, 2, 8, 9)."""

from __future__ import annotations

import pytest

from episodes.format import frontmatter as fm
from episodes.models import BodyLink, Episode, SiteFile, SiteState
from episodes.services import ItemEdit, Row, episode_save, importing
from episodes.services import site as site_sync
from episodes.services.site import pull as pull_module
from episodes.tests.support.factories import needs_shared
from episodes.tests.support.siterepo import EPISODES, PEOPLE, make_site, pull, push

pytestmark = [pytest.mark.django_db, needs_shared]

TRENDS = "_podcast/trends-in-modern-data-engineering.md"
TRENDS_SLUG = "trends-in-modern-data-engineering"
S22 = "_podcast/s22e07-reinventing-career-in-tech.md"
S22_SLUG = "s22e07-reinventing-career-in-tech"
S22_TITLE = "Reinventing a Career in Tech"


@pytest.fixture
def pulled(tmp_path):
    site = make_site(tmp_path / "site", episodes=EPISODES, people=PEOPLE)
    report = site_sync.site_pull(repo=str(site.root))
    assert not report.problems, report.problems
    return site


def statuses(report) -> dict[str, str]:
    return {line.path: line.status for line in report.files}


def episode(slug: str) -> Episode:
    return Episode.objects.get(slug=slug)


def turn_text(slug: str, number: int) -> str:
    return episode(slug).items.get(position=number - 1).text


def edit_turn(slug: str, number: int, text: str) -> None:
    obj = episode(slug)
    episode_save(episode=obj, edits={obj.items.get(position=number - 1).pk: ItemEdit(text=text)})


def edit_first_link(slug: str, url: str) -> None:
    obj = episode(slug)
    links = list(BodyLink.objects.filter(episode=obj).order_by("position"))
    links[0].url = url
    episode_save(episode=obj, lists={BodyLink: [Row(link) for link in links]})


def first_link(slug: str) -> str:
    return BodyLink.objects.filter(episode=episode(slug)).order_by("position").first().url


def edit_on_site(site, path: str, change) -> None:
    doc = fm.parse(site.read(path))
    change(doc.front)
    site.write(path, doc.render())


def changed_lines(site, commit: str) -> list[str]:
    diff = site.git("diff", "--unified=0", f"{commit}^", commit)
    return [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def waiting() -> list[str]:
    return list(SiteFile.objects.waiting().values_list("path", flat=True))


# -- 1. the merge base is the file as last pulled ----------------------------------------------------


def test_a_pull_while_a_published_branch_is_unmerged_keeps_the_cms_edits(pulled):
    edit_turn(S22_SLUG, 4, "Turn four, fixed in the CMS.")
    edit_first_link(TRENDS_SLUG, "https://example.com/fixed-in-the-cms")
    published = push(pulled)
    assert published.commit and {f.path for f in published.files} == {S22, TRENDS}
    # A colleague changes other fields of both files on the site's main; the branch is not merged.
    pulled.replace(S22, f"short: {S22_TITLE}", "short: A Career Reinvented")
    pulled.replace(TRENDS, 'short: "Trends in Data Engineering"', 'short: "Data Engineering Trends"')
    pulled.commit("A colleague's edits")
    report = pull(pulled)
    assert statuses(report) == {S22: "merged", TRENDS: "merged"}, [str(line) for line in report.files]
    assert turn_text(S22_SLUG, 4) == "Turn four, fixed in the CMS."
    assert episode(S22_SLUG).short == "A Career Reinvented"
    assert first_link(TRENDS_SLUG) == "https://example.com/fixed-in-the-cms"
    assert episode(TRENDS_SLUG).short == "Data Engineering Trends"
    assert sorted(waiting()) == [S22, TRENDS]  # still pushed, not yet on the pulled branch
    # The edits are the CMS's to publish again, from the newly pulled commit, and nothing of the site's undone.
    again = push(pulled)
    assert again.branch != published.branch and pulled.git("rev-parse", f"{again.commit}^") == pulled.head()
    s22, trends = (fm.parse(pulled.show(again.commit, path)) for path in (S22, TRENDS))
    assert s22.front["short"] == "A Career Reinvented" and trends.front["short"] == "Data Engineering Trends"
    assert s22.front["transcript"][3]["line"] == "Turn four, fixed in the CMS."
    assert "https://example.com/fixed-in-the-cms" in trends.body
    assert changed_lines(pulled, again.commit)[:2] == ["-- line: Thank you.", "+- line: Turn four, fixed in the CMS."]


def test_the_same_edits_not_yet_pushed_merge_the_same_way(pulled):
    edit_turn(S22_SLUG, 4, "Turn four, fixed in the CMS.")
    pulled.replace(S22, f"short: {S22_TITLE}", "short: A Career Reinvented")
    pulled.commit("A colleague's edits")
    assert statuses(pull(pulled)) == {S22: "merged"}
    assert turn_text(S22_SLUG, 4) == "Turn four, fixed in the CMS." and episode(S22_SLUG).short == "A Career Reinvented"


def merge_commit(site, branch):
    site.git("merge", "-q", "--no-ff", "-m", "Merge the CMS's pull request", branch)


def squash(site, branch):
    site.git("merge", "-q", "--squash", branch)
    site.git("commit", "-q", "-m", "The CMS's changes, squashed")


def rebase(site, branch):
    site.git("cherry-pick", branch)  # a rebase-merge: the branch's commit replayed on main


@pytest.mark.parametrize("merge_upstream", [merge_commit, squash, rebase])
def test_a_published_branch_merged_upstream_comes_back_cleanly(pulled, merge_upstream):
    episode_save(episode=episode(S22_SLUG), fields={"title": "Published title"})
    published = push(pulled)
    assert waiting() == [S22]
    # Meanwhile the site changed another part of the same file, then merged the pull request.
    edit_on_site(pulled, S22, lambda front: front["transcript"][0].update(line="Fixed on the site."))
    pulled.commit("A colleague's edit")
    merge_upstream(pulled, published.branch)
    report = pull(pulled)
    assert statuses(report) == {S22: "merged"}, [str(line) for line in report.files]
    assert episode(S22_SLUG).title == "Published title" and turn_text(S22_SLUG, 1) == "Fixed on the site."
    assert waiting() == []
    assert site_sync.pending_changes().files == []
    assert site_sync.site_status(repo=str(pulled.root)).waiting == []


def test_a_conflict_with_an_unmerged_publish_keeps_the_cms_value_and_lists_both(pulled):
    episode_save(episode=episode(S22_SLUG), fields={"title": "The CMS's title"})
    push(pulled)
    pulled.replace(S22, f"title: {S22_TITLE}", "title: The site's title")
    pulled.commit()
    report = pull(pulled)
    assert statuses(report) == {S22: "conflict"}
    said = str(report.files[0])
    assert "The CMS's title" in said and "The site's title" in said
    assert episode(S22_SLUG).title == "The CMS's title"
    [listed] = site_sync.site_status(repo=str(pulled.root)).conflicts
    assert listed.path == S22 and listed.conflicts[0]["ours"] == "The CMS's title"


def test_a_conflict_settled_for_the_site_leaves_nothing_waiting_or_pending(pulled):
    episode_save(episode=episode(S22_SLUG), fields={"title": "The CMS's title"})
    push(pulled)
    pulled.replace(S22, f"title: {S22_TITLE}", "title: The site's title")
    pulled.commit()
    assert statuses(pull(pulled)) == {S22: "conflict"} and waiting() == [S22]
    site_sync.conflict_resolve(path=S22, keep=site_sync.KEEP_SITE)
    assert episode(S22_SLUG).title == "The site's title"
    assert waiting() == [] and site_sync.pending_changes().files == []


def test_files_of_an_unmerged_branch_deleted_upstream_become_drafts_with_their_edits(pulled):
    edit_turn(S22_SLUG, 4, "Turn four, fixed in the CMS.")
    push(pulled)
    pulled.git("rm", "-q", S22)
    pulled.commit("Remove the episode")
    assert statuses(pull(pulled)) == {S22: "deleted"}
    s22 = episode(S22_SLUG)
    assert s22.status == Episode.Status.DRAFT and turn_text(S22_SLUG, 4) == "Turn four, fixed in the CMS."
    assert site_sync.pending_changes().files == [] and waiting() == []


# -- 2 and 9. a save racing a pull, and a push over a site change it has not pulled ------------------


def test_a_save_racing_a_plain_import_is_merged_not_refused(pulled, monkeypatch):
    edit_on_site(pulled, S22, lambda front: front["transcript"][0].update(line="Fixed on the site."))
    pulled.commit()
    original = importing.import_sources

    def save_meanwhile(*args, **kwargs):
        # The editor saves after the pull read the episode (not edited then) and before its import.
        episode_save(episode=episode(S22_SLUG), fields={"title": "Saved during the pull"})
        return original(*args, **kwargs)

    monkeypatch.setattr(pull_module.importing, "import_sources", save_meanwhile)
    report = pull(pulled)
    monkeypatch.undo()
    assert statuses(report) == {S22: "merged"}, [str(line) for line in report.files]
    assert episode(S22_SLUG).title == "Saved during the pull" and turn_text(S22_SLUG, 1) == "Fixed on the site."
    assert pull(pulled).summary().startswith("Up to date")
    pushed = push(pulled)
    assert changed_lines(pulled, pushed.commit) == [f"-title: {S22_TITLE}", "+title: Saved during the pull"]
    assert pushed.files[0].changes == [f"title: '{S22_TITLE}' → 'Saved during the pull'"]


def test_a_profile_edit_racing_a_plain_import_is_merged_not_overwritten(pulled, monkeypatch):
    from episodes.models import Person

    pulled.replace("_people/alexeygrigorev.md", "twitter: Al_Grigor", "twitter: Al_Grigor_site")
    pulled.commit()
    original = importing.import_sources

    def edit_meanwhile(*args, **kwargs):
        Person.objects.filter(key="alexeygrigorev").update(linkedin="edited-in-the-cms")
        return original(*args, **kwargs)

    monkeypatch.setattr(pull_module.importing, "import_sources", edit_meanwhile)
    report = pull(pulled)
    monkeypatch.undo()
    assert statuses(report) == {"_people/alexeygrigorev.md": "merged"}, [str(line) for line in report.files]
    host = Person.objects.get(key="alexeygrigorev")
    assert (host.twitter, host.linkedin) == ("Al_Grigor_site", "edited-in-the-cms")


def test_a_save_racing_a_merge_is_merged_too(pulled, monkeypatch):
    episode_save(episode=episode(S22_SLUG), fields={"title": "Edited before the pull"})
    edit_on_site(pulled, S22, lambda front: front["transcript"][0].update(line="Fixed on the site."))
    pulled.commit()
    original = pull_module._locked_target

    def save_meanwhile(path):
        # After the pull read the CMS's side, before the merge's own transaction locks the episode.
        episode_save(episode=episode(S22_SLUG), fields={"short": "Saved during the pull"})
        return original(path)

    monkeypatch.setattr(pull_module, "_locked_target", save_meanwhile)
    report = pull(pulled)
    monkeypatch.undo()
    assert statuses(report) == {S22: "merged"}
    s22 = episode(S22_SLUG)
    assert (s22.title, s22.short) == ("Edited before the pull", "Saved during the pull")
    assert turn_text(S22_SLUG, 1) == "Fixed on the site."


def test_a_push_never_overwrites_a_site_change_it_has_not_pulled(pulled):
    # The site's version of S22 is refused by the pull (broken), so the CMS still holds the older one.
    pulled.replace(S22, f"title: {S22_TITLE}", 'title: "unclosed')
    pulled.commit()
    assert statuses(pull(pulled)) == {S22: "refused"}
    episode_save(episode=episode(S22_SLUG), fields={"short": "Edited in the CMS"})
    episode_save(episode=episode(TRENDS_SLUG), fields={"short": "Trends, edited"})
    report = push(pulled)
    assert [f.path for f in report.files] == [TRENDS]
    [note] = [note for note in report.notes if note.startswith(f"{S22} is not written: the site's file changed")]
    assert f"the last pull refused it, {S22}:" in note and "YAML error" in note
    assert 'title: "unclosed' in pulled.show(report.commit, S22)  # the site's change stands
    assert [p.path for p in site_sync.pending_changes().files] == [S22]  # still the CMS's to publish


def test_a_push_describes_each_change_against_the_file_it_replaces(pulled):
    episode_save(episode=episode(S22_SLUG), fields={"title": "Pushed once"})
    push(pulled)
    episode_save(episode=episode(S22_SLUG), fields={"title": "Pushed twice"})
    second = push(pulled)
    assert second.files[0].changes == ["title: 'Pushed once' → 'Pushed twice'"]
    assert "- _podcast/s22e07-reinventing-career-in-tech.md: title: 'Pushed once' → 'Pushed twice'" in second.message


# -- 3. choosing what to publish; demo data -----------------------------------------------------------


def site_state():
    return (
        sorted(Episode.objects.values_list("slug", "title", "version")),
        sorted(SiteFile.objects.values_list("path", "text", "blob", "version", "pushed_blob", "pushed_version")),
        SiteState.load().pushed_commit,
    )


def test_push_only_commits_the_files_chosen_and_the_rest_stays_pending(pulled):
    episode_save(episode=episode(S22_SLUG), fields={"title": "Chosen"})
    episode_save(episode=episode(TRENDS_SLUG), fields={"title": "Left for later"})
    with pytest.raises(site_sync.SyncError, match="_podcast/nowhere.md has nothing to publish"):
        push(pulled, only=["_podcast/nowhere.md"])
    report = push(pulled, only=[S22])
    assert [f.path for f in report.files] == [S22]
    assert pulled.git("diff", "--name-only", f"{report.commit}^", report.commit).splitlines() == [S22]
    assert report.message.startswith(f"Update episode {S22_SLUG}")
    assert [p.path for p in site_sync.pending_changes().files] == [TRENDS]
    later = push(pulled)  # grows the same branch with the rest
    assert later.branch == report.branch and [f.path for f in later.files] == [TRENDS]


@pytest.mark.parametrize("step", ["commit", "update_ref", "record"])
def test_an_interrupted_selective_push_leaves_nothing_half_done(pulled, monkeypatch, step):
    from episodes.documents import git
    from episodes.services.site import push as push_module

    episode_save(episode=episode(S22_SLUG), fields={"title": "Chosen"})
    episode_save(episode=episode(TRENDS_SLUG), fields={"title": "Not chosen"})
    before, branches = site_state(), pulled.branches()
    target, name = (push_module, "push_record") if step == "record" else (git.Repo, step)
    original = getattr(target, name)

    def fail(*args, **kwargs):
        raise KeyboardInterrupt  # the editor's Ctrl+C, or the worker stopped

    monkeypatch.setattr(target, name, fail)
    with pytest.raises(KeyboardInterrupt):
        push(pulled, only=[S22])
    monkeypatch.setattr(target, name, original)
    assert site_state() == before and pulled.branches() == branches and pulled.status() == ""
    assert sorted(p.path for p in site_sync.pending_changes().files) == sorted([S22, TRENDS])
    assert [f.path for f in push(pulled, only=[S22]).files] == [S22]
    assert [p.path for p in site_sync.pending_changes().files] == [TRENDS]


def test_demo_data_is_never_published(pulled, settings, tmp_path):
    from django.core.management import call_command

    settings.BASE_DIR = tmp_path  # where setup_demo keeps the editor's login
    call_command("setup_demo", verbosity=0)
    demo = Episode.objects.get(slug="s10e03-mlops-architect")
    assert demo.demo and not episode(S22_SLUG).demo
    status = site_sync.site_status(repo=str(pulled.root))
    assert status.pending == [] and "_podcast/s10e03-mlops-architect.md" in status.demo
    assert "  _podcast/s10e03-mlops-architect.md: demo, not published" in status.lines()
    episode_save(episode=demo, fields={"title": "Edited demo"})
    episode_save(episode=episode(S22_SLUG), fields={"title": "Real edit"})
    report = push(pulled)
    assert [f.path for f in report.files] == [S22]
    assert "_podcast/s10e03-mlops-architect.md: demo, not published" in report.notes
    assert "s10e03" not in pulled.git("ls-tree", "-r", "--name-only", report.commit)
