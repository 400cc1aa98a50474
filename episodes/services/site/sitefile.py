"""The CMS's record of each file of the site's repository (:class:`~episodes.models.SiteFile`), and giving an
episode or a person a file's content: what a pull and the settling of a conflict share.
"""

from __future__ import annotations

from django.utils import timezone

from ...documents import database
from ...format import frontmatter as fm
from ...format import merge
from ...models import Episode, Person, SiteFile
from ...results import CREATED, FileResult
from ..editing import editing
from .repository import EPISODE, PERSON, Target, parse_text


def apply_document(obj: Episode | Person, doc: fm.Document, *, summary: str, user=None) -> None:
    """Give an episode or a person the content of ``doc`` as one edit (an episode keeps a revision)."""
    if isinstance(obj, Episode):
        rows = database.episode_rows(doc, slug=obj.slug)
        with editing(episode=obj, summary=summary, user=user) as edit:
            was_hidden = database.episode_hidden(edit.episode)
            database.replace_content(rows, episode=edit.episode)
            hidden = rows.episode.status == Episode.Status.DRAFT
            status = database.status_from_site(current=edit.episode.status, was_hidden=was_hidden, hidden=hidden)
            if status != edit.episode.status:
                edit.episode.status = status
                edit.episode.save(update_fields=["status"])
    else:
        Person.objects.filter(pk=obj.pk).update(**database.person_fields(doc))


PUSH_CLEARED = {"pushed_text": "", "pushed_blob": "", "pushed_version": None, "pushed_from": ""}


def pushed_arrived(site_file: SiteFile, raw: bytes | str) -> bool:
    """Tell whether the site's file ``raw`` has every change of the file as last pushed.

    (When the CMS ends up holding exactly the site's data, the pushed file is forgotten as well: the CMS has
    nothing left to publish from it.)

    True when merging the pushed file into the site's changes nothing (a merge commit, a squash or a rebase
    of the published branch all give that, whatever else the site changed since).
    """
    pushed = parse_text(site_file.pushed_text)
    theirs = parse_text(raw if isinstance(raw, str) else file_text(raw))
    if pushed is None or theirs is None:
        return False
    base = parse_text(site_file.text) if site_file.text else None
    outcome = merge.merge(base, pushed, theirs)
    return not outcome.conflicts and fm.same_document(outcome.doc, theirs)


def file_text(raw: bytes) -> str:
    """Return the text of a file's bytes as read from git (whatever its size)."""
    return fm.decode(raw, max_bytes=len(raw) + 1)[0]


def links(target: Target) -> dict:
    """Return the SiteFile fields that link a file's record to its episode or person."""
    pk = target.obj.pk if target.obj is not None else None
    return {"episode_id": pk if target.kind == EPISODE else None, "person_id": pk if target.kind == PERSON else None}


def cms_source_text(target: Target) -> str:
    """Return the file text the target's episode was last imported from or exported as ('' for none)."""
    return getattr(target.obj, "source_text", "") or ""


def in_step_version(target: Target) -> int | None:
    """Return the episode's version that last held the file's data, as far as is known."""
    if target.site_file is not None:
        return target.site_file.version
    return target.obj.synced_version if isinstance(target.obj, Episode) else None


def save_site_file(path: str, values: dict, *, clear: bool = True, fresh: bool = False) -> None:
    """Write the sync state of ``path``; ``clear`` also forgets a refusal or conflict of an earlier pull.

    ``fresh``: no row exists for the path, nor for its episode or person.
    """
    if clear:
        values = {"problem": "", "conflicts": [], "conflict_text": "", "conflict_blob": "", **values}
    if fresh:
        database.insert_rows(SiteFile, [{"path": path, **values}])
        return
    for link in ("episode_id", "person_id"):
        if values.get(link) is not None:
            # A file stands for one episode or person: an older row for it (an earlier name) lets go.
            SiteFile.objects.filter(**{link: values[link]}).exclude(path=path).update(**{link: None})
    updated = SiteFile.objects.filter(path=path).update(**values)
    if not updated:
        SiteFile.objects.create(path=path, **values)


def record_in_step(target: Target, blob: str, raw: bytes, imported: FileResult | None = None) -> None:
    """Record that the CMS now holds exactly this file's data (in the transaction of its import)."""
    if imported is not None:
        pk, version = imported.pk, imported.version
    elif target.kind == EPISODE:
        pk, version = Episode.objects.filter(pk=target.obj.pk).values_list("pk", "version").get()
    else:
        pk, version = target.obj.pk, None
    episode = target.kind == EPISODE
    values = {
        "episode_id": pk if episode else None,
        "person_id": None if episode else pk,
        "version": version if episode else None,
        "text": file_text(raw),
        "blob": blob,
        "upstream_blob": blob,
        "synced_at": timezone.now(),
        # The CMS holds the pulled file's data: whatever a branch still waiting has, the CMS has no more.
        **PUSH_CLEARED,
    }
    # A file new to the CMS for an object new to it (most of a first pull): one insert.
    fresh = target.site_file is None and (target.obj is None or imported is not None and imported.status == CREATED)
    save_site_file(target.path, values, fresh=fresh)


def record_problem(target: Target, blob: str, problem: str) -> None:
    """Record that the site's file ``blob`` was refused (``problem``: LINE: what is wrong), keeping the CMS's data."""
    values = {"problem": problem, "upstream_blob": blob, "conflicts": [], "conflict_text": "", "conflict_blob": ""}
    if target.site_file is None and target.obj is not None:
        values["episode_id" if target.kind == EPISODE else "person_id"] = target.obj.pk
    save_site_file(target.path, values, clear=False)


def as_pushed(site_file: SiteFile | None, size: int) -> bool:
    """Tell whether a file of ``size`` bytes may be the text last pushed (CRLF and a byte-order mark aside)."""
    if site_file is None or not site_file.pushed_text:
        return False
    text = site_file.pushed_text
    length = len(text.encode("utf-8"))
    return length <= size <= length + text.count("\n") + len("\ufeff".encode())


def same_text(raw: bytes, text: str) -> bool:
    """Tell whether the bytes ``raw`` are the file text ``text`` (as the CMS wrote it)."""
    try:
        return file_text(raw) == text
    except fm.FormatError:
        return False  # not UTF-8: not what the CMS wrote
