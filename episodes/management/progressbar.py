"""A progress bar for the commands on a terminal (tqdm); plain lines, as before, when the output is not one."""

from __future__ import annotations

from contextlib import contextmanager

from tqdm import tqdm


class Lines:
    """Where a command's per-file lines go: above the bar on a terminal, else straight to the output.

    On a terminal the bar appears once the number of files is known (at once when given, else at
    :meth:`total`), so a run with nothing to do shows none.
    """

    def __init__(self, command, terminal: bool, unit: str):
        self.command, self.terminal, self.unit = command, terminal, unit
        self.bar: tqdm | None = None

    @property
    def shown(self) -> bool:
        return self.terminal

    def total(self, total: int) -> None:
        if self.terminal and self.bar is None and total:
            stream = self.command.stdout._out
            self.bar = tqdm(total=total, unit=self.unit, file=stream, dynamic_ncols=True, leave=True)

    def step(self, name: str = "") -> None:
        if self.bar is not None:
            self.bar.update(1)
            if name:
                self.bar.set_postfix_str(name[-40:], refresh=False)

    def out(self, text: str) -> None:
        if self.bar is not None:
            self.bar.write(text, file=self.command.stdout._out)
        else:
            self.command.stdout.write(text)

    def err(self, text: str) -> None:
        if self.bar is not None:
            self.bar.write(text, file=self.command.stderr._out)
        else:
            self.command.stderr.write(text)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@contextmanager
def progress_lines(command, *, total: int | None, unit: str = "file", verbosity: int = 1):
    """Yield a :class:`Lines` with a bar when the command writes to a terminal (and verbosity is not 0)."""
    stream = command.stdout._out
    terminal = verbosity >= 1 and hasattr(stream, "isatty") and stream.isatty()
    lines = Lines(command, terminal, unit)
    if total is not None:
        lines.total(total)
    try:
        yield lines
    finally:
        lines.close()
