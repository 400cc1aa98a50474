"""The pulled branch's history: old names of episode files redirect, and commit dates are the feed's and sitemap's."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime

import pytest

from episodes.documents import git
from episodes.models import Episode, EpisodeRedirect
from episodes.services import episode_save
from episodes.services import site as site_sync
from episodes.tests.support.factories import needs_shared
from episodes.tests.support.siterepo import CORPUS, PEOPLE, make_site, pull

UTC = datetime.UTC
ANALYTICS = "analytics-engineer-skills-tools"  # has a dateadded
S22 = "s22e07-reinventing-career-in-tech"  # has none
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def when(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


def commit(changes: list[tuple], day: str) -> git.Commit:
    return git.Commit("0" * 40, when(day), tuple(git.FileChange(*change) for change in changes))


# -- following renames (no repository) -------------------------------------------------------------


def test_follow_renames_follows_chains_to_todays_name_with_the_first_and_last_dates():
    histories = git.follow_renames(
        [
            commit([("A", "p/a.md"), ("A", "p/x.md")], "2020-01-01"),
            commit([("R", "p/b.md", "p/a.md")], "2021-01-01"),
            commit([("M", "p/x.md")], "2021-06-01"),
            commit([("R", "p/c.md", "p/b.md")], "2022-01-01"),
            commit([("M", "p/c.md")], "2023-01-01"),
        ]
    )
    assert histories["p/c.md"] == git.FileHistory(when("2020-01-01"), when("2023-01-01"), ["p/a.md", "p/b.md"])
    assert histories["p/x.md"] == git.FileHistory(when("2020-01-01"), when("2021-06-01"), [])
    assert set(histories) == {"p/c.md", "p/x.md"}


def test_follow_renames_gives_a_reused_name_to_the_last_file_that_left_it_and_forgets_deleted_files():
    histories = git.follow_renames(
        [
            commit([("A", "p/a.md"), ("A", "p/gone.md")], "2020-01-01"),
            commit([("R", "p/b.md", "p/a.md"), ("D", "p/gone.md")], "2020-02-01"),
            commit([("A", "p/a.md")], "2020-03-01"),
            commit([("R", "p/c.md", "p/a.md")], "2020-04-01"),
            commit([("R", "p/b.md", "p/b2.md")], "2020-05-01"),  # renamed back and forth: today's name is no old one
            commit([("R", "p/b2.md", "p/b.md")], "2020-06-01"),
        ]
    )
    assert histories["p/b2.md"].old_paths == ["p/b.md"]  # not p/a.md: p/c.md left that name last
    assert histories["p/c.md"] == git.FileHistory(when("2020-03-01"), when("2020-04-01"), ["p/a.md"])
    assert "p/gone.md" not in histories


def test_follow_renames_of_a_partial_walk_knows_no_date_of_addition():
    histories = git.follow_renames([commit([("R", "p/b.md", "p/a.md")], "2021-01-01")])
    assert histories == {"p/b.md": git.FileHistory(None, when("2021-01-01"), ["p/a.md"])}


# -- pulling a repository with a history ----------------------------------------------------------


@pytest.fixture
def site(tmp_path):
    """A site whose two episodes were added under other names and renamed since, on known days."""
    site = make_site(tmp_path / "site", episodes=[], people=PEOPLE)
    site.write("_podcast/s03e11-analytics-engineer.md", (CORPUS / "episodes" / f"{ANALYTICS}.md").read_bytes())
    site.write("_podcast/s22e07.md", (CORPUS / "episodes" / f"{S22}.md").read_bytes())
    site.commit("Two episodes", date="2021-06-20T10:00:00Z")
    site.git("mv", "_podcast/s22e07.md", "_podcast/s22e07-career.md")
    site.commit("Longer name", date="2022-02-01T10:00:00Z")
    site.git("mv", "_podcast/s03e11-analytics-engineer.md", f"_podcast/{ANALYTICS}.md")
    site.git("mv", "_podcast/s22e07-career.md", f"_podcast/{S22}.md")
    site.commit("Names for search engines", date="2023-03-01T10:00:00Z")
    site.replace(f"_podcast/{S22}.md", "title: Reinventing", "title: Now Reinventing")
    site.commit("A better title", date="2023-04-05T10:00:00Z")
    return site


class WalkSpy:
    """Record each history walk a pull makes (what git was asked for), passing it through."""

    def __init__(self, monkeypatch):
        self.walks: list[str] = []
        real = git.Repo.history

        def history(repo, head, folder, *, since=""):
            self.walks.append(since)
            return real(repo, head, folder, since=since)

        monkeypatch.setattr(git.Repo, "history", history)


@pytest.mark.django_db
@needs_shared
def test_first_pull_redirects_every_old_name_in_the_history_to_todays_episode(site, client, monkeypatch):
    spy = WalkSpy(monkeypatch)
    report = pull(site)
    assert not report.problems
    assert spy.walks == [""]  # one walk of the whole history
    analytics = Episode.objects.get(slug=ANALYTICS)
    s22 = Episode.objects.get(slug=S22)
    assert dict(EpisodeRedirect.objects.values_list("old", "target")) == {
        "s03e11-analytics-engineer": analytics.pk,
        "s22e07": s22.pk,
        "s22e07-career": s22.pk,
    }
    for old in ("/podcast/s03e11-analytics-engineer.html", "/podcast/s03e11-analytics-engineer"):
        response = client.get(old)
        assert response.status_code == 301 and response["Location"] == f"/episodes/{ANALYTICS}/", old
    for old in ("/episodes/s22e07/", "/episodes/s22e07-career/", "/podcast/s22e07-career.html"):
        response = client.get(old)
        assert response.status_code == 301 and response["Location"] == f"/episodes/{S22}/", old
    assert "earlier name(s)" in " ".join(report.notes)


@pytest.mark.django_db
@needs_shared
def test_later_pulls_walk_only_the_new_history_and_a_rewritten_one_all_of_it(site, monkeypatch):
    pull(site)
    spy = WalkSpy(monkeypatch)
    pull(site)
    assert spy.walks == []  # nothing new: no walk
    pulled = site.head()
    site.git("mv", f"_podcast/{S22}.md", "_podcast/reinventing-career-in-tech.md")
    site.commit("Another name", date="2024-01-01T10:00:00Z")
    pull(site)
    assert spy.walks == [pulled]
    s22 = Episode.objects.get(slug="reinventing-career-in-tech")
    assert EpisodeRedirect.objects.target("s22e07") == s22  # chains across pulls end at today's name
    assert EpisodeRedirect.objects.target(S22) == s22
    assert s22.site_changed_at == when("2024-01-01T10:00:00")
    assert s22.site_added_at == when("2021-06-20T10:00:00")  # kept from the first walk
    # History rewritten (the last commit amended): the whole history is walked again.
    site.replace("README.md", "The site.", "The site, amended.")
    site.git(
        "commit",
        "-q",
        "-a",
        "--amend",
        "-m",
        "Another name, amended",
        env={"GIT_COMMITTER_DATE": "2024-01-02T10:00:00Z"},
    )
    pull(site)
    assert spy.walks == [pulled, ""]


@pytest.mark.django_db
@needs_shared
def test_feed_and_sitemap_take_their_dates_from_the_history_not_the_day_of_the_pull(site, client):
    pull(site)
    feed = ET.fromstring(client.get("/feed.xml").content)  # noqa: S314 - our own output
    dates = {
        item.findtext("link").rstrip("/").rsplit("/", 1)[1]: parsedate_to_datetime(item.findtext("pubDate"))
        for item in feed.iter("item")
    }
    assert dates[S22] == when("2021-06-20T10:00:00")  # no dateadded: the commit that added the file
    assert dates[ANALYTICS].date() == datetime.date(2021, 6, 19)  # its dateadded
    assert lastmods(client) == {ANALYTICS: "2023-03-01", S22: "2023-04-05"}
    # An edit in the CMS is later than the last commit: the sitemap says so.
    episode_save(episode=Episode.objects.get(slug=S22), fields={"title": "Edited in the CMS"})
    today = datetime.datetime.now(UTC).date().isoformat()
    assert lastmods(client) == {ANALYTICS: "2023-03-01", S22: today}
    # The dates are the CMS's: nothing of them is to be written into the files.
    assert [pending.path for pending in site_sync.pending_changes().files] == [f"_podcast/{S22}.md"]
    written = site_sync.site_push(repo=str(site.root))
    text = site.show(written.commit, f"_podcast/{S22}.md")
    assert "2021-06-20" not in text and "2023-04-05" not in text


@pytest.mark.django_db
@needs_shared
def test_an_episode_imported_again_from_its_file_keeps_its_history_dates(site):
    pull(site)
    site.replace(f"_podcast/{ANALYTICS}.md", "title: 'Master", "title: 'Changed - Master")
    site.commit("Change", date="2025-01-01T10:00:00Z")
    pull(site)
    analytics = Episode.objects.get(slug=ANALYTICS)
    assert analytics.title.startswith("Changed - ")
    assert analytics.site_added_at == when("2021-06-20T10:00:00")
    assert analytics.site_changed_at == when("2025-01-01T10:00:00")


def lastmods(client) -> dict[str, str]:
    root = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314 - our own output
    found = {}
    for url in root.findall("s:url", SITEMAP_NS):
        loc = url.findtext("s:loc", namespaces=SITEMAP_NS)
        if "/episodes/" in loc:
            found[loc.rstrip("/").rsplit("/", 1)[1]] = url.findtext("s:lastmod", namespaces=SITEMAP_NS)
    return found
