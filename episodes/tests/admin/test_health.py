"""The archive health page, the episode list's problem filter, and the trend since the last pull."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.db.models import Count
from django.urls import reverse

from episodes import services
from episodes.format import checks
from episodes.models import Episode, EpisodeProblem, HealthSnapshot
from episodes.selectors.checks import archive_health
from episodes.services.checks import health_snapshot_take
from episodes.tests.support.factories import make_episode, needs_shared
from episodes.tests.support.siterepo import make_site

pytestmark = pytest.mark.django_db

HEALTH = "/admin/episodes/health/"
LONG = "A long title " * 9


def test_the_page_shows_each_rule_with_its_share_and_a_link_to_its_episodes(admin_client):
    make_episode("long-one", title=LONG)
    make_episode("fine-one", title="Short")
    assert reverse("admin:episodes_health_changelist") == HEALTH
    page = admin_client.get(HEALTH).content.decode()
    for name in checks.RULES:
        assert f"?problem={name}" in page
    row = page[page.index('href="/admin/episodes/episode/?problem=title-length"') :]
    row = row[: row.index("</tr>")]
    assert re.search(r'<td class="count"><a [^>]*>1</a>', row)
    assert 'value="0.5000"' in row and "50%" in row
    missing = page[page.index("?problem=missing-intro") :]
    assert re.search(r'<td class="count"><a [^>]*>2</a>', missing[: missing.index("</tr>")])
    assert "no pull recorded yet" in page


def test_the_problem_filter_lists_the_episodes_breaking_a_rule(admin_client):
    make_episode("long-one", title=LONG)
    make_episode("fine-one", title="Short")
    url = reverse("admin:episodes_episode_changelist")
    page = admin_client.get(url, {"problem": "title-length"}).content.decode()
    assert LONG.strip()[:30] in page and ">Short<" not in page
    page = admin_client.get(url, {"problem": "missing-intro"}).content.decode()
    assert LONG.strip()[:30] in page and ">Short<" in page
    # Each rule is a choice of the filter.
    assert all(f"?problem={name}" in page for name in checks.RULES)


def test_trend_since_the_last_pull(admin_client):
    episode = make_episode("long-one", title=LONG)
    snapshot = health_snapshot_take(commit="abc1234def")
    assert snapshot.counts["title-length"] == 1 and snapshot.episodes == 1
    make_episode("long-two", title=LONG + "again")
    with services.editing(episode=episode, summary="shorter") as change:
        change.episode.title = "Short"
        change.episode.save(update_fields=["title"])
    health = {row.rule.name: row for row in archive_health().rules}
    assert (health["title-length"].episodes, health["title-length"].trend) == (1, 0)
    assert (health["missing-intro"].episodes, health["missing-intro"].trend) == (2, 1)
    page = admin_client.get(HEALTH).content.decode()
    assert "abc1234" in page
    intro = page[page.index("?problem=missing-intro") :]
    assert '<span class="worse">+1</span>' in intro[: intro.index("</tr>")]


def test_the_page_costs_the_same_queries_on_4000_episodes(admin_client, django_assert_max_num_queries):
    rules = list(checks.RULES)
    Episode.objects.bulk_create(Episode(slug=f"e{n}", title=f"Episode {n}") for n in range(4000))
    ids = list(Episode.objects.values_list("pk", flat=True))
    # Each episode breaks one to three rules, spread unevenly over the rules.
    EpisodeProblem.objects.bulk_create(
        EpisodeProblem(episode_id=pk, rule=rules[i], count=1)
        for pk in ids
        for i in {pk % len(rules), (pk * 7) % len(rules), (pk // 3) % 4}
    )
    health_snapshot_take(commit="0" * 40)
    admin_client.get(HEALTH)  # warm the session and permission caches, as an editor's second view
    with django_assert_max_num_queries(10):
        response = admin_client.get(HEALTH)
    assert response.status_code == 200
    expected = {rule: EpisodeProblem.objects.filter(rule=rule).values("episode").distinct().count() for rule in rules}
    page = response.content.decode()
    for rule, count in expected.items():
        row = page[page.index(f'href="/admin/episodes/episode/?problem={rule}"') :]
        assert re.search(rf'<td class="count"><a [^>]*>{count}</a>', row[: row.index("</tr>")]), rule


def test_editors_may_view_the_page_and_nobody_may_change_it(client, django_user_model):
    user = django_user_model.objects.create_user("ed", password="pw", is_staff=True)
    assert client.get(HEALTH).status_code == 302  # to the login page
    client.force_login(user)
    assert client.get(HEALTH).status_code == 403
    group, _ = Group.objects.get_or_create(name="Viewers")
    group.permissions.add(Permission.objects.get(codename="view_episode"))
    user.groups.add(group)
    client.force_login(user)
    assert client.get(HEALTH).status_code == 200
    assert client.post(HEALTH).status_code in (200, 405)  # nothing to post: the page just shows again
    assert HealthSnapshot.objects.count() == 0


@needs_shared
def test_a_pull_records_the_counts_it_left(tmp_path):
    from episodes.services import site as site_sync

    site = make_site(tmp_path / "site", episodes=["crisp-dm", "s22e07-reinventing-career-in-tech"], people=[])
    site_sync.site_pull(repo=str(site.root))
    snapshot = HealthSnapshot.objects.get()
    assert snapshot.commit == site.git("rev-parse", "HEAD").strip() and snapshot.episodes == 2
    stored = dict(EpisodeProblem.objects.order_by().values_list("rule").annotate(n=Count("pk")))
    assert snapshot.counts == stored and stored["missing-intro"] == 2
