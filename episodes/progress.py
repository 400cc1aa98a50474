"""How long runs (import, pull, push) tell their progress, and how they are asked to stop between files."""


class Stop(Exception):  # noqa: N818 - a request, not an error
    """Raised by a progress callback to end a run between files; what was done stays done."""
