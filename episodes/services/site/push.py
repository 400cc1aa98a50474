"""Push: write what changed in the CMS since the last pull or push into one commit on a branch of its own.

The commit is built from the last pulled commit (or on top of this CMS's own last push to the same branch,
while no pull came in between) in a temporary index, so the checked-out branch, its working tree and its
index are never touched. Files change only in the lines of changed values, each in the style the file
already uses (:mod:`episodes.format.linewise`). The author is the editor (or editors) whose changes it carries.
``only`` leaves every other pending file out (still pending). A file whose version in the parent commit is
not the one the CMS last pulled or pushed (a pull refused it, or it changed under us) is not written: it is
listed, to be pulled first; each written file's changes are described against the file it replaces.
The picture an episode's ``image`` or a person's ``picture`` names (``images/podcast/``, ``images/authors/``)
goes into the same commit when the checkout's file (else the media storage's) differs from the parent's,
as does a picture replaced under the same name (uploaded again, its file not changed otherwise).

Order of work, so that a push stopped anywhere leaves the CMS and the repository consistent: objects
(harmless until referenced), then the push's intent in the database (:mod:`.recording`), then the branch
(compare-and-swap), then ``git push`` (the branch is put back if it is refused), and last the CMS's record
of what was pushed. A push stopped after its intent was written is settled by the next push, first thing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from ...documents import git
from ...format import frontmatter as fm
from ...format import linewise
from ...models import SiteState
from ...results import WRITTEN, FileResult, Report
from ..revisions import diff as text_diff
from .pending import Pending, authors, pending_changes
from .pictures import changed_pictures, picture_path, pictures_named, replaced_pictures
from .recording import branch_restore, intent_forget, intent_record, interrupted_settle, push_record
from .repository import EPISODE, FOLDERS, SyncError, dirty_note, open_site
from .style import site_styles

DEFAULT_BRANCH = "{prefix}publish-{now:%Y%m%d-%H%M%S}"
FALLBACK_COMMITTER = git.Identity("Podcast CMS", "podcast-cms@localhost")
LISTED_CHANGES = 6  # per file in the commit message

ERR_NOT_PULLED = "nothing has been pulled from {path} yet: run a pull first"
ERR_PULLED_GONE = "the last pulled commit {commit} is not in {path}: pull again first"
ERR_CHECKED_OUT = "branch {name} is checked out in a working tree; a push writes a branch of its own (--branch NAME)"
ERR_BRANCH_MOVED = (
    "branch {name} already exists at {tip} and is not where this CMS left it{why}: nothing was written; "
    "choose another branch name (--branch NAME)"
)
ERR_NOT_OURS = (
    "the CMS publishes only to branches of its own, whose names start with {prefix} (e.g. {prefix}{name}): "
    "'{name}' is not one"
)
ERR_TRACKED = "branch {name} is the site's branch that pulls read; a push writes a branch of its own"
ERR_BAD_PREFIX = "SITE_BRANCH_PREFIX '{prefix}' cannot start a branch name: set it to a name such as cms/"
ERR_REMOTE_NOT_OURS = (
    "branch {name} already exists on {remote} (at {tip}) and this CMS did not make it: nothing was written; "
    "choose another branch name (--branch {prefix}NAME)"
)
ERR_REJECTED = "git push to {remote} was refused, nothing was recorded (the branch is as it was): {said}"
ERR_RECORD = "the commit {commit} was made but could not be recorded in the CMS ({problem}); the branch is as it was"
ERR_NOT_PENDING = "{path} has nothing to publish (a push would write: {pending})"
NOTE_SITE_CHANGED = "{path} is not written: the site's file changed since the CMS last pulled it ({what})"
WHAT_PULL = "pull first, so that its changes are merged, not overwritten"
WHAT_REFUSED = "the last pull refused it, {path}:{problem}: mend it on the site, then pull"
DRY_UNSETTLED = "Dry run: a push stopped midway is settled first, by the next push; nothing written."
NOTHING = "Nothing to publish: the CMS holds the same data as the site's files."
NOTHING_NEW = "Nothing to publish: the files on {parent} already hold the CMS's changes (recorded)."


@dataclass
class PushReport(Report):
    """A push's files (each WRITTEN, with what changed in words and its line diff) and notes, and its commit."""

    branch: str = ""
    commit: str = ""
    parent: str = ""
    remote: str = ""
    remote_said: str = ""
    message: str = ""
    dry_run: bool = False
    outcome: str = ""

    def summary(self) -> str:
        if self.outcome:
            return self.outcome
        where = f"branch {self.branch} (from {self.parent[:7]})"
        if self.dry_run:
            return f"Dry run: would commit {len(self.files)} file(s) to {where}; nothing written."
        pushed = f", pushed to {self.remote}" if self.remote else ""
        return f"Committed {self.commit[:12]} to {where}{pushed}: {len(self.files)} file(s)."


