"""Counts of committed changes, raised by database triggers: the structure stamp (row ``STRUCTURE``), which
every committed change to an episode's status, season, number or slug, to its guests or to its topics raises.
See :mod:`episodes.structure_stamp` for the triggers and why."""

from __future__ import annotations

from django.db import models

from ..structure_stamp import STRUCTURE

__all__ = ["STRUCTURE", "Stamp"]


class Stamp(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True)
    value = models.BigIntegerField(default=0)
    # PostgreSQL: the transaction that raised it last, so that a transaction raises it once.
    xact = models.BigIntegerField(null=True, blank=True)

    def __str__(self):
        return f"stamp {self.id}: {self.value}"
