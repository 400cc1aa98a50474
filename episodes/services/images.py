"""An episode's cover and a person's picture from an upload: checked, re-encoded, kept, and named by the
episode's ``image`` or the person's ``picture`` (see :mod:`episodes.documents.images` for where and how)."""

from __future__ import annotations

from ..documents import images
from ..models import Episode, Person
from .editing import ServiceError, editing

SUMMARY_COVER = "cover image uploaded ({path})"


def image_prepare(*, upload, kind: images.Kind, name: str = "") -> bytes:
    """Return the upload as it would be kept (cropped, scaled, re-encoded); raise ServiceError saying why not."""
    name = name or getattr(upload, "name", "") or "image"
    try:
        return images.reencode(images.read_upload(upload, name=name), kind, name=name)
    except images.ImageRefused as exc:
        raise ServiceError(str(exc)) from None


def cover_save(*, episode: Episode, data: bytes, user=None) -> str:
    """Keep ``data`` (as :func:`image_prepare` made it) as the episode's cover and name it in ``image``, in one
    revision; return the path."""
    path = images.path_for(images.cover_kind(), episode.slug)
    with editing(episode=episode, user=user, summary=SUMMARY_COVER.format(path=path)) as change:
        if change.episode.image != path:
            Episode.objects.filter(pk=episode.pk).update(image=path)
            change.episode.image = path
        # Written last: should it fail, the transaction is undone and the field names no missing file.
        _store(path, data)
    episode.image = path
    return path


def cover_upload(*, episode: Episode, upload, user=None) -> str:
    """Check and re-encode an uploaded cover, keep it and name it in the episode's ``image``; return the path."""
    data = image_prepare(upload=upload, kind=images.cover_kind())
    return cover_save(episode=episode, data=data, user=user)


def picture_save(*, person: Person, data: bytes) -> str:
    """Keep ``data`` (as :func:`image_prepare` made it) as the person's picture and name it in ``picture``."""
    path = images.path_for(images.picture_kind(), person.key)
    _store(path, data)
    if person.picture != path:
        person.picture = path
        if person.pk:
            Person.objects.filter(pk=person.pk).update(picture=path)
    return path


def picture_upload(*, person: Person, upload) -> str:
    """Check and re-encode an uploaded picture, keep it and name it in the person's ``picture``."""
    return picture_save(person=person, data=image_prepare(upload=upload, kind=images.picture_kind()))


def _store(path: str, data: bytes) -> None:
    try:
        images.store(path, data)
    except (images.ImageRefused, OSError) as exc:
        raise ServiceError(f"{path}: the image could not be written ({exc})") from exc
