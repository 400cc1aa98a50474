"""Ask the language model for chapters, titles, descriptions, intros and topics, for review in the admin.

    python manage.py suggest_metadata [SLUG ...] [--missing] [--fields chapters,title,description,intro,topics]
        [--limit N] [--max-cost USD] [--accept] [--dry-run]

Only empty fields are filled (with SLUGs and --fields, the fields named are suggested even when they hold a
value; those always wait for review). An estimate of the tokens and cost comes before any request; requests
go one at a time. Suggestions wait at /admin/episodes/suggestion/ unless --accept applies those for empty
fields that pass every check. Exit status: 0 when every request was answered, 1 when some failed, 2 when
nothing could be asked (suggestions off, an unknown slug or field).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError

from ...format import suggesting
from ...services import suggestions


class Command(BaseCommand):
    help = "Suggest chapters, titles, descriptions, intros and topics with a language model (see README)."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", metavar="SLUG", help="Episodes to do (default: all of them).")
        parser.add_argument("--missing", action="store_true", help="Only episodes lacking any of the fields.")
        parser.add_argument("--fields", help="Comma-separated: " + ",".join(suggesting.FIELDS) + " (default: all).")
        parser.add_argument("--limit", type=int, help="Do at most N episodes.")
        parser.add_argument("--max-cost", dest="max_cost", help="Stop before spending more than USD dollars.")
        parser.add_argument(
            "--accept", action="store_true", help="Apply suggestions for empty fields that pass every check."
        )
        parser.add_argument("--dry-run", action="store_true", help="Show the plan and its estimate; ask nothing.")

    def handle(self, *args, slugs, missing, fields, limit, max_cost, accept, dry_run, verbosity, **options):
        try:
            names = suggesting.field_names(fields)
            cap = Decimal(max_cost) if max_cost is not None else None
            if not dry_run:
                suggestions.model_config()
            force = bool(slugs) and fields is not None
            plan = suggestions.batch_plan(slugs=slugs, fields=names, missing=missing, limit=limit, force=force)
        except (ValueError, InvalidOperation, suggestions.SuggestError) as exc:
            message = str(exc) if not isinstance(exc, InvalidOperation) else f"--max-cost {max_cost!r} is not a number"
            raise CommandError(message, returncode=2) from None
        self.stdout.write(f"Plan: {plan.summary()}.")
        if dry_run or verbosity >= 2:
            for planned in plan.episodes:
                self.stdout.write(f"  {planned.episode.slug}: {', '.join(planned.fields)}")
        if dry_run:
            return

        def progress(line: suggestions.BatchLine) -> None:
            if line.status == suggestions.FAILED:
                self.stderr.write(self.style.ERROR(str(line)))
            elif verbosity >= 1:
                self.stdout.write(str(line))
                for warning in line.warnings if verbosity >= 2 else ():
                    self.stdout.write(f"    ⚠ {warning}")

        report = suggestions.batch_run(plan, accept=accept, max_cost=cap, progress=progress)
        summary = report.summary()
        if report.count(suggestions.FAILED):
            raise CommandError(summary, returncode=1)
        self.stdout.write(self.style.SUCCESS(summary))
