"""The admin's Publish page: pull, review the pending changes, publish, settle conflicts (real git repositories)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from episodes.models import Episode, Job, Person
from episodes.services import site as site_sync
from episodes.tests.site.test_site_sync import HOST, S22, S22_SLUG, changed_lines, edit_title
from episodes.tests.support.factories import needs_shared
from episodes.tests.support.pages import form_fields
from episodes.tests.support.siterepo import EPISODES, PEOPLE, make_site

pytestmark = [pytest.mark.django_db]

PAGE = reverse("admin:episodes_publish_changelist")


@pytest.fixture
def site(tmp_path, settings):
    repo = make_site(tmp_path / "site", episodes=EPISODES, people=PEOPLE)
    settings.SITE_REPO = str(repo.root)
    settings.SITE_REMOTE = ""
    return repo


@pytest.fixture
def pulled(site):
    assert not site_sync.site_pull(repo=str(site.root)).problems
    return site


def test_without_a_repository_the_page_says_how_to_configure_one(admin_client, settings):
    settings.SITE_REPO = ""
    html = admin_client.get(PAGE).content.decode()
    assert "No site repository is configured" in html and "SITE_REPO" in html
    response = admin_client.post(reverse("admin:episodes_publish_pull"))
    assert response.status_code == 302


@needs_shared
def test_pull_from_the_admin_shows_the_command_s_report(admin_client, site):
    response = admin_client.post(reverse("admin:episodes_publish_pull"), follow=True)
    html = response.content.decode()
    job = Job.objects.get()
    assert response.redirect_chain == [(reverse("admin:episodes_job_change", args=[job.pk]), 302)]
    assert job.status == Job.Status.SUCCEEDED and job.done == job.total == len(EPISODES) + len(PEOPLE)
    assert "Pulled main at" in html and f"{S22}: created ({S22_SLUG})" in html
    assert Episode.objects.count() == len(EPISODES)


@needs_shared
def test_the_page_lists_pending_changes_in_words_and_publishes_them(admin_client, admin_user, pulled):
    edit_title(S22_SLUG, "A title from the admin", user=admin_user)
    Person.objects.filter(key="adrianbrudaru").update(linkedin="adrian-b")
    html = admin_client.get(PAGE).content.decode()
    assert "Changes to publish (2)" in html
    assert "Adrian Brudaru</a> <code>_people/adrianbrudaru.md</code>" in html
    assert "linkedin: &#x27;data-team&#x27; → &#x27;adrian-b&#x27;" in html
    assert "title: &#x27;Reinventing a Career in Tech&#x27; → &#x27;A title from the admin&#x27;" in html
    assert f"<code>{S22}</code>" in html and "by admin" in html
    response = admin_client.post(reverse("admin:episodes_publish_push"), {"message": "Retitle an episode"}, follow=True)
    html = response.content.decode()
    commit = pulled.git("rev-parse", "refs/heads/" + pulled.branches()[0])
    assert f"Commit {commit} on branch" in html
    assert pulled.git("log", "-1", "--format=%s", commit) == "Retitle an episode"
    assert "Nothing to publish" in admin_client.get(PAGE).content.decode()


@needs_shared
def test_an_admin_edit_of_a_title_and_a_handle_is_one_commit_of_those_lines(admin_client, pulled):
    head, files = pulled.head(), {path: pulled.read(path) for path in (S22, HOST)}
    episode = Episode.objects.get(slug=S22_SLUG)
    url = reverse("admin:episodes_episode_change", args=[episode.pk])
    data = form_fields(admin_client.get(url).content.decode())
    response = admin_client.post(url, {**data, "title": "Reinventing a Career in Tech, Twice", "_continue": "1"})
    assert response.status_code == 302
    host = Person.objects.get(key="alexeygrigorev")
    url = reverse("admin:episodes_person_change", args=[host.pk])
    data = form_fields(admin_client.get(url).content.decode(), "person_form")
    response = admin_client.post(url, {**data, "twitter": "alexey_new", "_continue": "1"})
    assert response.status_code == 302
    response = admin_client.post(reverse("admin:episodes_publish_push"))
    assert response.status_code == 302
    branch = next(name for name in pulled.branches() if name != "main")
    commit = pulled.git("rev-parse", branch)
    assert sorted(changed_lines(pulled, commit)) == sorted(
        [
            "-title: Reinventing a Career in Tech",
            "+title: Reinventing a Career in Tech, Twice",
            "-twitter: Al_Grigor",
            "+twitter: alexey_new",
        ]
    )
    assert pulled.head() == head and pulled.branch() == "main" and pulled.status() == ""
    assert {path: pulled.read(path) for path in files} == files
    assert pulled.git("log", "-1", "--format=%an", commit) == "admin"


@needs_shared
def test_publish_pushes_to_the_configured_remote(admin_client, pulled, settings, tmp_path):
    pulled.git("init", "-q", "--bare", str(tmp_path / "origin.git"))
    pulled.git("remote", "add", "origin", str(tmp_path / "origin.git"))
    settings.SITE_REMOTE = "origin"
    edit_title(S22_SLUG, "Pushed from the admin")
    html = admin_client.get(PAGE).content.decode()
    assert "Commit and push" in html and "Push the branch to <code>origin</code>" in html
    push = reverse("admin:episodes_publish_push")
    html = admin_client.post(push, {"push": "1", "branch": "cms/retitle"}, follow=True).content
    assert b"pushed to origin" in html
    assert pulled.git("ls-remote", "origin", "refs/heads/cms/retitle")


@needs_shared
def test_conflicts_are_shown_side_by_side_and_settled_from_the_page(admin_client, pulled):
    edit_title(S22_SLUG, "The CMS's title")
    pulled.replace(S22, "title: Reinventing a Career in Tech", "title: The site's title")
    pulled.commit()
    html = admin_client.post(reverse("admin:episodes_publish_pull"), follow=True).content.decode()
    assert "conflict, not imported" in html
    html = admin_client.get(PAGE).content.decode()
    assert "Conflicts (1)" in html
    assert "<td><pre>Reinventing a Career in Tech</pre></td><td><pre>The CMS&#x27;s title</pre></td>" in html
    assert "<td><pre>The site&#x27;s title</pre></td>" in html
    response = admin_client.post(reverse("admin:episodes_publish_resolve"), {"path": S22, "keep": "site"})
    assert response.status_code == 302
    assert Episode.objects.get(slug=S22_SLUG).title == "The site's title"
    assert "Conflicts (" not in admin_client.get(PAGE).content.decode()


@needs_shared
def test_errors_are_messages_not_server_errors(admin_client, pulled):
    edit_title(S22_SLUG, "Title")
    response = admin_client.post(reverse("admin:episodes_publish_push"), {"branch": "main"}, follow=True)
    assert "Nothing was published: the CMS publishes only to branches of its own" in response.content.decode()
    response = admin_client.post(reverse("admin:episodes_publish_resolve"), {"path": S22, "keep": "cms"}, follow=True)
    assert f"{S22} is not in conflict" in response.content.decode()
    pulled.git("checkout", "-q", "--detach")
    response = admin_client.post(reverse("admin:episodes_publish_pull"), follow=True)
    assert "Nothing was pulled: HEAD is detached" in response.content.decode()


def test_seeing_the_page_is_not_enough_to_publish(client, django_user_model, settings, tmp_path):
    settings.SITE_REPO = str(tmp_path)
    viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_publish"))
    client.force_login(viewer)
    assert client.get(PAGE).status_code == 200
    for name in ("pull", "push", "resolve"):
        assert client.post(reverse(f"admin:episodes_publish_{name}")).status_code == 403
    assert "Pull from the site" not in client.get(PAGE).content.decode()


@needs_shared
def test_the_pending_changes_cost_the_same_queries_for_one_edited_file_or_all(admin_client, admin_user, pulled):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for slugs in (EPISODES[:1], EPISODES):
        for slug in slugs:
            edit_title(slug, f"Edited {slug}", user=admin_user)
        with CaptureQueriesContext(connection) as queries:
            pending = site_sync.pending_changes()
        assert len([p for p in pending.files if p.kind == "episode"]) == len(slugs)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@needs_shared
def test_the_page_publishes_only_the_ticked_files_and_shows_demo_data_as_not_published(admin_client, pulled):
    from episodes.tests.site.test_site_trust import TRENDS, TRENDS_SLUG

    edit_title(S22_SLUG, "Ticked title")
    edit_title(TRENDS_SLUG, "Unticked title")
    Episode.objects.filter(slug="dataops-for-data-engineering").update(demo=True, title="Demo title", version=99)
    html = admin_client.get(PAGE).content.decode()
    assert html.count('type="checkbox" name="only"') == 2 and f'value="{S22}"' in html
    assert "<code>_podcast/dataops-for-data-engineering.md</code>: demo, not published" in html
    push = reverse("admin:episodes_publish_push")
    response = admin_client.post(push, {"choose": "1"}, follow=True)
    assert "no file was ticked" in response.content.decode() and pulled.branches() == ["main"]
    admin_client.post(push, {"choose": "1", "only": [S22]}, follow=True)
    [branch] = [name for name in pulled.branches() if name != "main"]
    assert pulled.git("diff", "--name-only", f"{branch}^", branch).splitlines() == [S22]
    assert [p.path for p in site_sync.pending_changes().files] == [TRENDS]


@needs_shared
def test_a_conflict_line_on_the_page_shows_where_long_values_differ(admin_client, pulled):
    long_title = "Reinventing a Career in Tech: from a first job in sales to a data team in twelve months"
    edit_title(S22_SLUG, long_title.replace("twelve", "nine"))
    pulled.replace(S22, "title: Reinventing a Career in Tech", f"title: '{long_title.replace('twelve', 'ten')}'")
    pulled.commit()
    site_sync.site_pull(repo=str(pulled.root))
    html = admin_client.get(PAGE).content.decode()
    cms, site = "&#x27;…to a data team in nine months&#x27;", "&#x27;…to a data team in ten months&#x27;"
    assert f"the CMS has {cms}, the site has {site} (was &#x27;Reinventing a Career in Tech&#x27;)" in html
