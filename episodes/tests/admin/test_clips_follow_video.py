"""Clips follow the video (issue 19): a YouTube id or link set or changed in the editor (the platform table)
gives every clip its url by the site's rule in the same revision; a warning lists clips without a url."""

import pytest

from episodes import services
from episodes.documents.revisions import snapshot
from episodes.format import frontmatter as fm
from episodes.models import Episode, PlatformRef, Revision
from episodes.selectors.checks import episode_findings
from episodes.tests.admin.test_editor_operations import as_the_script_sends_it, change_url, page_data
from episodes.tests.support.factories import export, make_episode

pytestmark = pytest.mark.django_db

OLD, NEW = "abcdefghijk", "NEWNEWNEW_1"
WATCH = "https://www.youtube.com/watch?v="
CLIPS = [
    {"name": "Intro", "startOffset": 5, "endOffset": 20},
    {"name": "Background", "startOffset": 20, "endOffset": 60},
]


def clips_of(episode) -> list:
    return fm.parse(export(episode)).front["quotableClips"]


def no_url_warnings(episode) -> list[str]:
    return [f.message for f in episode_findings(episode=Episode.objects.get(pk=episode.pk)) if f.rule == "clip-url"]


def test_setting_the_youtube_id_gives_every_clip_its_url_in_the_same_revision():
    episode = make_episode(ids={}, links={}, quotableClips=CLIPS)
    assert no_url_warnings(episode) == ["2 clips without a url (no link to the video): 'Intro', 'Background'"]
    revisions = Revision.objects.filter(episode=episode).count()
    saved = services.episode_save(
        episode=episode,
        lists={PlatformRef: [services.Row(PlatformRef(mapping="ids", platform="youtube", value=NEW))]},
        version=episode.version,
    )
    assert saved.what == ["platform ids and links", "quotableClips"]
    assert [clip["url"] for clip in clips_of(episode)] == [f"{WATCH}{NEW}&t=5", f"{WATCH}{NEW}&t=20"]
    assert Revision.objects.filter(episode=episode).count() == revisions + 1
    assert no_url_warnings(episode) == []


def test_another_platforms_link_leaves_the_clips_as_they_are():
    clips = [{**CLIPS[0], "url": f"{WATCH}{OLD}&t=7"}, {**CLIPS[1], "url": f"{WATCH}{OLD}&t=20"}]
    episode = make_episode(quotableClips=clips)
    row = services.Row(PlatformRef(mapping="links", platform="spotify", value="https://open.spotify.com/e/x"))
    kept = list(PlatformRef.objects.filter(episode=episode).order_by("mapping", "position"))
    saved = services.episode_save(
        episode=episode, lists={PlatformRef: [*(services.Row(ref) for ref in kept), row]}, version=episode.version
    )
    assert saved.what == ["platform ids and links"] and clips_of(episode) == clips


def test_changing_the_youtube_link_in_the_editor_moves_every_clip_to_the_new_video(admin_client):
    episode = make_episode(quotableClips=[{**CLIPS[0], "url": f"{WATCH}{OLD}&t=5"}, CLIPS[1]])
    data = as_the_script_sends_it(page_data(admin_client, episode))
    changed = 0
    for key, value in list(data.items()):
        if key.startswith("platform_refs-") and key.endswith("-value") and OLD in value:
            data[key] = value.replace(OLD, NEW)
            changed += 1
    assert changed == 2  # the id and the link, in the platform table
    response = admin_client.post(change_url(episode), {**data, "_continue": "1"})
    assert response.status_code == 302
    assert [clip["url"] for clip in clips_of(episode)] == [f"{WATCH}{NEW}&t=5", f"{WATCH}{NEW}&t=20"]
    latest = Revision.objects.filter(episode=episode).order_by("-pk").first()
    assert f"{WATCH}{NEW}&t=20" in snapshot(latest) and "quotableClips" in latest.summary
