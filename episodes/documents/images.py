"""Pictures as files: an upload checked and re-encoded with Pillow, and where an ``images/...`` path is kept.

An episode's cover (``images/podcast/<slug>.jpg``) and a person's picture (``images/authors/<key>.jpg``) live
in the site checkout (``SITE_REPO``) when there is one, else in Django's media storage (``MEDIA_ROOT``) under
the same path. An upload is refused, with nothing written, when it is over ``EPISODES_IMAGE_MAX_BYTES`` (told
before it is read), not a JPEG, PNG or WebP image (an SVG drawing is not one), over
``EPISODES_IMAGE_MAX_PIXELS`` (told from its header, before anything is decoded), or damaged or cut short.
What is kept is the picture cropped to the site's proportions and scaled to the site's size, in the site's
format (``EPISODES_COVER_SIZE``, ``EPISODES_PICTURE_SIZE``, ``EPISODES_IMAGE_FORMAT``).
"""

from __future__ import annotations

import io
import os
import struct
import tempfile
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from PIL import Image, ImageOps, UnidentifiedImageError

FOLDER = "images"
COVERS, PICTURES = "images/podcast", "images/authors"
ACCEPTED = ("JPEG", "PNG", "WEBP")  # what Pillow may open an upload as: nothing else is even tried
EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF")  # how JPEG, PNG and WebP (RIFF....WEBP) start
CHUNK = 1024 * 1024
BAND_ROWS = 128  # rows of the shrunk picture made at a time from a picture with transparency
WEBP_SHARE = 4  # a WebP may have this fraction of EPISODES_IMAGE_MAX_PIXELS (see reencode)

ERR_TOO_BIG = "{name}: the file is {size:.1f} MB, over the {limit:.0f} MB an image may be"
ERR_EMPTY = "{name}: the file is empty"
ERR_SVG = "{name}: an SVG drawing is not accepted: upload a JPEG, PNG or WebP image"
ERR_NOT_IMAGE = "{name}: not a JPEG, PNG or WebP image"
ERR_TOO_MANY_PIXELS = "{name}: the image is {width} × {height} pixels, over the {limit:,} pixels {kind} may have"
ERR_FAR_TOO_MANY_PIXELS = "{name}: the image has far more pixels than the {limit:,} an image may have"
ERR_DAMAGED = "{name}: the image is damaged or cut short ({what})"
ERR_FORMAT_SETTING = "EPISODES_IMAGE_FORMAT must be one of jpeg, png, webp, not {value!r}"
ERR_SIZE_SETTING = "{name} must be WIDTHxHEIGHT in pixels, e.g. 1280x720, not {value!r}"


class ImageRefused(ValueError):
    """An upload that is not kept; the message names the file and says why, for the editor."""


@dataclass(frozen=True)
class Kind:
    """What a picture is for: the folder it is kept in and the size it is kept at."""

    folder: str
    size: tuple[int, int]


def image_format() -> str:
    """Return the format pictures are kept in (Pillow's name: JPEG, PNG or WEBP)."""
    value = str(getattr(settings, "EPISODES_IMAGE_FORMAT", "jpeg"))
    name = value.strip().upper().replace("JPG", "JPEG")
    if name not in ACCEPTED:
        raise ValueError(ERR_FORMAT_SETTING.format(value=value))
    return name


def extension() -> str:
    return EXTENSIONS[image_format()]


def _size(name: str, default: str) -> tuple[int, int]:
    value = str(getattr(settings, name, default))
    width, _, height = value.lower().partition("x")
    if not (width.strip().isdigit() and height.strip().isdigit()) or not int(width) or not int(height):
        raise ValueError(ERR_SIZE_SETTING.format(name=name, value=value))
    return int(width), int(height)


def cover_kind() -> Kind:
    return Kind(COVERS, _size("EPISODES_COVER_SIZE", "1280x720"))


def picture_kind() -> Kind:
    return Kind(PICTURES, _size("EPISODES_PICTURE_SIZE", "128x128"))


def path_for(kind: Kind, name: str) -> str:
    """Return the image path a picture of ``name`` (a slug or a person's key) is kept at."""
    return f"{kind.folder}/{name}{extension()}"


# -- checking and re-encoding an upload -------------------------------------------------------------


