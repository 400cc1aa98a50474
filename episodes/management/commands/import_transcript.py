"""Give an episode a transcript from a raw file: Word .docx, plain text, WebVTT or SRT.

    python manage.py import_transcript SLUG FILE [--chapters FILE] [--replace] [--strict] [--dry-run] [--title TEXT]

A new SLUG becomes a draft episode. An episode that has a transcript keeps it unless --replace. With
--chapters, the chapter list's times place the section headers and make the clips. A file that is not a
transcript is refused as ``FILE:LINE: what is wrong`` (for .docx, the paragraph number) and nothing changes;
the exit status is then 1. What the site accepts (a time going backwards or one that cannot be read, a long
speaker line, a speaker line without text) is kept as the file gives it and each is printed (on stderr) as
``FILE:LINE: what``; --strict refuses the file instead when it has any, naming them all.
"""

import os

from django.core.management.base import BaseCommand, CommandError

from episodes import services
from episodes.format import frontmatter as fm
from episodes.services.intake import max_bytes


class Command(BaseCommand):
    help = "Import a raw transcript (.docx, plain text, WebVTT, SRT) into an episode, new or existing."

    def add_arguments(self, parser):
        parser.add_argument("slug", metavar="SLUG", help="The episode's slug (a new one creates a draft).")
        parser.add_argument("file", metavar="FILE", help="The transcript: .docx, .txt, .vtt or .srt.")
        parser.add_argument("--chapters", metavar="FILE", help="A chapter list: '00:01:20 Title' lines.")
        parser.add_argument("--replace", action="store_true", help="Replace the episode's existing transcript.")
        parser.add_argument(
            "--strict", action="store_true", help="Refuse the file if it has any warning (kept with a warning else)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and report, keep nothing.")
        parser.add_argument("--title", default="", metavar="TEXT", help="Title of a new episode (else the file name).")

    def handle(self, *args, slug, file, chapters, replace, strict, dry_run, title, verbosity, **options):
        data = self._read(file)
        chapter_data = self._read(chapters) if chapters else None
        try:
            result = services.transcript_import(
                slug=slug,
                name=file,
                data=data,
                chapters=chapter_data,
                chapters_name=chapters or "chapters",
                replace=replace,
                title=title,
                strict=strict,
                dry_run=dry_run,
            )
        except services.ServiceError as exc:
            self.stderr.write(self.style.ERROR(str(exc)))
            raise CommandError("refused, nothing changed", returncode=1) from None
        for line in result.file_warnings:  # whatever the verbosity: what was kept needs a look
            self.stderr.write(self.style.WARNING(line))
        if verbosity >= 1:
            for note in result.notes:
                self.stdout.write(f"{file}: {note}")
            for speaker in result.speakers:
                who = "unknown: matches no guest or host" if speaker.unknown else (speaker.person or "nobody")
                self.stdout.write(f"speaker {speaker.label}: {speaker.turns} turns ({who})")
            for warning in result.warnings:
                where = f"item {warning.position + 1}: " if warning.position is not None else ""
                self.stdout.write(self.style.WARNING(f"warning: {where}{warning.message}"))
        done = "created draft" if result.created else "updated"
        clips = f", {len(result.clips)} clips" if result.clips else ""
        line = f"{slug}: {done} from {result.format} ({result.turns} turns, {result.sections} sections{clips})"
        self.stdout.write(("Dry run, nothing saved: " + line) if dry_run else self.style.SUCCESS(line))

    def _read(self, path: str) -> bytes:
        """Return the file's bytes, refusing a missing or oversized file before reading it whole."""
        try:
            size = os.path.getsize(path)
            if size <= max_bytes():
                with open(path, "rb") as f:
                    return f.read(max_bytes() + 1)
            problem = fm.ERR_TOO_BIG.format(size=size, limit=max_bytes())
        except OSError as exc:
            problem = f"cannot read it: {exc.strerror or exc}"
        self.stderr.write(self.style.ERROR(f"{path}:1: {problem}"))
        raise CommandError("refused, nothing changed", returncode=1)
