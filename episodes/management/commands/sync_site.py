"""Keep the site's git repository and the CMS in step.

    python manage.py sync_site pull [--repo PATH]
    python manage.py sync_site push [--repo PATH] [--branch NAME] [--remote NAME] [--message TEXT] [--dry-run]
                                    [--only PATH]...
    python manage.py sync_site status [--repo PATH]
    python manage.py sync_site resolve PATH... --keep cms|site [--repo PATH]

PATH defaults to SITE_REPO. pull imports the episode and people files of the checked-out commit (only those
changed since the last pull), merging them with the CMS's edits field by field; push commits what changed
in the CMS to a branch of its own (and pushes it with --remote), never touching the checked-out branch or
the working tree; status tells what each would do, and the conflicts to settle (and marks the jobs of
workers that died interrupted). On a terminal, pull and push show a progress bar. Exit status 1 when a file
was refused or left in conflict, or when the command could not run at all.
"""

import argparse

from django.core.management.base import BaseCommand, CommandError

from episodes.management.progressbar import progress_lines
from episodes.results import CONFLICT, REFUSED, UNCHANGED
from episodes.services import jobs, site


class Command(BaseCommand):
    help = "Pull from and push to the site's git repository (pull, push, status, resolve)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        pull = actions.add_parser("pull", help="Import what changed in the repository since the last pull.")
        push = actions.add_parser("push", help="Commit what changed in the CMS to a branch.")
        status = actions.add_parser("status", help="Tell what a pull and a push would do.")
        resolve = actions.add_parser("resolve", help="Settle a conflict left by a pull.")
        for sub in (pull, push, status, resolve):
            # Django reads -v only before the action; taken here too, it may follow the action as well.
            sub.add_argument(
                "-v",
                "--verbosity",
                type=int,
                choices=[0, 1, 2, 3],
                default=argparse.SUPPRESS,
                help="Verbosity level; 0=minimal output, 1=normal output, 2=verbose output, 3=very verbose output",
            )
        for sub in (pull, push, status, resolve):
            sub.add_argument("--repo", metavar="PATH", help="The site's working tree (default: SITE_REPO).")
        push.add_argument(
            "--branch",
            metavar="NAME",
            help="Branch to commit to, starting with SITE_BRANCH_PREFIX (default: cms/publish-<time>).",
        )
        push.add_argument("--remote", metavar="NAME", help="Push the branch to this remote (never forced).")
        push.add_argument("--message", metavar="TEXT", help="The commit's first line.")
        push.add_argument("--dry-run", action="store_true", help="Show what would be committed; write nothing.")
        push.add_argument(
            "--only",
            action="append",
            metavar="PATH",
            help="Commit only this file (a repository path such as _podcast/x.md; repeatable); the rest stays pending.",
        )
        resolve.add_argument("paths", nargs="+", metavar="PATH", help="The file in conflict, e.g. _podcast/x.md.")
        resolve.add_argument("--keep", required=True, choices=[site.KEEP_CMS, site.KEEP_SITE])

    def handle(self, *args, action, verbosity, **options):
        try:
            getattr(self, action)(verbosity=verbosity, **options)
        except site.SyncError as exc:
            raise CommandError(str(exc), returncode=1) from None

    def pull(self, *, repo, verbosity, **options):
        with progress_lines(self, total=None, verbosity=verbosity) as lines:
            # On a terminal the bar counts the files; each file's line is shown from verbosity 2 on.
            each_file = verbosity >= (2 if lines.shown else 1)

            def progress(line):
                lines.step(line.path)
                if line.status in (REFUSED, CONFLICT):
                    lines.err(self.style.ERROR(str(line)))
                elif each_file:
                    lines.out(self.style.SUCCESS(str(line)) if line.status != UNCHANGED else str(line))
                if verbosity >= 2:
                    for warning in line.warnings:
                        lines.out(self.style.WARNING(f"{line.path}: warning: {warning}"))

            report = site.site_pull(repo=repo, progress=progress, started=lines.total)
        self._notes(report.notes)
        self.stdout.write(report.summary())
        if report.problems:
            raise CommandError(f"{len(report.problems)} file(s) refused or in conflict", returncode=1)

    def push(self, *, repo, branch, remote, message, dry_run, only, verbosity, **options):
        with progress_lines(self, total=None, verbosity=verbosity) as lines:
            report = site.site_push(
                repo=repo, branch=branch, remote=remote, message=message, dry_run=dry_run, only=only,
                started=lines.total, progress=lines.step,
            )  # fmt: skip
        self._notes(report.notes)
        for written in report.files:
            renamed = f" (renamed from {written.old_path})" if written.old_path else ""
            self.stdout.write(f"{written.path}{renamed}:")
            for line in written.changes:
                self.stdout.write(f"  {line}")
            if dry_run and verbosity >= 2:
                self.stdout.write("".join(written.diff))
        if report.remote_said and verbosity >= 2:
            self.stdout.write(report.remote_said)
        style = self.style.SUCCESS if report.commit else (lambda text: text)
        self.stdout.write(style(report.summary()))

    def status(self, *, repo, **options):
        for job in jobs.jobs_recover():
            self.stdout.write(self.style.WARNING(f"Job #{job.pk} ({job.kind}): {job.message}"))
        for line in site.site_status(repo=repo).lines():
            self.stdout.write(line)

    def resolve(self, *, paths, keep, repo, **options):
        if repo:
            site.open_site(repo)  # the conflicts are the CMS's; the repository given must at least be one
        for path in paths:
            settled = site.conflict_resolve(path=path, keep=keep)
            self.stdout.write(self.style.SUCCESS(f"{path}: settled ({len(settled)} conflict(s), kept the {keep}'s)"))
            for line in settled:
                self.stdout.write(f"  {line}")

    def _notes(self, notes):
        for note in notes:
            self.stdout.write(self.style.WARNING(f"Note: {note}"))