def read_upload(upload, *, name: str = "", max_bytes: int | None = None) -> bytes:
    """Return the bytes of an uploaded file (``.size`` and ``.chunks()``, or a binary stream).

    Its stated size is checked before anything is read, and what is read stops past ``max_bytes`` (a
    stream may say nothing of its size, or not the truth).
    """
    max_bytes = settings.EPISODES_IMAGE_MAX_BYTES if max_bytes is None else max_bytes
    name = name or getattr(upload, "name", "") or "image"
    stated = getattr(upload, "size", None)
    if stated is not None and stated > max_bytes:
        raise ImageRefused(ERR_TOO_BIG.format(name=name, size=stated / CHUNK, limit=max_bytes / CHUNK))
    buffer = io.BytesIO()
    chunks = upload.chunks(CHUNK) if hasattr(upload, "chunks") else iter(lambda: upload.read(CHUNK), b"")
    for chunk in chunks:
        buffer.write(chunk)
        if buffer.tell() > max_bytes:
            raise ImageRefused(ERR_TOO_BIG.format(name=name, size=buffer.tell() / CHUNK, limit=max_bytes / CHUNK))
    if not buffer.tell():
        raise ImageRefused(ERR_EMPTY.format(name=name))
    return buffer.getvalue()


def _looks_like_svg(data: bytes) -> bool:
    if data.startswith(MAGIC):
        return False  # a picture's own metadata (XMP) may well mention <svg
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!doctype svg", b"<!--")) or b"<svg" in head[:1024]


def reencode(data: bytes, kind: Kind, *, name: str = "image", max_pixels: int | None = None) -> bytes:
    """Return ``data`` (a JPEG, PNG or WebP image) cropped to ``kind``'s proportions, scaled to its size and
    encoded in the site's format; raise ImageRefused saying what is wrong with it.

    The pixel count is read from the header and checked before anything is decoded; a JPEG is decoded at
    the smallest scale that still covers the size (its draft mode), so a large photo never fills memory.
    """
    max_pixels = settings.EPISODES_IMAGE_MAX_PIXELS if max_pixels is None else max_pixels
    out_format = image_format()  # a setting that is wrong says so here, not as a damaged upload
    if _looks_like_svg(data):
        raise ImageRefused(ERR_SVG.format(name=name))
    try:
        with warnings.catch_warnings():
            # Pillow's own guard (MAX_IMAGE_PIXELS) only warns below twice its limit: ours refuses first.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ACCEPTED) as image:
                width, height = image.size
                limit, what = _pixel_limit(image, max_pixels)
                if width * height > limit:
                    raise ImageRefused(
                        ERR_TOO_MANY_PIXELS.format(name=name, width=width, height=height, limit=limit, kind=what)
                    )
                return _fitted(image, kind.size, out_format)
    except ImageRefused:
        raise
    except UnidentifiedImageError:
        raise ImageRefused(ERR_NOT_IMAGE.format(name=name)) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own guard, in Image.open, before our look at the size: more than MAX_IMAGE_PIXELS.
        raise ImageRefused(ERR_FAR_TOO_MANY_PIXELS.format(name=name, limit=max_pixels)) from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, struct.error) as exc:
        # Pillow says "image file is truncated", "broken data stream", ... for a file cut short or mangled.
        raise ImageRefused(ERR_DAMAGED.format(name=name, what=str(exc) or type(exc).__name__)) from None


def _pixel_limit(image: Image.Image, max_pixels: int) -> tuple[int, str]:
    """Return the most pixels ``image`` may have, and what it is called in the message.

    The limit is for pictures of three bytes a pixel: one with transparency (four) may have three quarters of
    it, a WebP a quarter (Pillow decodes it through three buffers of the whole picture), so that decoding
    any of them takes about the same memory.
    """
    if image.format == "WEBP":
        return max_pixels // WEBP_SHARE, "a WebP image"
    if "A" in image.mode or "transparency" in image.info:
        return max_pixels * 3 // 4, "an image with transparency"
    return max_pixels, "an image"


def _crop_box(width: int, height: int, size: tuple[int, int]) -> tuple[float, float, float, float]:
    """Return the centred part of a ``width`` × ``height`` image with the proportions of ``size``."""
    target = size[0] / size[1]
    if width / height > target:
        kept = height * target
        return ((width - kept) / 2, 0, (width + kept) / 2, height)
    kept = width / target
    return (0, (height - kept) / 2, width, (height + kept) / 2)


def _fitted(image: Image.Image, size: tuple[int, int], out_format: str) -> bytes:
    if image.format == "JPEG":
        # Decode at 1/2, 1/4 or 1/8 scale when that still covers the size: a fraction of the memory.
        image.draft("RGB", size)
    image.seek(0)  # the first frame of an animation
    image.load()
    ImageOps.exif_transpose(image, in_place=True)  # in place: no copy of a picture that is upright already
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if "transparency" in image.info or "A" in image.mode else "RGB")
    left, top, right, bottom = _crop_box(image.width, image.height, size)
    # Shrink the crop by a whole factor first (only the small result is allocated, and the decoded picture is
    # let go before the fine resampling), keeping half as much again as the size for the resampling.
    factor = int(min((right - left) / size[0], (bottom - top) / size[1]) / 1.5)
    if factor >= 2:
        box = (int(left), int(top), int(right), int(bottom))
        image, decoded = _reduced(image, factor, box), image
        decoded.close()
        del decoded
        resized = image.resize(size, Image.Resampling.LANCZOS)
    else:
        resized = image.resize(size, Image.Resampling.LANCZOS, box=(left, top, right, bottom))
    image.close()
    del image
    if out_format == "JPEG":
        resized = _flattened(resized)
    elif resized.mode in ("L", "LA"):
        resized = resized.convert("RGBA" if resized.mode == "LA" else "RGB")
    buffer = io.BytesIO()
    options = {"quality": int(getattr(settings, "EPISODES_IMAGE_QUALITY", 85))}
    if out_format == "JPEG":
        options.update(optimize=True, progressive=True)
    elif out_format == "PNG":
        options = {"optimize": True}
    resized.save(buffer, format=out_format, **options)
    return buffer.getvalue()