def site_push(
    *,
    repo: str | None = None,
    branch: str | None = None,
    remote: str | None = None,
    message: str | None = None,
    dry_run: bool = False,
    only: list[str] | None = None,
    started: Callable[[int], None] | None = None,
    progress: Callable[[str], None] | None = None,
) -> PushReport:
    """Commit the CMS's changes to a branch (and push it to ``remote``); raise SyncError when it cannot.

    ``only``: the repository paths to commit (``_podcast/x.md``); the other pending files stay pending.
    ``started`` is told how many files will be written, ``progress`` each file's path as its text is made.
    """
    site = open_site(repo)
    steps = started, progress
    try:
        with site.lock():
            return _push(site, branch=branch, remote=remote, message=message, dry_run=dry_run, only=only, steps=steps)
    except git.GitError as exc:
        raise SyncError(str(exc)) from None


def _push(site: git.Repo, *, branch, remote, message, dry_run, only, steps=(None, None)) -> PushReport:
    state = SiteState.load()
    if not state.commit:
        raise SyncError(ERR_NOT_PULLED.format(path=site.root))
    if not site.has_commit(state.commit):
        raise SyncError(ERR_PULLED_GONE.format(commit=state.commit[:7], path=site.root))
    if remote:
        site.check_remote_name(remote)
        if remote not in site.remotes():
            raise SyncError(
                git.ERR_NO_REMOTE.format(name=remote, path=site.root, remotes=", ".join(site.remotes()) or "none")
            )
    # A push stopped midway is settled first: its branch is then where the CMS's record says.
    settled = interrupted_settle(site, state, dry_run=dry_run)
    if dry_run and settled:
        # Which branch and parent the push would take depends on how the stopped one ends: not known yet.
        return PushReport(dry_run=True, notes=settled, outcome=DRY_UNSETTLED)
    name, parent, tip = _branch(site, state, branch, remote)
    pending = pending_changes(growing=tip is not None)
    # ``only`` may name pictures replaced under the same name (the Publish page lists them beside the files).
    replaced = replaced_pictures(site)
    chosen_pictures = [path for path in only or () if picture_path(path)]
    for path in chosen_pictures:
        if path not in replaced:
            raise SyncError(ERR_NOT_PENDING.format(path=path, pending=", ".join(sorted(replaced)) or "nothing"))
    if only is not None:
        only = [path for path in only if not picture_path(path)]
        replaced = set(chosen_pictures)
    files = _selected(pending.files, only)
    report = PushReport(branch=name, parent=parent, remote=remote or "", dry_run=dry_run)
    report.notes = settled + dirty_note(site) + pending.notes + pending.demo_notes()
    parent_files = site.files(parent, FOLDERS)
    originals = _originals(site, parent_files, files)
    files = [item for item in files if _in_step(item, parent_files, report.notes)]
    for item in files:
        item.replaces(originals.get(item.path), parent_files.get(item.old_path or item.path, ("", "", 0))[1])
    image_entries = changed_pictures(site, parent, pictures_named(files) | replaced, write=not dry_run)
    if not files and not image_entries:
        report.outcome = NOTHING
        return report
    started, progress = steps
    if started:
        started(len(files))
    texts = _texts(originals, files, site_styles(site, parent_files), progress)
    contents = [text.encode("utf-8") for _, text in texts]
    blobs = site.write_blobs(contents, write=not dry_run)
    entries: dict[str, tuple[str, str] | None] = {}
    for (item, _), blob in zip(texts, blobs, strict=True):
        mode, old_blob, _ = parent_files.get(item.path, (git.FILE_MODE, "", 0))
        if old_blob != blob or mode != git.FILE_MODE:
            # A plain file whatever was there: never a link, a submodule or an executable.
            entries[item.path] = (git.FILE_MODE, blob)
        if item.old_path and item.old_path in parent_files:
            entries[item.old_path] = None
    entries.update({path: (git.FILE_MODE, blob) for path, (blob, _) in image_entries.items()})
    if not entries:
        if not dry_run:
            push_record(state, texts, blobs, name=None, commit=None, pulled=parent == state.commit)
        report.outcome = NOTHING_NEW.format(parent=parent[:7])
        return report
    changed = [(item, text) for item, text in texts if item.path in entries or item.old_path in entries]
    written = [item for item, _ in changed]
    report.files = [
        FileResult(
            item.path,
            WRITTEN,
            key=item.key,
            old_path=item.old_path,
            changes=item.describe(),
            diff=_diff(originals.get(item.path, ""), text, item),
        )
        for item, text in changed
    ] + [FileResult(path, WRITTEN, changes=[said]) for path, (_, said) in image_entries.items()]
    report.message = commit_message(written, subject=message, images=list(image_entries))
    if dry_run:
        return report
    tree = site.write_tree(parent, entries)
    author, co_authors = _identities(written, site)
    if co_authors:
        report.message += "\n\n" + "\n".join(f"Co-authored-by: {who}" for who in co_authors)
    committer = _committer(site)
    commit = site.commit(
        tree=tree, parent=parent, message=report.message, author=author or committer, committer=committer
    )
    ref = f"refs/heads/{name}"
    # Written down before the branch moves: a push stopped from here on is settled by the next one.
    intent_record(state, branch=name, commit=commit, tip=tip, remote=remote or "", texts=texts, blobs=blobs)
    refused = False
    site.update_ref(ref, commit, tip)
    try:
        if remote:
            try:
                report.remote_said = site.push(remote, name)
            except git.GitTimeout:
                raise  # whether it arrived is not known: the intent stays, for the next push to find out
            except git.GitError as exc:
                refused = True
                raise SyncError(ERR_REJECTED.format(remote=remote, said=exc)) from None
        try:
            push_record(state, texts, blobs, name=name, commit=commit)
        except Exception as exc:
            where = f" (it did reach {remote}: the next push records it)" if remote else ""
            raise SyncError(ERR_RECORD.format(commit=commit[:12], problem=exc) + where) from exc
    except BaseException:
        # Stopped after the branch moved, for whatever reason: put it back, so that it matches the CMS's record.
        branch_restore(site, ref, commit, tip)
        if refused:
            intent_forget(state)
        raise
    report.commit = commit
    return report


