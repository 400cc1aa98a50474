"""Check episodes against the site's editorial rules (see README, "Editorial rules").

    python manage.py check_episodes [PATH ...] [--json] [--strict] [--rule NAME]...

Without PATH the database's episodes are checked (and the counts the episode list and the health page show
are refreshed); with PATHs (episode .md files, folders of them, .zip archives) the files are read and
checked as they are, nothing written: what the site's CI can run on a pull request. Prints
``path:line: rule: message`` per finding and a count per rule, or with ``--json`` one object
``{"episodes": N, "rules": {"<rule>": {"count": N, "episodes": [slugs]}}, "findings": [...]}``. A file that
cannot be read is a finding of the rule ``unreadable``. Exit status 1 with ``--strict`` when anything is
found, else 0 (2 for an unknown rule).
"""

import json as jsonlib

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from episodes.format import checks
from episodes.format import frontmatter as fm
from episodes.selectors.checks import files_check
from episodes.services.checks import database_check
from episodes.services.importing import path_sources

UNREADABLE = "unreadable"


class Command(BaseCommand):
    help = "Check episodes (the database's, or files) against the site's editorial rules."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", metavar="PATH", help="Episode files, folders or .zip archives.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")
        parser.add_argument("--strict", action="store_true", help="Exit with status 1 when anything is found.")
        parser.add_argument(
            "--rule",
            action="append",
            default=[],
            metavar="NAME",
            help=f"Check only this rule (repeatable): {', '.join(checks.RULES)}.",
        )

    def handle(self, *args, paths, json, strict, rule, verbosity, **options):
        try:
            rules = checks.rule_names(rule) if rule else None
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None
        try:
            if paths:
                results = list(files_check(path_sources(paths), rules=rules))
            else:
                with transaction.atomic():
                    results = list(database_check(rules=rules))
        except ValueError as exc:  # a bad EPISODE_CHECKS setting
            raise CommandError(str(exc), returncode=2) from None
        report = _report(results, rules or list(checks.RULES))
        if json:
            self.stdout.write(_json(report))
        else:
            self._print(report, verbosity)
        if strict and report["findings"]:
            raise CommandError(f"{len(report['findings'])} finding(s)", returncode=1)

    def _print(self, report: dict, verbosity: int) -> None:
        for finding in report["findings"]:
            where = finding["path"] + (f":{finding['line']}" if finding["line"] else "")
            line = f"{where}: {finding['rule']}: {finding['message']}"
            self.stdout.write(self.style.ERROR(line) if finding["rule"] == UNREADABLE else line)
        if verbosity >= 1:
            for name, rule in report["rules"].items():
                if rule["count"] or verbosity >= 2:
                    self.stdout.write(f"{name}: {rule['count']} in {len(rule['episodes'])} episode(s)")
            total = len(report["findings"])
            style = self.style.SUCCESS if not total else self.style.WARNING
            self.stdout.write(style(f"{report['episodes']} episode(s) checked, {total} finding(s)"))


def _report(results, names: list[str]) -> dict:
    """Return the command's report of checked episodes, in the --json shape."""
    rules = {name: {"count": 0, "episodes": []} for name in names}
    findings = []
    for checked in results:
        found = checked.findings
        if checked.error is not None:
            found = [checks.Finding(UNREADABLE, checked.error.message, (), checked.error.line)]
            rules.setdefault(UNREADABLE, {"count": 0, "episodes": []})
        for finding in found:
            entry = rules[finding.rule]
            entry["count"] += 1
            if not entry["episodes"] or entry["episodes"][-1] != checked.slug:
                entry["episodes"].append(checked.slug)
            findings.append(
                {
                    "path": checked.name,
                    "line": finding.line,
                    "slug": checked.slug,
                    "rule": finding.rule,
                    "message": finding.message,
                    "field": fm.path_text(finding.path),
                }
            )
    return {"episodes": len(results), "rules": rules, "findings": findings}


def _json(report: dict) -> str:
    return jsonlib.dumps(report, ensure_ascii=False, indent=1)
