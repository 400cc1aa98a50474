"""Run a management command as its tests see it: the exit status and what it printed."""

import io

from django.core.management import call_command
from django.core.management.base import CommandError


def run_command(command: str, *args) -> tuple[int, str, str]:
    """Call ``command`` with ``args``; return its exit status, standard output and standard error.

    A ``CommandError`` is the exit status it carries, its message added to standard error as the shell shows it.
    """
    out, err = io.StringIO(), io.StringIO()
    status = 0
    try:
        call_command(command, *args, stdout=out, stderr=err)
    except CommandError as exc:
        status = exc.returncode
        err.write(str(exc))
    return status, out.getvalue(), err.getvalue()
