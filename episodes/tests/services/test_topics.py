"""The curated topics: loading the site's list, the topics-curated rule reading it, merging a topic into
another (previewed, then one revision per episode), and the admin pages that do it."""

import pytest
from django.urls import reverse

from episodes.documents import database
from episodes.models import Episode, EpisodeProblem, Revision, Topic
from episodes.selectors.checks import episode_findings
from episodes.selectors.topics import topic_choices
from episodes.services import topics
from episodes.services.editing import ServiceError
from episodes.tests.support.factories import SHARED, import_text, make_episode, needs_shared
from episodes.tests.support.siterepo import make_site

pytestmark = pytest.mark.django_db
CORPUS = SHARED / "corpus"


def topics_of(slug: str) -> list[str]:
    return database.episode_extra(Episode.objects.get(slug=slug)).get("topics")


def unknown(episode) -> list[str]:
    episode = Episode.objects.get(pk=episode.pk)
    return [f.message for f in episode_findings(episode=episode) if f.rule == "topics-curated"]


def test_loading_a_list_adds_each_topic_once():
    added = topics.topics_load(text="# the list\nMLOps\n- Data Engineering\n\nmlops\n  Careers  \n")
    assert [t.name for t in added] == ["MLOps", "Data Engineering", "Careers"]
    Topic.objects.filter(name="Careers").update(aliases=["Career"])
    assert topics.topics_load(text="MLOps\ncareer\nLLMs\n") == [Topic.objects.get(name="LLMs")]
    assert Topic.objects.count() == 4


def test_the_rule_reads_the_topics_and_their_aliases():
    episode = make_episode(topics=["MLOps", "ML", "Kaggle"])
    assert unknown(episode) == []  # no list yet: not checked
    Topic.objects.create(name="MLOps")
    Topic.objects.create(name="Machine Learning", aliases=["ML"])
    assert unknown(episode) == ["topic 'Kaggle' is not on the curated list"]


def test_merging_previews_then_changes_each_episode_once():
    make_episode("one", topics=["ML", "MLOps", "Careers"])
    make_episode("two", topics=["machine learning", "ml"])
    make_episode("three", topics=["MLOps"])
    source = Topic.objects.create(name="ML", aliases=["machine learning"])
    target = Topic.objects.create(name="Machine Learning")
    revisions = Revision.objects.count()

    preview = topics.topic_merge(source=source, target=target, dry_run=True)
    assert [(c.episode.slug, c.before, c.after) for c in preview] == [
        ("one", ["ML", "MLOps", "Careers"], ["Machine Learning", "MLOps", "Careers"]),
        ("two", ["machine learning", "ml"], ["Machine Learning"]),
    ]
    assert Revision.objects.count() == revisions and topics_of("one") == ["ML", "MLOps", "Careers"]
    assert Topic.objects.filter(pk=source.pk).exists()

    changes = topics.topic_merge(source=source, target=target)
    assert len(changes) == 2 and Revision.objects.count() == revisions + 2
    assert topics_of("one") == ["Machine Learning", "MLOps", "Careers"]
    assert topics_of("two") == ["Machine Learning"] and topics_of("three") == ["MLOps"]
    assert not Topic.objects.filter(pk=source.pk).exists()
    assert Topic.objects.get(pk=target.pk).aliases == ["ML", "machine learning"]
    # The episode list's counts followed: 'two' now has one topic.
    assert EpisodeProblem.objects.filter(episode__slug="two", rule="topics-count").exists()
    # The topic rows did too: merging the new alias again finds nobody.
    assert topics.topic_users(Topic.objects.create(name="ml again", aliases=["ML"])) == []
    with pytest.raises(ServiceError):
        topics.topic_merge(source=target, target=target)


def test_a_pull_loads_the_sites_topic_list(tmp_path):
    site = make_site(tmp_path / "site", episodes=[], people=[])
    (site.root / "scripts").mkdir()
    (site.root / "scripts" / "topic_list.txt").write_text("MLOps\nCareers\n", encoding="utf-8")
    site.commit("The topic list")
    from episodes.services import site as site_sync

    site_sync.site_pull(repo=str(site.root))
    assert list(Topic.objects.values_list("name", flat=True)) == ["Careers", "MLOps"]


