"""suggest_metadata, the episode list's action (a job), the review queue and the editor's panel."""

import gc
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from episodes import llm
from episodes.documents import database
from episodes.models import Episode, Job, Revision, Suggestion
from episodes.services import jobs, suggestions
from episodes.tests.support.factories import make_episode, make_person
from episodes.tests.support.fake_model import fake_model  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

GOOD = {
    "title": "Running Machine Learning in a Small Team",
    "description": "How a small team runs machine learning in production: what to automate first, which tools "
    "to pick, and the habits that matter more than any tool.",
    "intro": " ".join(["word"] * 170),
    "topics": "MLOps\nCareer\nTools",
    "chapters": "00:00:05 Welcome\n00:00:20 Background",
}


def answer_by_field(request):
    prompt = request["messages"][-1]["content"]
    markers = [("chapters", "Split this podcast"), ("title", "Write the title"), ("description", "meta description"),
               ("intro", "introduction"), ("topics", "Choose")]  # fmt: skip
    for name, marker in markers:
        if marker in prompt:
            return GOOD[name]
    raise AssertionError(prompt)


def bare(slug, **overrides):
    """An episode with a title only: no description, intro or topics; sections as in the factory."""
    return make_episode(slug, **overrides)


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("suggest_metadata", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_says_how_to_turn_it_on(settings):
    settings.AI_BASE_URL = ""
    with pytest.raises(CommandError, match="set AI_BASE_URL") as raised:
        run()
    assert raised.value.returncode == 2


def test_missing_fills_only_empty_fields_and_estimates_first(fake_model, settings):  # noqa: F811
    fake_model.answer = answer_by_field
    bare("ep-a")
    bare("ep-b", description="Written by a person.")
    out, err = run("--missing", "--fields", "title,description,topics")
    assert out.startswith("Plan: 2 episode(s), 3 request(s), about ")
    assert "input and" in out.split("\n")[0] and "$" in out.split("\n")[0]
    assert err == ""
    assert sorted(Suggestion.objects.values_list("episode__slug", "field")) == [
        ("ep-a", "description"), ("ep-a", "topics"), ("ep-b", "topics")]  # fmt: skip
    assert Suggestion.objects.filter(status="pending").count() == 3
    assert database.episode_extra(Episode.objects.get(slug="ep-b"))["description"] == "Written by a person."
    assert "3 suggested for review" in out


def test_dry_run_asks_nothing(fake_model):  # noqa: F811
    bare("ep-a")
    out, _ = run("--dry-run", "--fields", "description")
    assert "Plan: 1 episode(s), 1 request(s)" in out and "ep-a: description" in out
    assert fake_model.requests == [] and not Suggestion.objects.exists()


def test_accept_applies_what_passes_every_check_as_revisions(fake_model):  # noqa: F811
    fake_model.answer = answer_by_field
    bare("ep-a")
    before = Revision.objects.count()
    out, _ = run("ep-a", "--accept", "--fields", "description,intro")
    episode = Episode.objects.get(slug="ep-a")
    extra = database.episode_extra(episode)
    assert extra["description"] == GOOD["description"] and extra["intro"] == GOOD["intro"]
    assert Revision.objects.count() == before + 2
    assert all("fake-model" in r.summary for r in Revision.objects.for_episode(episode)[:2])
    assert "2 accepted" in out


def test_accept_leaves_a_suggestion_with_warnings_for_review(fake_model):  # noqa: F811
    fake_model.answer = lambda request: "Too short."
    bare("ep-a")
    out, _ = run("--accept", "--fields", "description")
    assert "description" not in database.episode_extra(Episode.objects.get(slug="ep-a"))
    suggestion = Suggestion.objects.get()
    assert suggestion.status == "pending" and suggestion.warnings


def test_accept_never_replaces_a_field_a_person_wrote(fake_model):  # noqa: F811
    fake_model.answer = answer_by_field
    bare("ep-a", description="Written by a person.")
    run("ep-a", "--accept", "--fields", "description")
    assert database.episode_extra(Episode.objects.get(slug="ep-a"))["description"] == "Written by a person."
    assert Suggestion.objects.get().status == "pending"


def test_faults_go_on_with_the_next_episode(fake_model):  # noqa: F811
    fake_model.answer = answer_by_field
    bare("ep-a")
    bare("ep-b")
    for _ in range(3):
        fake_model.push(500, {"error": {"message": "down"}})
    with pytest.raises(CommandError, match="1 suggested for review.*1 failed") as raised:
        run("--fields", "description")
    assert raised.value.returncode == 1
    assert list(Suggestion.objects.values_list("episode__slug", flat=True)) == ["ep-b"]


def test_max_cost_and_limit_stop_the_batch(fake_model, settings):  # noqa: F811
    fake_model.answer = answer_by_field
    for slug in ("ep-a", "ep-b", "ep-c"):
        bare(slug)
    out, _ = run("--fields", "description", "--limit", "2")
    assert Suggestion.objects.count() == 2 and "Plan: 2 episode(s)" in out
    Suggestion.objects.all().delete()
    settings.AI_PRICE_INPUT_PER_MTOK = "1000"  # the fake server counts 100 input tokens: $0.1 a request
    estimate = suggestions.batch_plan(fields=["description"]).episodes[0].prompts["description"].cost
    cap = estimate + Decimal("0.05")  # the first request fits, the second's estimate would not
    out, _ = run("--fields", "description", "--max-cost", str(cap))
    assert Suggestion.objects.count() == 1
    assert f"Stopped at --max-cost ${cap}" in out


def test_a_batch_reports_what_every_answer_cost_with_a_cap_or_without(fake_model, settings):  # noqa: F811
    fake_model.answer = answer_by_field
    for slug in ("ep-a", "ep-b"):
        bare(slug)
    for cap in (None, Decimal(100)):
        report = suggestions.batch_run(
            suggestions.batch_plan(fields=["title", "description"], force=True), max_cost=cap
        )
        made = Suggestion.objects.filter(status="pending")
        assert made.count() == 4 and not report.stopped
        assert report.spent == sum(s.cost for s in made) > 0
        assert (report.input_tokens, report.output_tokens) == (
            sum(s.input_tokens for s in made), sum(s.output_tokens for s in made)
        )  # fmt: skip


def test_unknown_slug_or_field(fake_model):  # noqa: F811
    with pytest.raises(CommandError, match="no episode nope"):
        run("nope")
    with pytest.raises(CommandError, match="no field 'summary'"):
        run("--fields", "summary")


def test_the_episode_list_action_runs_a_job_and_cancel_stops_between_episodes(fake_model, admin_client):  # noqa: F811
    fake_model.answer = answer_by_field
    ids = [bare(slug).pk for slug in ("ep-a", "ep-b")]
    url = reverse("admin:episodes_episode_changelist")
    response = admin_client.post(url, {"action": "suggest_selected", "_selected_action": ids})
    job = Job.objects.get(kind="suggest")
    assert response.status_code == 302 and response["Location"] == reverse("admin:episodes_job_change", args=[job.pk])
    assert job.status == "succeeded", job.message
    assert Suggestion.objects.filter(job=job).count() == 6  # description, intro, topics of each
    assert "6 suggested for review" in job.message


def test_cancel_stops_between_episodes(fake_model, admin_user, monkeypatch):  # noqa: F811
    fake_model.answer = answer_by_field
    for slug in ("ep-a", "ep-b", "ep-c"):
        bare(slug)
    job = jobs.job_create(kind=Job.Kind.SUGGEST, user=admin_user, arguments={"fields": ["description"]})
    ask = suggestions.suggest.suggestion_ask

    def cancel_after_first(**kwargs):
        Job.objects.filter(pk=job.pk).update(cancel_requested=True)  # as the Cancel button does meanwhile
        return ask(**kwargs)

    monkeypatch.setattr(suggestions.batches, "suggestion_ask", cancel_after_first)
    assert jobs.job_run(job_id=job.pk) == "cancelled"
    assert Suggestion.objects.count() == 1
    assert "Cancelled after 1 of 3" in Job.objects.get(pk=job.pk).message


def test_the_action_and_the_suggest_buttons_are_hidden_when_off(admin_client, settings):
    settings.AI_BASE_URL = ""
    episode = bare("ep-a")
    page = admin_client.get(reverse("admin:episodes_episode_change", args=[episode.pk])).content.decode()
    assert "Suggest description" not in page and "Suggest chapters" not in page and "suggest-form-" not in page
    assert "suggestions.js" not in page
    listing = admin_client.get(reverse("admin:episodes_episode_changelist")).content.decode()
    assert "suggest_selected" not in listing
    url = reverse("admin:episodes_episode_suggest", args=[episode.pk, "title"])
    assert admin_client.post(url).status_code == 404


def test_each_suggest_button_is_beside_its_field(fake_model, admin_client):  # noqa: F811
    episode = bare("ep-a", description="Written by a person.")
    page = admin_client.get(reverse("admin:episodes_episode_change", args=[episode.pk])).content.decode()
    form_end = page.index("</form>", page.index('id="episode_form"'))
    for field, name, after in [("title", 'name="title"', 'name="short"'),
                               ("description", 'name="x_description"', 'name="x_intro"'),
                               ("intro", 'name="x_intro"', 'name="x_topics"'),
                               ("topics", 'name="x_topics"', 'name="x_dateadded"')]:  # fmt: skip
        slot = page.index(f'id="suggest-{field}"')
        assert page.index(name) < slot < page.index(after) < form_end, field
        assert f'<button type="submit" form="suggest-form-{field}" class="suggest-button">Suggest {field}' in page
    # Chapters: under the sections; each button's form is outside the episode's form, which cannot hold one.
    assert page.index('id="panel-sections"') < page.index('id="suggest-chapters"') > form_end
    assert form_end < page.index('<form id="suggest-form-title" method="post"')
    # The field is described by its help text and warnings, not by the suggestion under them.
    assert 'aria-describedby="id_x_topics_notes"' in page and '<span id="id_x_topics_notes">' in page
    # A key whose value has no box of its own (here a list, edited as YAML): its slot under the form.
    odd = bare("ep-b", description=["not", "text"])
    page = admin_client.get(reverse("admin:episodes_episode_change", args=[odd.pk])).content.decode()
    form_end = page.index("</form>", page.index('id="episode_form"'))
    assert 'name="x_description"' not in page and page.index('id="suggest-description"') > form_end
    assert page.index('id="suggest-title"') < form_end and "Other suggestions" in page


def test_editor_suggest_accept_and_reject(fake_model, admin_client):  # noqa: F811
    fake_model.answer = answer_by_field
    episode = bare("ep-a")
    change = reverse("admin:episodes_episode_change", args=[episode.pk])
    response = admin_client.post(reverse("admin:episodes_episode_suggest", args=[episode.pk, "description"]))
    assert response.status_code == 302 and response["Location"] == change + "#suggest-description"
    page = admin_client.get(change).content.decode()
    suggestion = Suggestion.objects.get()
    slot = page[page.index('id="suggest-description"') :]
    assert "<ins>" in slot and "100 + 20 tokens" in slot and f'name="value-{suggestion.pk}"' in slot
    decide = reverse("admin:episodes_suggestion_decide", args=[suggestion.pk])
    assert f'form="decide-form-description" formaction="{decide}" name="accept"' in slot
    corrected = GOOD["description"].replace("small team", "small company")
    response = admin_client.post(decide, {"accept": "1", f"value-{suggestion.pk}": corrected})
    assert response["Location"] == change + "#suggest-description"
    assert database.episode_extra(Episode.objects.get(pk=episode.pk))["description"] == corrected
    admin_client.post(reverse("admin:episodes_episode_suggest", args=[episode.pk, "title"]))
    title = Suggestion.objects.get(field="title")
    admin_client.post(reverse("admin:episodes_suggestion_decide", args=[title.pk]), {"reject": "1"})
    assert Suggestion.objects.get(pk=title.pk).status == "rejected"
    assert Episode.objects.get(pk=episode.pk).title == "A test episode"


def test_the_page_script_starts_a_job_and_fetches_the_slot(fake_model, admin_client):  # noqa: F811
    fake_model.answer = answer_by_field
    episode = bare("ep-a")
    url = reverse("admin:episodes_episode_suggest", args=[episode.pk, "intro"])
    reply = admin_client.post(url, headers={"accept": "application/json"}).json()
    job = Job.objects.get(kind="suggest")
    assert reply["ok"] and reply["progress"] == reverse("admin:episodes_job_progress", args=[job.pk])
    assert reply["slot"] == url and reply["message"] == f"Asking the model for the intro (job #{job.pk})."
    progress = admin_client.get(reply["progress"], headers={"accept": "application/json"}).json()
    assert progress["status"] == "succeeded" and progress["report"][-1]["text"] == "ep-a intro: suggested"
    slot = admin_client.get(reply["slot"], headers={"accept": "application/json"}).json()["html"]
    assert slot.startswith('<div class="suggest-slot" id="suggest-intro"') and "<ins>" in slot
    assert "Suggested intro (you can correct it)" in slot and "<form" not in slot
    fake_model.answer = lambda request: ""
    admin_client.post(url, headers={"accept": "application/json"})
    progress = admin_client.get(reverse("admin:episodes_job_progress", args=[Job.objects.first().pk])).json()
    assert "ep-a intro: unusable: the model answered with no text" in progress["report"][-1]["text"]


def test_review_queue_bulk_accept_and_cost_per_month(fake_model, admin_client):  # noqa: F811
    fake_model.answer = answer_by_field
    for slug in ("ep-a", "ep-b"):
        bare(slug)
    run("--fields", "description")
    url = reverse("admin:episodes_suggestion_changelist")
    page = admin_client.get(url).content.decode()
    assert "Cost per month" in page and "0.0001" in page
    ids = list(Suggestion.objects.values_list("pk", flat=True))
    admin_client.post(url, {"action": "accept_selected", "_selected_action": ids})
    assert Suggestion.objects.filter(status="accepted").count() == 2
    assert all(database.episode_extra(e).get("description") == GOOD["description"] for e in Episode.objects.all())


def test_review_page_shows_the_diff_and_accepts_a_correction(fake_model, admin_client):  # noqa: F811
    fake_model.answer = answer_by_field
    bare("ep-a")
    run("--fields", "title", "ep-a")
    suggestion = Suggestion.objects.get()
    url = reverse("admin:episodes_suggestion_change", args=[suggestion.pk])
    page = admin_client.get(url).content.decode()
    assert "<del>" in page and "<ins>" in page and 'name="_accept"' in page
    admin_client.post(url, {"value": "Small Teams, Real Machine Learning", "_accept": "Accept"})
    assert Episode.objects.get(slug="ep-a").title == "Small Teams, Real Machine Learning"


def test_queries_per_accepted_suggestion(fake_model, django_assert_max_num_queries):  # noqa: F811
    fake_model.answer = answer_by_field
    for i in range(5):
        bare(f"ep-{i}")
    plan = suggestions.batch_plan(fields=["description"])
    with django_assert_max_num_queries(5 * 20):
        report = suggestions.batch_run(plan, accept=True)
    assert report.count("accepted") == 5


def test_a_batch_reads_its_episodes_in_a_few_queries_and_saves_in_bulk(
    fake_model,  # noqa: F811
    django_assert_num_queries,
    django_assert_max_num_queries,
    monkeypatch,
):
    fake_model.answer = answer_by_field
    make_person("janedoe", "Jane Doe")
    for i in range(6):
        bare(f"ep-{i}", guests=["janedoe"])
    # However many episodes: the slugs, the topics, the episodes, their turns, their guests, what waits.
    with django_assert_max_num_queries(8):
        plan = suggestions.batch_plan(fields=["chapters", "title", "description"], force=True)
    assert plan.requests == 18 and all("Jane Doe" in p.material.guests[0][0] for p in plan.episodes)
    monkeypatch.setattr(suggestions.batches, "SAVE_EVERY", 3600)  # one group: saved at the end
    with django_assert_num_queries(1):  # one insert (in a transaction of its own outside a test's)
        report = suggestions.batch_run(plan)
    assert report.count("suggested") == 18 and Suggestion.objects.filter(status="pending").count() == 18
    plan = suggestions.batch_plan(fields=["title"], force=True)
    with django_assert_num_queries(2):  # and one update: the suggestions they replace
        suggestions.batch_run(plan)
    assert Suggestion.objects.filter(status="replaced", field="title").count() == 6


def test_a_batch_leaves_older_objects_out_of_the_collectors_passes_while_it_runs(fake_model, monkeypatch):  # noqa: F811
    fake_model.answer = answer_by_field
    bare("ep-a")
    before = gc.get_freeze_count()
    during = []
    read = suggestions.batches.episode_materials

    def materials(*args, **kwargs):
        during.append(gc.get_freeze_count())
        return read(*args, **kwargs)

    def ask(config, messages):
        during.append(gc.get_freeze_count())
        return llm.complete(config, messages)

    monkeypatch.setattr(suggestions.batches, "episode_materials", materials)
    report = suggestions.batch_run(suggestions.batch_plan(fields=["title", "description"], force=True), ask=ask)
    assert report.count("suggested") == 2
    assert len(during) == 3 and all(count > before for count in during)  # the plan's read, then each request
    assert gc.get_freeze_count() == before  # handed back to the collector after each


def test_answers_are_made_into_suggestions_together_when_saved_and_told_in_order(fake_model, monkeypatch):  # noqa: F811
    fake_model.answer = answer_by_field
    for slug in ("ep-a", "ep-b", "ep-c"):
        bare(slug)
    fake_model.push(200)  # ep-a's answer
    for _ in range(3):  # ep-b: no answer after its two retries
        fake_model.push(500, {"error": {"message": "down"}})
    make = suggestions.batches.suggestion_from_reply
    asked_before = []

    def from_reply(asked, **kwargs):
        asked_before.append(len(fake_model.requests))
        return make(asked, **kwargs)

    monkeypatch.setattr(suggestions.batches, "suggestion_from_reply", from_reply)
    monkeypatch.setattr(suggestions.batches, "SAVE_EVERY", 3600)
    told = []
    report = suggestions.batch_run(suggestions.batch_plan(fields=["description"]), progress=told.append)
    # ep-a's answer waited: it was made only when ep-b's request failed (before its line), ep-c's at the end.
    assert asked_before == [4, 5]
    assert [(line.slug, line.status) for line in told] == [("ep-a", "suggested"), ("ep-b", "failed"),
                                                            ("ep-c", "suggested")]  # fmt: skip
    assert told == report.lines and Suggestion.objects.count() == 2


def test_suggestions_saved_together_are_the_rows_each_saved_alone_would_be(fake_model, admin_user):  # noqa: F811
    episode = bare("ep-a")
    job = Job.objects.create(kind="suggest")
    made = [
        Suggestion(episode=episode, field="title", prompt_version="title.v2", model="m", input_tokens=100,
                   output_tokens=20, cost=Decimal("0.000065"), value="A title", current="Old", base_version=3,
                   warnings=["title-length: too long", "typography: a straight quote"], job=job),
        Suggestion(episode=episode, field="intro", prompt_version="intro.v2", model="m", cost=Decimal("0.000065"),
                   value="{}", error="the model answered with no text", status="rejected", base_version=3),
        Suggestion(episode=episode, field="topics", prompt_version="topics.v2", model="m", cost=Decimal("1.5"),
                   value="MLOps", base_version=3, warnings=[], decided_by=admin_user),
    ]  # fmt: skip
    alone = [Suggestion(**{f.attname: getattr(s, f.attname) for f in Suggestion._meta.concrete_fields}) for s in made]
    suggestions.suggest.suggestions_save(made, replace={})
    for suggestion in alone:
        suggestion.save()
    assert all(s.pk and not s._state.adding for s in made) and len({s.pk for s in made}) == 3

    def rows(saved):
        return [
            {
                k: v
                for k, v in Suggestion.objects.filter(pk=s.pk).values().get().items()
                if k not in ("id", "created_at")
            }
            for s in saved
        ]

    assert rows(made) == rows(alone)
    assert [s.field for s in Suggestion.objects.filter(pk__in=[s.pk for s in made]).order_by("pk")] == [
        "title", "intro", "topics"
    ]  # fmt: skip
    assert all(Suggestion.objects.get(pk=s.pk).created_at is not None for s in made)
    made[0].status = "accepted"
    made[0].save(update_fields=["status"])  # an update of the row inserted, not another row
    assert Suggestion.objects.get(pk=made[0].pk).status == "accepted" and Suggestion.objects.count() == 6
    # More rows than one statement takes on SQLite (999 parameters): each still gets its own row's id.
    many = [Suggestion(episode=episode, field="title", value=f"Title {i}", base_version=i) for i in range(130)]
    suggestions.suggest.suggestions_save(many, replace={})
    assert dict(Suggestion.objects.filter(pk__in=[s.pk for s in many]).values_list("pk", "value")) == {
        s.pk: s.value for s in many
    } and len({s.pk for s in many}) == 130  # fmt: skip
    more = [Suggestion(episode=episode, field="intro", value=f"Intro {i}", base_version=i) for i in range(40)]
    with CaptureQueriesContext(connection) as queries:
        suggestions.suggest.suggestions_save(more, replace={})
    inserts = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("INSERT")]
    # PostgreSQL: one array a column (a query of 17 parameters, not 680: psycopg reads each one in Python).
    assert len(inserts) == 1 and ("UNNEST(" in inserts[0]) == (connection.vendor == "postgresql")
    saved = Suggestion.objects.filter(pk__in=[s.pk for s in more]).order_by("pk")
    assert list(saved.values_list("value", flat=True)) == [s.value for s in more]