def _reduced(image: Image.Image, factor: int, box: tuple[int, int, int, int]) -> Image.Image:
    """Return the ``box`` of ``image`` shrunk ``factor`` times; a picture with transparency a band of rows
    at a time, as Pillow premultiplies a copy of the whole picture to shrink it."""
    if image.mode not in ("RGBA", "LA"):
        return image.reduce(factor, box=box)
    left, top, right, bottom = box
    out = Image.new(image.mode, ((right - left) // factor, (bottom - top) // factor))
    step, end = factor * BAND_ROWS, top + out.height * factor
    for y in range(top, end, step):
        band = image.crop((left, y, left + out.width * factor, min(y + step, end)))
        out.paste(band.reduce(factor), (0, (y - top) // factor))
    return out


def _flattened(image: Image.Image) -> Image.Image:
    """Return ``image`` in RGB, transparent parts on white (JPEG has no transparency)."""
    if image.mode in ("RGBA", "LA"):
        background = Image.new("RGB", image.size, "white")
        background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        return background
    return image.convert("RGB")


# -- where a path is kept ---------------------------------------------------------------------------


def checkout_file(path: str, root: str | None = None) -> str | None:
    """Return the file of the site checkout (``root``, else SITE_REPO) that ``path`` (``images/...``) names,
    if it is an image file inside the checkout's ``images/`` folder; None otherwise.

    Resolved, so that neither ``..`` nor a symbolic link leads out of the folder.
    """
    root = root if root is not None else getattr(settings, "SITE_REPO", "")
    full = _inside(root, path) if root else None
    return full if full is not None and os.path.isfile(full) else None


def _inside(root: str, path: str) -> str | None:
    if not path.startswith(f"{FOLDER}/") or "\x00" in path:
        return None
    folder = os.path.realpath(os.path.join(root, FOLDER))
    full = os.path.realpath(os.path.join(root, path))
    if os.path.commonpath([folder, full]) != folder or full == folder:
        return None
    return full


def media_storage():
    return storages["default"]


def in_media(path: str) -> bool:
    """Tell whether Django's media storage holds ``path`` (``images/...``)."""
    if not path.startswith(f"{FOLDER}/") or "\x00" in path or ".." in path.split("/"):
        return False
    try:
        return media_storage().exists(path)
    except (OSError, ValueError, SuspiciousFileOperation):
        return False  # a name the storage cannot hold is not there


def image_exists(path: str, root: str | None = None) -> bool:
    """Tell whether an image path of a front matter is a file of the site checkout or of the media storage.

    Addresses of other sites (``https://...``) are not ours to check: they count as found.
    """
    path = (path or "").strip()
    if "://" in path or path.startswith("//"):
        return True
    path = path.lstrip("/")
    return checkout_file(path, root) is not None or in_media(path)


def store(path: str, data: bytes) -> str:
    """Write ``data`` as the image ``path``: into the site checkout (SITE_REPO) if there is one, else into the
    media storage; return where (a file name, or ``media:`` and the storage's name)."""
    root = getattr(settings, "SITE_REPO", "")
    if root:
        full = _inside(root, path)
        if full is None:
            raise ImageRefused(f"{path}: not a path inside the site checkout's {FOLDER}/ folder")
        os.makedirs(os.path.dirname(full), exist_ok=True)
        # Written whole beside its place, then moved over it: a reader never sees half a picture.
        handle, temporary = tempfile.mkstemp(dir=os.path.dirname(full), prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as f:
                f.write(data)
            os.chmod(temporary, 0o644)
            os.replace(temporary, full)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise
        return full
    storage = media_storage()
    if storage.exists(path):
        storage.delete(path)  # a storage gives a taken name another: the path must stay the one the field names
    saved = storage.save(path, ContentFile(data))
    if saved != path:
        storage.delete(saved)
        raise ImageRefused(f"{path}: the media storage kept it as {saved}; try again")
    return f"media:{saved}"
