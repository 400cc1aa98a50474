"""Zip members read by what they produce, never by what the archive declares; no Django.

A zip's directory states each member's size, and :mod:`zipfile` trusts it only after the fact: reading a
member whole inflates everything its compressed data holds before cutting it to the stated size and
checking the CRC, so 1.5 MB whose directory understates a member inflate to gigabytes first. Here a member
is read a chunk at a time, each chunk bounded, and reading stops once what came out passes the limit.
"""

from __future__ import annotations

import io
import zipfile
import zlib

CHUNK = 64 * 1024
# What a member that cannot be read raises (corrupt data, a bad CRC, an unsupported method, a truncated file).
READ_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError)


class TooBig(Exception):
    """A member (or the members read with one :class:`Budget`) produced more than its limit."""

    def __init__(self, produced: int, limit: int):
        super().__init__(f"{produced:,} bytes, over the {limit:,}-byte limit")
        self.produced, self.limit = produced, limit


class Budget:
    """How many bytes the members read with it may still produce, together."""

    def __init__(self, limit: int):
        self.limit, self.used = limit, 0

    def spend(self, size: int) -> None:
        self.used += size
        if self.used > self.limit:
            raise TooBig(self.used, self.limit)


class MemberReader(io.RawIOBase):
    """A member of an open zip as a file, reading at most ``CHUNK`` bytes a call and charging ``budget``."""

    def __init__(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget):
        super().__init__()
        self._member = archive.open(info)
        self._budget = budget

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        # Never more than a chunk, whatever is asked: a read of everything is what inflates a bomb at once.
        size = CHUNK if size is None or size < 0 else min(size, CHUNK)
        data = self._member.read(size)
        self._budget.spend(len(data))
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._member.close()
        super().close()


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget) -> bytes:
    """Return a member's bytes, read a chunk at a time; raise :class:`TooBig` once it passes the budget."""
    parts = []
    with MemberReader(archive, info, budget) as member:
        while chunk := member.read(CHUNK):
            parts.append(chunk)
    return b"".join(parts)
