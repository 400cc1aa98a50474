"""Model-level behaviour that must be the same on SQLite and PostgreSQL: default orderings."""

import pytest

from episodes.models import Episode
from episodes.tests.support.factories import make_episode

pytestmark = pytest.mark.django_db


def test_episodes_list_newest_season_first_and_unnumbered_last():
    rows = [("b-none", None, None), ("a-none", None, None), ("s1e2", 1, 2), ("s2-none", 2, None), ("s2e1", 2, 1)]
    for slug, season, number in rows:
        make_episode(slug=slug)
        # Set through the ORM: an episode file may leave the keys out but not hold nulls.
        Episode.objects.filter(slug=slug).update(season=season, number=number)
    order = list(Episode.objects.values_list("slug", flat=True))
    assert order == ["s2e1", "s2-none", "s1e2", "a-none", "b-none"]


@pytest.mark.parametrize(
    "extra",
    [
        {"topics": ["MLOps", "data engineering"], "quotableClips": [{"name": "a", "startOffset": 1}]},
        {"intro": "x", "topics": ["a\n\nb", "- dash", "topics: c"], "after": {"topics": ["nested"]}},
        {"topics": "one string"},
        {"topics": {"a": ["b"]}, "z": 1},
        {"topicsx": ["no"], "other": "topics:\nquoted"},
        {"other": ["topics: in a list"]},
        {1: "topics", "topics": []},
    ],
)
def test_an_episode_s_topic_keys_are_read_from_its_topics_lines_alone_as_from_the_whole_extra(extra):
    from episodes.format import frontmatter as fm
    from episodes.format import topics
    from episodes.models.topics import _topic_keys

    text = fm.dump(extra)
    whole = fm.load(text)
    assert _topic_keys(text) == topics.topic_keys(whole)
