"""Import episode files (and ``_people`` profiles) into the CMS.

    python manage.py import_episodes [--people DIR] [--dry-run] [--force] PATH...

PATH is an episode .md file, a folder of them, or a .zip. Each file is imported atomically on its own and
reported as created, updated, unchanged or refused (``PATH:LINE: what is wrong``). On a terminal a progress
bar counts the files (each file's line and warnings from -v 2 on); otherwise one line per file. Exit status 1 if any
file was refused, else 0.
"""

from django.core.management.base import BaseCommand, CommandError

from episodes.management.progressbar import progress_lines
from episodes.results import REFUSED, UNCHANGED
from episodes.services import importing


class Command(BaseCommand):
    help = "Import episode .md files, folders of them, or .zip archives."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument(
            "--people", action="append", default=[], metavar="DIR", help="Import _people profiles first."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and report, keep nothing.")
        parser.add_argument(
            "--force", action="store_true", help="Overwrite episodes edited in the CMS since their last sync."
        )

    def handle(self, *args, paths, people, dry_run, force, verbosity, **options):
        sources = [*importing.path_sources(people, people=True), *importing.path_sources(paths)]
        total = len(sources)
        done = 0
        with progress_lines(self, total=total, verbosity=verbosity) as lines:
            # On a terminal the bar counts the files; each file's line is shown from verbosity 2 on.
            each_file = verbosity >= (2 if lines.shown else 1)

            def progress(result):
                nonlocal done
                done += 1
                lines.step(result.path)
                if result.status == REFUSED:
                    lines.err(self.style.ERROR(str(result)))
                elif each_file:
                    style = self.style.SUCCESS if result.status != UNCHANGED else (lambda s: s)
                    lines.out(f"[{done}/{total}] " + style(str(result)))
                if each_file or (verbosity >= 1 and not lines.shown):
                    for warning in result.warnings:
                        lines.out(self.style.WARNING(f"{result.path}: warning: {warning}"))

            report = importing.import_sources(sources, force=force, dry_run=dry_run, progress=progress)
        missing = report.missing_guests
        if missing and verbosity >= 1:
            self.stdout.write(self.style.WARNING(f"Guests without a profile ({len(missing)}): " + ", ".join(missing)))
        prefix = "Dry run, nothing saved: " if dry_run else ""
        self.stdout.write(prefix + report.summary())
        if report.refused:
            raise CommandError(f"{len(report.refused)} file(s) refused", returncode=1)
