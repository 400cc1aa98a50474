"""The find-and-replace page: reached from the episode list, preview, apply within the request for a few
episodes and as a job over more, errors as messages."""

import pytest
from django.urls import reverse

from episodes.admin import replace
from episodes.models import Episode, Job, Revision
from episodes.tests.support.factories import make_episode

pytestmark = pytest.mark.django_db

URL = reverse("admin:episodes_episode_replace")


def form(find, replace="", **options):
    return {"find": find, "replace": replace, "fields": ["title", "turns"], **options}


def test_the_list_links_to_it_and_its_action_carries_the_selection(admin_client):
    one = make_episode("one", title="MLOps talk")
    make_episode("two", title="Other")
    changelist = admin_client.get(reverse("admin:episodes_episode_changelist")).content.decode()
    assert f'href="{URL}"' in changelist
    response = admin_client.post(
        reverse("admin:episodes_episode_changelist"), {"action": "replace_selected", "_selected_action": [one.pk]}
    )
    assert response["Location"] == f"{URL}?ids={one.pk}"
    page = admin_client.get(response["Location"]).content.decode()
    assert "In the 1 selected episode" in page
    assert "In every episode of the archive" in admin_client.get(URL).content.decode()
    assert f'href="{URL}"' in admin_client.get(reverse("admin:episodes_health_changelist")).content.decode()


def test_preview_then_apply_for_a_few_episodes(admin_client):
    one = make_episode("one", title="MLOps talk")
    make_episode("two", title="Other")
    revisions = Revision.objects.count()
    page = admin_client.post(URL, {**form("mlops", "ML Ops", whole_words="1"), "preview": ""}).content.decode()
    assert "Preview: nothing changed yet" in page and "1 match in 1 episode" in page
    assert "<del>MLOps</del><ins>ML Ops</ins> talk" in page and f'value="{one.pk}:{one.version}"' in page
    assert Episode.objects.get(pk=one.pk).title == "MLOps talk" and Revision.objects.count() == revisions
    data = {**form("mlops", "ML Ops", whole_words="1"), "versions": f"{one.pk}:{one.version}", "apply": ""}
    response = admin_client.post(URL, data, follow=True)
    assert Episode.objects.get(pk=one.pk).title == "ML Ops talk" and Revision.objects.count() == revisions + 1
    assert (
        "Replaced &quot;mlops&quot; → &quot;ML Ops&quot; in 1 episode(s), one revision each."
        in response.content.decode()
    )
    # The same form again: the episode changed since that preview, so it is refused, with a message.
    response = admin_client.post(URL, data, follow=True)
    said = [str(message) for message in response.context["messages"]]
    assert said == ["one: changed since the preview (by admin): not replaced, preview again"]


def test_a_bad_search_is_a_message_on_the_page(admin_client):
    make_episode("one", title="MLOps talk")
    page = admin_client.post(URL, {**form("(", regex="1"), "preview": ""}).content.decode()
    assert "The regular expression is not valid: missing )" in page and "Preview:" not in page
    page = admin_client.post(URL, {"find": "x", "preview": ""}).content.decode()
    assert "Choose at least one field to search in." in page
    assert "No match." in admin_client.post(URL, {**form("nowhere"), "preview": ""}).content.decode()


def test_over_a_few_episodes_apply_is_a_job(admin_client, django_assert_max_num_queries):
    for i in range(8):
        make_episode(f"e{i}", title=f"MLOps talk {i}")
    with django_assert_max_num_queries(12):
        page = admin_client.post(URL, {**form("mlops", "ML Ops"), "preview": ""}).content.decode()
    assert "8 matches in 8 episodes" in page and "It runs as a job" in page
    versions = ",".join(f"{pk}:{v}" for pk, v in Episode.objects.values_list("pk", "version"))
    response = admin_client.post(URL, {**form("mlops", "ML Ops"), "versions": versions, "apply": ""})
    job = Job.objects.get()  # run in the request here (the tests' immediate backend); by a worker otherwise
    assert job.kind == Job.Kind.REPLACE and response["Location"] == reverse("admin:episodes_job_change", args=[job.pk])
    assert job.status == Job.Status.SUCCEEDED and job.done == job.total == 8
    assert job.message == 'Replaced "mlops" → "ML Ops": 8 updated'
    assert Episode.objects.filter(title__startswith="ML Ops talk").count() == 8
    assert Revision.objects.filter(summary__startswith='replaced "mlops"').count() == 8


def test_it_needs_the_change_permission(client, django_user_model):
    user = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    client.force_login(user)
    assert client.get(URL).status_code == 403


def test_an_episode_with_many_matches_shows_the_first_ones_and_counts_the_rest(admin_client, monkeypatch):
    monkeypatch.setattr(replace, "SHOWN", 2)
    make_episode("one", title="a a a a a")
    page = admin_client.post(URL, {**form("a", "b"), "fields": ["title"], "preview": ""}).content.decode()
    assert "5 matches in 1 episode" in page and page.count("<del>a</del>") == 2
    assert 'rowspan="3"' in page and "and 3 more matches in this episode, replaced too" in page
