"""Find and replace across the archive, the service: a preview writes nothing, apply makes one revision per
episode in every field, an episode changed since the preview is refused, a slow search stops, and the job."""

import pytest

from episodes import tasks
from episodes.documents.database import episode_extra
from episodes.format import frontmatter as fm
from episodes.format.replacing import Search
from episodes.models import Episode, Job, Revision, Speaker, TranscriptItem
from episodes.services import episode_save, jobs
from episodes.services.replacing import SearchFailed, episodes_replace, replace_preview
from episodes.tests.support.factories import SHARED, export, import_text, make_episode, make_person, needs_shared

pytestmark = pytest.mark.django_db

WORKER_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
CLIPS = [{"name": "Intro to MLOps", "startOffset": 0, "endOffset": 10}]


def rich_episode(slug="one"):
    return make_episode(
        slug,
        title="MLOps with Jane",
        short="MLOps",
        description="All about mlops.",
        intro="An intro on MLOps and AutoMLOps.",
        topics=["MLOps", "Python"],
        quotableClips=CLIPS,
        transcript=[
            {"header": "Intro to MLOps"},
            {"line": "Welcome to a talk on MLOps.", "sec": 5, "time": "0:05", "who": "Alexey"},
            {"line": "Thanks, MLOps is fun.", "sec": 9, "time": "0:09", "who": "Jane"},
        ],
    )


def texts(episode):
    episode = Episode.objects.get(pk=episode.pk)
    extra = episode_extra(episode)
    items = list(TranscriptItem.objects.filter(episode=episode).order_by("position").values_list("text", "who"))
    return (
        episode.title,
        episode.short,
        extra["description"],
        extra["intro"],
        extra["topics"],
        extra["quotableClips"],
        items,
    )


def test_the_preview_lists_each_episode_and_match_and_writes_nothing():
    one = rich_episode("one")
    make_episode("two", title="Nothing to see")
    before, revisions = texts(one), Revision.objects.count()
    [found] = replace_preview(search=Search("mlops", "MLOps", whole_words=True))
    assert found.episode.slug == "one" and found.version == one.version
    # Only what changes: "MLOps" already written so is no change; "AutoMLOps" is another word.
    assert found.counts() == {"description": 1} and found.count == 1
    [found] = replace_preview(search=Search("mlops", "ML Ops", whole_words=True))
    assert found.counts() == {
        "title": 1, "short": 1, "description": 1, "intro": 1, "topics": 1, "headers": 1, "clips": 1, "turns": 2,
    }  # fmt: skip
    assert [change.text.where for change in found.changes][-2:] == ["turn 2 (Alexey)", "turn 3 (Jane)"]
    assert texts(one) == before and Revision.objects.count() == revisions
    assert replace_preview(search=Search("MLOps", "x", case_sensitive=True), episode_ids=[]) == []


def test_apply_makes_one_revision_per_episode_in_every_field():
    one, two = rich_episode("one"), rich_episode("two")
    make_episode("three", title="Nothing to see")
    revisions = Revision.objects.count()
    search = Search("mlops", "ML Ops", whole_words=True)
    versions = {found.episode.pk: found.version for found in replace_preview(search=search)}
    lines = episodes_replace(search=search, versions=versions)
    assert [(line.key, line.status) for line in lines] == [("one", "updated"), ("two", "updated")]
    assert Revision.objects.count() == revisions + 2
    assert texts(one) == (
        "ML Ops with Jane",
        "ML Ops",
        "All about ML Ops.",
        "An intro on ML Ops and AutoMLOps.",
        ["ML Ops", "Python"],
        [{"name": "Intro to ML Ops", "startOffset": 0, "endOffset": 10}],
        [("Intro to ML Ops", ""), ("Welcome to a talk on ML Ops.", "Alexey"), ("Thanks, ML Ops is fun.", "Jane")],
    )
    revision = Revision.objects.filter(episode=two).latest("pk")
    assert revision.summary == (
        'replaced "mlops" → "ML Ops": 1 in title, 1 in short title, 1 in description, 1 in intro, 1 in topics, '
        "1 in section headers, 1 in clip names, 2 in turns' text"
    )
    assert lines[0].message.startswith("9 replaced (1 in title")
    # Done is done: the same search again finds nothing, and an apply of it writes no revision; the old
    # preview's versions are stale now.
    assert replace_preview(search=search) == []
    current = dict(Episode.objects.filter(pk__in=versions).values_list("pk", "version"))
    assert [line.status for line in episodes_replace(search=search, versions=current)] == ["unchanged"] * 2
    assert [line.status for line in episodes_replace(search=search, versions=versions)] == ["refused"] * 2
    assert Revision.objects.count() == revisions + 2


def test_only_the_chosen_fields_change_and_a_regular_expression_uses_its_groups():
    one = rich_episode()
    search = Search(r"(\w+)Ops\b", r"\1-Ops", regex=True, case_sensitive=True, fields=("intro", "topics"))
    [found] = replace_preview(search=search)
    episodes_replace(search=search, versions={one.pk: found.version})
    title, _, description, intro, topics, clips, items = texts(one)
    assert intro == "An intro on ML-Ops and AutoML-Ops." and topics == ["ML-Ops", "Python"]
    assert title == "MLOps with Jane" and description == "All about mlops." and clips == CLIPS
    assert items[1][0] == "Welcome to a talk on MLOps."


