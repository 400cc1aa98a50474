"""Export episodes to their canonical files.

    python manage.py export_episodes OUTDIR [--slug S ...] [--check] [--people-dir DIR] [--keep-style]

Writes OUTDIR/<slug>.md for each episode, rewriting only files whose text changed. With --check nothing is
written, and the exit status is 1 if any file would change (listed), for CI in the site repository. On a
terminal a progress bar counts the files. With --keep-style each file is written as a push writes it: the
file as last pulled or imported, changed only in the lines of the values that differ, in its own style.
"""

from django.core.management.base import BaseCommand, CommandError

from episodes.documents import exporting
from episodes.management.progressbar import progress_lines
from episodes.models import Episode, Person
from episodes.results import REFUSED, UNCHANGED


class Command(BaseCommand):
    help = "Export episodes (and people) to canonical .md files."

    def add_arguments(self, parser):
        parser.add_argument("outdir", metavar="OUTDIR")
        parser.add_argument("--slug", action="append", default=[], help="Export only this episode (repeatable).")
        parser.add_argument("--check", action="store_true", help="Write nothing; exit 1 if any file would change.")
        parser.add_argument("--people-dir", metavar="DIR", help="Also write _people profiles into DIR.")
        parser.add_argument(
            "--keep-style",
            action="store_true",
            help="Write each file as a push does: only changed values' lines, in the style of the file last pulled.",
        )

    def handle(self, *args, outdir, slug, check, people_dir, keep_style, verbosity, **options):
        episodes = Episode.objects.all()
        if slug:
            episodes = episodes.filter(slug__in=slug)
            unknown = sorted(set(slug) - set(episodes.values_list("slug", flat=True)))
            if unknown:
                raise CommandError("no episode with slug " + ", ".join(unknown))
        total = episodes.count() + (Person.objects.with_profile().count() if people_dir else 0)
        try:
            with progress_lines(self, total=total, verbosity=verbosity) as lines:
                step = (lambda result: lines.step(result.path)) if lines.shown else None
                results = exporting.export_episodes(
                    outdir, episodes.order_by("slug"), check=check, keep_style=keep_style, progress=step
                )
                if people_dir:
                    people = Person.objects.order_by("key")
                    results += exporting.export_people(
                        people_dir, people, check=check, keep_style=keep_style, progress=step
                    )
        except exporting.ExportError as exc:
            raise CommandError(str(exc), returncode=1) from None
        except OSError as exc:  # the folder itself cannot be made
            raise CommandError(f"{exc.filename or outdir}: {exc.strerror or exc}", returncode=1) from None
        failed = [r for r in results if not r.ok]
        changed = [r for r in results if r.status not in (UNCHANGED, REFUSED)]
        for result in results:
            if not result.ok:
                self.stderr.write(self.style.ERROR(f"{result.path}: {result.message}"))
            elif result.status != UNCHANGED or verbosity >= 2:
                self.stdout.write(f"{result.path}: {result.status}")
        unchanged = len(results) - len(changed) - len(failed)
        self.stdout.write(
            f"{len(results)} files: {len(changed)} {'would change' if check else 'written'}, {unchanged} unchanged"
            + (f", {len(failed)} not written" if failed else "")
        )
        if failed:
            raise CommandError(f"{len(failed)} file(s) could not be written", returncode=1)
        if check and changed:
            raise CommandError(f"{len(changed)} file(s) would change", returncode=1)