def branch_prefix(site: git.Repo) -> str:
    """Return SITE_BRANCH_PREFIX, the start of every branch name a push writes; raise SyncError if git refuses it."""
    prefix = settings.SITE_BRANCH_PREFIX
    try:
        if not prefix:
            raise git.GitError(prefix)
        site.check_branch_name(f"{prefix}publish")
    except git.GitError:
        raise SyncError(ERR_BAD_PREFIX.format(prefix=prefix)) from None
    return prefix


def _branch(site: git.Repo, state: SiteState, requested: str | None, remote: str | None) -> tuple[str, str, str | None]:
    """Return (branch name, parent commit, the branch's current tip or None) for this push.

    Only a branch of the CMS's own is written: its name starts with SITE_BRANCH_PREFIX, it is not the branch
    pulls read nor checked out, and where it exists (here or on ``remote``) it is where this CMS left it.
    """
    prefix = branch_prefix(site)
    ours = state.pushed_branch and state.pushed_from == state.commit
    if requested:
        name = requested
        site.check_branch_name(name)
        if not name.startswith(prefix):
            raise SyncError(ERR_NOT_OURS.format(prefix=prefix, name=name))
    elif ours and site.resolve(f"refs/heads/{state.pushed_branch}") == state.pushed_commit:
        name = state.pushed_branch
    else:
        now = timezone.now()
        name = DEFAULT_BRANCH.format(prefix=prefix, now=now)
        suffix = 1
        while site.resolve(f"refs/heads/{name}") is not None or (remote and site.remote_tip(remote, name)):
            suffix += 1
            name = f"{DEFAULT_BRANCH.format(prefix=prefix, now=now)}-{suffix}"
    if name == state.branch:
        raise SyncError(ERR_TRACKED.format(name=name))
    ref = f"refs/heads/{name}"
    if ref in site.worktree_branches():
        raise SyncError(ERR_CHECKED_OUT.format(name=name))
    tip = site.resolve(ref)
    if tip is None:
        found = (name, state.commit, None)
    elif ours and name == state.pushed_branch and tip == state.pushed_commit:
        found = (name, tip, tip)
    else:
        if name == state.pushed_branch and tip == state.pushed_commit:
            why = f" (it grew from {state.pushed_from[:7]}, before the last pull)"
        elif name == state.pushed_branch:
            why = f" ({state.pushed_commit[:7]}: someone else committed to it, or it was reset)"
        else:
            why = ""
        raise SyncError(ERR_BRANCH_MOVED.format(name=name, tip=tip[:7], why=why))
    if remote:
        # A push is never forced, but git would still fast-forward a branch someone else made there.
        there = site.remote_tip(remote, name)
        if there is not None and (tip is None or not site.is_ancestor(there, tip)):
            raise SyncError(ERR_REMOTE_NOT_OURS.format(name=name, remote=remote, tip=there[:7], prefix=prefix))
    return found


