"""How a pull reads the site's files: sized before read, one at a time, and only regular files; pushes write 100644."""

from __future__ import annotations

import os
import tracemalloc

import pytest

from episodes.documents import git
from episodes.models import Episode, SiteFile
from episodes.services import site as site_sync
from episodes.services.site import upstream as upstream_module
from episodes.tests.site.test_site_sync import DATAOPS, S22_SLUG, TRENDS, edit_title, pull, push
from episodes.tests.support.factories import make_text, needs_shared
from episodes.tests.support.siterepo import EPISODES, PEOPLE, make_site

pytestmark = [pytest.mark.django_db, needs_shared]

MB = 1024 * 1024


@pytest.fixture
def pulled(tmp_path):
    site = make_site(tmp_path / "site", episodes=EPISODES, people=PEOPLE)
    assert not pull(site).problems
    return site


@pytest.fixture
def reads(monkeypatch):
    """Record the blob ids a pull reads, in order."""
    seen: list[str] = []
    original = git.Repo.blobs

    def blobs(self):
        manager = original(self)

        class Spy:
            def __enter__(self):
                read = manager.__enter__()

                def spying(blob):
                    seen.append(blob)
                    return read(blob)

                return spying

            def __exit__(self, *exc):
                return manager.__exit__(*exc)

        return Spy()

    monkeypatch.setattr(git.Repo, "blobs", blobs)
    return seen


def big_episode(size: int, title: str) -> str:
    """Return a valid episode of about ``size`` bytes (a long body)."""
    return make_text(body="\n\n" + ("A paragraph of the episode's long notes.\n\n" * (size // 42)), title=title)


def blob_of(site, path: str) -> str:
    return site.git("rev-parse", f"HEAD:{path}")


def test_a_file_over_the_limit_is_refused_from_its_size_before_it_is_read(pulled, settings, reads):
    settings.EPISODES_MAX_FILE_BYTES = 200_000
    pulled.write("_podcast/huge.md", big_episode(300_000, "Huge"))
    pulled.write("_podcast/small.md", make_text(title="Small"))
    pulled.commit()
    size = len(pulled.read("_podcast/huge.md").encode())
    report = pull(pulled)
    lines = {line.path: str(line) for line in report.files}
    assert lines["_podcast/huge.md"] == (f"_podcast/huge.md:1: file is {size:,} bytes, over the 200,000-byte limit")
    assert lines["_podcast/small.md"] == "_podcast/small.md: created (small)"
    assert blob_of(pulled, "_podcast/huge.md") not in reads
    assert not Episode.objects.filter(slug="huge").exists()
    assert SiteFile.objects.get(path="_podcast/huge.md").problem.endswith("over the 200,000-byte limit")
    # Refused as it is: the next pull does not try it again until it changes.
    assert pull(pulled).files == []


def test_a_pull_holds_one_file_at_a_time(pulled):
    """Forty files of a megabyte cost about what four do: each is read when its import comes, then let go."""

    def pull_measured() -> int:
        tracemalloc.start()
        try:
            report = pull(pulled)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
            assert not report.problems, report.problems

    def add(names):
        for name in names:
            pulled.write(f"_podcast/{name}.md", big_episode(MB, name))
        pulled.commit()

    add([f"few-{i}" for i in range(4)])
    few = pull_measured()
    add([f"many-{i}" for i in range(40)])
    many = pull_measured()
    assert Episode.objects.filter(slug__startswith="many-").count() == 40
    # Holding the files would add 36 MB (their bytes alone); reading them one at a time adds none.
    assert many < few + 8 * MB, (few, many)


def test_symlinks_and_submodules_are_refused_and_the_rest_pulled(pulled, reads):
    # A link whose target text is a valid episode: git keeps that text as the link's blob.
    os.symlink(make_text(title="Linked"), pulled.path("_podcast/linked.md"))
    os.symlink("dataops-for-data-engineering.md", pulled.path("_podcast/alias.md"))
    pulled.replace(TRENDS, 'title: "', 'title: "Changed - ')
    pulled.git("add", "-A")
    # A submodule has no file in the working tree: staged in the index only (`git add -A` would drop it).
    pulled.git("update-index", "--add", "--cacheinfo", f"160000,{pulled.head()},_people/module.md")
    pulled.git("commit", "-q", "-m", "Links and a submodule")
    assert pulled.git("ls-tree", "HEAD", "_podcast/linked.md").startswith("120000 blob")
    report = pull(pulled)
    lines = {line.path: str(line) for line in report.files}
    assert lines == {
        "_podcast/linked.md": f"_podcast/linked.md:1: {upstream_module.ERR_SYMLINK}",
        "_podcast/alias.md": f"_podcast/alias.md:1: {upstream_module.ERR_SYMLINK}",
        "_people/module.md": f"_people/module.md:1: {upstream_module.ERR_SUBMODULE}",
        TRENDS: f"{TRENDS}: updated (trends-in-modern-data-engineering)",
    }
    assert not Episode.objects.filter(slug__in=["linked", "alias"]).exists()
    assert blob_of(pulled, "_podcast/linked.md") not in reads
    assert pull(pulled).files == []  # refused as they are

    # A first pull (every file compared) refuses them the same way.
    SiteFile.objects.all().delete()
    report = pull_again_from_scratch(pulled)
    assert {line.path for line in report.problems} == {"_podcast/linked.md", "_podcast/alias.md", "_people/module.md"}


def pull_again_from_scratch(site) -> site_sync.PullReport:
    from episodes.models import SiteState

    SiteState.objects.all().delete()
    return pull(site)


def test_every_file_a_push_writes_is_a_plain_file(pulled):
    pulled.path(DATAOPS).chmod(0o755)
    pulled.commit("An executable episode")
    assert not pull(pulled).problems  # a regular file, executable or not, is read
    edit_title("dataops-for-data-engineering", "Retitled")
    edit_title(S22_SLUG, "Retitled too")
    report = push(pulled)
    tree = pulled.git("ls-tree", report.commit, "_podcast/").splitlines()
    modes = {line.split("\t")[1]: line.split()[0] for line in tree}
    assert modes[DATAOPS] == "100644"
    assert modes[f"_podcast/{S22_SLUG}.md"] == "100644"
