"""Find and replace across the archive's episodes, as the admin's "Find and replace" page does.

    python manage.py replace_text FIND REPLACEMENT [SLUG ...] [--regex] [--whole-words] [--case-sensitive]
        [--field NAME]... [--dry-run]

Prints each match in context (``slug: where: …before[found → replaced]after…``) and a count, then replaces
them, one revision per episode (an episode changed in between is refused and reported). ``--dry-run`` only
prints. Exit status: 0, 1 when an episode was refused, 2 for a search that cannot run (an invalid or too slow
regular expression, an unknown field or slug).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ...format import replacing
from ...models import Episode
from ...results import REFUSED, UPDATED
from ...services.replacing import SearchFailed, episodes_replace, outcome_line, replace_preview


class Command(BaseCommand):
    help = "Find and replace in the episodes' texts: preview, then one revision per episode (see README)."

    def add_arguments(self, parser):
        parser.add_argument("find", metavar="FIND", help="The text (or with --regex, the regular expression) to find.")
        parser.add_argument("replacement", metavar="REPLACEMENT", help=r"What replaces it (\1, \g<name> with --regex).")
        parser.add_argument("slugs", nargs="*", metavar="SLUG", help="Episodes to search (default: all of them).")
        parser.add_argument("--regex", action="store_true", help="FIND is a regular expression.")
        parser.add_argument("--whole-words", action="store_true", help="Match whole words only.")
        parser.add_argument("--case-sensitive", action="store_true", help="Match the case too.")
        parser.add_argument(
            "--field", action="append", choices=list(replacing.FIELDS), help="Search only there (repeatable)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Print the matches; change nothing.")

    def handle(self, *args, find, replacement, slugs, field, dry_run, verbosity, **options):
        search = replacing.Search(
            find=find,
            replace=replacement,
            regex=options["regex"],
            whole_words=options["whole_words"],
            case_sensitive=options["case_sensitive"],
            fields=tuple(field or replacing.FIELDS),
        )
        ids = None
        if slugs:
            found = dict(Episode.objects.filter(slug__in=slugs).values_list("slug", "pk"))
            unknown = [slug for slug in slugs if slug not in found]
            if unknown:
                raise CommandError("No such episode: " + ", ".join(unknown), returncode=2)
            ids = list(found.values())
        try:
            preview = replace_preview(search=search, episode_ids=ids)
        except SearchFailed as exc:
            raise CommandError(str(exc), returncode=2) from None
        for result in preview:
            for change in result.changes if verbosity >= 1 else ():
                for hit in change.hits:
                    where = f"{result.episode.slug}: {change.text.where}"
                    self.stdout.write(f"{where}: …{hit.before}[{hit.found} → {hit.replaced}]{hit.after}…")
        matches = sum(result.count for result in preview)
        self.stdout.write(f"{matches} match(es) in {len(preview)} episode(s).")
        if dry_run or not preview:
            return
        try:
            lines = episodes_replace(search=search, versions={r.episode.pk: r.version for r in preview})
        except SearchFailed as exc:
            raise CommandError(str(exc), returncode=2) from None
        refused = [line for line in lines if line.status == REFUSED]
        for line in refused:
            self.stderr.write(self.style.ERROR(outcome_line(line)))
        updated = sum(line.status == UPDATED for line in lines)
        self.stdout.write(self.style.SUCCESS(f"Replaced in {updated} episode(s), one revision each."))
        if refused:
            raise CommandError(f"{len(refused)} episode(s) refused.", returncode=1)
