"""What a push records: its intent before the branch moves, what it wrote once done, and settling a stopped one.

A push writes its intent (branch, commit, the branch's tip before, remote, files) to the database before it
moves the branch or runs ``git push``. A push stopped after that — a killed process, a lost connection, a
failed record — leaves the intent behind, and the next push settles it before anything else: a commit that
reached the branch (on the remote, or here when there is no remote) is recorded as if that push had ended
well, a ``git push`` cut short is finished, and a commit that reached nothing is undone. So a stopped push
never leaves a second branch for the same changes, nor a branch that every later push refuses.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ...documents import database, exporting, git
from ...format import frontmatter as fm
from ...models import Episode, Person, SiteFile, SiteState
from .repository import EPISODE, SyncError

NOTE_FINISHED = "a push stopped midway (commit {commit} on branch {branch}) {where}: recorded now"
NOTE_TO_SETTLE = "a push stopped midway (commit {commit} on branch {branch}): the next push settles it"
NOTE_UNDONE = "a push stopped midway (commit {commit} on branch {branch}) had reached nothing: undone"
ERR_UNREACHABLE = (
    "a push to {remote} stopped midway (commit {commit} on branch {branch}), and {remote} cannot tell whether it "
    "arrived ({said}): nothing was written; try again when {remote} answers"
)


@dataclass
class PushedFile:
    """A file a push wrote, as its record needs it: a pending file, or one read back from an intent."""

    path: str
    old_path: str
    kind: str
    obj: Episode | Person
    site_file: SiteFile | None
    version: int | None


def intent_record(state: SiteState, *, branch: str, commit: str, tip: str | None, remote: str, texts, blobs) -> None:
    """Write down the push about to happen, before its branch moves (pushes run outside a transaction: kept)."""
    files = [
        {
            "path": item.path,
            "old_path": item.old_path,
            "kind": item.kind,
            "obj": item.obj.pk,
            "site_file": item.site_file.pk if item.site_file is not None else None,
            "version": item.version,
            "blob": blob,
        }
        for (item, _), blob in zip(texts, blobs, strict=True)
    ]
    state.pushing = {
        "branch": branch,
        "commit": commit,
        "tip": tip or "",
        "remote": remote,
        "from": state.commit,
        "files": files,
    }
    state.save(update_fields=["pushing"])


def intent_forget(state: SiteState) -> None:
    state.pushing = {}
    state.save(update_fields=["pushing"])


def interrupted_settle(site: git.Repo, state: SiteState, *, dry_run: bool = False) -> list[str]:
    """Finish or undo a push that was stopped after its intent was written; return a note saying which.

    ``dry_run``: settle nothing, only say that there is something to settle.
    """
    intent = state.pushing
    if not intent:
        return []
    if dry_run:
        return [NOTE_TO_SETTLE.format(commit=intent["commit"][:12], branch=intent["branch"])]
    branch, commit, remote = intent["branch"], intent["commit"], intent["remote"]
    tip = intent["tip"] or None
    ref = f"refs/heads/{branch}"
    local = site.resolve(ref)
    if remote and remote in site.remotes():
        where = _arrived_on(site, remote, branch, commit, tip=tip, local=local)
    else:
        # No remote (or one removed since, which nothing can ask): the branch here is all there is.
        where = "had reached the branch" if local == commit else ""
    if not where:
        if local == commit:
            branch_restore(site, ref, commit, tip)
        intent_forget(state)
        return [NOTE_UNDONE.format(commit=commit[:12], branch=branch)]
    if local == tip and local != commit:
        # Put back here after its record failed, while the remote kept it: forward again.
        site.update_ref(ref, commit, local)
    written = _files_of(site, intent)
    push_record(
        state,
        [(item, text) for item, text, _ in written],
        [blob for _, _, blob in written],
        name=branch,
        commit=commit,
        pushed_from=intent["from"],
    )
    return [NOTE_FINISHED.format(commit=commit[:12], branch=branch, where=where)]


def _arrived_on(site: git.Repo, remote: str, branch: str, commit: str, *, tip: str | None, local: str | None) -> str:
    """Return how ``commit`` is on ``remote``'s branch now, finishing a ``git push`` cut short; '' if it is not."""
    said = {"remote": remote, "commit": commit[:12], "branch": branch}
    try:
        there = site.remote_tip(remote, branch)
    except git.GitError as exc:
        raise SyncError(ERR_UNREACHABLE.format(said=exc, **said)) from None
    if there == commit:
        return f"had reached {remote}"
    if local != commit or there != tip:
        return ""  # never moved here, or the remote's branch is elsewhere: it did not arrive
    try:
        site.push(remote, branch)
    except git.GitTimeout as exc:
        raise SyncError(ERR_UNREACHABLE.format(said=exc, **said)) from None
    except git.GitError:
        return ""  # refused now: it never arrived
    return f"is on {remote} now (its git push was finished)"