@needs_shared
def test_merging_a_topic_of_real_episodes():
    slugs = ["data-science-career-abc-framework", "get-data-scientist-job", "crisp-dm", "data-team-roles"]
    for slug in slugs:
        assert import_text((CORPUS / "episodes" / f"{slug}.md").read_text(encoding="utf-8"), slug=slug).status
    using = {s for s in slugs if any(t.casefold() == "data science" for t in topics_of(s) or [])}
    assert using  # the corpus's own topics
    source = Topic.objects.create(name="data science")
    target = Topic.objects.create(name="Data Science")
    changes = topics.topic_merge(source=source, target=target)
    assert {c.episode.slug for c in changes} == using
    for slug in using:
        assert "Data Science" in topics_of(slug) and "data science" not in topics_of(slug)


def test_the_admin_merges_after_a_preview(admin_client, settings, tmp_path):
    make_episode("one", topics=["ML", "MLOps", "Careers"])
    source = Topic.objects.create(name="ML")
    target = Topic.objects.create(name="Machine Learning")
    url = reverse("admin:episodes_topic_merge", args=[source.pk])
    assert "Merge into" in admin_client.get(url).content.decode()
    page = admin_client.post(url, {"into": target.pk, "preview": ""}).content.decode()
    assert "Preview: nothing changed yet" in page and "ML, MLOps, Careers" in page
    assert "Machine Learning, MLOps, Careers" in page and topics_of("one") == ["ML", "MLOps", "Careers"]
    response = admin_client.post(url, {"into": target.pk, "confirm": ""})
    assert response.status_code == 302 and topics_of("one") == ["Machine Learning", "MLOps", "Careers"]

    settings.SITE_REPO = str(tmp_path)
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "topic_list.txt").write_text("Careers\nMLOps\n", encoding="utf-8")
    admin_client.post(reverse("admin:episodes_topic_load"))
    assert set(Topic.objects.values_list("name", flat=True)) == {"Machine Learning", "Careers", "MLOps"}
    page = admin_client.get(reverse("admin:episodes_topic_change", args=[target.pk])).content.decode()
    assert "ML</textarea>" in page  # its aliases, one a line


def test_the_list_is_read_only_for_an_episode_with_topics(django_assert_num_queries):
    Topic.objects.create(name="MLOps")
    with_topics, without = make_episode("with", topics=["MLOps", "Kaggle"]), make_episode("without")
    for episode, queries in ((with_topics, 1), (without, 0)):
        items = list(episode.items.values_list("position", "kind", "text", "who", "sec"))
        with django_assert_num_queries(queries):
            episode_findings(episode=episode, items=items, guests=[])


def test_the_editors_topics_field_suggests_the_curated_list_and_marks_the_others(admin_client):
    Topic.objects.create(name="MLOps", aliases=["ML Ops"])
    Topic.objects.create(name="Python")
    episode = make_episode("one", topics=["MLOps", "Rust"])
    page = admin_client.get(reverse("admin:episodes_episode_change", args=[episode.pk])).content.decode()
    assert '<datalist id="id_x_topics-list">' in page
    assert '<option value="MLOps" data-aliases="ML Ops">ML Ops</option>' in page
    assert '<option value="Python" data-aliases=""></option>' in page
    assert "episodes/editor/topics.js" in page
    # The topic not on the list is marked beside the field with the rule's message; the one on it is not.
    warnings = page[page.index('<div class="topic-suggest">') :]
    warnings = warnings[: warnings.index("</ul>")]
    assert "topic &#x27;Rust&#x27; is not on the curated list" in warnings
    assert "&#x27;MLOps&#x27; is not on" not in page


def test_without_topic_rows_the_suggestions_are_the_site_checkouts_list(settings, tmp_path):
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "topic_list.txt").write_text("- Python\n- MLOps\n# a comment\n- python\n")
    settings.SITE_REPO = str(tmp_path)
    assert topic_choices() == [("MLOps", []), ("Python", [])]
    settings.SITE_REPO = ""
    assert topic_choices() == []