def _selected(files: list[Pending], only: list[str] | None) -> list[Pending]:
    """Return the pending files named in ``only`` (all of them: None); a name not pending is an error."""
    if only is None:
        return files
    by_path = {item.path: item for item in files} | {item.old_path: item for item in files if item.old_path}
    for path in only:
        if path not in by_path:
            listed = ", ".join(item.path for item in files) or "nothing"
            raise SyncError(ERR_NOT_PENDING.format(path=path, pending=listed))
    chosen = {id(by_path[path]) for path in only}
    return [item for item in files if id(item) in chosen]


def _originals(site: git.Repo, parent_files: dict, files: list[Pending]) -> dict[str, str]:
    """Return the text each file replaces in the parent commit, by the file's path (absent for new files)."""
    originals = {}
    with site.blobs() as read:
        for item in files:
            entry = parent_files.get(item.old_path or item.path)
            # A link's target or a submodule's commit is no text of the file's.
            if entry is not None and entry[0] in git.REGULAR_MODES:
                originals[item.path] = read(entry[1]).decode("utf-8", "replace")
    return originals


def _in_step(item: Pending, parent_files: dict, notes: list[str]) -> bool:
    """Tell whether the parent commit holds the file as the CMS last pulled or pushed it; else note why not."""
    entry = parent_files.get(item.old_path or item.path)
    found = entry[1] if entry is not None else ""
    # Without a blob, a new file: none must have appeared meanwhile.
    same = found == item.base_blob or (not item.base_blob and bool(item.base_text))
    if not same:
        problem = item.site_file.problem if item.site_file is not None else ""
        what = WHAT_REFUSED.format(path=item.site_file.path, problem=problem) if problem else WHAT_PULL
        notes.append(NOTE_SITE_CHANGED.format(path=item.path, what=what))
    return same


def _texts(originals: dict[str, str], files: list[Pending], styles, progress=None) -> list[tuple[Pending, str]]:
    """Return each file's new text: changed line by line in the style the file already uses, or a new file in
    the site's key order (``styles(kind)``)."""
    texts = []
    for item in files:
        if progress:
            progress(item.path)
        original = originals.get(item.path)
        if original is not None and item.base is not None and fm.same_document(item.base, item.doc):
            texts.append((item, original))  # only renamed: the file keeps its bytes
        elif original is None:
            texts.append((item, styles(item.kind).text(item.doc)))
        else:
            texts.append((item, linewise.rewrite(original, item.doc)))
    return texts


def _diff(old: str, new: str, item: Pending) -> list[str]:
    return text_diff(old, new, older_name=f"a/{item.old_path or item.path}", newer_name=f"b/{item.path}")


def commit_message(files: list[Pending], *, subject: str | None = None, images: list[str] = ()) -> str:
    """Return the commit message: a subject, then each episode and person with what changed, and the images."""
    episodes = [p for p in files if p.kind == EPISODE]
    people = [p for p in files if p.kind != EPISODE]
    if subject is None:
        if len(files) == 1:
            subject = f"Update {files[0].kind} {files[0].key}"
        else:
            counts = [f"{len(episodes)} episode(s)" if episodes else "", f"{len(people)} person(s)" if people else ""]
            counts += [f"{len(images)} image(s)"] if images and not files else []
            subject = "Update " + " and ".join(c for c in counts if c) + " from the CMS"
    lines = [subject.strip(), ""]
    for title, group in (("Episodes", episodes), ("People", people)):
        if not group:
            continue
        lines.append(f"{title}:")
        for item in group:
            said = item.describe()
            shown = "; ".join(said[:LISTED_CHANGES]) + (
                f"; and {len(said) - LISTED_CHANGES} more" if len(said) > LISTED_CHANGES else ""
            )
            lines.append(f"- {item.path}: {shown}")
        lines.append("")
    if images:
        lines += ["Images:", *(f"- {path}" for path in images), ""]
    return "\n".join(lines).rstrip() + "\n"


def identity(user) -> git.Identity:
    """Return how an editor signs a commit: their name and email, or their user name at no real address."""
    name = user.get_full_name().strip() or user.get_username()
    return git.Identity(name, user.email or f"{user.get_username()}@podcast-cms.invalid")


def _identities(files: list[Pending], site: git.Repo) -> tuple[git.Identity | None, list[git.Identity]]:
    editors = [identity(user) for user in authors(files)]
    unique = list(dict.fromkeys(editors))
    return (unique[0] if unique else None), unique[1:]


def _committer(site: git.Repo) -> git.Identity:
    configured = getattr(settings, "SITE_COMMITTER", "")
    if configured and "<" in configured:
        name, _, email = configured.partition("<")
        return git.Identity(name.strip(), email.rstrip("> "))
    return site.identity() or FALLBACK_COMMITTER