def test_a_second_batch_replaces_what_waits_for_review(fake_model):  # noqa: F811
    fake_model.answer = answer_by_field
    bare("ep-a")
    run("--fields", "description")
    run("--fields", "description")
    assert sorted(Suggestion.objects.values_list("status", flat=True)) == ["pending", "replaced"]


def test_a_batch_replaces_what_waited_when_planned_and_not_what_was_decided_since(fake_model):  # noqa: F811
    fake_model.answer = answer_by_field
    bare("ep-a")
    bare("ep-b")
    suggestions.batch_run(suggestions.batch_plan(fields=["title", "description"], force=True))
    first = {(s.episode.slug, s.field): s for s in Suggestion.objects.select_related("episode")}
    plan = suggestions.batch_plan(fields=["title", "description"], force=True)
    suggestions.suggestions_reject(suggestions=[first["ep-a", "title"]])  # decided after the plan
    suggestions.batch_run(plan)
    statuses = {key: Suggestion.objects.get(pk=s.pk).status for key, s in first.items()}
    assert statuses == {("ep-a", "title"): "rejected", ("ep-a", "description"): "replaced",
                        ("ep-b", "title"): "replaced", ("ep-b", "description"): "replaced"}  # fmt: skip
    assert Suggestion.objects.filter(status="pending").count() == 4


def test_editors_may_review_suggestions(client, django_user_model):
    user = django_user_model.objects.create_user("ed", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    assert client.get(reverse("admin:episodes_suggestion_changelist")).status_code == 200
