"""The admin's episode list: its columns, and a cost that does not grow with episodes or transcripts."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from episodes.models import Episode
from episodes.tests.support.factories import make_episode, make_person

pytestmark = pytest.mark.django_db

URL = reverse("admin:episodes_episode_changelist")


def add_episodes(start: int, stop: int) -> None:
    """Episodes in four seasons, each with two guests and a transcript of ten turns times its number."""
    make_person("janedoe", "Jane Doe")
    for n in range(start, stop):
        transcript = [{"line": f"Turn {i}.", "who": "Jane"} for i in range(10 * (n + 1))]
        make_episode(f"ep-{n}", season=1 + n % 4, episode=n, transcript=transcript, guests=["janedoe", f"guest{n}"])


def list_views() -> list[dict]:
    """Every way the list can be shown: plain, searched, each filter, sorted by each sortable column."""
    model_admin = admin.site._registry[Episode]
    views = [{}, {"q": "Episode"}, {"q": "guest1"}, {"season": "2"}, {"status__exact": "draft"}, {"warnings": "yes"}]
    for index, name in enumerate(model_admin.list_display):
        column = getattr(model_admin, name, None)
        if name in {f.name for f in Episode._meta.fields} or getattr(column, "admin_order_field", None):
            views += [{"o": str(index)}, {"o": f"-{index}"}]
    return views


def test_every_column_but_the_guests_can_be_sorted():
    assert len([v for v in list_views() if "o" in v]) == 2 * 6


def test_the_items_column_is_the_count_kept_with_the_episode(admin_client, seed_episode):
    html = admin_client.get(URL).content.decode()
    assert '<td class="field-item_count">172</td>' in html
    Episode.objects.filter(pk=seed_episode.pk).update(item_count=5)
    assert '<td class="field-item_count">5</td>' in admin_client.get(URL).content.decode()


def test_the_list_reads_no_transcript_and_as_many_queries_for_30_episodes_as_for_3(
    admin_client, django_assert_max_num_queries, django_assert_num_queries
):
    add_episodes(0, 3)
    admin_client.get(URL)  # the session and the permissions, read once like a real editor's second view
    counts = {}
    for params in list_views():
        with django_assert_max_num_queries(12) as captured:
            assert admin_client.get(URL, params).status_code == 200, params
        counts[str(params)] = len(captured)
        read = [q["sql"] for q in captured.captured_queries if "episodes_transcriptitem" in q["sql"]]
        assert not read, (params, read)
    add_episodes(3, 30)
    for params in list_views():
        with django_assert_num_queries(counts[str(params)]):
            assert admin_client.get(URL, params).status_code == 200, params


def test_the_season_filter_offers_the_seasons_and_filters(admin_client):
    add_episodes(0, 3)
    html = admin_client.get(URL).content.decode()
    for season in (1, 2, 3):
        assert f'href="?season={season}"' in html
    html = admin_client.get(URL, {"season": "2"}).content.decode()
    assert "S02E01" in html and "S01E00" not in html and "S03E02" not in html


def test_exporting_from_the_list_reads_as_many_queries_for_30_episodes_as_for_3(
    admin_client, django_assert_max_num_queries, django_assert_num_queries
):
    def selected():
        return {"action": "export_selected", "_selected_action": list(Episode.objects.values_list("pk", flat=True))}

    add_episodes(0, 3)
    admin_client.post(URL, selected())  # the session and the permissions, read once
    data = selected()
    # The list's columns leave the long texts out: the export reads them with its own four queries.
    with django_assert_max_num_queries(10) as captured:
        assert admin_client.post(URL, data)["Content-Type"] == "application/zip"
    add_episodes(3, 30)
    data = selected()
    with django_assert_num_queries(len(captured)):
        response = admin_client.post(URL, data)
    assert response["Content-Type"] == "application/zip"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plans; PostgreSQL sorts narrow rows")
def test_each_order_of_the_list_reads_an_index_instead_of_sorting_every_episode(admin_client, monkeypatch):
    add_episodes(0, 12)
    monkeypatch.setattr(admin.site._registry[Episode], "list_per_page", 2)
    admin_client.get(URL)
    for params in [{}, {"season": "2"}, *(view for view in list_views() if "o" in view)]:
        with CaptureQueriesContext(connection) as captured:
            admin_client.get(URL, params)
        (page,) = [q["sql"] for q in captured.captured_queries if q["sql"].endswith(" LIMIT 2")]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + page)
            plan = [row[-1] for row in cursor.fetchall()]
        assert not [step for step in plan if "TEMP B-TREE" in step], (params, plan)


def test_a_nul_character_in_any_filter_search_or_address_is_refused(admin_client, seed_episode):
    # PostgreSQL cannot take a NUL in a query: ?slug=%00 was a 500 there (SQLite: an empty list).
    for model, model_admin in admin.site._registry.items():
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        names = ["q", "slug", "o", "p", *(f"{f.name}__exact" for f in model._meta.fields)]
        names += [
            f if isinstance(f, str) else f.parameter_name for f in model_admin.list_filter if not isinstance(f, tuple)
        ]
        for name in names:
            response = admin_client.get(changelist, {name: "a\x00b"})
            assert response.status_code == 400, (changelist, name)
        assert admin_client.get(changelist + "?q=%00").status_code == 400
    assert admin_client.get(reverse("admin:episodes_episode_changelist") + "%00/change/").status_code == 404
