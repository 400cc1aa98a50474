"""Counts of committed changes, raised by database triggers: ``STRUCTURE`` (what related episodes are made of)
and ``TEXT`` (what a transcript search finds). See :mod:`episodes.change_stamps` for the triggers and why."""

from __future__ import annotations

from django.db import models


class Stamp(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True)
    value = models.BigIntegerField(default=0)

    def __str__(self):
        return f"stamp {self.id}: {self.value}"
