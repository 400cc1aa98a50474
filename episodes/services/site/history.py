"""The pulled branch's history of episode files: old names become redirects, commit dates the public dates.

One ``git log -M --name-status`` call walks the history (only the commits since the last pull, or all of them
the first time and after history was rewritten); :func:`episodes.documents.git.follow_renames` follows each file to
today's name. Every earlier name of an episode's file then redirects to the episode for good, and the episode
keeps the dates of the commits that added its file and last changed it (the feed's and the sitemap's dates).
Nothing of this is written into the files.
"""

from __future__ import annotations

from django.db import connection, transaction

from ...documents import git
from ...models import Episode, EpisodeRedirect, SiteFile
from .repository import EPISODE, EPISODES_FOLDER, key_of, kind_of

DATE_FIELDS = ("site_added_at", "site_changed_at")
NOTE_REDIRECTS = "{count} earlier name(s) of episode files in the site's history now redirect to their episodes"


def history_walk(site: git.Repo, *, head: str, since: str) -> dict[str, git.FileHistory]:
    """Return the history of each episode file changed after ``since`` up to ``head`` (all: no ``since``).

    A ``since`` that is not in ``head``'s history (rewritten, or another repository) walks the whole history.
    """
    if since == head:
        return {}
    if since and not site.is_ancestor(since, head):
        since = ""
    return git.follow_renames(site.history(head, EPISODES_FOLDER, since=since))


def history_record(histories: dict[str, git.FileHistory]) -> int:
    """Keep what ``histories`` tell of the episodes whose files they follow; return how many redirects are new.

    A file's episode is the one its sync state names (a refused or deleted file has none, and is left out).
    A few queries whatever the number of files and renames (and one for each episode an old name moves to).
    """
    paths = [path for path in histories if kind_of(path) == EPISODE]
    if not paths:
        return 0
    with transaction.atomic():
        episodes = dict(
            SiteFile.objects.filter(path__in=paths, episode__isnull=False).values_list("path", "episode_id")
        )
        _record_dates(histories, episodes)
        return _record_redirects(histories, episodes)


def _record_dates(histories: dict[str, git.FileHistory], episodes: dict[str, int]) -> None:
    path_of = {pk: path for path, pk in episodes.items()}
    rows = Episode.objects.filter(pk__in=path_of).only("pk", *DATE_FIELDS)
    changed = []
    for episode in rows:
        history = histories[path_of[episode.pk]]
        added = history.added or episode.site_added_at
        last = history.changed or episode.site_changed_at
        if (added, last) != (episode.site_added_at, episode.site_changed_at):
            episode.site_added_at, episode.site_changed_at = added, last
            changed.append(episode)
    if changed:
        _update_dates(changed)


def _update_dates(rows: list[Episode]) -> None:
    """Write the episodes' two dates with one executemany.

    ``bulk_update`` builds a CASE expression per row and column: on a first pull that was most of this step.
    """
    quote, adapt = connection.ops.quote_name, connection.ops.adapt_datetimefield_value
    added, changed, pk = (quote(Episode._meta.get_field(name).column) for name in DATE_FIELDS + ("id",))
    table = quote(Episode._meta.db_table)
    sql = f"UPDATE {table} SET {added} = %s, {changed} = %s WHERE {pk} = %s"  # noqa: S608 - quoted names
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(adapt(e.site_added_at), adapt(e.site_changed_at), e.pk) for e in rows])


def _record_redirects(histories: dict[str, git.FileHistory], episodes: dict[str, int]) -> int:
    wanted: dict[str, int] = {}
    for path, pk in episodes.items():
        for old_path in histories[path].old_paths:
            if kind_of(old_path) == EPISODE:
                wanted[key_of(old_path)] = pk
    if not wanted:
        return 0
    # A name some episode has today is that episode's address, not an old one.
    for slug in Episode.objects.filter(slug__in=wanted).values_list("slug", flat=True):
        del wanted[slug]
    existing = dict(EpisodeRedirect.objects.filter(old__in=wanted).values_list("old", "target_id"))
    new = [EpisodeRedirect(old=old, target_id=pk) for old, pk in wanted.items() if old not in existing]
    EpisodeRedirect.objects.bulk_create(new, batch_size=500)
    moved: dict[int, list[str]] = {}
    for old, pk in wanted.items():
        if old in existing and existing[old] != pk:
            moved.setdefault(pk, []).append(old)
    for pk, olds in moved.items():
        EpisodeRedirect.objects.filter(old__in=olds).update(target_id=pk)
    return len(new)