def _files_of(site: git.Repo, intent: dict) -> list[tuple[PushedFile, str, str]]:
    """Return (file, text, blob) of each file of an intent whose episode or person is still there."""
    wanted = intent["files"]
    episodes = Episode.objects.in_bulk([f["obj"] for f in wanted if f["kind"] == EPISODE])
    people = Person.objects.in_bulk([f["obj"] for f in wanted if f["kind"] != EPISODE])
    rows = SiteFile.objects.in_bulk([f["site_file"] for f in wanted if f["site_file"] is not None])
    written = []
    with site.blobs() as read:
        for f in wanted:
            obj = (episodes if f["kind"] == EPISODE else people).get(f["obj"])
            if obj is None:
                continue
            if f["kind"] == EPISODE:
                obj.version = f["version"]  # the version written: an edit made since keeps the episode edited
            item = PushedFile(f["path"], f["old_path"], f["kind"], obj, rows.get(f["site_file"]), f["version"])
            written.append((item, read(f["blob"]).decode("utf-8"), f["blob"]))
    return written


def branch_restore(site: git.Repo, ref: str, commit: str, tip: str | None) -> None:
    """Put the branch back from ``commit`` to ``tip`` (None: delete it), unless it moved meanwhile."""
    try:
        if tip is None:
            site.delete_ref(ref, commit)
        else:
            site.update_ref(ref, tip, commit)
    except git.GitError:
        pass  # moved again meanwhile: leave it to whoever moved it


def push_record(
    state: SiteState, texts, blobs, *, name, commit, pulled: bool = False, pushed_from: str | None = None
) -> None:
    """Record the pushed texts (the base of the next push to the branch), and the branch as this CMS's last push.

    The file as last pulled stays the base of merges: what was pushed is the CMS's edit until the pulled
    branch has it. ``pulled``: the texts are already the pulled commit's files, so they are recorded as pulled.
    ``pushed_from``: the pulled commit the push grew from (default: the last pulled). A push's intent is
    forgotten in the same transaction.
    """
    pushed_from = pushed_from or state.commit
    now = timezone.now()
    with transaction.atomic():
        for (item, text), blob in zip(texts, blobs, strict=True):
            # A new file may have a row of its path already (a refused file of the site's, a push's earlier record).
            site_file = item.site_file or SiteFile.objects.filter(path=item.path).first() or SiteFile(path=item.path)
            new_file = site_file.pk is None or not (site_file.text or site_file.pushed_text)
            if item.old_path:
                SiteFile.objects.filter(path=item.path).exclude(pk=site_file.pk).delete()
            site_file.path = item.path
            text = text.replace("\r\n", "\n").removeprefix("\ufeff")
            version = item.version if item.kind == EPISODE else None
            if pulled:
                site_file.text, site_file.blob, site_file.version = text, blob, version
            else:
                site_file.pushed_text, site_file.pushed_blob, site_file.pushed_version = text, blob, version
                site_file.pushed_from = pushed_from
            site_file.synced_at = now
            if item.kind == EPISODE:
                site_file.episode = item.obj
            else:
                site_file.person = item.obj
            site_file.save()
            if new_file:
                # A new file is written in the site's key order: the CMS keeps that order from now on.
                keys = [database.encode_key(key) for key in fm.parse(text).front]
                type(item.obj).objects.filter(pk=item.obj.pk).update(front_keys=keys)
        exporting.mark_synced([(item.obj, text) for item, text in texts if isinstance(item.obj, Episode)])
        if commit:
            state.pushed_branch, state.pushed_commit, state.pushed_from = name, commit, pushed_from
            state.pushed_at, state.pushing = now, {}
            state.save()