def test_speaker_labels_change_in_every_turn_and_keep_who_they_are():
    one = rich_episode()
    jane = make_person("janedoe", "Jane Doe")
    Speaker.objects.create(episode=one, label="Jane", person=jane)
    search = Search("Jane", "Jane Doe", whole_words=True, case_sensitive=True, fields=("speakers",))
    [found] = replace_preview(search=search)
    assert [change.text.where for change in found.changes] == ["speaker label of 1 turn(s)"]
    episodes_replace(search=search, versions={one.pk: found.version})
    assert texts(one)[-1][2] == ("Thanks, MLOps is fun.", "Jane Doe")
    assert texts(one)[0] == "MLOps with Jane"  # not a chosen field
    assert list(Speaker.objects.filter(episode=one).values_list("label", "person")) == [("Jane Doe", jane.pk)]


def test_an_episode_changed_since_the_preview_is_refused_and_the_others_go_on():
    one, two = rich_episode("one"), rich_episode("two")
    search = Search("MLOps", "ML Ops", whole_words=True, fields=("title",))
    versions = {found.episode.pk: found.version for found in replace_preview(search=search)}
    episode_save(episode=Episode.objects.get(pk=one.pk), fields={"title": "MLOps, edited meanwhile"})
    revisions = Revision.objects.count()
    lines = episodes_replace(search=search, versions=versions)
    assert [(line.key, line.status) for line in lines] == [("one", "refused"), ("two", "updated")]
    assert "changed since the preview" in lines[0].message
    assert texts(one)[0] == "MLOps, edited meanwhile" and texts(two)[0] == "ML Ops with Jane"
    assert Revision.objects.count() == revisions + 1


def test_a_replaced_title_too_long_for_its_column_is_refused_for_that_episode():
    one = rich_episode()
    lines = episodes_replace(search=Search("MLOps", "x" * 500, fields=("title",)), versions={one.pk: one.version})
    assert lines[0].status == "refused" and "title would be 510 characters long, over the 500" in lines[0].message
    assert texts(one)[0] == "MLOps with Jane"


def test_a_bad_or_too_slow_search_is_a_message(settings):
    one = rich_episode()
    TranscriptItem.objects.filter(episode=one, position=1).update(text="a" * 60 + "!")
    with pytest.raises(SearchFailed, match="The regular expression is not valid"):
        replace_preview(search=Search("(", regex=True))
    settings.REPLACE_SECONDS = 0.2
    slow = Search(r"(a|aa)+$", "b", regex=True, fields=("turns",))
    with pytest.raises(SearchFailed, match=r"more than 0.2 s on episode one \(turn 2 \(Alexey\)\)"):
        replace_preview(search=slow)
    with pytest.raises(SearchFailed, match="more than 0.2 s"):
        episodes_replace(search=slow, versions={one.pk: one.version})
    assert Episode.objects.get(pk=one.pk).version == one.version


def test_the_preview_reads_many_episodes_in_a_few_queries(django_assert_max_num_queries):
    for i in range(12):
        rich_episode(f"e{i:02d}")
    with django_assert_max_num_queries(2):
        found = replace_preview(search=Search("mlops", "ML Ops", whole_words=True))
    assert len(found) == 12 and all(result.count == 9 for result in found)


def test_as_a_job_with_its_report(admin_user, settings):
    episodes = [rich_episode(f"e{i}") for i in range(3)]
    search = Search("MLOps", "ML Ops", whole_words=True, fields=("title",))
    versions = {str(found.episode.pk): found.version for found in replace_preview(search=search)}
    episode_save(episode=Episode.objects.get(pk=episodes[0].pk), fields={"title": "MLOps, edited meanwhile"})
    settings.TASKS = WORKER_TASKS
    job = tasks.job_start(
        kind=Job.Kind.REPLACE, user=admin_user, arguments={"search": search.as_dict(), "versions": versions}
    )
    assert job.status == Job.Status.QUEUED and jobs.job_run(job_id=job.pk) == Job.Status.SUCCEEDED
    job.refresh_from_db()
    assert job.done == job.total == 3
    assert [line["status"] for line in job.report] == ["refused", "updated", "updated"]
    assert job.message == 'Replaced "MLOps" → "ML Ops": 1 refused, 2 updated'
    assert Revision.objects.filter(episode=episodes[1]).latest("pk").user == admin_user


def test_a_job_whose_search_is_too_slow_fails_with_the_message(settings):
    one = rich_episode()
    TranscriptItem.objects.filter(episode=one, position=1).update(text="a" * 60 + "!")
    settings.REPLACE_SECONDS = 0.2
    slow = Search(r"(a|aa)+$", "b", regex=True, fields=("turns",))
    job = tasks.job_start(
        kind=Job.Kind.REPLACE, arguments={"search": slow.as_dict(), "versions": {str(one.pk): one.version}}
    )
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.message.startswith("Nothing more was replaced: The search took more than 0.2 s on episode one")


@needs_shared
def test_the_non_breaking_hyphens_of_a_real_episode_go_in_one_revision():
    path = SHARED / "corpus" / "episodes" / "building-data-products-lead-data-scientist.md"
    assert import_text(path.read_text(encoding="utf-8"), slug=path.stem).status == "created"
    episode = Episode.objects.get(slug=path.stem)
    before, revisions = export(episode), Revision.objects.count()
    [found] = replace_preview(search=Search("\u2011", "-"))
    # The site's editors replaced these by hand: in the intro, the clip names and the section headers.
    assert found.counts() == {"intro": 3, "headers": 5, "clips": 4} and found.count == before.count("\u2011")
    episodes_replace(search=Search("\u2011", "-"), versions={episode.pk: found.version})
    after = export(episode)
    assert "\u2011" not in after and Revision.objects.count() == revisions + 1

    def plain(value):
        if isinstance(value, str):
            return value.replace("\u2011", "-")
        if isinstance(value, list):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    assert fm.parse(after.encode()).front == plain(fm.parse(before.encode()).front)
