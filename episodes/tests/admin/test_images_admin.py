"""The cover in the editor and the picture in the person admin: shown, warned about when no file is there,
replaced by an upload (and a bad upload refused with its message, nothing written)."""

import pytest
from django.urls import reverse
from PIL import Image

from episodes.documents import images
from episodes.models import Episode, Person
from episodes.tests.support import pictures
from episodes.tests.support.factories import make_editor, make_episode, make_person

pytestmark = pytest.mark.django_db


def change_url(episode):
    return reverse("admin:episodes_episode_change", args=[episode.pk])


def cover_url(episode):
    return reverse("admin:episodes_episode_cover", args=[episode.pk])


def test_the_editor_warns_of_a_missing_cover_and_uploads_a_new_one(admin_client, site_checkout):
    episode = make_episode(image="images/podcast/nowhere.jpg")
    page = admin_client.get(change_url(episode)).content.decode()
    warning = "images/podcast/nowhere.jpg is neither in the site checkout nor in the media storage"
    assert f"cover-found: the cover image {warning}" in page  # the warnings panel
    assert f"No file: {warning}" in page  # beside the field
    assert 'form="cover-upload"' in page and 'id="cover-upload"' in page

    response = admin_client.post(cover_url(episode), {"cover": pictures.upload(pictures.image_bytes())}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == change_url(episode)
    assert "The cover is now images/podcast/test-episode.jpg." in html
    assert "No file:" not in html and "cover-found" not in html
    assert 'src="/media/images/podcast/test-episode.jpg"' in html
    assert Episode.objects.get(pk=episode.pk).image == "images/podcast/test-episode.jpg"
    with Image.open(site_checkout / "images/podcast/test-episode.jpg") as kept:
        assert kept.size == (1280, 720)


def test_a_bad_cover_is_refused_on_the_page_and_nothing_is_written(admin_client, site_checkout):
    episode = make_episode()
    svg = pictures.upload(pictures.SVG_SCRIPT, "evil.svg", "image/svg+xml")
    html = admin_client.post(cover_url(episode), {"cover": svg}, follow=True).content.decode()
    assert "Cover not uploaded: evil.svg: an SVG drawing is not accepted: upload a JPEG, PNG or WebP image" in html
    assert Episode.objects.get(pk=episode.pk).version == episode.version
    assert not (site_checkout / "images").exists()
    html = admin_client.post(cover_url(episode), {}, follow=True).content.decode()
    assert "Choose a picture to upload as the cover." in html


def test_a_new_episode_has_no_upload_yet(admin_client):
    html = admin_client.get(reverse("admin:episodes_episode_add")).content.decode()
    assert 'name="image"' in html and 'name="cover"' not in html


def test_editors_upload_covers(client, site_checkout):
    episode = make_episode()
    client.force_login(make_editor())
    assert client.post(cover_url(episode), {"cover": pictures.upload(pictures.image_bytes())}).status_code == 302
    assert Episode.objects.get(pk=episode.pk).image == "images/podcast/test-episode.jpg"


def test_the_person_admin_shows_uploads_and_refuses_pictures(admin_client, site_checkout):
    person = make_person(picture="images/authors/gone.jpg")
    url = reverse("admin:episodes_person_change", args=[person.pk])
    page = admin_client.get(url).content.decode()
    assert "No file: images/authors/gone.jpg is neither in the site checkout nor in the media storage." in page
    assert 'enctype="multipart/form-data"' in page
    form = {"key": "janedoe", "name": "Jane Doe", "short": "", "picture": person.picture, "extra": ""}
    bad = admin_client.post(url, {**form, "picture_file": pictures.upload(pictures.png_bomb(), "bomb.png")})
    assert bad.status_code == 200 and "bomb.png: the image has far more pixels" in bad.content.decode()
    assert not (site_checkout / "images").exists()
    good = admin_client.post(url, {**form, "picture_file": pictures.upload(pictures.image_bytes((400, 600)))})
    assert good.status_code == 302
    assert Person.objects.get(pk=person.pk).picture == "images/authors/janedoe.jpg"
    with Image.open(site_checkout / "images/authors/janedoe.jpg") as kept:
        assert kept.size == (128, 128)
    page = admin_client.get(url).content.decode()
    assert 'src="/media/images/authors/janedoe.jpg"' in page and "No file:" not in page
    assert images.image_exists("images/authors/janedoe.jpg")
