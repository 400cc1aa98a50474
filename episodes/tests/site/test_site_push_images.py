"""A push commits the pictures the pushed episodes and people name, in the same commit, only when they changed."""

import pytest
from PIL import Image

from episodes.models import Episode, Person
from episodes.services import images as image_services
from episodes.services import site as site_sync
from episodes.tests.support import pictures
from episodes.tests.support.factories import needs_shared
from episodes.tests.support.siterepo import EPISODES, PEOPLE, make_site, push

pytestmark = [pytest.mark.django_db, needs_shared]

SLUG = EPISODES[0]
COVER = f"images/podcast/{SLUG}.jpg"


@pytest.fixture
def pulled(tmp_path, settings):
    site = make_site(tmp_path / "site", episodes=EPISODES, people=PEOPLE)
    settings.SITE_REPO = str(site.root)
    report = site_sync.site_pull(repo=str(site.root))
    assert not report.problems, report.problems
    return site


def upload_cover(color=(200, 30, 30)) -> str:
    episode = Episode.objects.get(slug=SLUG)
    return image_services.cover_upload(episode=episode, upload=pictures.upload(pictures.image_bytes(color=color)))


def tree(site, commit: str) -> dict[str, tuple[str, str]]:
    """Return {path: (mode, kind)} of every file in ``commit``."""
    out = site.git("ls-tree", "-r", commit)
    return {line.split("\t")[1]: tuple(line.split("\t")[0].split()[:2]) for line in out.splitlines()}


def test_an_uploaded_cover_is_committed_with_its_episode_as_a_plain_file(pulled, settings):
    settings.EPISODES_IMAGE_FORMAT = "webp"  # a path the file does not name yet: both change
    cover = COVER.replace(".jpg", ".webp")
    assert upload_cover() == cover
    report = push(pulled)
    assert report.commit
    files = tree(pulled, report.commit)
    assert files[cover] == ("100644", "blob") and files[f"_podcast/{SLUG}.md"] == ("100644", "blob")
    changed = pulled.git("diff-tree", "-r", "--name-only", "--no-commit-id", f"{report.commit}^", report.commit)
    assert sorted(changed.split()) == sorted([cover, f"_podcast/{SLUG}.md"])
    assert f"image: {cover}" in pulled.show(report.commit, f"_podcast/{SLUG}.md")
    assert pulled.git("cat-file", "-s", f"{report.commit}:{cover}") == str((pulled.root / cover).stat().st_size)
    assert "Images:\n- " + cover in report.message
    assert [(f.path, f.changes) for f in report.files if f.path == cover] == [(cover, ["new image"])]
    # Pushed: nothing more, the picture no more than the file.
    assert push(pulled).commit == ""


def test_a_cover_replaced_under_the_same_name_is_committed_alone_and_only_when_it_changed(pulled):
    upload_cover()
    first = push(pulled)
    assert COVER in tree(pulled, first.commit)
    (pulled.root / COVER).unlink()  # the same bytes come back with the merge
    pulled.git("merge", "-q", "--ff-only", first.branch)  # the site takes the CMS's branch
    site_sync.site_pull(repo=str(pulled.root))
    assert push(pulled).commit == ""  # the same picture: nothing to publish
    upload_cover(color=(0, 0, 250))  # replaced: the episode's file names the same path
    second = push(pulled)
    assert second.commit
    changed = pulled.git("diff-tree", "-r", "--name-only", "--no-commit-id", f"{second.commit}^", second.commit)
    assert changed.split() == [COVER]
    assert [(f.path, f.changes) for f in second.files] == [(COVER, ["image replaced"])]
    assert second.message.startswith("Update 1 image(s) from the CMS")


def test_a_picture_kept_in_media_storage_is_committed_once_there_is_a_checkout(pulled, settings):
    settings.SITE_REPO = ""
    settings.EPISODES_IMAGE_FORMAT = "png"  # a path the profile does not name yet
    person = Person.objects.get(key=PEOPLE[1])
    path = image_services.picture_upload(person=person, upload=pictures.upload(pictures.image_bytes((300, 300))))
    settings.SITE_REPO = str(pulled.root)
    report = push(pulled)
    assert tree(pulled, report.commit)[path] == ("100644", "blob")
    assert f'picture: "{path}"' in pulled.show(report.commit, f"_people/{PEOPLE[1]}.md")  # in the file's quotes


def test_a_dry_run_lists_the_picture_and_writes_nothing(pulled):
    upload_cover()
    objects = pulled.git("count-objects")
    report = push(pulled, dry_run=True)
    assert COVER in [f.path for f in report.files] and report.commit == ""
    assert pulled.git("count-objects") == objects
    with Image.open(pulled.root / COVER) as kept:
        assert kept.size == (1280, 720)


def test_a_replaced_picture_is_listed_by_the_status_and_the_publish_page_and_published_from_it(pulled, admin_client):
    upload_cover()
    first = push(pulled)
    (pulled.root / COVER).unlink()
    pulled.git("merge", "-q", "--ff-only", first.branch)
    site_sync.site_pull(repo=str(pulled.root))
    assert site_sync.site_status(repo=str(pulled.root)).pictures == []
    upload_cover(color=(0, 0, 250))
    status = site_sync.site_status(repo=str(pulled.root))
    assert status.pending == [] and status.pictures == [COVER]
    assert "A push would write 1 picture(s) replaced under the same name:" in status.lines()
    page = admin_client.get("/admin/episodes/publish/").content.decode()
    assert f'name="only" value="{COVER}"' in page and "Changes to publish (0 and 1 picture(s))" in page
    with pytest.raises(site_sync.SyncError, match="has nothing to publish"):
        push(pulled, only=["images/podcast/another.jpg"])
    report = push(pulled, only=[COVER])
    assert [f.path for f in report.files] == [COVER]
    assert site_sync.site_status(repo=str(pulled.root)).pictures == []  # the branch it grows holds it
