"""Images served from the site's checkout: only image files inside its images/ folder."""

import os

import pytest
from django.utils.http import http_date

from episodes.tests.support.factories import make_episode, make_person

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0fake jpeg"


@pytest.fixture
def checkout(tmp_path, settings):
    root = tmp_path / "site"
    (root / "images" / "authors").mkdir(parents=True)
    (root / "images" / "podcast").mkdir()
    (root / "images" / "authors" / "janedoe.jpg").write_bytes(JPEG)
    (root / "images" / "podcast" / "test.jpg").write_bytes(JPEG)
    (root / "images" / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    (root / "images" / "notes.txt").write_text("not an image")
    (root / "secret.jpg").write_bytes(b"outside images/")
    (tmp_path / "elsewhere.jpg").write_bytes(b"outside the checkout")
    os.symlink(tmp_path / "elsewhere.jpg", root / "images" / "link.jpg")
    settings.SITE_REPO = str(root)
    return root


def test_an_image_of_the_checkout_is_served(client, checkout):
    response = client.get("/media/images/authors/janedoe.jpg")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == JPEG
    modified = response["Last-Modified"]
    assert client.get("/media/images/authors/janedoe.jpg", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304


@pytest.mark.parametrize(
    "path",
    [
        "/media/images/../secret.jpg",
        "/media/images/%2e%2e/secret.jpg",
        "/media/images/link.jpg",
        "/media/images/notes.txt",
        "/media/secret.jpg",
        "/media/_people/janedoe.md",
        "/media/images/missing.jpg",
        "/media/images/",
    ],
)
def test_nothing_outside_the_images_folder_and_nothing_but_images(client, checkout, path):
    assert client.get(path).status_code == 404


def test_svg_runs_nothing(client, checkout):
    response = client.get("/media/images/logo.svg")
    assert response.status_code == 200 and "sandbox" in response["Content-Security-Policy"]


def test_without_a_checkout_there_are_no_images(client, settings, checkout):
    settings.SITE_REPO = ""
    assert client.get("/media/images/authors/janedoe.jpg").status_code == 404


def test_the_public_pages_show_the_checkout_s_pictures(client, checkout):
    make_person("janedoe", "Jane Doe", picture="images/authors/janedoe.jpg")
    make_episode("test-episode")
    html = client.get("/episodes/test-episode/").content.decode()
    assert 'src="/media/images/authors/janedoe.jpg"' in html
    assert client.get("/media/images/authors/janedoe.jpg").status_code == 200
    assert client.get("/media/images/podcast/test.jpg", HTTP_IF_MODIFIED_SINCE=http_date(0)).status_code == 200


def test_paths_are_resolved_before_they_are_checked(checkout):
    from episodes.images import image_path

    assert image_path("images/authors/janedoe.jpg") == str(checkout / "images" / "authors" / "janedoe.jpg")
    for path in ("images/../secret.jpg", "images/authors/../../secret.jpg", "images/link.jpg", "images/x\x00.jpg"):
        assert image_path(path) is None, path
