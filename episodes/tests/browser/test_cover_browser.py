"""A cover in Chromium: the editor warns that the episode's cover is missing, the editor uploads one, the
warning goes, and the public page shows the new cover at the site's size."""

import pytest

from episodes.models import Episode
from episodes.tests.browser.test_editor_browser import _serious
from episodes.tests.support import pictures
from episodes.tests.support.editing import editor_session
from episodes.tests.support.factories import make_episode

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("checkout", [False, True], ids=["media", "checkout"])
def test_an_editor_uploads_a_cover_and_the_public_page_shows_it(
    browser, live_server, editor_login, tmp_path, settings, checkout
):
    if checkout:
        (tmp_path / "site").mkdir()
    settings.SITE_REPO = str(tmp_path / "site") if checkout else ""
    episode = make_episode("cover-test", image="images/podcast/nowhere.jpg")
    upload = tmp_path / "photo.png"
    upload.write_bytes(pictures.image_bytes((1600, 1200), fmt="PNG"))
    session = editor_session(browser, live_server, *editor_login)
    page = session.page
    page.goto(f"{live_server.url}/admin/episodes/episode/{episode.pk}/change/")
    field = page.locator(".image-path")
    assert "No file: images/podcast/nowhere.jpg is neither in the site checkout nor in the media storage" in (
        field.inner_text()
    )
    assert "cover-found" in page.locator("#panel-warnings").inner_text()

    field.locator("input[type=file]").set_input_files(str(upload))
    field.get_by_role("button", name="Upload cover").click()
    page.wait_for_url(f"**/admin/episodes/episode/{episode.pk}/change/")
    assert "The cover is now images/podcast/cover-test.jpg." in page.locator(".messagelist").inner_text()
    assert "No file:" not in page.locator(".image-path").inner_text()
    assert page.locator("#id_image").input_value() == "images/podcast/cover-test.jpg"
    assert "cover-found" not in page.locator("#panel-warnings").inner_text()
    preview = page.locator(".image-path .image-preview img")
    assert preview.evaluate("img => img.complete && img.naturalWidth") == 1280
    assert not _serious(page), _serious(page)
    assert Episode.objects.get(pk=episode.pk).image == "images/podcast/cover-test.jpg"

    page.goto(f"{live_server.url}/episodes/cover-test/")
    cover = page.locator("img[src$='images/podcast/cover-test.jpg']")
    assert cover.count() == 1
    assert cover.evaluate("img => [img.complete, img.naturalWidth, img.naturalHeight]") == [True, 1280, 720]
    assert not session.problems, session.problems
    session.close()
