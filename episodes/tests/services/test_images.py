"""Covers and pictures from uploads: re-encoded at the site's size and format, kept in the site checkout or
the media storage, and refused with a message (nothing written) when they are not pictures we can take."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from episodes import services
from episodes.documents import images
from episodes.documents.revisions import snapshot
from episodes.models import Episode, Revision
from episodes.services import images as image_services
from episodes.tests.support import pictures
from episodes.tests.support.factories import make_episode, make_person

pytestmark = pytest.mark.django_db


def written(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_a_cover_goes_to_the_checkout_at_the_sites_size_and_format_in_one_revision(site_checkout):
    episode = make_episode(image="")
    revisions = Revision.objects.filter(episode=episode).count()
    path = image_services.cover_upload(episode=episode, upload=pictures.upload(pictures.image_bytes((3000, 2000))))
    assert path == "images/podcast/test-episode.jpg"
    with Image.open(site_checkout / path) as kept:
        assert (kept.format, kept.size, kept.mode) == ("JPEG", (1280, 720), "RGB")
    episode = Episode.objects.get(pk=episode.pk)
    assert episode.image == path and episode.version == 2
    assert Revision.objects.filter(episode=episode).count() == revisions + 1
    assert "image: images/podcast/test-episode.jpg" in snapshot(Revision.objects.filter(episode=episode).first())


@pytest.mark.parametrize(("fmt", "mode"), [("PNG", "RGBA"), ("WEBP", "RGB"), ("JPEG", "L")])
def test_png_webp_and_grey_jpeg_are_taken_and_kept_as_the_sites_jpeg(site_checkout, fmt, mode):
    data = pictures.image_bytes((800, 800), fmt=fmt, mode=mode, color=(90, 90, 90) if mode != "L" else 90)
    path = image_services.cover_upload(episode=make_episode(), upload=pictures.upload(data, f"c.{fmt.lower()}"))
    with Image.open(site_checkout / path) as kept:
        assert (kept.format, kept.size) == ("JPEG", (1280, 720))


def test_the_crop_is_centred_and_the_size_and_format_are_settings(site_checkout, settings):
    settings.EPISODES_COVER_SIZE = "300x300"
    settings.EPISODES_IMAGE_FORMAT = "png"
    path = image_services.cover_upload(episode=make_episode(), upload=pictures.upload(pictures.image_bytes((900, 300))))
    assert path == "images/podcast/test-episode.png"
    with Image.open(site_checkout / path) as kept:
        assert (kept.format, kept.size) == ("PNG", (300, 300))
        # The dark band on the left tenth of the upload is cropped away: the middle third is kept.
        assert kept.convert("RGB").getpixel((2, 150))[0] > 150


def test_without_a_checkout_the_cover_goes_to_media_storage_and_the_public_page_shows_it(client, settings):
    settings.SITE_REPO = ""
    episode = make_episode(status="published")
    path = image_services.cover_upload(episode=episode, upload=pictures.upload(pictures.image_bytes()))
    assert images.in_media(path) and images.image_exists(path)
    page = client.get(f"/episodes/{episode.slug}/").content.decode()
    assert f'src="/media/{path}"' in page
    served = client.get(f"/media/{path}")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(b"".join(served.streaming_content))).size == (1280, 720)


def test_a_second_upload_replaces_the_first_under_the_same_name(settings):
    settings.SITE_REPO = ""
    episode = make_episode()
    for color in ((255, 0, 0), (0, 0, 255)):
        data = pictures.image_bytes(color=color)
        image_services.cover_upload(episode=Episode.objects.get(pk=episode.pk), upload=pictures.upload(data))
    storage = images.media_storage()
    assert storage.listdir("images/podcast")[1] == ["test-episode.jpg"]
    with storage.open("images/podcast/test-episode.jpg") as f, Image.open(f) as kept:
        assert kept.convert("RGB").getpixel((640, 360))[2] > 200


def test_a_person_picture_is_cropped_square_into_images_authors(site_checkout):
    person = make_person(picture="")
    path = image_services.picture_upload(person=person, upload=pictures.upload(pictures.image_bytes((500, 300))))
    assert path == "images/authors/janedoe.jpg"
    person.refresh_from_db()
    assert person.picture == path
    with Image.open(site_checkout / path) as kept:
        assert (kept.format, kept.size) == ("JPEG", (128, 128))


class HugeUpload:
    """An upload that says it is 60 MB and fails the test if anything reads it."""

    name = "huge.jpg"
    size = 60 * 1024 * 1024

    def chunks(self, chunk_size=None):
        raise AssertionError("a file over the limit was read")


BAD = [
    ("60 MB", HugeUpload(), "is 60.0 MB, over the 10 MB an image may be"),
    ("text named .jpg", pictures.upload(b"just text, not a picture\n" * 10, "fake.jpg"), "not a JPEG, PNG or WebP"),
    ("SVG", pictures.upload(pictures.SVG, "drawing.svg", "image/svg+xml"), "an SVG drawing is not accepted"),
    ("SVG with script", pictures.upload(pictures.SVG_SCRIPT, "x.png", "image/png"), "an SVG drawing is not accepted"),
    ("GIF", pictures.upload(pictures.image_bytes(fmt="GIF", mode="P", color=1), "a.gif"), "not a JPEG, PNG or WebP"),
    ("bomb", pictures.upload(pictures.png_bomb(), "bomb.png"), "far more pixels than the 20,000,000"),
    ("big bomb", pictures.upload(pictures.png_bomb(6000, 5000), "b.png"), "6000 × 5000 pixels, over the 20,000,000"),
    (
        "WebP over its share",
        pictures.upload(pictures.image_bytes((2600, 2000), fmt="WEBP"), "big.webp"),
        "2600 × 2000 pixels, over the 5,000,000 pixels a WebP image may have",
    ),
    (
        "transparency over its share",
        pictures.upload(pictures.png_bomb(5000, 3500, alpha=True), "alpha.png"),
        "over the 15,000,000 pixels an image with transparency may have",
    ),
    ("truncated", pictures.upload(pictures.image_bytes()[:3000], "cut.jpg"), "damaged or cut short"),
    ("truncated PNG", pictures.upload(pictures.image_bytes(fmt="PNG")[:400], "cut.png"), "damaged or cut short"),
    ("empty", pictures.upload(b"", "empty.jpg"), "the file is empty"),
]


@pytest.mark.parametrize(("what", "upload", "message"), BAD, ids=[b[0] for b in BAD])
@pytest.mark.parametrize("where", ["checkout", "media"])
def test_bad_uploads_are_refused_with_a_message_and_nothing_is_written(
    what, upload, message, where, tmp_path, settings
):
    root = tmp_path / "site"
    root.mkdir()
    settings.SITE_REPO = str(root) if where == "checkout" else ""
    episode = make_episode(image="images/podcast/old.jpg")
    person = make_person(picture="images/authors/old.jpg")
    if hasattr(upload, "seek"):
        upload.seek(0)
    with pytest.raises(services.ServiceError) as refused:
        image_services.cover_upload(episode=episode, upload=upload)
    assert message in str(refused.value) and upload.name in str(refused.value)
    if hasattr(upload, "seek"):
        upload.seek(0)
    with pytest.raises(services.ServiceError, match=message.split(" ")[0]):
        image_services.picture_upload(person=person, upload=upload)
    episode.refresh_from_db()
    person.refresh_from_db()
    assert (episode.image, episode.version, person.picture) == ("images/podcast/old.jpg", 1, "images/authors/old.jpg")
    assert written(root) == []
    assert not images.media_storage().exists("images")


def test_a_stream_that_understates_its_size_is_cut_off_at_the_limit(settings):
    settings.EPISODES_IMAGE_MAX_BYTES = 1000
    stream = io.BytesIO(pictures.image_bytes())
    stream.name = "liar.jpg"
    with pytest.raises(images.ImageRefused, match="over the 0 MB"):
        images.read_upload(stream)


def test_a_file_that_fails_on_writing_leaves_the_field_as_it_was(site_checkout):
    (site_checkout / "images").write_text("a file where the folder should be")
    episode = make_episode(image="images/podcast/old.jpg")
    with pytest.raises(services.ServiceError, match="could not be written"):
        image_services.cover_upload(episode=episode, upload=pictures.upload(pictures.image_bytes()))
    episode.refresh_from_db()
    assert (episode.image, episode.version) == ("images/podcast/old.jpg", 1)


def test_a_photo_taken_sideways_is_kept_upright(site_checkout):
    # Stored 900 wide and 1600 high with its dark band along the top, and EXIF orientation 6 (turn it 90°
    # clockwise to view): viewed, it is 1600 × 900 with the band down the right edge.
    image = Image.new("RGB", (900, 1600), (200, 30, 30))
    image.paste((10, 10, 10), (0, 0, 900, 160))
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    path = image_services.cover_upload(episode=make_episode(), upload=pictures.upload(buffer.getvalue()))
    with Image.open(site_checkout / path) as kept:
        assert kept.size == (1280, 720)
        assert kept.getpixel((1275, 360))[0] < 60 and kept.getpixel((5, 360))[0] > 150


def test_a_wrong_format_setting_says_so_rather_than_blaming_the_upload(settings):
    settings.EPISODES_IMAGE_FORMAT = "gif"
    with pytest.raises(ValueError, match="EPISODES_IMAGE_FORMAT must be one of jpeg, png, webp, not 'gif'"):
        images.reencode(pictures.image_bytes(), images.cover_kind())
