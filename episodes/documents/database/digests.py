"""Each episode's transcript digest for the suggestion prompts (``format.transcript_digest``): stored when the
transcript is written, read by the batches.

An import or a pull (:func:`save_episode_rows`) stores it with the version it gives the episode. The editing
unit of work (every operation, save, intake and revert) gives the episode a new version without storing one:
a query more would take the editor's one-turn save past its budget. A digest of any other version than the
episode's is stale and never used: :func:`digests_read` makes it again from the items and stores it, so a
write that did not refresh it costs the next batch time, never a wrong prompt.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from ...format.transcript_digest import Digest, digest_dump, digest_load, digest_of_rows
from ...models import Episode, PromptDigest, TranscriptItem

DIGEST_COLUMNS = ("kind", "text", "who", "sec", "time")  # what a digest is made from, in digest_of_rows's order


def digest_save(episode: Episode, items: Sequence[Sequence]) -> Digest:
    """Store the digest of ``items`` (ItemRow tuples, in order), the transcript ``episode`` has at its version."""
    digest = digest_of_rows(item[1:6] for item in items)
    _store({episode.pk: (episode.version, digest)})
    return digest


def digests_read(episodes: Sequence[Episode]) -> dict[int, Digest]:
    """Return the digest of each of ``episodes`` (by id) at the version read with it: the stored one, else one
    made from its items now, and stored (one query, three when any is missing or stale)."""
    versions = {episode.pk: episode.version for episode in episodes}
    found: dict[int, Digest] = {}
    stored = PromptDigest.objects.filter(episode__in=list(versions))
    for pk, version, text, data in stored.values_list("episode_id", "version", "text", "data"):
        if version == versions[pk]:
            with contextlib.suppress(ValueError):  # made by another format: made again below
                found[pk] = digest_load(text, data)
    stale = [pk for pk in versions if pk not in found]
    if stale:
        # The version stored with each is the one read before its items: if they changed since, it is older than
        # theirs, so the digest is stale when next read.
        rows: dict[int, list] = {pk: [] for pk in stale}
        items = TranscriptItem.objects.filter(episode__in=stale).order_by("episode_id", "position")
        for owner, *row in items.values_list("episode_id", *DIGEST_COLUMNS).iterator(chunk_size=5000):
            rows[owner].append(row)
        made = {pk: digest_of_rows(rows[pk]) for pk in stale}
        _store({pk: (versions[pk], digest) for pk, digest in made.items()})
        found.update(made)
    return found


def _store(digests: dict[int, tuple[int, Digest]]) -> None:
    """Write digests by episode id, each with the version it was made from, over any stored (one query)."""
    rows = []
    for pk, (version, digest) in digests.items():
        text, data = digest_dump(digest)
        rows.append(PromptDigest(episode_id=pk, version=version, text=text, data=data))
    PromptDigest.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["episode"], update_fields=["version", "text", "data"]
    )
