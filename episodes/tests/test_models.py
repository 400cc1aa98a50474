"""Model-level behaviour that must be the same on SQLite and PostgreSQL: default orderings."""

import pytest

from episodes.models import Episode
from episodes.tests.factories import make_episode

pytestmark = pytest.mark.django_db


def test_episodes_list_newest_season_first_and_unnumbered_last():
    rows = [("b-none", None, None), ("a-none", None, None), ("s1e2", 1, 2), ("s2-none", 2, None), ("s2e1", 2, 1)]
    for slug, season, number in rows:
        make_episode(slug=slug)
        # Set through the ORM: an episode file may leave the keys out but not hold nulls.
        Episode.objects.filter(slug=slug).update(season=season, number=number)
    order = list(Episode.objects.values_list("slug", flat=True))
    assert order == ["s2e1", "s2-none", "s1e2", "a-none", "b-none"]
